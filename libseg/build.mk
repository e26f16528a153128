# SPDX-License-Identifier: MIT
# libseg: the Plan 9 segment calls.
LIBSEG_SRCS := $(wildcard libseg/*.c)
$(eval $(call library,libseg,$(LIBSEG_SRCS),,,Plan 9 memory segments (segattach) on Linux))
# Only the API leaves libseg.so (libseg/libseg.map, version SEGCTL_0.1).
