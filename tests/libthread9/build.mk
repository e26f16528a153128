# SPDX-License-Identifier: MIT
# libthread9's Check tests, one program per feature.  Native: ASan+UBSan,
# the libraries compiled in (user backend).  VM: static, on the module.
T9_TESTS := $(basename $(notdir $(wildcard tests/libthread9/check_*.c)))
T9_HELP := tests/libthread9/t9.c $(MAPS_SRC)
$(call san,$(T9_HELP)): CFLAGS_BASE += -Itests/lib

define t9_test
$(B)/tests/native/$(1): $(call san,tests/libthread9/$(1).c $(T9_HELP) $(LIBTHREAD9_SRCS) $(LIBSEG_SRCS))
	@mkdir -p $$(@D)
	$(CC) $(SAN) -o $$@ $$^ $$(CHECK_LIBS) -luring -lpthread
NATIVE_TESTS += $(B)/tests/native/$(1)

$(B)/tests/vm/$(1): tests/libthread9/$(1).c $(T9_HELP) tests/libthread9/t9.h tests/lib/maps.h include/thread.h \
		$(B)/lib/libthread9.a $(B)/lib/libseg.a
	@mkdir -p $$(@D)
	$(CC) $(CFLAGS_BASE) -Itests/lib -static -o $$@ tests/libthread9/$(1).c $(T9_HELP) \
		$(B)/lib/libthread9.a $(B)/lib/libseg.a $$(CHECK_STATIC_LIBS) -luring -lpthread
VM_TESTS += $(B)/tests/vm/$(1)
endef
$(foreach t,$(T9_TESTS),$(eval $(call t9_test,$(t))))
