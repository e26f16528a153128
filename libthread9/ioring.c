// SPDX-License-Identifier: MIT
/*
 * Each proc's io_uring, made by the proc's first io call.
 *
 * A thread's call puts one SQE in its proc's ring, tagged with the address
 * of its request record, and blocks; the scheduler reaps completions on
 * every pass, readying the threads whose requests finished, and submits
 * what is queued before it runs the next thread, or as it goes to sleep.
 * Only the proc itself touches its ring, so the ring needs no lock.
 *
 * With a ring, the proc sleeps in it (io_uring_enter waiting for a
 * completion) instead of on its futex, after the idle spin all procs do
 * (sched.c), which watches the ring too (_t9ioringready).  To be woken by another proc it keeps
 * a poll of an eventfd in the ring while it sleeps: _t9threadready in another
 * proc writes the eventfd when the proc sleeps (Proc.sleeping, Proc.wake
 * as for the futex), the poll completes and the proc wakes.  The eventfd's
 * count stays set until the proc reads it, so a write before the poll is
 * queued is not lost.
 *
 * Kernels before 6.4 give pipes no FMODE_NOWAIT, and their io_uring
 * hands every read or write of a blocking pipe to an io-wq worker (after
 * a poll, when the pipe is empty): a task switch each way, ten times a
 * blocking read's cost.  Sockets, and files opened O_NONBLOCK, it polls
 * instead.  So on such kernels (probepipes) a read or write of a blocking
 * pipe goes to a new open file description of the same pipe, opened
 * O_NONBLOCK through /proc/self/fd (ringfd), closed when it completes.
 *
 * Interrupting a request from anywhere (iointerrupt, threadint, threadkill,
 * closeioproc) puts it on the ring's cancel queue under the proc's lock and
 * wakes the proc, whose scheduler sends an IORING_OP_ASYNC_CANCEL for it.
 * The request's own completion still ends the call (-ECANCELED becomes
 * EINTR, or the result, if it finished first).  The tag carries a
 * generation number so that a cancel sent late cannot hit the next request
 * made with the same record.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define IO_SOCKETS
#include "ioimpl.h"

enum {
	Sqsize		= 256,
	Cqsize		= 4096,		/* beyond it the kernel keeps them (NODROP) */
	Tagwake		= 1,		/* the eventfd poll */
	Tagcancel	= 2,		/* an ASYNC_CANCEL */
	Genshift	= 56,		/* user addresses are below 2^56 */
};

struct Ioring {
	struct io_uring ring;
	int	efd;		/* written to wake the proc sleeping in the ring */
	int	armed;		/* the eventfd poll is in the ring */
	int	inflight;	/* requests and cancels not yet reaped */
	unsigned int gen;
	Ioreq	*cancelq;	/* under the proc's lock */
};

static pthread_once_t	probeonce = PTHREAD_ONCE_INIT;
static int	ringworks;
static int	pipesnowait;	/* pipes do nowait I/O: io_uring polls them */
static __thread int	ringfailed;	/* this proc could not make its ring */

/* A forked child has only the forking proc, whose ring is the parent's. */
static void
forked(void)
{
	Proc *p;

	p = _t9threadprocp;
	if(p != nil && p->ioring != nil){
		io_uring_queue_exit(&p->ioring->ring);	/* the child's mappings only */
		close(p->ioring->efd);
		free(p->ioring);
		p->ioring = nil;
	}
}

/*
 * A kernel that gives pipes FMODE_NOWAIT accepts RWF_NOWAIT on them (an
 * empty pipe: EAGAIN); one that does not refuses it (EOPNOTSUPP), the
 * same test that makes its io_uring hand a pipe's reads to io-wq.
 */
static int
probepipes(void)
{
	struct iovec iov;
	char c;
	int p[2], ok;

	if(pipe2(p, O_CLOEXEC) < 0)
		return 0;
	iov.iov_base = &c;
	iov.iov_len = 1;
	ok = preadv2(p[0], &iov, 1, -1, RWF_NOWAIT) < 0 && errno == EAGAIN;
	close(p[0]);
	close(p[1]);
	return ok;
}

/*
 * Can we have rings at all?  Not with io_uring_disabled, a seccomp filter
 * or an old kernel (the opcodes we use are all in 5.6).
 */
static void
probe(void)
{
	static const int ops[] = {
		IORING_OP_READ, IORING_OP_WRITE, IORING_OP_OPENAT, IORING_OP_CLOSE,
		IORING_OP_TIMEOUT, IORING_OP_CONNECT, IORING_OP_ASYNC_CANCEL,
		IORING_OP_POLL_ADD,
	};
	struct io_uring_probe *pr;
	struct io_uring r;
	size_t i;
	int ok;

	pthread_atfork(nil, nil, forked);
	if(io_uring_queue_init(4, &r, 0) < 0)
		return;
	pr = io_uring_get_probe_ring(&r);
	ok = pr != nil && (r.features & IORING_FEAT_NODROP);
	for(i = 0; ok && i < sizeof ops / sizeof ops[0]; i++)
		ok = io_uring_opcode_supported(pr, ops[i]);
	if(pr != nil)
		io_uring_free_probe(pr);
	io_uring_queue_exit(&r);
	pipesnowait = probepipes();
	ringworks = ok;
}

int
_t9ioringok(void)
{
	pthread_once(&probeonce, probe);
	return ringworks;
}

/*
 * Only the proc's task submits and reaps, so completions can wait for it
 * to ask (6.1+): no task work interrupting it while it runs threads.  The
 * kernel flags pending work in the SQ ring (see _t9ioringpoll).  Kernels
 * that refuse the flags get a plain ring.
 */
static const unsigned int setups[] = {
	IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		IORING_SETUP_TASKRUN_FLAG,
	IORING_SETUP_CQSIZE,
};

/* p's ring, made now if need be; nil if it cannot be had. */
Ioring *
_t9ioringget(Proc *p)
{
	struct io_uring_params pa;
	Ioring *g;
	size_t i;

	if(p->ioring != nil)
		return p->ioring;
	if(ringfailed)
		return nil;
	g = calloc(1, sizeof *g);
	if(g == nil)
		goto fail;
	for(i = 0; i < sizeof setups / sizeof setups[0]; i++){
		memset(&pa, 0, sizeof pa);
		pa.flags = setups[i];
		pa.cq_entries = Cqsize;
		if(io_uring_queue_init_params(Sqsize, &g->ring, &pa) == 0)
			break;
	}
	if(i == sizeof setups / sizeof setups[0])
		goto fail;
	g->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if(g->efd < 0){
		io_uring_queue_exit(&g->ring);
		goto fail;
	}
	_t9lock(&p->lock);
	p->ioring = g;
	_t9unlock(&p->lock);
	return g;
fail:
	free(g);
	ringfailed = 1;
	return nil;
}

void
_t9ioringfree(Proc *p)
{
	Ioring *g;

	g = p->ioring;
	p->ioring = nil;
	io_uring_queue_exit(&g->ring);
	close(g->efd);
	free(g);
}

static void	reap(Ioring *g);

/* An SQE, submitting what is queued if the ring is full. */
static struct io_uring_sqe *
getsqe(Ioring *g)
{
	struct io_uring_sqe *sqe;

	while((sqe = io_uring_get_sqe(&g->ring)) == nil)
		if(io_uring_submit(&g->ring) < 0)
			reap(g);	/* EBUSY: completions first */
	return sqe;
}

/*
 * The fd to read or write for r: r->fd, or on a kernel whose io_uring
 * would hand the call to io-wq, a non-blocking reopening of r->fd's pipe.
 * Only when r->fd allows the call (its access mode) and blocks (no
 * O_NONBLOCK: io_uring polls those already).  If the reopening fails
 * (no /proc, a FIFO's write end with no reader), r->fd: io-wq does it.
 */
static int
ringfd(Ioreq *r)
{
	char path[32];
	struct stat st;
	int fl, acc, fd;

	if(pipesnowait || fstat(r->fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return r->fd;
	fl = fcntl(r->fd, F_GETFL);
	acc = r->op == Opread ? O_RDONLY : O_WRONLY;
	if(fl < 0 || (fl & O_NONBLOCK) || ((fl & O_ACCMODE) != acc && (fl & O_ACCMODE) != O_RDWR))
		return r->fd;
	snprintf(path, sizeof path, "/proc/self/fd/%d", r->fd);
	fd = open(path, acc | O_NONBLOCK | O_CLOEXEC);
	return fd >= 0 ? fd : r->fd;
}

/*
 * A write that need not wait, done at once by the calling thread: a pipe's
 * or socket's write mostly finds room, and then costs one system call, not
 * a trip through the ring, the scheduler and back.  RWF_NOWAIT makes it
 * what the ring would try first anyway; on kernels before 6.4 a blocking
 * pipe refuses it (EOPNOTSUPP), so there it is written through ringfd's
 * non-blocking reopening.  When it would block (EAGAIN), or the file cannot
 * say, the ring does it.  1 if r is done, its result in r->res.
 */
int
_t9ioringtry(Ioreq *r)
{
	struct iovec iov;
	ssize_t n;
	int err, fd;

	if(r->op != Opwrite)
		return 0;
	err = errno;
	fd = ringfd(r);
	if(fd != r->fd){
		n = write(fd, r->buf, r->len);
		if(n < 0)
			r->res = -errno;
		close(fd);
	}else{
		iov.iov_base = r->buf;
		iov.iov_len = r->len;
		n = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
		if(n < 0)
			r->res = -errno;
	}
	errno = err;
	if(n < 0 && (r->res == -EAGAIN || r->res == -EOPNOTSUPP || r->res == -EINTR))
		return 0;
	if(n >= 0)
		r->res = n;
	return 1;
}

void
_t9ioringrun(Ioring *g, Ioreq *r)
{
	struct io_uring_sqe *sqe;

	r->rfd = r->fd;
	if(r->op == Opread || r->op == Opwrite)
		r->rfd = ringfd(r);
	sqe = getsqe(g);
	switch(r->op){
	case Opread:
		io_uring_prep_read(sqe, r->rfd, r->buf, r->len, -1);
		break;
	case Opwrite:
		io_uring_prep_write(sqe, r->rfd, r->buf, r->len, -1);
		break;
	case Opopen:
		io_uring_prep_openat(sqe, AT_FDCWD, r->path, r->flags, 0666);
		break;
	case Opclose:
		io_uring_prep_close(sqe, r->fd);
		break;
	case Opsleep:
		io_uring_prep_timeout(sqe, &r->ts, 0, 0);
		break;
	case Opconnect:
		io_uring_prep_connect(sqe, r->fd, r->sa, r->salen);
		break;
	default:
		abort();
	}
	g->gen++;
	r->tag = (uint64_t)(g->gen & 0xff) << Genshift | (uintptr_t)r;
	io_uring_sqe_set_data64(sqe, r->tag);
	g->inflight++;
	_t9threadblock();		/* the scheduler submits it */
}

static void
cqpush(Ioring *g, Ioreq *r)
{
	r->oncq = 1;
	r->cprev = nil;
	r->cnext = g->cancelq;
	if(r->cnext != nil)
		r->cnext->cprev = r;
	__atomic_store_n(&g->cancelq, r, __ATOMIC_RELAXED);
}

static void
cqunlink(Ioring *g, Ioreq *r)
{
	if(r->cprev != nil)
		r->cprev->cnext = r->cnext;
	else
		__atomic_store_n(&g->cancelq, r->cnext, __ATOMIC_RELAXED);
	if(r->cnext != nil)
		r->cnext->cprev = r->cprev;
	r->oncq = 0;
}

/* With r->p->lock held: r is done, no cancel to send. */
void
_t9ioringdequeue(Ioreq *r)
{
	if(r->oncq)
		cqunlink(r->p->ioring, r);
}

/* With r->p->lock held, r in flight on r->p's ring: have it cancelled. */
void
_t9ioringcancel(Ioreq *r)
{
	Proc *p;

	p = r->p;
	cqpush(p->ioring, r);
	_t9procwakeup(p);
}

/* The proc's scheduler: cancel what was asked to be. */
static void
sendcancels(Ioring *g, Proc *p)
{
	struct io_uring_sqe *sqe;
	Ioreq *r;

	_t9lock(&p->lock);
	while((r = g->cancelq) != nil){
		sqe = io_uring_get_sqe(&g->ring);
		if(sqe == nil){
			_t9unlock(&p->lock);
			io_uring_submit(&g->ring);
			_t9lock(&p->lock);
			continue;
		}
		cqunlink(g, r);
		/* r->tag was set before r's thread blocked, so before we run. */
		io_uring_prep_cancel64(sqe, r->tag, 0);
		io_uring_sqe_set_data64(sqe, Tagcancel);
		g->inflight++;
	}
	_t9unlock(&p->lock);
}

static void
reap(Ioring *g)
{
	struct io_uring_cqe *c;
	unsigned int head, n;
	eventfd_t v;
	Ioreq *r;
	long res;

	n = 0;
	io_uring_for_each_cqe(&g->ring, head, c){
		n++;
		if(c->user_data == Tagwake){
			eventfd_read(g->efd, &v);	/* EAGAIN: nothing to clear */
			g->armed = 0;
			continue;
		}
		g->inflight--;
		if(c->user_data == Tagcancel)
			continue;
		r = (Ioreq *)(uintptr_t)(c->user_data & (((uint64_t)1 << Genshift) - 1));
		if(r->rfd != r->fd)
			close(r->rfd);
		res = c->res;
		if(r->op == Opsleep && res == -ETIME)
			res = 0;
		if(res == -ECANCELED)
			res = -EINTR;
		_t9ioend(r, res);
	}
	io_uring_cq_advance(&g->ring, n);
}

/*
 * The scheduler of p, which has a ring: queue the cancels asked for and
 * reap.  With sleep set, first submit and wait in the ring for a completion
 * or a wakeup, in one system call; otherwise the scheduler submits with
 * _t9ioringsubmit just before it runs a thread.
 */
void
_t9ioringpoll(Proc *p, int sleep)
{
	struct io_uring_sqe *sqe;
	Ioring *g;

	g = p->ioring;
	if(__atomic_load_n(&g->cancelq, __ATOMIC_RELAXED) != nil)
		sendcancels(g, p);
	if(sleep){
		if(!g->armed){
			sqe = getsqe(g);
			io_uring_prep_poll_add(sqe, g->efd, POLLIN);
			io_uring_sqe_set_data64(sqe, Tagwake);
			g->armed = 1;
		}
		io_uring_submit_and_wait(&g->ring, 1);	/* EINTR: the caller looks again */
	}
	/* Overflowed completions, or completions waiting for us to run them. */
	if(IO_URING_READ_ONCE(*g->ring.sq.kflags) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN))
		io_uring_get_events(&g->ring);
	reap(g);
}

/*
 * Has p's ring something for its scheduler (which _t9ioringpoll does): a
 * completion, one the kernel holds for us to enter the ring (TASKRUN,
 * CQ_OVERFLOW), or a cancel to send?  Loads only: the idle spin's test.
 */
int
_t9ioringready(Proc *p)
{
	Ioring *g;

	g = p->ioring;
	return io_uring_cq_ready(&g->ring) > 0 ||
	       (IO_URING_READ_ONCE(*g->ring.sq.kflags) &
		(IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) != 0 ||
	       __atomic_load_n(&g->cancelq, __ATOMIC_RELAXED) != nil;
}

void
_t9ioringsubmit(Proc *p)
{
	if(io_uring_sq_ready(&p->ioring->ring) > 0)
		io_uring_submit(&p->ioring->ring);
}

/* With p->lock held and p asleep in its ring: wake it. */
void
_t9ioringwake(Proc *p)
{
	eventfd_write(p->ioring->efd, 1);
}

/* Test hook: reopen blocking pipes as if pipes had no nowait I/O here. */
void
_t9ioringreopenpipes(void)
{
	pthread_once(&probeonce, probe);
	pipesnowait = 0;
}

int
_t9ioringinflight(Proc *p)
{
	Ioring *g;

	g = p->ioring;
	if(g == nil)
		return 0;
	return g->inflight + (int)io_uring_sq_ready(&g->ring);
}
