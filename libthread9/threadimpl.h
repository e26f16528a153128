/* SPDX-License-Identifier: MIT */
/*
 * threadimpl.h: libthread9's insides, shared by its files.
 *
 * Lock order (outermost first); nothing is ever taken inside Proc.lock:
 *	procslock (the list of procs)   -> Proc.lock
 *	Channel.lock (ascending address) -> Proc.lock
 *	QLock.lock, RWLock.lock          -> Proc.lock
 *	Ioproc.lock                      -> Proc.lock
 * No lock is held across a context switch.
 */
#ifndef LIBTHREAD9_THREADIMPL_H
#define LIBTHREAD9_THREADIMPL_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <thread.h>

/* Nothing below is part of the library's ABI. */
#pragma GCC visibility push(hidden)

#include "stackhook.h"

#if defined(__SANITIZE_ADDRESS__)
#define THREAD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define THREAD_ASAN 1
#endif
#endif

enum {
	/*
	 * The smallest thread stack: a glibc printf or a signal frame
	 * (with AVX-512 state, ~3.5 KiB) must fit with room to spare.
	 * ASan's redzones make every frame larger.
	 */
#ifdef THREAD_ASAN
	Stackfloor	= 128 * 1024,
	Procstack	= 1024 * 1024,	/* a proc's own (scheduler) stack */
#else
	Stackfloor	= 16 * 1024,
	Procstack	= 64 * 1024,
#endif
	Stackguard	= 16 * 1024,	/* each redzone */
	Stackcache	= 16,		/* freed stacks kept per proc ... */
	Stackcachemax	= 1024 * 1024,	/* ... and at most this many bytes */
	Stackbatch	= 16,		/* stacks made, or detached, per libseg call */
};

typedef struct Thread	Thread;
typedef struct Proc	Proc;
typedef struct Altsel	Altsel;
typedef struct Ioreq	Ioreq;
typedef struct Ioring	Ioring;
typedef struct Chanown	Chanown;

struct Thread {
	void	*sp;		/* saved stack pointer (switch-amd64.S) */
	Proc	*proc;		/* the proc it runs in, for life */
	Thread	*rnext;		/* Proc run queue or inbox */
	Thread	*anext;		/* Proc.threads */
	Thread	*aprev;
	int	id;
	int	grp;
	int	dead;
	int	killed;		/* atomic: die at the next kill point */
	int	intr;		/* atomic: threadint from another proc, for its proc to do */
	Altsel	*altsel;	/* the alt it is blocked in (its proc's task only) */
	Ioreq	*ioreq;		/* the io call it waits in (under Proc.lock) */
	char	*name;
	void	*udata;		/* threaddata */
	void	(*fn)(void *);
	void	*arg;
	char	*stk;		/* usable stack is [stk, (char*)this) */
	size_t	segsize;	/* the stack segment's body, Thread included */
	const struct _Stackhook *stackhook;	/* what made the stack, nil: _t9segalloc */
	void	*asanfake;
};

struct Stkcache {
	char	*base;
	size_t	size;
};

struct Proc {
	Lock	lock;		/* threads, nthreads, going to sleep */
	Thread	*runhead;	/* run queue: the proc's own task only */
	Thread	*runtail;
	Thread	*inbox;		/* atomic: readied by other tasks, newest first */
	Thread	*threads;	/* every live thread of the proc */
	int	nthreads;
	int	sleeping;	/* atomic: Procawake, Procspinning or Procasleep */
	int	wake;		/* futex word */
	int	spinns;		/* how long the next idle spin may last (sched.c) */
	int	yieldns;	/* how long it may go without yielding (sched.c) */
	int	intrs;		/* atomic: some thread's intr is set */
	Chanown	*own;		/* what the channels it owns name (channel.c) */
	Ioring	*ioring;	/* made by its first io call; it sleeps in it */

	void	*schedsp;	/* the scheduler's saved stack pointer */
	Thread	*cur;		/* running thread, nil in the scheduler */
	int	exitbad;	/* the last threadexits had a status */
	uint64_t rand;		/* alt's random choice */
	void	*udata;		/* procdata */

	struct Stkcache cache[Stackcache];
	int	ncache;
	size_t	cachebytes;
	char	*reserve[Stackbatch];	/* fresh stacks of reservesize bytes */
	int	nreserve;
	size_t	reservesize;
	int	reservemiss;	/* stacks of another size asked for in a row */
	char	*pending[Stackbatch];	/* freed stacks awaiting one segdetachn */
	int	npending;

	int	pid;		/* kernel task id (what threadpid returns) */
	int	ismain;
	pthread_t pt;
	char	*stk;		/* pthread stack segment (not the main proc's) */
	size_t	stksize;
	char	*sigstk;	/* sigaltstack segment, for the overflow report */
	size_t	sigstksize;
	int	rflag;		/* procrfork flags to apply in the new task */
	void	*start;		/* procrfork's struct Start, until the task runs */
	Proc	*next;		/* procs or zombies */
	Proc	*prev;

	const void *asanschedbottom;	/* the scheduler's stack, for ASan */
	size_t	asanschedsize;
	void	*asanfake;
};

/* Proc.sleeping: what an idle proc is doing (sched.c). */
enum { Procawake, Procspinning, Procasleep };

/*
 * A blocked alt: its entries share this, on the blocked thread's stack.
 * Whoever completes one entry first claims it (_t9altclaim), by a plain
 * store while only the thread's own proc can reach it, by compare-and-swap
 * once shared is set (see channel.c).
 */
enum { Altwaiting = -1, Altinterrupted = -2 };
struct Altsel {
	int	state;		/* Altwaiting, Altinterrupted or entry index */
	int	shared;		/* atomic: another proc may claim it too */
	int	solo;		/* one entry: its claimer unqueues it for good */
	Thread	*t;
};

/*
 * What a channel owned by one proc names: the proc holds it for life,
 * and a proc made later may hold it after (proc.c).  infast is set while
 * the holder is inside an operation on an owned channel, without locks.
 */
struct Chanown {
	int	infast;
	Chanown	*next;		/* free list */
};

/*
 * A fast section of o's holder: between the two, a task making one of o's
 * channels shared waits (channel.c).  The compiler barrier keeps the
 * section's loads after the store of infast; membarrier, in the sharing
 * task, does the CPU's part.
 */
static inline void
_t9fastenter(Chanown *o)
{
	__atomic_store_n(&o->infast, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void
_t9fastleave(Chanown *o)
{
	__atomic_store_n(&o->infast, 0, __ATOMIC_RELEASE);
}

/* Waiter on a QLock, RWLock or Rendez, on the blocked thread's stack. */
struct _Qwait {
	Thread	*t;
	_Qwait	*next;
	int	writer;
};

extern __thread Proc *_t9threadprocp __attribute__((tls_model("initial-exec")));

static inline Proc *
_t9threadproc(void)
{
	return _t9threadprocp;
}

static inline Thread *
_t9threadcur(void)
{
	return _t9threadprocp ? _t9threadprocp->cur : nil;
}

/*
 * Claim s for state (an entry index or Altinterrupted): 1 if it was still
 * Altwaiting.  A plain load and store while only s's proc can reach it.
 */
static inline int
_t9altclaim(Altsel *s, int state)
{
	int w;

	if(!__atomic_load_n(&s->shared, __ATOMIC_RELAXED)){
		if(__atomic_load_n(&s->state, __ATOMIC_RELAXED) != Altwaiting)
			return 0;
		__atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
		return 1;
	}
	w = Altwaiting;
	return __atomic_compare_exchange_n(&s->state, &w, state, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Queue t to run in p, the calling task's proc; the proc's task only. */
static inline void
_t9runqput(Proc *p, Thread *t)
{
	t->rnext = nil;
	if(p->runtail)
		p->runtail->rnext = t;
	else
		p->runhead = t;
	p->runtail = t;
}

/* switch-amd64.S */
void	_t9threadswitch(void **save, void *load);
void	_t9threadstart(void);

/* sched.c */
_Noreturn void	_t9threadentry(Thread *t);	/* where _t9threadstart goes */
int	_t9threadmake(Proc *p, void (*fn)(void *), void *arg, unsigned int stacksize,
		    int grp, const char *who);
void	_t9threadready(Thread *t);
void	_t9threadreadylocked(Proc *p, Thread *t);
void	_t9procwakeup(Proc *p);
void	_t9threadblock(void);
void	_t9schedloop(Proc *p);
_Noreturn void	_t9threadkilled(void);
_Noreturn void	_t9threadnone(const char *who);

/* Exit if t was killed (a kill point); t is the calling thread. */
static inline void
_t9threadcheckkill(Thread *t)
{
	if(__atomic_load_n(&t->killed, __ATOMIC_RELAXED))
		_t9threadkilled();
}

/* The calling thread; sysfatal, naming who, outside libthread's threads. */
static inline Thread *
_t9threadneed(const char *who)
{
	Thread *t;

	t = _t9threadcur();
	if(t == nil)
		_t9threadnone(who);
	return t;
}

/* stack.c */
Thread	*_t9stackthread(Proc *p, unsigned int want, const char *who);
void	_t9stackfree(Proc *p, Thread *t);
void	_t9stackcachefree(Proc *p);
char	*_t9segalloc(size_t len, const char *who);
void	_t9segrelease(char *base);

/*
 * lock.c, qlock.c, rendez.c: lock(2) under the library's own names, which
 * its code calls; the public names are weak aliases (see lock.c).
 */
void	_t9lock(Lock *l);
void	_t9unlock(Lock *l);
int	_t9canlock(Lock *l);
void	_t9qlock(QLock *q);
void	_t9qunlock(QLock *q);
int	_t9canqlock(QLock *q);
void	_t9rlock(RWLock *l);
void	_t9runlock(RWLock *l);
int	_t9canrlock(RWLock *l);
void	_t9wlock(RWLock *l);
void	_t9wunlock(RWLock *l);
int	_t9canwlock(RWLock *l);
void	_t9rsleep(Rendez *r);
int	_t9rwakeup(Rendez *r);
int	_t9rwakeupall(Rendez *r);

/* sysfatal.c: the library's own fatal errors (printf formats, whatever sysfatal is). */
void	_t9fatal(char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* main.c: the library's start, which plan9port's p9main is too. */
_Noreturn void	_t9main(int argc, char **argv);
void	p9main(int argc, char **argv) __attribute__((visibility("default")));

/* lib9.c: plan9port's lib9 beside the library. */
void	_t9lib9init(void);

/* daemonize.c: threadmaybackground's waiting parent. */
void	_t9daemonsetup(void);

/* exec.c: a child's waiter, in a proc of its own; it ends the proc. */
unsigned long	_t9nowms(void);
_Noreturn void	_t9waitfor(int pid, unsigned long t0);

/* proc.c */
extern Lock	_t9procslock;
extern Proc	*_t9procs;
void	_t9procinit(Proc *p);
void	_t9proclink(Proc *p);
void	_t9procexit(Proc *p);
Thread	*_t9threadfind(int id);	/* with procslock and the proc's lock held */

/* lock.c */
void	_t9futexwait(int *addr, int val);
void	_t9futexwake(int *addr, int n);

/* kill.c */
void	_t9threadints(Proc *p);

/* overflow.c */
void	_t9overflowinit(void);
void	_t9sigstackinit(Proc *p);

/* ioring.c */
void	_t9ioringpoll(Proc *p, int sleep);
int	_t9ioringready(Proc *p);
void	_t9ioringsubmit(Proc *p);
void	_t9ioringwake(Proc *p);
void	_t9ioringfree(Proc *p);

/* ioproc.c */
void	_t9iocancel(Ioreq *r);

#pragma GCC visibility pop

#endif /* LIBTHREAD9_THREADIMPL_H */
