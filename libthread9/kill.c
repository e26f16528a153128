// SPDX-License-Identifier: MIT
/*
 * threadint and threadkill.  Interrupting a thread blocked in alt (and so
 * in send, recv and their forms) makes the call return -1, and one waiting
 * in an ioproc call has its request cancelled (the call fails with EINTR
 * once the request is finished); a thread doing anything else is not
 * disturbed (it is running or ready, or waits for a QLock, RWLock or
 * Rendez, which are not interruptible).  A killed thread exits at its next
 * kill point: entering or leaving alt, yield or an io call, or before it
 * first runs.  A thread that never reaches one cannot be killed.
 *
 * t->altsel is read and claimed under t's Proc.lock, which the thread takes
 * to clear it before its Altsel goes away.
 */
#include "threadimpl.h"

static void
interrupt(Proc *p, Thread *t)
{
	Altsel *s;
	int w;

	if(t->ioreq != nil)
		_t9iocancel(t->ioreq);
	s = t->altsel;
	w = Altwaiting;
	if(s != nil && __atomic_compare_exchange_n(&s->state, &w, Altinterrupted, 0,
						   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		_t9threadreadylocked(p, t);
}

static void
act(Proc *p, Thread *t, int kill)
{
	if(kill)
		__atomic_store_n(&t->killed, 1, __ATOMIC_RELAXED);
	interrupt(p, t);
}

static void
byid(int id, int kill)
{
	Thread *t;

	_t9lock(&_t9procslock);
	t = _t9threadfind(id);
	if(t != nil){
		act(t->proc, t, kill);
		_t9unlock(&t->proc->lock);
	}
	_t9unlock(&_t9procslock);
}

static void
bygrp(int grp, int kill)
{
	Proc *p;
	Thread *t;

	_t9lock(&_t9procslock);
	for(p = _t9procs; p != nil; p = p->next){
		_t9lock(&p->lock);
		for(t = p->threads; t != nil; t = t->anext)
			if(t->grp == grp)
				act(p, t, kill);
		_t9unlock(&p->lock);
	}
	_t9unlock(&_t9procslock);
}

void
threadint(int id)
{
	byid(id, 0);
}

void
threadkill(int id)
{
	byid(id, 1);
}

void
threadintgrp(int grp)
{
	bygrp(grp, 0);
}

void
threadkillgrp(int grp)
{
	bygrp(grp, 1);
}
