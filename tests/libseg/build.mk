# SPDX-License-Identifier: MIT
# libseg's Check tests: one program for both backends.  The native build
# (ASan+UBSan, libseg compiled in) runs on the user backend; the static VM
# build runs twice, with --backend=kernel and --backend=user (tests/vm.list).
CHECK_SEG_SRCS	:= $(wildcard tests/libseg/*.c) $(MAPS_SRC)
CHECK_SEG_HDRS	:= tests/libseg/check_seg.h tests/lib/maps.h include/seg.h \
		   include/seglist.h

$(call san,$(CHECK_SEG_SRCS)): CFLAGS_BASE += -Itests/lib

$(B)/tests/native/check_seg: $(call san,$(CHECK_SEG_SRCS) $(LIBSEG_SRCS))
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(CHECK_LIBS)
NATIVE_TESTS += $(B)/tests/native/check_seg

$(B)/tests/vm/check_seg: $(CHECK_SEG_SRCS) $(CHECK_SEG_HDRS) $(B)/lib/libseg.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Itests/lib -static -o $@ $(CHECK_SEG_SRCS) $(B)/lib/libseg.a \
		$(CHECK_STATIC_LIBS)
VM_TESTS += $(B)/tests/vm/check_seg
