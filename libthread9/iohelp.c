// SPDX-License-Identifier: MIT
/*
 * Helper tasks: where io_uring cannot be had (or SEGCTL_IOPROC=helper),
 * each Ioproc gets a kernel task of its own that makes the blocking system
 * calls, as Plan 9's ioproc does with a proc; iocall always runs its op
 * in one.  The caller's thread sleeps meanwhile and the helper readies it;
 * the caller's proc runs its other threads.
 *
 * A helper is a bare pthread, not a libthread proc: it has no threads,
 * does not keep the program alive, and takes no notes (it blocks every
 * signal but Sigiointr and the synchronous ones).  It waits for work on a
 * futex, Iohelp.state.  It is told to quit by the last user of a closed
 * Ioproc, and frees its own Iohelp.
 *
 * Interrupting it: set Iohelp.intr, then send it Sigiointr; _t9iosyscall
 * (iosys-amd64.S) makes that race-free for the calls it makes itself.  An
 * iocall op is interrupted only if it is blocked in a system call when the
 * signal comes.  A signal meant for an earlier request may still arrive
 * during the next; with intr clear, the call is made again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define IO_SOCKETS
#include "ioimpl.h"

enum {
	Hidle,
	Hwork,
	Hquit,
#ifdef THREAD_ASAN
	Helpstack = 1024 * 1024,
#else
	Helpstack = 256 * 1024,		/* iocall ops run here */
#endif
};

#define Sigiointr	(SIGRTMAX - 1)

int	_t9iohelpinflight;	/* requests being done by helpers */

static pthread_once_t	sigonce = PTHREAD_ONCE_INIT;
static __thread Iohelp	*curhelp __attribute__((tls_model("initial-exec")));

static void
onintr(int sig, siginfo_t *si, void *v)
{
	greg_t *pc;

	(void)sig;
	(void)si;
	pc = &((ucontext_t *)v)->uc_mcontext.gregs[REG_RIP];
	if(curhelp != nil && __atomic_load_n(&curhelp->intr, __ATOMIC_ACQUIRE) &&
	   *pc >= (greg_t)_t9iosysbegin && *pc < (greg_t)_t9iosysend)
		*pc = (greg_t)_t9iosyscancel;
}

static void
installsig(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = onintr;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: a blocked call ends */
	sigemptyset(&sa.sa_mask);
	sigaction(Sigiointr, &sa, nil);
}

/* A call that only the current request's interrupt ends early. */
static long
sys(Iohelp *h, long nr, long a1, long a2, long a3, long a4)
{
	long r;

	while((r = _t9iosyscall(&h->intr, nr, a1, a2, a3, a4)) == -EINTR &&
	      !__atomic_load_n(&h->intr, __ATOMIC_ACQUIRE))
		;
	return r;
}

/* A connect a stale signal broke off goes on in the background: wait for it. */
static long
connectwait(Iohelp *h, int fd)
{
	struct pollfd pf;
	socklen_t len;
	long r;
	int e;

	pf.fd = fd;
	pf.events = POLLOUT;
	r = sys(h, SYS_poll, (long)&pf, 1, -1, 0);
	if(r < 0)
		return r;
	len = sizeof e;
	if(getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return -errno;
	return -e;
}

static long
doreq(Iohelp *h, Ioreq *r)
{
	struct timespec ts;
	long res;

	switch(r->op){
	case Opread:
		return sys(h, SYS_read, r->fd, (long)r->buf, r->len, 0);
	case Opwrite:
		return sys(h, SYS_write, r->fd, (long)r->buf, r->len, 0);
	case Opopen:
		return sys(h, SYS_openat, AT_FDCWD, (long)r->path, r->flags, 0666);
	case Opclose:
		/* Never again: Linux has closed it even when it says EINTR. */
		return _t9iosyscall(&h->intr, SYS_close, r->fd, 0, 0, 0);
	case Opsleep:
		/* An absolute deadline, so that a call made again sleeps no longer. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += r->ts.tv_sec;
		ts.tv_nsec += r->ts.tv_nsec;
		if(ts.tv_nsec >= 1000000000){
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		return sys(h, SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, (long)&ts, 0);
	case Opconnect:
		res = _t9iosyscall(&h->intr, SYS_connect, r->fd, (long)r->sa, r->salen, 0);
		if(res == -EINTR && !__atomic_load_n(&h->intr, __ATOMIC_ACQUIRE))
			res = connectwait(h, r->fd);
		return res;
	case Opcall:
		errno = 0;
		res = r->fn(r->arg);
		r->err = errno;
		r->called = 1;
		return res;
	}
	abort();
}

static void *
helpmain(void *v)
{
	sigset_t s;
	Iohelp *h;
	Ioreq *r;
	long res;
	int st;

	h = v;
	curhelp = h;
	sigemptyset(&s);
	sigaddset(&s, Sigiointr);
	pthread_sigmask(SIG_UNBLOCK, &s, nil);
	for(;;){
		while((st = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE)) == Hidle)
			_t9futexwait(&h->state, Hidle);
		if(st == Hquit)
			break;
		r = h->req;
		res = doreq(h, r);
		/* Before the caller can run and hand us the next request. */
		__atomic_store_n(&h->state, Hidle, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&_t9iohelpinflight, 1, __ATOMIC_RELEASE);
		_t9ioend(r, res);
	}
	curhelp = nil;
	free(h);
	return nil;
}

Iohelp *
_t9iohelpnew(void)
{
	static const int sync[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGPIPE };
	pthread_attr_t attr;
	sigset_t all, old;
	Iohelp *h;
	size_t i;
	int e;

	pthread_once(&sigonce, installsig);
	h = calloc(1, sizeof *h);
	if(h == nil)
		_t9fatal("ioproc: out of memory");
	h->pid = getpid();
	/* It starts with the notes blocked: they are for the procs. */
	sigfillset(&all);
	for(i = 0; i < sizeof sync / sizeof sync[0]; i++)
		sigdelset(&all, sync[i]);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, Helpstack);
	e = pthread_create(&h->pt, &attr, helpmain, h);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, nil);
	if(e != 0)
		_t9fatal("ioproc: cannot make a helper: %s", strerror(e));
	return h;
}

/* Is h's task there?  Not in a forked child. */
int
_t9iohelplive(Iohelp *h)
{
	return h->pid == getpid();
}

void
_t9iohelpquit(Iohelp *h)
{
	if(!_t9iohelplive(h)){
		free(h);
		return;
	}
	__atomic_store_n(&h->state, Hquit, __ATOMIC_RELEASE);
	_t9futexwake(&h->state, 1);
}

/* r has been handed over (_t9iobegin): have h do it, and sleep till then. */
void
_t9iohelprun(Iohelp *h, Ioreq *r)
{
	__atomic_add_fetch(&_t9iohelpinflight, 1, __ATOMIC_RELEASE);
	h->req = r;
	__atomic_store_n(&h->state, Hwork, __ATOMIC_RELEASE);
	_t9futexwake(&h->state, 1);
	_t9threadblock();
}

/* With the waiting proc's lock held, h's request in flight. */
void
_t9iohelpintr(Iohelp *h)
{
	__atomic_store_n(&h->intr, 1, __ATOMIC_RELEASE);
	pthread_kill(h->pt, Sigiointr);
}
