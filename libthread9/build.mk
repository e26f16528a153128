# SPDX-License-Identifier: MIT
# libthread9: Plan 9 libthread on guarded segment stacks.
LIBTHREAD9_SRCS := $(wildcard libthread9/*.c libthread9/*.S)
ifneq ($(LIBTHREAD9_SRCS),)
$(eval $(call library,libthread9,$(LIBTHREAD9_SRCS),libseg,-luring -lpthread,Plan 9 libthread on Linux,liburing))
# Only the API leaves libthread9.so (libthread9/libthread9.map, version
# THREAD9_0.1).
endif

# Examples that read like Plan 9 programs (not installed).
EXAMPLES := $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
$(B)/examples/%: examples/%.c include/thread.h $(B)/lib/libthread9.a $(B)/lib/libseg.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(LDFLAGS) -o $@ $< $(B)/lib/libthread9.a $(B)/lib/libseg.a -luring -lpthread
all: $(EXAMPLES)
