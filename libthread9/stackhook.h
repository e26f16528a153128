/* SPDX-License-Identifier: MIT */
/*
 * stackhook.h: for bench/threadcreate only, which compares ways of making
 * thread stacks (malloc, three segattach calls, one guarded segment without
 * the cache) within one build.  Not part of the library's ABI (hidden in
 * the shared library; the benchmark links the static one).
 *
 * Set _t9threadstackhook and every thread stack made after comes from
 * alloc(len, guard, who), which returns len bytes (guard: the size of the
 * redzones libthread9 would put around them) or does not return, and goes to
 * release(base, len) when its thread is gone, bypassing the per-proc
 * cache.  Unset, the default: guarded segments and the cache (stack.c).
 */
#ifndef LIBTHREAD9_STACKHOOK_H
#define LIBTHREAD9_STACKHOOK_H

#include <stddef.h>

struct _Stackhook {
	char	*(*alloc)(size_t len, size_t guard, const char *who);
	void	(*release)(char *base, size_t len);
};

extern const struct _Stackhook *_t9threadstackhook;

#endif /* LIBTHREAD9_STACKHOOK_H */
