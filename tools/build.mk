# SPDX-License-Identifier: MIT
# Command-line tools.

# segls: a program's segment table; libsegls.so is what it preloads, a
# private helper: in PKGLIBDIR once installed (the path segls is built
# with), in build/lib/segctl/ here.
$(call pic,tools/segls.c): SEG_CPPFLAGS += -DSEGLS_BINDIR='"$(BINDIR)"' \
	-DSEGLS_HELPER='"$(PKGLIBDIR)/libsegls.so"'
$(call pic,tools/segls.c): $(PATHS_STAMP)
$(B)/bin/segls: $(call pic,tools/segls.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^
BINS += $(B)/bin/segls

# libseg.so.0 is found beside it in the build tree ($ORIGIN/..), in the
# libdir once installed.
$(B)/lib/segctl/libsegls.so: $(call pic,tools/seglspreload.c) $(B)/lib/libseg.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -Wl,--no-undefined $(LDFLAGS) -o $@ $< -L$(B)/lib -lseg \
		-Wl,-rpath,'$$ORIGIN/..'
PRIVATE_LIBS += $(B)/lib/segctl/libsegls.so
