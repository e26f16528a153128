// SPDX-License-Identifier: MIT
/*
 * ioproc(2): the calls, and the life of an Ioproc.
 *
 * A call enters the Ioproc (it must be open), takes its QLock (one call at
 * a time; the others wait as threads), fills in the request record and
 * hands it to the calling proc's ring or to the helper, and sleeps until the
 * record is done.  Errors come back as -1 with errno; EINTR ("interrupted")
 * when iointerrupt, threadint or threadkill ended the call.  Each call is a
 * kill point on the way in and out, so a killed thread dies only once its
 * request is finished.
 *
 * iointerrupt is 9front's: it interrupts the running call, or if none is
 * running, the next call fails with EINTR (ioflush clears that).
 *
 * A closed Ioproc is not given back to malloc: it waits on a list to be
 * reused by a later ioproc(), so a call on it fails with EBADF (until it is
 * reused, as a closed file descriptor's number may be).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ioimpl.h"

enum {
	Iomagic = 0x696f7072,		/* "iopr" */
	Iodead = 0x64656164,
	Maxio = 1 << 30,		/* bytes per system call; Linux does < 2 GiB */
};

static Lock	closedlock;
static Ioproc	*closedhead;		/* oldest first: reused last */
static Ioproc	*closedtail;

Ioproc *
ioproc(void)
{
	Ioproc *io;
	char *mode;
	int helper;

	mode = getenv("SEGCTL_IOPROC");
	helper = !_t9ioringok() || (mode != nil && strcmp(mode, "helper") == 0);

	_t9lock(&closedlock);
	io = closedhead;
	if(io != nil){
		closedhead = io->next;
		if(closedhead == nil)
			closedtail = nil;
	}
	_t9unlock(&closedlock);
	if(io == nil){
		io = calloc(1, sizeof *io);
		if(io == nil)
			_t9fatal("ioproc: out of memory");
	}

	/* A stale caller may look at a reused one: change it under its lock. */
	_t9lock(&io->lock);
	io->next = nil;
	io->closed = 0;
	io->intr = 0;
	io->busy = 0;
	io->users = 0;
	io->helper = helper;
	io->h = helper ? _t9iohelpnew() : nil;	/* Plan 9 makes its proc now */
	io->magic = Iomagic;
	_t9unlock(&io->lock);
	return io;
}

/* The last one out of a closed Ioproc puts it away. */
static void
release(Ioproc *io)
{
	int last;

	_t9lock(&io->lock);
	last = --io->users == 0 && io->closed;
	if(last){
		io->magic = Iodead;
		if(io->h != nil)
			_t9iohelpquit(io->h);
		io->h = nil;
	}
	_t9unlock(&io->lock);
	if(!last)
		return;
	_t9lock(&closedlock);
	if(closedtail)
		closedtail->next = io;
	else
		closedhead = io;
	closedtail = io;
	_t9unlock(&closedlock);
}

/* With io->lock held: interrupt the running call. */
static void
cancelcall(Ioproc *io)
{
	Proc *p;

	p = io->req.p;
	_t9lock(&p->lock);
	_t9iocancel(&io->req);
	_t9unlock(&p->lock);
}

void
closeioproc(Ioproc *io)
{
	if(io == nil)
		return;
	_t9lock(&io->lock);
	if(io->magic != Iomagic || io->closed){
		_t9unlock(&io->lock);
		return;
	}
	io->closed = 1;
	if(io->busy)
		cancelcall(io);
	io->users++;
	_t9unlock(&io->lock);
	release(io);
}

void
iointerrupt(Ioproc *io)
{
	if(io == nil)
		return;
	_t9lock(&io->lock);
	if(io->magic == Iomagic && !io->closed){
		if(io->busy)
			cancelcall(io);
		else
			io->intr = 1;
	}
	_t9unlock(&io->lock);
}

/*
 * With r->p->lock held: end r as soon as possible.  A request not yet
 * handed over is ended by _t9iobegin; one in flight is cancelled, and its
 * completion still ends it.
 */
void
_t9iocancel(Ioreq *r)
{
	if(r->state == Rdone || r->cancel)
		return;
	r->cancel = 1;
	if(r->state != Rflight)
		return;
	if(r->h != nil)
		_t9iohelpintr(r->h);
	else
		_t9ioringcancel(r);
}

/* Hand r over: 0 if it was interrupted first (it is then done). */
int
_t9iobegin(Ioreq *r)
{
	Proc *p;

	p = r->p;
	_t9lock(&p->lock);
	if(r->cancel){
		r->state = Rdone;
		r->res = -EINTR;
		_t9unlock(&p->lock);
		return 0;
	}
	r->state = Rflight;
	r->t->ioreq = r;
	if(r->h != nil)
		r->h->intr = 0;	/* interrupters look only now, under this lock */
	_t9unlock(&p->lock);
	return 1;
}

/* r finished with res: wake its thread.  Called once per request. */
void
_t9ioend(Ioreq *r, long res)
{
	Proc *p;
	Thread *t;

	p = r->p;
	t = r->t;
	_t9lock(&p->lock);
	_t9ioringdequeue(r);
	r->res = res;
	r->state = Rdone;
	t->ioreq = nil;
	_t9threadreadylocked(p, t);
	_t9unlock(&p->lock);
}

/* Start a call on io; -1 with errno EBADF if io is not an open Ioproc. */
static int
enter(Ioproc *io)
{
	if(io == nil){
		errno = EBADF;
		return -1;
	}
	_t9lock(&io->lock);
	if(io->magic != Iomagic || io->closed){
		_t9unlock(&io->lock);
		errno = EBADF;
		return -1;
	}
	io->users++;
	_t9unlock(&io->lock);
	_t9qlock(&io->ql);
	return 0;
}

static void
leave(Ioproc *io, Thread *t)
{
	_t9qunlock(&io->ql);
	release(io);
	_t9threadcheckkill(t);
}

/* Do io->req for t, io entered; the result, or -errno. */
static long
run(Ioproc *io, Thread *t)
{
	Ioreq *r;
	Ioring *g;

	r = &io->req;
	_t9lock(&io->lock);
	if(io->closed){
		_t9unlock(&io->lock);
		return -EBADF;
	}
	if(io->intr){
		io->intr = 0;
		_t9unlock(&io->lock);
		return -EINTR;
	}
	r->t = t;
	r->p = t->proc;
	r->state = Rnew;
	r->cancel = 0;
	r->res = 0;
	r->err = 0;
	r->h = nil;
	g = nil;
	if(!io->helper && r->op != Opcall)
		g = _t9ioringget(t->proc);
	if(g == nil){
		/* A helper from before a fork is gone with the parent. */
		if(io->h != nil && !_t9iohelplive(io->h))
			io->h = nil;
		if(io->h == nil)
			io->h = _t9iohelpnew();
		r->h = io->h;
	}
	io->busy = 1;
	_t9unlock(&io->lock);

	if(g != nil && _t9ioringtry(r))
		;	/* done at once; an interrupt now comes too late */
	else if(_t9iobegin(r)){
		if(g != nil)
			_t9ioringrun(g, r);
		else
			_t9iohelprun(r->h, r);
	}

	_t9lock(&io->lock);
	io->busy = 0;
	_t9unlock(&io->lock);
	return r->res;
}

static long
result(long res)
{
	if(res < 0){
		errno = -res;
		return -1;
	}
	return res;
}

/* Enter io, or end the call: the checks every call makes. */
#define ENTER(io, t, who)				\
	do {						\
		(t) = _t9threadneed(who);			\
		_t9threadcheckkill(t);			\
		if(enter(io) < 0)			\
			return -1;			\
	} while(0)

/* Run io->req and leave io: the call's result, -1 with errno on failure. */
static long
finish(Ioproc *io, Thread *t)
{
	long r;

	r = run(io, t);
	leave(io, t);
	return result(r);
}

static long
rw(Ioproc *io, int op, int fd, void *a, long n, int all, const char *who)
{
	Thread *t;
	Ioreq *r;
	long m, done;

	if(n < 0){
		errno = EINVAL;
		return -1;
	}
	if(a == nil && n > 0){
		errno = EFAULT;
		return -1;
	}
	ENTER(io, t, who);
	if(n == 0){
		/*
		 * Never blocks, but 6.1's io_uring waits for data to read none
		 * from a pipe: the system call's answer (0, or EBADF...).
		 */
		m = op == Opread ? read(fd, a, 0) : write(fd, a, 0);
		leave(io, t);
		return m;
	}
	r = &io->req;
	done = 0;
	do {
		r->op = op;
		r->fd = fd;
		r->buf = (char *)a + done;
		r->len = n - done > Maxio ? Maxio : n - done;
		m = run(io, t);
		if(m <= 0)
			break;
		done += m;
	} while(all && done < n);
	leave(io, t);
	/* Like Plan 9's readn and write: what was done before an error. */
	if(done > 0)
		return done;
	return result(m);
}

long
ioread(Ioproc *io, int fd, void *a, long n)
{
	return rw(io, Opread, fd, a, n, 0, "ioread");
}

long
ioreadn(Ioproc *io, int fd, void *a, long n)
{
	return rw(io, Opread, fd, a, n, 1, "ioreadn");
}

/* Writes all n bytes, as Plan 9's write does, unless an error stops it. */
long
iowrite(Ioproc *io, int fd, void *a, long n)
{
	return rw(io, Opwrite, fd, a, n, 1, "iowrite");
}

int
ioopen(Ioproc *io, char *file, int omode)
{
	Thread *t;

	if(file == nil){
		errno = EFAULT;
		return -1;
	}
	ENTER(io, t, "ioopen");
	io->req.op = Opopen;
	io->req.path = file;
	io->req.flags = omode;
	return finish(io, t);
}

int
ioclose(Ioproc *io, int fd)
{
	Thread *t;

	ENTER(io, t, "ioclose");
	io->req.op = Opclose;
	io->req.fd = fd;
	return finish(io, t);
}

/* As Plan 9's sleep: ms <= 0 returns at once. */
int
iosleep(Ioproc *io, long ms)
{
	Thread *t;

	ENTER(io, t, "iosleep");
	if(ms <= 0){
		leave(io, t);
		return 0;
	}
	io->req.op = Opsleep;
	io->req.ts.tv_sec = ms / 1000;
	io->req.ts.tv_nsec = ms % 1000 * 1000000;
	return finish(io, t);
}

/* 9front: clear a pending interrupt. */
int
ioflush(Ioproc *io)
{
	Thread *t;

	ENTER(io, t, "ioflush");
	_t9lock(&io->lock);
	io->intr = 0;
	_t9unlock(&io->lock);
	leave(io, t);
	return 0;
}

long
iocall(Ioproc *io, long (*op)(va_list *arg), ...)
{
	Thread *t;
	va_list arg;
	long r;

	if(op == nil){
		errno = EFAULT;
		return -1;
	}
	ENTER(io, t, "iocall");
	va_start(arg, op);
	io->req.op = Opcall;
	io->req.fn = op;
	io->req.arg = &arg;
	io->req.called = 0;
	r = run(io, t);
	va_end(arg);
	/* The op's own value and errno, if it ran. */
	if(io->req.called)
		errno = io->req.err;
	else
		r = result(r);
	leave(io, t);
	return r;
}

/* iodial's connect. */
long
_t9ioconnect(Ioproc *io, int fd, const void *sa, unsigned int len)
{
	Thread *t;

	ENTER(io, t, "iodial");
	io->req.op = Opconnect;
	io->req.fd = fd;
	io->req.sa = sa;
	io->req.salen = len;
	return finish(io, t);
}

int
_t9ioinflight(void)
{
	Proc *p;

	p = _t9threadproc();
	return (p != nil ? _t9ioringinflight(p) : 0) +
	       __atomic_load_n(&_t9iohelpinflight, __ATOMIC_ACQUIRE);
}

/* The path io's last call took (before any: the one it will take). */
const char *
_t9ioprocpath(Ioproc *io)
{
	return io->helper || io->req.h != nil ? "helper" : "io_uring";
}
