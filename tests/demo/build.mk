# SPDX-License-Identifier: MIT
# The demo 'make run' shows: a static program for the guest.
$(B)/tests/vm/segdemo: tests/demo/segdemo.c $(B)/lib/libseg.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -static -o $@ $< -L$(B)/lib -lseg -lpthread
VM_TESTS += $(B)/tests/vm/segdemo
