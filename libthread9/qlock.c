// SPDX-License-Identifier: MIT
/*
 * QLock and RWLock: block the calling thread only, in any proc.  Waiters
 * queue in order on the lock, each on its own stack; unlocking hands the
 * lock straight to the first (so a waiter never has to try again), and
 * readies it.  The Lock inside guards the queue only, for a few
 * instructions; it is never held across a switch.
 */
#include "threadimpl.h"

static void
enqueue(_Qwait **head, _Qwait **tail, _Qwait *w)
{
	w->next = nil;
	if(*tail)
		(*tail)->next = w;
	else
		*head = w;
	*tail = w;
}

static _Qwait *
dequeue(_Qwait **head, _Qwait **tail)
{
	_Qwait *w;

	w = *head;
	*head = w->next;
	if(*head == nil)
		*tail = nil;
	return w;
}

/* Called with l held: queue, let go of l, sleep until handed the lock. */
static void
waitfor(Lock *l, _Qwait **head, _Qwait **tail, int writer, const char *who)
{
	_Qwait w;

	w.t = _t9threadcur();
	if(w.t == nil){
		_t9unlock(l);
		_t9fatal("%s: not called from a libthread thread", who);
	}
	w.writer = writer;
	enqueue(head, tail, &w);
	_t9unlock(l);
	_t9threadblock();
}

void
_t9qlock(QLock *q)
{
	_t9lock(&q->lock);
	if(!q->locked){
		q->locked = 1;
		_t9unlock(&q->lock);
		return;
	}
	waitfor(&q->lock, &q->head, &q->tail, 1, "qlock");
}

int
_t9canqlock(QLock *q)
{
	int ok;

	_t9lock(&q->lock);
	ok = !q->locked;
	if(ok)
		q->locked = 1;
	_t9unlock(&q->lock);
	return ok;
}

void
_t9qunlock(QLock *q)
{
	Thread *t;

	_t9lock(&q->lock);
	if(!q->locked){
		_t9unlock(&q->lock);
		_t9fatal("qunlock: QLock %p not locked", (void *)q);
	}
	if(q->head == nil){
		q->locked = 0;
		_t9unlock(&q->lock);
		return;
	}
	t = dequeue(&q->head, &q->tail)->t;	/* still locked: now t's */
	_t9unlock(&q->lock);
	_t9threadready(t);
}

/* Many readers or one writer; once a writer waits, new readers queue. */
void
_t9rlock(RWLock *l)
{
	_t9lock(&l->lock);
	if(!l->writer && l->head == nil){
		l->readers++;
		_t9unlock(&l->lock);
		return;
	}
	waitfor(&l->lock, &l->head, &l->tail, 0, "rlock");
}

int
_t9canrlock(RWLock *l)
{
	int ok;

	_t9lock(&l->lock);
	ok = !l->writer && l->head == nil;
	if(ok)
		l->readers++;
	_t9unlock(&l->lock);
	return ok;
}

void
_t9wlock(RWLock *l)
{
	_t9lock(&l->lock);
	if(!l->writer && l->readers == 0 && l->head == nil){
		l->writer = 1;
		_t9unlock(&l->lock);
		return;
	}
	waitfor(&l->lock, &l->head, &l->tail, 1, "wlock");
}

int
_t9canwlock(RWLock *l)
{
	int ok;

	_t9lock(&l->lock);
	ok = !l->writer && l->readers == 0 && l->head == nil;
	if(ok)
		l->writer = 1;
	_t9unlock(&l->lock);
	return ok;
}

/* Hand the lock to the next writer, or to every reader at the head. */
static void
grant(RWLock *l)
{
	_Qwait *w;

	if(l->head != nil && l->head->writer){
		l->writer = 1;
		_t9threadready(dequeue(&l->head, &l->tail)->t);
		return;
	}
	while(l->head != nil && !l->head->writer){
		w = dequeue(&l->head, &l->tail);
		l->readers++;
		_t9threadready(w->t);
	}
}

void
_t9runlock(RWLock *l)
{
	_t9lock(&l->lock);
	if(l->readers <= 0){
		_t9unlock(&l->lock);
		_t9fatal("runlock: RWLock %p not read-locked", (void *)l);
	}
	if(--l->readers == 0)
		grant(l);
	_t9unlock(&l->lock);
}

void
_t9wunlock(RWLock *l)
{
	_t9lock(&l->lock);
	if(!l->writer){
		_t9unlock(&l->lock);
		_t9fatal("wunlock: RWLock %p not write-locked", (void *)l);
	}
	l->writer = 0;
	grant(l);
	_t9unlock(&l->lock);
}

/* The public names, weak as lock.c says. */
#pragma weak qlock = _t9qlock
#pragma weak canqlock = _t9canqlock
#pragma weak qunlock = _t9qunlock
#pragma weak rlock = _t9rlock
#pragma weak canrlock = _t9canrlock
#pragma weak runlock = _t9runlock
#pragma weak wlock = _t9wlock
#pragma weak canwlock = _t9canwlock
#pragma weak wunlock = _t9wunlock
