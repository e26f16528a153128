# SPDX-License-Identifier: MIT
# The module's tests: each tests/kmod/NAME.c is a static TAP program
# /tests/kmod-NAME in the guest; tests/kmod/*.sh are copied as they are.
KMOD_TESTS := $(filter-out tests/kmod/common.c,$(wildcard tests/kmod/*.c))
KMOD_COMMON := $(wildcard tests/kmod/common.c)
$(foreach t,$(KMOD_TESTS),$(eval $(call vm_tap_test,kmod-$(basename $(notdir $(t))),$(t) $(KMOD_COMMON) $(wildcard tests/kmod/*.h),-lpthread)))

$(B)/tests/vm/%.sh: tests/kmod/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@
VM_TESTS += $(patsubst tests/kmod/%,$(B)/tests/vm/%,$(wildcard tests/kmod/*.sh))
