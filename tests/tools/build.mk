# SPDX-License-Identifier: MIT
# How segls and the examples treat their arguments (native, TAP).
$(B)/tests/native/tools: tests/tools/tools.sh tests/lib/tap.sh $(BINS) $(EXAMPLES)
	@mkdir -p $(@D)
	install -m 755 $< $@
NATIVE_TESTS += $(B)/tests/native/tools
