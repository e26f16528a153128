// SPDX-License-Identifier: MIT
/*
 * Rendez: sleep and wakeup under a QLock, r->l, which the caller holds
 * around rsleep and rwakeup; r's queue is guarded by it.  rsleep queues,
 * lets go of r->l and sleeps; a wakeup may ready it before it has switched
 * out, which the scheduler allows for.  As in Plan 9, the woken thread takes
 * r->l again before rsleep returns, and should test its condition again.
 */
#include "threadimpl.h"

void
_t9rsleep(Rendez *r)
{
	_Qwait w;

	w.t = _t9threadneed("rsleep");
	w.next = nil;
	w.writer = 0;
	if(r->tail)
		r->tail->next = &w;
	else
		r->head = &w;
	r->tail = &w;
	_t9qunlock(r->l);
	_t9threadblock();
	_t9qlock(r->l);
}

int
_t9rwakeup(Rendez *r)
{
	_Qwait *w;

	w = r->head;
	if(w == nil)
		return 0;
	r->head = w->next;
	if(r->head == nil)
		r->tail = nil;
	_t9threadready(w->t);
	return 1;
}

int
_t9rwakeupall(Rendez *r)
{
	int n;

	for(n = 0; _t9rwakeup(r); n++)
		;
	return n;
}

/* The public names, weak as lock.c says. */
#pragma weak rsleep = _t9rsleep
#pragma weak rwakeup = _t9rwakeup
#pragma weak rwakeupall = _t9rwakeupall
