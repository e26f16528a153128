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
};

typedef struct Thread	Thread;
typedef struct Proc	Proc;
typedef struct Altsel	Altsel;
typedef struct Ioreq	Ioreq;
typedef struct Ioring	Ioring;

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
	Altsel	*altsel;	/* the alt it is blocked in (under Proc.lock) */
	Ioreq	*ioreq;		/* the io call it waits in (under Proc.lock) */
	char	*name;
	void	*udata;		/* threaddata */
	void	(*fn)(void *);
	void	*arg;
	char	*stk;		/* usable stack is [stk, (char*)this) */
	size_t	segsize;	/* the stack segment's body, Thread included */
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
	int	sleeping;	/* atomic: in futex wait on wake, or in its ring */
	int	wake;		/* futex word */
	Ioring	*ioring;	/* made by its first io call; it sleeps in it */

	void	*schedsp;	/* the scheduler's saved stack pointer */
	Thread	*cur;		/* running thread, nil in the scheduler */
	int	exitbad;	/* the last threadexits had a status */
	uint64_t rand;		/* alt's random choice */
	void	*udata;		/* procdata */

	struct Stkcache cache[Stackcache];
	int	ncache;
	size_t	cachebytes;

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

/* A blocked alt: its entries share this, on the blocked thread's stack. */
enum { Altwaiting = -1, Altinterrupted = -2 };
struct Altsel {
	int	state;		/* atomic: Altwaiting, Altinterrupted or entry index */
	Thread	*t;
};

/* Waiter on a QLock, RWLock or Rendez, on the blocked thread's stack. */
struct _Qwait {
	Thread	*t;
	_Qwait	*next;
	int	writer;
};

extern __thread Proc *_threadprocp __attribute__((tls_model("initial-exec")));

static inline Proc *
_threadproc(void)
{
	return _threadprocp;
}

static inline Thread *
_threadcur(void)
{
	return _threadprocp ? _threadprocp->cur : nil;
}

/* switch-amd64.S */
void	_threadswitch(void **save, void *load);
void	_threadstart(void);
_Noreturn void	_threadentry(Thread *t);

/* sched.c */
Thread	*_threadalloc(Proc *p, void (*fn)(void *), void *arg, unsigned int stacksize,
		      const char *who);
void	_threadready(Thread *t);
void	_threadreadylocked(Proc *p, Thread *t);
void	_procwakeup(Proc *p);
void	_threadblock(void);
void	_threadcheckkill(Thread *t);
void	_schedloop(Proc *p);
Thread	*_threadneed(const char *who);

/* stack.c */
Thread	*_stackalloc(Proc *p, unsigned int want, const char *who);
void	_stackfree(Proc *p, Thread *t);
void	_stackcachefree(Proc *p);
char	*_segalloc(size_t len, const char *who);
void	_segrelease(char *base);
/* How thread stacks are made (THREAD9_STACKS, for bench/threadcreate). */
enum { Stkcached, Stkguarded, Stkseg3, Stkmalloc };
int	_stackhow(void);

/* proc.c */
extern Lock	_procslock;
extern Proc	*_procs;
void	_procinit(Proc *p);
void	_proclink(Proc *p);
void	_procexit(Proc *p);
void	_futexwait(int *addr, int val);
void	_futexwake(int *addr, int n);
Thread	*_threadfind(int id);	/* with procslock and the proc's lock held */

/* overflow.c */
void	_overflowinit(void);
void	_sigstackinit(Proc *p);

/* exec.c */

/* ioring.c, ioproc.c */
void	_ioringpoll(Proc *p, int sleep);
void	_ioringsubmit(Proc *p);
void	_ioringwake(Proc *p);
void	_ioringfree(Proc *p);
void	_iocancel(Ioreq *r);

#pragma GCC visibility pop

#endif /* LIBTHREAD9_THREADIMPL_H */
