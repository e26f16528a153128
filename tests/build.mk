# SPDX-License-Identifier: MIT
# Tests.  Each area has its own tests/AREA/build.mk; VM_TESTS are static
# binaries copied into the guest's /tests, run in the order tests/vm.list
# gives; NATIVE_TESTS run on the host (ASan/UBSan builds).
TAP_SRC := tests/lib/tap.c
# /proc/self/maps and the listing, parsed once for every test (maps.h).
MAPS_SRC := tests/lib/maps.c
TEST_CFLAGS := $(CFLAGS_BASE) -Itests/lib

# $(call vm_tap_test,NAME,SOURCES,LDLIBS): a static TAP program for the VM.
define vm_tap_test
$(B)/tests/vm/$(1): $(2) $(TAP_SRC) tests/lib/tap.h $(MAPS_SRC) tests/lib/maps.h $(LIBS)
	@mkdir -p $$(@D)
	$(CC) $(TEST_CFLAGS) -static -o $$@ $(filter %.c,$(2)) $(TAP_SRC) $(MAPS_SRC) $(3)
VM_TESTS += $(B)/tests/vm/$(1)
endef

include $(sort $(wildcard tests/*/build.mk))
