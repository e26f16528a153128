# SPDX-License-Identifier: MIT
# libseg: the Plan 9 segment calls.
LIBSEG_SRCS := $(wildcard libseg/*.c)
$(eval $(call library,libseg,$(LIBSEG_SRCS),,,Plan 9 memory segments (segattach) on Linux))
# Only the API leaves libseg.so (version SEGCTL_0.1).
$(B)/lib/libseg.so.0: libseg/libseg.map
$(B)/lib/libseg.so.0: private SO_LDFLAGS := -Wl,--version-script=libseg/libseg.map
