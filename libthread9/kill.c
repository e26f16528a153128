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
 * t->altsel belongs to t's proc: a thread in another proc sets t->intr and
 * the proc's intrs, under the proc's lock, and wakes it; the proc, next
 * time it looks for a thread to run (_t9threadints, from runqget), claims
 * the alt itself.  So the claim of an alt whose channels only its proc can
 * reach stays a plain store (channel.c), and t cannot run before it is
 * done anyway.
 */
#include "threadimpl.h"

/*
 * In t's proc, p->lock held: end t's alt, if it is blocked in one.  The
 * claim may be a plain store, so it is made in a fast section: a task
 * making one of the alt's channels shared waits for it to end before it
 * may claim the alt itself (channel.c).
 */
static void
intralt(Proc *p, Thread *t)
{
	int claimed;

	if(t->altsel == nil)
		return;
	_t9fastenter(p->own);
	claimed = _t9altclaim(t->altsel, Altinterrupted);
	_t9fastleave(p->own);
	if(claimed)
		_t9threadreadylocked(p, t);
}

/* With p->lock held. */
static void
interrupt(Proc *p, Thread *t)
{
	if(t->ioreq != nil)
		_t9iocancel(t->ioreq);
	if(_t9threadprocp == p){
		intralt(p, t);
		return;
	}
	__atomic_store_n(&t->intr, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->intrs, 1, __ATOMIC_RELAXED);
	_t9procwakeup(p);
}

/* In p's own task: the interrupts other procs asked for. */
void
_t9threadints(Proc *p)
{
	Thread *t;

	__atomic_store_n(&p->intrs, 0, __ATOMIC_RELAXED);
	_t9lock(&p->lock);
	for(t = p->threads; t != nil; t = t->anext)
		if(__atomic_load_n(&t->intr, __ATOMIC_RELAXED)){
			__atomic_store_n(&t->intr, 0, __ATOMIC_RELAXED);
			intralt(p, t);
		}
	_t9unlock(&p->lock);
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
