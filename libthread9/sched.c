// SPDX-License-Identifier: MIT
/*
 * The scheduler: each proc runs a loop on its own kernel stack that takes
 * the next thread off the proc's run queue and switches to it; a thread
 * switches back when it yields, blocks or exits.  A thread that blocks has
 * arranged for someone (in this proc or another) to call _t9threadready on it;
 * that may happen before it has switched out, which is harmless: only this
 * proc's scheduler takes it off the queue, after the switch.
 *
 * Going through the scheduler, rather than from thread to thread, keeps
 * one place that frees dead threads' stacks (never the stack it runs on)
 * and one place that sleeps when there is nothing to run.
 *
 * The run queue (runhead, runtail) belongs to the proc's own task and is
 * used without a lock, so a yield or a wakeup within a proc costs no
 * atomic operation.  Other tasks push the threads they ready onto the
 * proc's inbox, a stack that the proc empties onto its queue, without the
 * lock, each time it takes a thread off.  Pushing and going to sleep take
 * Proc.lock, so that a wakeup is never lost (see inboxput).
 *
 * An idle proc spins before it sleeps (see idlespin): for up to Spinmax
 * (100 us) it watches its inbox, with pause, so that a proc answering at
 * once wakes it without a system call and without the tens of
 * microseconds a hypervisor takes to wake a halted vCPU (25-35 us here: a
 * shorter spin misses every answer that itself had to wake a proc, and
 * two procs handing work to each other then sleep for good).  How long it
 * spins adapts: it doubles after a sleep shorter than Spinmax (a longer
 * spin would have caught the wakeup) and halves after a longer one, down
 * to Spinmin (0.5 us).  Then it sleeps on its futex, using no CPU until
 * woken.  A proc with a ring follows the same rule: it submits what it
 * has queued, spins watching its ring as well as its inbox (a completion,
 * or the kernel's flag that one waits for the proc to enter it), then
 * sleeps in the ring.
 *
 * A spinning proc yields the CPU now and then, for the proc it waits for
 * may be waiting for that CPU.  How often adapts too (Proc.yieldns): a
 * yield that comes back at once (no other task wanted the CPU) lets the
 * next come later, up to Yieldmax; one that ran another task makes the
 * proc yield at every look, as two procs sharing a CPU must.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "threadimpl.h"

#ifdef THREAD_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

__thread Proc *_t9threadprocp __attribute__((tls_model("initial-exec")));

#ifdef THREAD_ASAN
enum { directyield = 0 };	/* see yield */
#else
enum { directyield = 1 };
#endif

static int nextid = 1;

enum {
	Spinmax		= 100000,	/* ns an idle proc spins at most */
	Spinmin		= 500,
	Spinpauses	= 8,		/* pauses between looks at the clock */
	Yieldmax	= 4000,		/* ns a spin goes without yielding at most */
	Yieldmin	= 250,
	Yieldbusy	= 1000,		/* a yield this long ran another task */
};

/*
 * Switch from the scheduler to t, and back.  Returns the thread that came
 * back: t, or another one t yielded to directly (see yield).
 */
static Thread *
runthread(Proc *p, Thread *t)
{
	p->cur = t;
#ifdef THREAD_ASAN
	__sanitizer_start_switch_fiber(&p->asanfake, t->stk, (char *)t - t->stk);
	_t9threadswitch(&p->schedsp, t->sp);
	__sanitizer_finish_switch_fiber(p->asanfake, nil, nil);
#else
	_t9threadswitch(&p->schedsp, t->sp);
#endif
	t = p->cur;
	p->cur = nil;
	return t;
}

/* Switch from the running thread to the scheduler, and back. */
static void
toscheduler(Proc *p, Thread *t)
{
#ifdef THREAD_ASAN
	/* A dead thread's fake stack frames go with it (nil). */
	__sanitizer_start_switch_fiber(t->dead ? nil : &t->asanfake,
				       p->asanschedbottom, p->asanschedsize);
	_t9threadswitch(&t->sp, p->schedsp);
	__sanitizer_finish_switch_fiber(t->asanfake, &p->asanschedbottom,
					&p->asanschedsize);
#else
	_t9threadswitch(&t->sp, p->schedsp);
#endif
}

_Noreturn void
_t9threadentry(Thread *t)
{
#ifdef THREAD_ASAN
	__sanitizer_finish_switch_fiber(nil, &t->proc->asanschedbottom,
					&t->proc->asanschedsize);
#endif
	_t9threadcheckkill(t);
	t->fn(t->arg);
	threadexits(nil);
}

static void
reap(Proc *p, Thread *t)
{
	_t9lock(&p->lock);
	if(t->aprev)
		t->aprev->anext = t->anext;
	else
		p->threads = t->anext;
	if(t->anext)
		t->anext->aprev = t->aprev;
	p->nthreads--;
	_t9unlock(&p->lock);
	free(t->name);
	_t9stackfree(p, t);
}

/* Interrupts to do and threads in the inbox: onto the run queue. */
static __attribute__((noinline)) void
runqfill(Proc *p)
{
	Thread *t, *next, *in;

	if(__atomic_load_n(&p->intrs, __ATOMIC_RELAXED))
		_t9threadints(p);
	if(__atomic_load_n(&p->inbox, __ATOMIC_RELAXED) != nil){
		/* Behind what is queued, oldest first: reverse the stack. */
		in = __atomic_exchange_n(&p->inbox, nil, __ATOMIC_ACQUIRE);
		for(next = nil; in != nil; in = t){
			t = in->rnext;
			in->rnext = next;
			next = in;
		}
		for(; next != nil; next = t){
			t = next->rnext;
			_t9runqput(p, next);
		}
	}
}

/*
 * The next thread to run, nil if none; the proc's own task only.  Inline:
 * a switch within a proc, with nothing from outside, is a few loads.
 */
static inline __attribute__((always_inline)) Thread *
runqget(Proc *p)
{
	Thread *t;

	if(__atomic_load_n(&p->intrs, __ATOMIC_RELAXED) ||
	   __atomic_load_n(&p->inbox, __ATOMIC_RELAXED) != nil)
		runqfill(p);
	t = p->runhead;
	if(t != nil){
		p->runhead = t->rnext;
		if(p->runhead == nil)
			p->runtail = nil;
		t->rnext = nil;
	}
	return t;
}

/*
 * From another task: push t onto p's inbox and wake p if it sleeps.  Under
 * p->lock, as p goes to sleep: either p sees t before it sleeps, or this
 * sees p asleep and wakes it.  The lock also keeps p from exiting, and its
 * memory from being freed, until this is done with it.
 */
static void
inboxput(Proc *p, Thread *t, int locked)
{
	Thread *old;

	if(!locked)
		_t9lock(&p->lock);
	old = __atomic_load_n(&p->inbox, __ATOMIC_RELAXED);
	do
		t->rnext = old;
	while(!__atomic_compare_exchange_n(&p->inbox, &old, t, 1,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	_t9procwakeup(p);
	if(!locked)
		_t9unlock(&p->lock);
}

static int64_t
nsnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Is there anything for an idle p to do? */
static int
haswork(Proc *p)
{
	return __atomic_load_n(&p->inbox, __ATOMIC_RELAXED) != nil ||
	       __atomic_load_n(&p->intrs, __ATOMIC_RELAXED) != 0 ||
	       (p->ioring != nil && _t9ioringready(p));
}

/*
 * Watch for work for up to p->spinns ns, p->sleeping Procspinning: a waker
 * then pushes to the inbox and leaves the futex alone.  1 if work came.
 */
static int
idlespin(Proc *p, int64_t t0)
{
	int64_t t, yielded;
	int i;

	yielded = t0;
	for(;;){
		for(i = 0; i < Spinpauses; i++){
			if(haswork(p))
				return 1;
			__builtin_ia32_pause();
		}
		t = nsnow();
		if(t - t0 >= p->spinns)
			return 0;
		if(t - yielded < p->yieldns)
			continue;
		sched_yield();		/* the proc we wait for may want this CPU */
		yielded = nsnow();
		if(yielded - t >= Yieldbusy)
			p->yieldns = 0;
		else if(p->yieldns < Yieldmax)
			p->yieldns = p->yieldns < Yieldmin ? Yieldmin : p->yieldns * 2;
	}
}

/* Wait until p has work, spinning first (see the top of the file). */
static void
idle(Proc *p)
{
	int64_t t0, slept;
	int work;

	if(p->ioring != nil)
		_t9ioringsubmit(p);	/* what we wait for must be under way */
	t0 = nsnow();
	__atomic_store_n(&p->sleeping, Procspinning, __ATOMIC_RELAXED);
	work = idlespin(p, t0);
	__atomic_store_n(&p->sleeping, Procawake, __ATOMIC_RELAXED);
	if(!work){
		_t9lock(&p->lock);
		__atomic_store_n(&p->wake, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&p->sleeping, Procasleep, __ATOMIC_RELAXED);
		work = haswork(p);
		_t9unlock(&p->lock);
		if(!work && p->ioring != nil)
			_t9ioringpoll(p, 1);
		else if(!work)
			_t9futexwait(&p->wake, 0);
		/* A waker that still sees Procasleep wakes us once more: harmless. */
		__atomic_store_n(&p->sleeping, Procawake, __ATOMIC_RELAXED);
	}
	if(work){
		if(p->ioring != nil)
			_t9ioringpoll(p, 0);	/* reap what the spin saw */
		return;
	}
	slept = nsnow() - t0;
	if(slept < Spinmax)
		p->spinns = p->spinns * 2 > Spinmax ? Spinmax : p->spinns * 2;
	else
		p->spinns = p->spinns / 2 < Spinmin ? Spinmin : p->spinns / 2;
}

/* Returns when the proc has no threads left. */
void
_t9schedloop(Proc *p)
{
	Thread *t;
	int n;

	if(p->spinns == 0)
		p->spinns = Spinmax;
	for(;;){
		if(p->ioring != nil)
			_t9ioringpoll(p, 0);
		while((t = runqget(p)) == nil){
			_t9lock(&p->lock);
			n = p->nthreads;
			_t9unlock(&p->lock);
			if(n == 0)
				return;
			idle(p);
		}
		if(p->ioring != nil)
			_t9ioringsubmit(p);
		t = runthread(p, t);
		if(t->dead)
			reap(p, t);
	}
}

/* Put t on its proc's run queue, p = t->proc, whose lock is held. */
void
_t9threadreadylocked(Proc *p, Thread *t)
{
	if(_t9threadprocp == p)
		_t9runqput(p, t);
	else
		inboxput(p, t, 1);
}

/*
 * With p->lock held, after giving p work: wake p if it sleeps; one that
 * spins sees the work by itself.
 */
void
_t9procwakeup(Proc *p)
{
	if(__atomic_load_n(&p->sleeping, __ATOMIC_RELAXED) == Procasleep &&
	   __atomic_load_n(&p->wake, __ATOMIC_RELAXED) == 0){
		__atomic_store_n(&p->wake, 1, __ATOMIC_RELAXED);
		if(p->ioring != nil)
			_t9ioringwake(p);
		else
			_t9futexwake(&p->wake, 1);
	}
}

void
_t9threadready(Thread *t)
{
	Proc *p;

	p = t->proc;
	if(_t9threadprocp == p)
		_t9runqput(p, t);
	else
		inboxput(p, t, 0);
}

/*
 * Sleep until someone readies the calling thread.  As yield does, switch
 * straight to the next runnable thread when there is one (the scheduler
 * is still the way for a dead thread, whose stack it frees); that may be
 * the caller itself, readied already.
 */
void
_t9threadblock(void)
{
	Thread *t, *next;
	Proc *p;

	p = _t9threadproc();
	t = p->cur;
	if(directyield && !t->dead && p->ioring == nil && (next = runqget(p)) != nil){
		if(next != t){
			p->cur = next;
			_t9threadswitch(&t->sp, next->sp);
		}
		return;
	}
	toscheduler(p, t);
}

void
_t9threadkilled(void)
{
	threadexits("threadkill");
}

void
_t9threadnone(const char *who)
{
	_t9fatal("%s: not called from a libthread thread", who);
}

/* A thread with its stack and first frame, from p's stack cache. */
static Thread *
threadalloc(Proc *p, void (*fn)(void *), void *arg, unsigned int stacksize,
	    const char *who)
{
	Thread *t;
	uint64_t *sp;
	uint32_t mxcsr;
	uint16_t fcw;

	t = _t9stackthread(p, stacksize, who);
	t->fn = fn;
	t->arg = arg;
	t->id = __atomic_fetch_add(&nextid, 1, __ATOMIC_RELAXED);

	/* The frame _t9threadswitch pops; see switch-amd64.S. */
	__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
	sp = (uint64_t *)((uintptr_t)t & ~(uintptr_t)15) - 8;
	sp[0] = (uint64_t)fcw << 32 | mxcsr;
	sp[1] = 0;			/* r15 */
	sp[2] = 0;			/* r14 */
	sp[3] = 0;			/* r13 */
	sp[4] = (uint64_t)t;		/* r12: _t9threadstart's argument */
	sp[5] = 0;			/* rbx */
	sp[6] = 0;			/* rbp: ends frame-pointer walks */
	sp[7] = (uint64_t)_t9threadstart;
	t->sp = sp;
	return t;
}

/*
 * The one way a thread is made: fn(arg) in group grp, a thread of p (the
 * calling task's proc, or a proc not yet started), on a stack from the
 * calling proc's cache; linked into p's threads, counted, and queued to
 * run.  Returns its id.
 */
int
_t9threadmake(Proc *p, void (*fn)(void *), void *arg, unsigned int stacksize, int grp,
	    const char *who)
{
	Thread *t;
	int id;

	t = threadalloc(_t9threadprocp, fn, arg, stacksize, who);
	t->proc = p;
	t->grp = grp;
	id = t->id;

	_t9lock(&p->lock);
	t->anext = p->threads;
	if(p->threads)
		p->threads->aprev = t;
	p->threads = t;
	p->nthreads++;
	_t9threadreadylocked(p, t);
	_t9unlock(&p->lock);
	return id;
}

int
threadcreate(void (*f)(void *arg), void *arg, unsigned int stacksize)
{
	Thread *cur;

	cur = _t9threadneed("threadcreate");
	return _t9threadmake(cur->proc, f, arg, stacksize, cur->grp, "threadcreate");
}

/*
 * A yield switches straight to the next runnable thread: one switch, not
 * two through the scheduler, and no lock.  The scheduler is still the way
 * when the proc has a ring to drive, and under ASan, whose fiber
 * bookkeeping assumes every switch passes there.
 */
void
yield(void)
{
	Thread *t, *next;
	Proc *p;

	t = _t9threadneed("yield");
	_t9threadcheckkill(t);
	p = t->proc;
	if(directyield && p->ioring == nil){
		next = runqget(p);
		if(next == nil)
			return;		/* nothing else to run */
		_t9runqput(p, t);
		p->cur = next;
		_t9threadswitch(&t->sp, next->sp);
		_t9threadcheckkill(t);
		return;
	}
	_t9threadready(t);
	_t9threadblock();
	_t9threadcheckkill(t);
}

void
threadexits(char *status)
{
	Thread *t;

	t = _t9threadneed("threadexits");
	t->proc->exitbad = status != nil && *status != '\0';
	t->dead = 1;
	_t9threadblock();
	abort();	/* the scheduler never resumes a dead thread */
}
