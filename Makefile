# SPDX-License-Identifier: MIT
#
# segctl: Plan 9 segments and libthread on Linux.
#
#   make            build the module (for each installed kernel), the libraries,
#                   tools, tests and benchmarks into build/
#   make check      install what is missing, build, run every test
#   make check-debug the VM tests on debug kernels (KASAN, lockdep, DEBUG_VM,
#                   kmemleak) built from Debian's sources; see README.md
#   make run        install what is missing, build, boot the 6.1 VM and show
#                   the thread-creation comparison
#   make deps       install the build and test dependencies (apt-get)
#   make sparse     run sparse over the module (C=2)
#   make install    PREFIX=/usr/local DESTDIR=
#
# KERNELS=6.1, KERNELS=6.12 or KERNELS="6.1 6.12" chooses the kernels the
# module is built and tested for; the default is every one installed.

SHELL		:= /bin/bash
comma		:= ,
B		:= build
PREFIX		?= /usr/local
CC		?= cc
VERSION		:= 0.1

KSH		:= . scripts/kernels.sh;
KERNELS		?= $(shell $(KSH) kernels_installed)

CFLAGS_BASE	:= -std=gnu11 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror \
		   -Wno-missing-field-initializers \
		   -Iinclude -Iinclude/uapi
SAN		:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all

# Object flavours: pic (libraries), san (native test builds).
$(B)/obj/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -MMD -MP -c -o $@ $<
$(B)/obj/pic/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -MMD -MP -c -o $@ $<
$(B)/obj/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(SAN) -MMD -MP -c -o $@ $<
$(B)/obj/san/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -DSEGCTL_ASAN -MMD -MP -c -o $@ $<

pic = $(patsubst %,$(B)/obj/pic/%.o,$(basename $(1)))
san = $(patsubst %,$(B)/obj/san/%.o,$(basename $(1)))

# $(call library,NAME,SOURCES,PKG-REQUIRES,LDLIBS,DESCRIPTION): static and
# shared library NAME (libNAME.a, libNAME.so) and its pkg-config files: one
# to install (NAME.pc) and one for this build tree (NAME-uninstalled.pc).
# A component's build.mk gives the shared library's own link flags (its
# version script) as a target-specific SO_LDFLAGS.
define library
$(B)/lib/$(1).a: $(call pic,$(2))
	@mkdir -p $$(@D)
	rm -f $$@ && $(AR) rcs $$@ $$^
$(B)/lib/$(1).so.0: $(call pic,$(2)) $(foreach r,$(3),$(B)/lib/$(r).so)
	@mkdir -p $$(@D)
	$(CC) -shared -Wl,-soname,$(1).so.0 -Wl,--no-undefined $$(SO_LDFLAGS) -o $$@ $(call pic,$(2)) \
		-L$(B)/lib $(foreach r,$(3),-l$(r:lib%=%)) $(4)
$(B)/lib/$(1).so: $(B)/lib/$(1).so.0
	ln -sf $(1).so.0 $$@
$(B)/lib/pkgconfig/$(1).pc: Makefile
	@mkdir -p $$(@D)
	printf '%s\n' 'prefix=@PREFIX@' 'libdir=$$$${prefix}/lib' \
		'includedir=$$$${prefix}/include' '' 'Name: $(1)' \
		'Description: $(5)' 'Version: $(VERSION)' 'Requires: $(3)' \
		'Libs: -L$$$${libdir} -l$(1:lib%=%)' 'Libs.private: $(4)' \
		'Cflags: -I$$$${includedir}' > $$@
$(B)/lib/pkgconfig/$(1)-uninstalled.pc: $(B)/lib/pkgconfig/$(1).pc
	sed -e 's|@PREFIX@|$(CURDIR)/$(B)|' \
		-e 's|^includedir=.*|includedir=$(CURDIR)/include|' \
		-e 's|^Requires: \(.\+\)|Requires: \1-uninstalled|' $$< > $$@
LIBS += $(B)/lib/$(1).a $(B)/lib/$(1).so.0 $(B)/lib/$(1).so \
	$(B)/lib/pkgconfig/$(1).pc $(B)/lib/pkgconfig/$(1)-uninstalled.pc
endef

# Each component adds its targets to these lists.
LIBS		:=
BINS		:=
NATIVE_TESTS	:=
VM_TESTS	:=
BENCHES		:=
PEERS		:=

.PHONY: all deps module sparse check check-debug run bench install dkms-src clean
all: module

include libseg/build.mk
include libthread9/build.mk
include tools/build.mk
include tests/build.mk
include bench/build.mk

all: $(LIBS) $(BINS) $(NATIVE_TESTS) $(VM_TESTS) $(BENCHES)

deps:
	@scripts/deps.sh

# The module: one build directory per kernel release, made of links to kmod/.
module:
	+@set -e; $(KSH) for k in $(KERNELS); do \
		rel=$$(kernel_check $$k) || exit 1; \
		scripts/kbuild "$$rel" modules; \
	done

sparse:
	+@set -e; $(KSH) for k in $(KERNELS); do \
		rel=$$(kernel_check $$k) || exit 1; \
		scripts/kbuild "$$rel" modules C=2; \
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

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/linux \
		$(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man3
	install -m 644 include/seg.h include/seglist.h include/thread.h $(DESTDIR)$(PREFIX)/include
	install -m 644 include/uapi/linux/segctl.h $(DESTDIR)$(PREFIX)/include/linux
	cp -P $(filter %.a %.so %.so.0,$(LIBS)) $(DESTDIR)$(PREFIX)/lib/
	for pc in $(filter-out %-uninstalled.pc,$(filter %.pc,$(LIBS))); do \
		sed 's|@PREFIX@|$(PREFIX)|' $$pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$(basename $$pc); \
	done
	$(if $(BINS),install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin)
	scripts/install-man man $(DESTDIR)$(PREFIX)/share/man $(VERSION)

# The module's source as DKMS wants it, in /usr/src/segctl-$(VERSION).
DKMS_SRC	?= $(DESTDIR)/usr/src/segctl-$(VERSION)
dkms-src:
	install -d $(DKMS_SRC)/uapi/linux
	install -m 644 kmod/*.c kmod/*.h kmod/Kbuild kmod/COPYING $(DKMS_SRC)/
	install -m 644 include/uapi/linux/segctl.h \
		include/uapi/linux/segctl_rules.h $(DKMS_SRC)/uapi/linux/
	sed 's/@VERSION@/$(VERSION)/' kmod/dkms.conf > $(DKMS_SRC)/dkms.conf

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
