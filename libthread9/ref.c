// SPDX-License-Identifier: MIT
/* Ref: an atomic reference count. */
#include "threadimpl.h"

void
incref(Ref *r)
{
	__atomic_add_fetch(&r->ref, 1, __ATOMIC_RELAXED);
}

/* Returns 0 iff the count is now zero. */
long
decref(Ref *r)
{
	return __atomic_sub_fetch(&r->ref, 1, __ATOMIC_ACQ_REL);
}
