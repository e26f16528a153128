# SPDX-License-Identifier: MIT
# Stress, unprivileged-user and reload tests of the module: /tests/stress,
# /tests/stress-unpriv and /tests/stress-reload.sh in the guest.
$(eval $(call vm_tap_test,stress,tests/stress/stress.c $(SEGIO_SRC),-lpthread -Itests/fuzz))
$(eval $(call vm_tap_test,stress-unpriv,tests/stress/unpriv.c $(SEGIO_SRC),-lpthread -Itests/fuzz))

$(B)/tests/vm/stress-reload.sh: tests/stress/reload.sh
	@mkdir -p $(@D)
	install -m 755 $< $@
VM_TESTS += $(B)/tests/vm/stress-reload.sh
