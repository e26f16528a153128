# SPDX-License-Identifier: MIT
# libthread9: Plan 9 libthread on guarded segment stacks.
LIBTHREAD9_SRCS := $(wildcard libthread9/*.c libthread9/*.S)
ifneq ($(LIBTHREAD9_SRCS),)
# -z undefs: threadmain comes from the program, as main does.
$(eval $(call library,libthread9,$(LIBTHREAD9_SRCS),libseg,-luring -lpthread -Wl$(comma)-z$(comma)undefs,Plan 9 libthread on Linux))
endif
