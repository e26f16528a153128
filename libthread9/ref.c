// SPDX-License-Identifier: MIT
/* Ref: an atomic reference count. */
#include "threadimpl.h"

/* Returns the new count, as 9front's and plan9port's do. */
long
incref(Ref *r)
{
	return __atomic_add_fetch(&r->ref, 1, __ATOMIC_RELAXED);
}

/* Returns 0 iff the count is now zero. */
long
decref(Ref *r)
{
	return __atomic_sub_fetch(&r->ref, 1, __ATOMIC_ACQ_REL);
}
