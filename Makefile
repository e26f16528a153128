# SPDX-License-Identifier: MIT
#
# segctl: Plan 9 segments and libthread on Linux.
#
#   make            build the module (for each installed Debian cloud kernel
#                   and the running kernel), the libraries, tools, tests and
#                   benchmarks into build/
#   make lib        only the libraries, their pkg-config files and the tools:
#                   what 'make install' installs (no Check, no kernel headers)
#   make check      install what is missing, build, run every test
#   make check-debug the VM tests on debug kernels (KASAN, lockdep, DEBUG_VM,
#                   kmemleak) built from Debian's sources; see README.md
#   make check-deb  build the Debian packages and try them in a fresh
#                   Debian 12 root (make check runs it too)
#   make run        install what is missing, build, boot the 6.1 VM and show
#                   the thread-creation comparison
#   make deps       install the build and test dependencies (apt-get)
#   make sparse     run sparse over the module (C=2)
#   make install    PREFIX=/usr/local DESTDIR= (and LIBDIR, INCLUDEDIR, ...)
#   make uninstall  remove what 'make install' put there
#   make deb        the Debian packages, into build/deb/
#   make dkms-src   the module's source as DKMS wants it
#
# KERNELS=6.1, KERNELS=6.12 or KERNELS="6.1 6.12" chooses the kernels the
# module is built and tested for; the default is every one installed, and
# the running kernel when its headers are there.
#
# CFLAGS, CPPFLAGS and LDFLAGS are the builder's own: they come after the
# project's flags (-O2 -g when CFLAGS is not given).  WERROR=-Werror makes
# warnings errors, in the module too; 'make check' sets it.

# 'make' alone is 'make all', whatever rule comes first below.
.DEFAULT_GOAL	:= all

SHELL		:= /bin/bash
comma		:= ,
B		:= build
CC		?= cc

# The version of everything: the pkg-config files, the manual pages, the
# module (MODULE_VERSION), dkms.conf and the Debian packages (debian/
# changelog must agree: 'make deb' checks).  NEWS says what each brings.
VERSION		:= 0.1
# The shared libraries' ABI: SONAME libNAME.so.$(SOVERSION), file
# libNAME.so.$(SOVERSION_FULL); raise the middle number for new API.
SOVERSION	:= 0
SOVERSION_FULL	:= $(SOVERSION).1.0
URL		:= https://segctl.example/

# Where 'make install' puts things (DESTDIR is prepended to each).
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
# Private files: segls's preloaded helper.
PKGLIBDIR	?= $(LIBDIR)/segctl
# The headers' own directory, which the pkg-config files' Cflags name.
PKGINCLUDEDIR	:= $(INCLUDEDIR)/segctl

KSH		:= . scripts/kernels.sh;
KERNELS		?= $(shell $(KSH) kernels_installed)

CFLAGS		?= -O2 -g
WERROR		?=
SEG_CPPFLAGS	:= -D_GNU_SOURCE -Iinclude -Iinclude/uapi
SEG_CFLAGS	:= -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers
# What every C compile of the project uses (recursive: the builder's flags
# as they are when a rule runs).
CFLAGS_BASE	= $(SEG_CFLAGS) $(WERROR) $(SEG_CPPFLAGS) $(CPPFLAGS) $(CFLAGS)
SAN		:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all

# Check, for the unit tests only: asked for when a test is linked, so that
# nothing else needs it, and said once when it is missing.
CHECK_LIBS	= $(or $(shell pkg-config --libs check 2>/dev/null),$(check_missing))
CHECK_STATIC_LIBS = $(or $(shell pkg-config --static --libs check 2>/dev/null),$(check_missing))
check_missing	= $(error the tests need Check (libcheck): run 'make deps', or apt-get install check; 'make lib' builds the libraries without it)

# The flags in use, in a file that changes only when they do: objects
# depend on it, so that a build with other flags rebuilds them.
FLAGS_STAMP	:= $(B)/.flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS_BASE) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_BASE) $(LDFLAGS)' > $@
# Likewise the install paths a program is built with (segls's helper), so
# that 'make install PREFIX=...' after a plain 'make' rebuilds it.
PATHS_STAMP	:= $(B)/.paths
$(PATHS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(BINDIR) $(PKGLIBDIR)' | cmp -s - $@ || echo '$(BINDIR) $(PKGLIBDIR)' > $@
FORCE:

# Object flavours: pic (libraries), san (native test builds).
$(B)/obj/pic/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -MMD -MP -c -o $@ $<
$(B)/obj/pic/%.o: %.S $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -MMD -MP -c -o $@ $<
$(B)/obj/san/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(SAN) -MMD -MP -c -o $@ $<
$(B)/obj/san/%.o: %.S $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -DSEGCTL_ASAN -MMD -MP -c -o $@ $<

pic = $(patsubst %,$(B)/obj/pic/%.o,$(basename $(1)))
san = $(patsubst %,$(B)/obj/san/%.o,$(basename $(1)))

# $(call library,NAME,SOURCES,PKG-REQUIRES,LDLIBS,DESCRIPTION,PKG-REQUIRES-PRIVATE):
# static and shared library NAME (libNAME.a; libNAME.so.$(SOVERSION_FULL)
# with SONAME libNAME.so.$(SOVERSION) and the two links to it) and its
# pkg-config files: one to install (NAME.pc, the directories filled in by
# 'make install') and one for this build tree (NAME-uninstalled.pc).  The
# shared library exports what NAME/NAME.map lists (symbol versions).
# PKG-REQUIRES-PRIVATE are pkg-config packages the library links with
# (liburing): their -l flags in LDLIBS go to Requires.private, the rest of
# LDLIBS to Libs.private, for 'pkg-config --static'.
define library
$(B)/lib/$(1).a: $(call pic,$(2))
	@mkdir -p $$(@D)
	rm -f $$@ && $(AR) rcs $$@ $$^
$(B)/lib/$(1).so.$(SOVERSION_FULL): $(call pic,$(2)) $(foreach r,$(3),$(B)/lib/$(r).so) $(wildcard $(1)/$(1).map)
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -shared -Wl,-soname,$(1).so.$(SOVERSION) -Wl,--no-undefined \
		$(if $(wildcard $(1)/$(1).map),-Wl$(comma)--version-script=$(1)/$(1).map) \
		$$(LDFLAGS) -o $$@ $(call pic,$(2)) -L$(B)/lib $(foreach r,$(3),-l$(r:lib%=%)) $(4)
$(B)/lib/$(1).so.$(SOVERSION): $(B)/lib/$(1).so.$(SOVERSION_FULL)
	ln -sf $(1).so.$(SOVERSION_FULL) $$@
$(B)/lib/$(1).so: $(B)/lib/$(1).so.$(SOVERSION)
	ln -sf $(1).so.$(SOVERSION) $$@
$(B)/lib/pkgconfig/$(1).pc: Makefile
	@mkdir -p $$(@D)
	printf '%s\n' 'prefix=@PREFIX@' 'exec_prefix=$$$${prefix}' 'libdir=@LIBDIR@' \
		'includedir=@INCLUDEDIR@' '' 'Name: $(1)' 'Description: $(5)' \
		'URL: $(URL)' 'Version: $(VERSION)' \
		$(if $(3),'Requires: $(3)') $(if $(6),'Requires.private: $(6)') \
		'Libs: -L$$$${libdir} -l$(1:lib%=%)' \
		$(if $(filter-out $(patsubst lib%,-l%,$(6)),$(4)),'Libs.private: $(filter-out $(patsubst lib%,-l%,$(6)),$(4))') \
		'Cflags: -I$$$${includedir}/segctl' > $$@
$(B)/lib/pkgconfig/$(1)-uninstalled.pc: $(B)/lib/pkgconfig/$(1).pc
	sed -e 's|@PREFIX@|$(CURDIR)/$(B)|' -e 's|@LIBDIR@|$(CURDIR)/$(B)/lib|' \
		-e 's|@INCLUDEDIR@|$(CURDIR)/include|' \
		-e 's|^Cflags: .*|Cflags: -I$$$${includedir} -I$$$${includedir}/uapi|' \
		-e 's|^Requires: \(.\+\)|Requires: \1-uninstalled|' $$< > $$@
LIBS += $(B)/lib/$(1).a $(B)/lib/$(1).so.$(SOVERSION_FULL) $(B)/lib/$(1).so.$(SOVERSION) \
	$(B)/lib/$(1).so $(B)/lib/pkgconfig/$(1).pc $(B)/lib/pkgconfig/$(1)-uninstalled.pc
INSTALL_LIBS += $(1)
endef

# Each component adds its targets to these lists: LIBS and BINS are what
# 'make lib' builds; INSTALL_LIBS the libraries' names, PRIVATE_LIBS the
# helpers 'make install' puts in PKGLIBDIR.
LIBS		:=
BINS		:=
INSTALL_LIBS	:=
PRIVATE_LIBS	:=
NATIVE_TESTS	:=
VM_TESTS	:=
BENCHES		:=
PEERS		:=

.PHONY: all lib deps module sparse check check-debug check-deb run bench install \
	uninstall deb dkms-src clean FORCE
all: module

include libseg/build.mk
include libthread9/build.mk
include tools/build.mk
include tests/build.mk
include bench/build.mk

all: lib $(NATIVE_TESTS) $(VM_TESTS) $(BENCHES)
lib: $(LIBS) $(BINS) $(PRIVATE_LIBS)

deps:
	@scripts/deps.sh

# The module: one build directory per kernel release, made of links to
# kmod/: for KERNELS and, unless KERNELS is given, the running kernel if
# its headers are installed.  One line says so when there is none.  Warnings
# fail only with WERROR (make check) and in 'make sparse'.
KERNELS_GIVEN	= $(filter command line environment,$(origin KERNELS))
KBUILD		= scripts/kbuild $(if $(WERROR),,--lenient) --version $(VERSION)
module:
	+@set -e; $(KSH) rels=; for k in $(KERNELS); do \
		rel=$$(kernel_check $$k) || exit 1; rels="$$rels $$rel"; \
	done; \
	$(if $(KERNELS_GIVEN),,rels="$$rels $$(running_release)";) \
	if [ -z "$${rels// }" ]; then \
		echo "module: not built: $(if $(KERNELS_GIVEN),KERNELS is empty,no headers for the running kernel $$(uname -r) (/lib/modules/$$(uname -r)/build) nor for Debian's cloud kernels ('make deps' installs those))"; \
		exit 0; \
	fi; \
	for rel in $$rels; do $(KBUILD) "$$rel" modules; done

sparse:
	+@set -e; $(KSH) for k in $(KERNELS); do \
		rel=$$(kernel_check $$k) || exit 1; \
		scripts/kbuild --version $(VERSION) "$$rel" modules C=2; \
	done

# Both kernels unless KERNELS is given: deps installs any that is missing.
check:
	@scripts/check $(if $(filter command line environment,$(origin KERNELS)),--kernels "$(KERNELS)")

check-debug:
	@scripts/check --debug $(if $(filter command line environment,$(origin KERNELS)),--kernels "$(KERNELS)")

run:
	@scripts/run

bench: $(BENCHES) $(PEERS)
	@scripts/bench-native

# Installed: the headers in their own directory (the uapi header as
# segctl/linux/segctl.h, so that <linux/segctl.h> means the same with the
# pkg-config Cflags as in this tree), the libraries, their pkg-config files,
# segls and its helper, the manual pages.  'make uninstall' removes exactly
# these, and the directories that are segctl's own.
HEADERS		:= include/seg.h include/seglist.h include/thread.h
UAPI_HEADERS	:= include/uapi/linux/segctl.h
MAN_PAGES	:= $(wildcard man/man[1-9]/*.[1-9])
pcdir		= $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
D		= $(DESTDIR)

install: lib
	install -d $(D)$(PKGINCLUDEDIR)/linux $(D)$(LIBDIR) $(D)$(PKGCONFIGDIR) \
		$(D)$(BINDIR) $(D)$(PKGLIBDIR)
	install -m 644 $(HEADERS) $(D)$(PKGINCLUDEDIR)/
	install -m 644 $(UAPI_HEADERS) $(D)$(PKGINCLUDEDIR)/linux/
	set -e; for l in $(INSTALL_LIBS); do \
		install -m 644 $(B)/lib/$$l.a $(B)/lib/$$l.so.$(SOVERSION_FULL) $(D)$(LIBDIR)/; \
		ln -sf $$l.so.$(SOVERSION_FULL) $(D)$(LIBDIR)/$$l.so.$(SOVERSION); \
		ln -sf $$l.so.$(SOVERSION) $(D)$(LIBDIR)/$$l.so; \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pcdir,$(LIBDIR))|' \
			-e 's|@INCLUDEDIR@|$(call pcdir,$(INCLUDEDIR))|' \
			$(B)/lib/pkgconfig/$$l.pc > $(D)$(PKGCONFIGDIR)/$$l.pc; \
	done
	$(if $(BINS),install -m 755 $(BINS) $(D)$(BINDIR)/)
	$(if $(PRIVATE_LIBS),install -m 644 $(PRIVATE_LIBS) $(D)$(PKGLIBDIR)/)
	scripts/install-man man $(D)$(MANDIR) $(VERSION)

uninstall:
	rm -f $(addprefix $(D)$(PKGINCLUDEDIR)/,$(notdir $(HEADERS))) \
		$(addprefix $(D)$(PKGINCLUDEDIR)/linux/,$(notdir $(UAPI_HEADERS))) \
		$(foreach l,$(INSTALL_LIBS),$(addprefix $(D)$(LIBDIR)/$(l),.a .so.$(SOVERSION_FULL) \
			.so.$(SOVERSION) .so) $(D)$(PKGCONFIGDIR)/$(l).pc) \
		$(addprefix $(D)$(BINDIR)/,$(notdir $(BINS))) \
		$(addprefix $(D)$(PKGLIBDIR)/,$(notdir $(PRIVATE_LIBS))) \
		$(foreach m,$(MAN_PAGES),$(D)$(MANDIR)/$(notdir $(patsubst %/,%,$(dir $(m))))/$(notdir $(m)))
	-rmdir $(D)$(PKGINCLUDEDIR)/linux $(D)$(PKGINCLUDEDIR) $(D)$(PKGLIBDIR) 2>/dev/null

# The Debian packages (debian/), built from a copy of the tree, into
# build/deb/; 'make check-deb' installs them into a fresh Debian 12 root.
deb:
	@scripts/deb $(B)/deb $(VERSION)

# The module's source as DKMS wants it, in /usr/src/segctl-$(VERSION)
# (without the planted bugs of the debug self-test).
DKMS_SRC	?= $(DESTDIR)/usr/src/segctl-$(VERSION)
dkms-src:
	install -d $(DKMS_SRC)/uapi/linux
	install -m 644 $(filter-out kmod/selftest.c,$(wildcard kmod/*.[ch])) kmod/Kbuild \
		kmod/COPYING $(DKMS_SRC)/
	install -m 644 include/uapi/linux/segctl.h \
		include/uapi/linux/segctl_rules.h $(DKMS_SRC)/uapi/linux/
	sed 's/@VERSION@/$(VERSION)/' kmod/dkms.conf > $(DKMS_SRC)/dkms.conf

clean:
	rm -rf $(B)

# The objects' header dependencies (-MMD), found without running a tool.
-include $(wildcard $(addprefix $(B)/obj/*/,*.d */*.d */*/*.d */*/*/*.d))
