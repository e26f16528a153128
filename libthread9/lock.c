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
_t9futexwait(int *addr, int val)
{
	/* EAGAIN (changed already) and EINTR: the caller looks again. */
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, nil, nil, 0);
}

void
_t9futexwake(int *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, nil, nil, 0);
}

int
_t9canlock(Lock *l)
{
	int v;

	v = 0;
	return __atomic_compare_exchange_n(&l->val, &v, 1, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void
_t9lock(Lock *l)
{
	int i, v;

	for(i = 0; i < Spins; i++){
		if(__atomic_load_n(&l->val, __ATOMIC_RELAXED) == 0 && _t9canlock(l))
			return;
		__builtin_ia32_pause();
	}
	v = __atomic_exchange_n(&l->val, 2, __ATOMIC_ACQUIRE);
	while(v != 0){
		_t9futexwait(&l->val, 2);
		v = __atomic_exchange_n(&l->val, 2, __ATOMIC_ACQUIRE);
	}
}

void
_t9unlock(Lock *l)
{
	if(__atomic_exchange_n(&l->val, 0, __ATOMIC_RELEASE) == 2)
		_t9futexwake(&l->val, 1);
}

/*
 * lock(2)'s public names, weak: where a Plan 9 libc (plan9port's lib9) is
 * linked beside the library, its definitions win and its thread-library
 * hooks lead back here (lib9.c); the library itself calls the _t9 names.
 */
#pragma weak lock = _t9lock
#pragma weak unlock = _t9unlock
#pragma weak canlock = _t9canlock
