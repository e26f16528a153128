# SPDX-License-Identifier: MIT
# The module's fuzzer: /tests/segfuzz in the guest (tests/vm.list runs a
# short one); 'make fuzz' runs a long one on each kernel:
#   make fuzz [ITER=1000000] [SEED=1] [THREADS=4] [KERNELS="6.1 6.12"]
SEGIO_SRC := tests/fuzz/segio.c tests/fuzz/segio.h
$(eval $(call vm_tap_test,segfuzz,tests/fuzz/segfuzz.c $(SEGIO_SRC),-lpthread))

ITER	?= 1000000
SEED	?= 1
THREADS	?= 4

.PHONY: fuzz
fuzz: module $(VM_TESTS)
	@set -e; for k in $(KERNELS); do \
		scripts/vm --kernel $$k --timeout $$(( $(ITER) / 500 + 600 )) \
			--log $(B)/vm/fuzz-$$k.log \
			--run '/tests/segfuzz --seed $(SEED) --iterations $(ITER) --threads $(THREADS)'; \
	done
