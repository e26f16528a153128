# SPDX-License-Identifier: MIT
# Plan 9 programs built the way their authors build them: <u.h>, <libc.h>
# and <thread.h>, linked with -lthread9 -lseg and plan9port's lib9 (built
# from Debian's 9base source by scripts/lib9, into build/9base/), plus the
# shared-library and C++ checks; tests/plan9/check.sh runs them all (TAP),
# in the VM and natively.  -Wno-cpp: 9base's u.h asks for _BSD_SOURCE, which
# glibc warns is deprecated.
LIB9		:= $(B)/9base/lib9.a
P9_CFLAGS	:= -O2 -g -Wall -Wextra $(WERROR) -Wno-cpp -isystem $(B)/9base/include -Iinclude
P9_LIBS		:= $(B)/lib/libthread9.a $(B)/lib/libseg.a
P9_DEPS		:= include/thread.h $(P9_LIBS) $(LIB9)
P9		:= $(B)/tests/vm/p9

# lib9.a and its headers, made together; make runs this only when the
# script is newer than what it made.
$(LIB9): scripts/lib9
	scripts/lib9 --force

# Linked libthread9 first, as pkg-config gives it, and (NAME-lib9first) the
# other way round: both must work.
$(P9)-%: tests/plan9/%.c $(P9_DEPS)
	@mkdir -p $(@D)
	$(CC) $(P9_CFLAGS) -static -o $@ $< $(P9_LIBS) $(LIB9) -luring -lpthread
$(P9)-%-lib9first: tests/plan9/%.c $(P9_DEPS)
	@mkdir -p $(@D)
	$(CC) $(P9_CFLAGS) -static -o $@ $< $(LIB9) $(P9_LIBS) -luring -lpthread

# Without lib9: a program with its own main and only lock(2); one whose
# qlock is another library's, without the hooks; one whose globals have
# names the libraries could have used inside.
$(P9)-lockmain $(P9)-nohooks $(P9)-ebadarg: $(P9)-%: tests/plan9/%.c include/thread.h $(P9_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -static -o $@ $< $(P9_LIBS) -luring -lpthread

# A shared library using the socket calls, in a program linked with shared
# libthread9 (the libraries beside it; check.sh sets LD_LIBRARY_PATH);
# without PIE, so that the addresses it takes are its own PLT entries.
$(B)/tests/vm/libp9sock.so: tests/plan9/sock.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<
$(B)/tests/vm/libthread9.so.0 $(B)/tests/vm/libseg.so.0: $(B)/tests/vm/%: $(B)/lib/%
	@mkdir -p $(@D)
	cp $< $@
$(P9)-sockso: tests/plan9/sockmain.c include/thread.h $(B)/tests/vm/libp9sock.so \
		$(B)/tests/vm/libthread9.so.0 $(B)/tests/vm/libseg.so.0
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fno-pie -no-pie -o $@ $< -L$(B)/tests/vm -lp9sock -l:libthread9.so.0 -l:libseg.so.0

# C++: the headers after the socket headers, and each header alone.
CXXFLAGS_P9	:= -std=c++17 -O2 -g -Wall -Wextra $(WERROR) -Iinclude -Iinclude/uapi
$(P9)-cxx: tests/plan9/cxx.cc include/thread.h include/seg.h include/seglist.h $(P9_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_P9) -static -o $@ $< $(P9_LIBS) -luring -lpthread
CXX_HEADERS	:= include/thread.h include/seg.h include/seglist.h
$(B)/tests/cxx-headers.stamp: $(CXX_HEADERS) include/uapi/linux/segctl.h
	@mkdir -p $(@D)
	set -e; for h in $(notdir $(CXX_HEADERS)) linux/segctl.h; do \
		echo "#include <$$h>" | $(CXX) $(CXXFLAGS_P9) -x c++ -fsyntax-only -; \
	done
	touch $@

# A libc.h with a QLock too small for libthread9: thread.h must refuse it,
# with a message naming the type (and nothing else wrong).
$(B)/tests/badlayout.stamp: tests/plan9/badlayout.c include/thread.h
	@mkdir -p $(@D)
	if $(CC) -Iinclude -fsyntax-only $< 2>$@.log; then \
		echo "badlayout: thread.h accepted a QLock too small" >&2; exit 1; fi
	grep -q "QLock: libc.h defines it smaller or less aligned than libthread9 needs" $@.log
	test "$$(grep -c 'error:' $@.log)" = 1
	touch $@
all: $(B)/tests/badlayout.stamp

P9_PROGS	:= sieve fatal args relay locks locks-lib9first lockonly lockonly-lib9first \
		   lockmain nohooks spawn daemon sockso cxx ebadarg
$(B)/tests/vm/plan9-check: tests/plan9/check.sh
	@mkdir -p $(@D)
	install -m 755 $< $@
$(B)/tests/native/plan9-check: tests/plan9/check.sh $(foreach p,$(P9_PROGS),$(P9)-$(p))
	@mkdir -p $(@D)
	install -m 755 $< $@
VM_TESTS	+= $(foreach p,$(P9_PROGS),$(P9)-$(p)) $(B)/tests/vm/plan9-check \
		   $(B)/tests/vm/libp9sock.so $(B)/tests/vm/libthread9.so.0 $(B)/tests/vm/libseg.so.0
all: $(B)/tests/cxx-headers.stamp
NATIVE_TESTS	+= $(B)/tests/native/plan9-check
