# SPDX-License-Identifier: MIT
# libthread9: Plan 9 libthread on guarded segment stacks.
LIBTHREAD9_SRCS := $(wildcard libthread9/*.c libthread9/*.S)
ifneq ($(LIBTHREAD9_SRCS),)
$(eval $(call library,libthread9,$(LIBTHREAD9_SRCS),libseg,-luring -lpthread,Plan 9 libthread on Linux))
endif
