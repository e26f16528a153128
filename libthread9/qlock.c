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

	w.t = _threadcur();
	if(w.t == nil){
		unlock(l);
		sysfatal("%s: not called from a libthread thread", who);
	}
	w.writer = writer;
	enqueue(head, tail, &w);
	unlock(l);
	_threadblock();
}

void
qlock(QLock *q)
{
	lock(&q->lock);
	if(!q->locked){
		q->locked = 1;
		unlock(&q->lock);
		return;
	}
	waitfor(&q->lock, &q->head, &q->tail, 1, "qlock");
}

int
canqlock(QLock *q)
{
	int ok;

	lock(&q->lock);
	ok = !q->locked;
	if(ok)
		q->locked = 1;
	unlock(&q->lock);
	return ok;
}

void
qunlock(QLock *q)
{
	Thread *t;

	lock(&q->lock);
	if(!q->locked){
		unlock(&q->lock);
		sysfatal("qunlock: QLock %p not locked", (void *)q);
	}
	if(q->head == nil){
		q->locked = 0;
		unlock(&q->lock);
		return;
	}
	t = dequeue(&q->head, &q->tail)->t;	/* still locked: now t's */
	unlock(&q->lock);
	_threadready(t);
}

/* Many readers or one writer; once a writer waits, new readers queue. */
void
rlock(RWLock *l)
{
	lock(&l->lock);
	if(!l->writer && l->head == nil){
		l->readers++;
		unlock(&l->lock);
		return;
	}
	waitfor(&l->lock, &l->head, &l->tail, 0, "rlock");
}

int
canrlock(RWLock *l)
{
	int ok;

	lock(&l->lock);
	ok = !l->writer && l->head == nil;
	if(ok)
		l->readers++;
	unlock(&l->lock);
	return ok;
}

void
wlock(RWLock *l)
{
	lock(&l->lock);
	if(!l->writer && l->readers == 0 && l->head == nil){
		l->writer = 1;
		unlock(&l->lock);
		return;
	}
	waitfor(&l->lock, &l->head, &l->tail, 1, "wlock");
}

int
canwlock(RWLock *l)
{
	int ok;

	lock(&l->lock);
	ok = !l->writer && l->readers == 0 && l->head == nil;
	if(ok)
		l->writer = 1;
	unlock(&l->lock);
	return ok;
}

/* Hand the lock to the next writer, or to every reader at the head. */
static void
grant(RWLock *l)
{
	_Qwait *w;

	if(l->head != nil && l->head->writer){
		l->writer = 1;
		_threadready(dequeue(&l->head, &l->tail)->t);
		return;
	}
	while(l->head != nil && !l->head->writer){
		w = dequeue(&l->head, &l->tail);
		l->readers++;
		_threadready(w->t);
	}
}

void
runlock(RWLock *l)
{
	lock(&l->lock);
	if(l->readers <= 0){
		unlock(&l->lock);
		sysfatal("runlock: RWLock %p not read-locked", (void *)l);
	}
	if(--l->readers == 0)
		grant(l);
	unlock(&l->lock);
}

void
wunlock(RWLock *l)
{
	lock(&l->lock);
	if(!l->writer){
		unlock(&l->lock);
		sysfatal("wunlock: RWLock %p not write-locked", (void *)l);
	}
	l->writer = 0;
	grant(l);
	unlock(&l->lock);
}
