// SPDX-License-Identifier: MIT
/*
 * Procs: kernel tasks sharing the address space, made with pthread_create
 * on a guarded segment stack (pthreads keep TLS, errno and libc's locks
 * sane).  Each runs _t9schedloop over its own run queue; an idle proc sleeps
 * in the kernel on a futex (Proc.wake) until _t9threadready wakes it.
 *
 * procrfork's flags and what they mean on Linux (all per kernel task):
 *	RFPROC, RFMEM, RFNOWAIT	always so; accepted
 *	RFFDG			unshare(CLONE_FILES): a copy of the fd table
 *	RFCFDG			the same, then every fd of the copy closed
 *	RFNAMEG			unshare(CLONE_FS|CLONE_NEWNS): a copy of the mount
 *				namespace (needs CAP_SYS_ADMIN, else EPERM)
 *	RFNOTEG			accepted, no effect: notes are signals to the
 *				whole process here
 *	RFENVG, RFCENVG		EINVAL: the environment is per process on Linux
 *	RFCNAMEG, RFNOMNT	EINVAL: Linux has no empty namespace to start from
 *	RFREND			EINVAL, as in Plan 9: all procs share rendezvous
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "threadimpl.h"

Lock	_t9procslock;
Proc	*_t9procs;
static Proc	*zombies;	/* exited procs whose task may still run */
static int	nprocs;

/* Filled in by the new task, on the creator's stack. */
struct Start {
	int	done;		/* futex */
	int	err;
};

/*
 * The Chanowns of procs that have exited, under _t9procslock.  A channel
 * owned by a proc names its Chanown, not the proc, so the proc may go
 * before the channel does; a proc made later takes a free Chanown, and
 * with it the channels nobody is left to use (they all had to be the old
 * proc's threads).  The lock orders the old holder's last use before the
 * new one's first.
 */
static Chanown	*freeown;

void
_t9procinit(Proc *p)
{
	p->rand = (uint64_t)(uintptr_t)p ^ (uint64_t)time(nil) << 20 ^ 0x9e3779b97f4a7c15ull;
	_t9lock(&_t9procslock);
	p->own = freeown;
	if(p->own != nil)
		freeown = p->own->next;
	_t9unlock(&_t9procslock);
	if(p->own == nil && (p->own = calloc(1, sizeof *p->own)) == nil)
		_t9fatal("proc: out of memory");
}

void
_t9proclink(Proc *p)
{
	__atomic_add_fetch(&nprocs, 1, __ATOMIC_RELAXED);
	_t9lock(&_t9procslock);
	p->next = _t9procs;
	if(_t9procs)
		_t9procs->prev = p;
	_t9procs = p;
	_t9unlock(&_t9procslock);
}

/* Called with _t9procslock held; returns t with t->proc->lock held, or nil. */
Thread *
_t9threadfind(int id)
{
	Proc *p;
	Thread *t;

	for(p = _t9procs; p != nil; p = p->next){
		_t9lock(&p->lock);
		for(t = p->threads; t != nil; t = t->anext)
			if(t->id == id)
				return t;
		_t9unlock(&p->lock);
	}
	return nil;
}

static void
reapzombies(void)
{
	Proc *z, *next;

	_t9lock(&_t9procslock);
	z = zombies;
	zombies = nil;
	_t9unlock(&_t9procslock);
	for(; z != nil; z = next){
		next = z->next;
		pthread_join(z->pt, nil);
		_t9segrelease(z->stk);
		_t9segrelease(z->sigstk);
		free(z);
	}
}

/*
 * The calling proc has no threads left.  The last proc ends the process;
 * any other returns, and its task must then end by returning from its
 * start function, not by pthread_exit: that unwinds the stack, and an
 * unwind racing another thread's exit() (which tears down the unwinder's
 * tables in a static program) aborts.
 */
void
_t9procexit(Proc *p)
{
	_t9stackcachefree(p);
	if(p->ioring != nil)
		_t9ioringfree(p);
	_t9lock(&_t9procslock);
	if(p->prev)
		p->prev->next = p->next;
	else
		_t9procs = p->next;
	if(p->next)
		p->next->prev = p->prev;
	p->prev = nil;
	p->next = nil;
	if(!p->ismain){
		p->next = zombies;
		zombies = p;
	}
	p->own->next = freeown;
	freeown = p->own;
	p->own = nil;
	_t9unlock(&_t9procslock);
	if(__atomic_sub_fetch(&nprocs, 1, __ATOMIC_ACQ_REL) == 0)
		exit(p->exitbad);
}

static int
applyrfork(int flag)
{
	if(flag & (RFFDG | RFCFDG))
		if(unshare(CLONE_FILES) < 0)
			return -1;
	if(flag & RFCFDG)
		close_range(0, ~0U, 0);
	if(flag & RFNAMEG)
		if(unshare(CLONE_FS | CLONE_NEWNS) < 0)
			return -1;
	return 0;
}

static void *
procmain(void *v)
{
	Proc *p;
	Thread *t;
	struct Start *st;
	int err;

	p = v;
	_t9threadprocp = p;
	p->pid = gettid();
	_t9sigstackinit(p);
	err = applyrfork(p->rflag) < 0 ? errno : 0;
	if(err){
		/* The thread never runs: it waits in the inbox (_t9threadmake). */
		t = p->threads;
		p->threads = nil;
		p->inbox = nil;
		p->nthreads = 0;
		_t9stackfree(p, t);
	}
	st = p->start;
	p->start = nil;
	st->err = err;
	__atomic_store_n(&st->done, 1, __ATOMIC_RELEASE);
	_t9futexwake(&st->done, 1);	/* st may be gone already: harmless */

	_t9schedloop(p);
	_t9procexit(p);
	return nil;
}

int
procrfork(void (*f)(void *arg), void *arg, unsigned int stacksize, int flag)
{
	enum {
		Ok = RFPROC | RFMEM | RFNOWAIT | RFFDG | RFCFDG | RFNAMEG | RFNOTEG,
	};
	struct Start st;
	pthread_attr_t attr;
	Thread *cur;
	Proc *p;
	int id, e;

	cur = _t9threadneed("procrfork");
	if(flag & ~Ok){
		errno = EINVAL;
		return -1;
	}
	reapzombies();

	p = calloc(1, sizeof *p);
	if(p == nil)
		_t9fatal("procrfork: out of memory");
	_t9procinit(p);
	p->rflag = flag;
	p->stksize = Procstack;
	p->stk = _t9segalloc(p->stksize, "procrfork");
	id = _t9threadmake(p, f, arg, stacksize, cur->grp, "procrfork");

	st.done = 0;
	st.err = 0;
	p->start = &st;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, p->stk, p->stksize);
	_t9proclink(p);
	e = pthread_create(&p->pt, &attr, procmain, p);
	pthread_attr_destroy(&attr);
	if(e != 0)
		_t9fatal("procrfork: pthread_create: %s", strerror(e));
	while(__atomic_load_n(&st.done, __ATOMIC_ACQUIRE) == 0)
		_t9futexwait(&st.done, 0);
	if(st.err){
		errno = st.err;
		return -1;
	}
	return id;
}

int
proccreate(void (*f)(void *arg), void *arg, unsigned int stacksize)
{
	return procrfork(f, arg, stacksize, 0);
}

void **
procdata(void)
{
	return &_t9threadneed("procdata")->proc->udata;
}
