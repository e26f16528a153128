# SPDX-License-Identifier: MIT
# Command-line tools.

# segls: a program's segment table; libsegls.so is what it preloads.
$(B)/bin/segls: $(call pic,tools/segls.c)
	@mkdir -p $(@D)
	$(CC) -o $@ $^
BINS += $(B)/bin/segls

$(B)/lib/libsegls.so: $(call pic,tools/seglspreload.c) $(B)/lib/libseg.so
	@mkdir -p $(@D)
	$(CC) -shared -Wl,--no-undefined -o $@ $< -L$(B)/lib -lseg -Wl,-rpath,'$$ORIGIN'
LIBS += $(B)/lib/libsegls.so
