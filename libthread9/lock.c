// SPDX-License-Identifier: MIT
/*
 * Lock: a short-term lock that blocks the kernel task (as Plan 9's Lock
 * blocks the proc), and the futex calls the rest of the library sleeps on.
 *
 * val is 0 (free), 1 (held) or 2 (held, maybe with sleepers): a few spins
 * cover the usual few-instruction critical sections held on another CPU,
 * then the task sleeps in the kernel.
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "threadimpl.h"

enum { Spins = 100 };

void
_futexwait(int *addr, int val)
{
	/* EAGAIN (changed already) and EINTR: the caller looks again. */
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, nil, nil, 0);
}

void
_futexwake(int *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, nil, nil, 0);
}

int
canlock(Lock *l)
{
	int v;

	v = 0;
	return __atomic_compare_exchange_n(&l->val, &v, 1, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void
lock(Lock *l)
{
	int i, v;

	for(i = 0; i < Spins; i++){
		if(__atomic_load_n(&l->val, __ATOMIC_RELAXED) == 0 && canlock(l))
			return;
		__builtin_ia32_pause();
	}
	v = __atomic_exchange_n(&l->val, 2, __ATOMIC_ACQUIRE);
	while(v != 0){
		_futexwait(&l->val, 2);
		v = __atomic_exchange_n(&l->val, 2, __ATOMIC_ACQUIRE);
	}
}

void
unlock(Lock *l)
{
	if(__atomic_exchange_n(&l->val, 0, __ATOMIC_RELEASE) == 2)
		_futexwake(&l->val, 1);
}
