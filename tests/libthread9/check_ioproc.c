// SPDX-License-Identifier: MIT
/*
 * ioproc: blocking calls that block only the calling thread.  The suite
 * runs twice, on the io_uring path and on the helper path
 * (SEGCTL_IOPROC=helper); with SEGCTL_IOPROC set in the environment, only
 * that path's run is made.  After every test the calling proc's ring and
 * the helpers must have nothing in flight.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
/* Before thread.h, with glibc's send and recv renamed: thread.h has its own. */
#define send	t9send
#define recv	t9recv
#include <liburing.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#undef send
#undef recv

#include "t9.h"

/* libthread9's test hooks (not in thread.h). */
int	_t9ioinflight(void);
const char	*_t9ioprocpath(Ioproc *io);
void	_t9ioringreopenpipes(void);

static const char	*wantpath;	/* the path this run's Ioprocs take */

/* Requests in flight drain to none: nothing leaked in a ring or helper. */
static void
drained(void)
{
	int i;

	for(i = 0; i < 5000 && _t9ioinflight() != 0; i++){
		yield();
		usleep(1000);
	}
	ck_assert_int_eq(_t9ioinflight(), 0);
}

static Ioproc *
newio(void)
{
	Ioproc *io;

	io = ioproc();
	ck_assert_ptr_nonnull(io);
	ck_assert_str_eq(_t9ioprocpath(io), wantpath);
	return io;
}

/* A thread doing one ioread. */
struct Rd {
	Ioproc	*io;
	int	fd;
	char	buf[64];
	long	n;
	long	r;
	int	err;
	int	started;
	int	done;
};

static void
reader(void *v)
{
	struct Rd *rd;

	rd = v;
	__atomic_store_n(&rd->started, 1, __ATOMIC_RELEASE);
	rd->r = ioread(rd->io, rd->fd, rd->buf, rd->n);
	rd->err = errno;
	__atomic_store_n(&rd->done, 1, __ATOMIC_RELEASE);
}

/* Wait until the reader is in its call and n requests are in flight here. */
static void
inflight(struct Rd *rd, int n)
{
	int i;

	ck_assert(t9waitfor(&rd->started, 10000));
	for(i = 0; i < 10000 && _t9ioinflight() < n; i++){
		yield();
		usleep(1000);
	}
	ck_assert_int_ge(_t9ioinflight(), n);
	usleep(20000);		/* into the kernel's wait, most likely */
	yield();
	ck_assert(!__atomic_load_n(&rd->done, __ATOMIC_ACQUIRE));
}

/* A reader in a call on a fresh, empty pipe's read end p[0]. */
static void
startreader(struct Rd *rd, int p[2])
{
	ck_assert_int_eq(pipe(p), 0);
	rd->io = newio();
	rd->fd = p[0];
	rd->n = sizeof rd->buf;
	threadcreate(reader, rd, 65536);
	inflight(rd, 1);
}

START_TEST(path)
{
	Ioproc *io;

	io = newio();
	ck_assert_int_eq(iosleep(io, 1), 0);
	ck_assert_str_eq(_t9ioprocpath(io), wantpath);	/* the path it took */
	closeioproc(io);
	drained();
}
END_TEST

/* While one thread waits on an empty pipe, the proc runs the others. */
START_TEST(read_blocks_only_the_thread)
{
	struct Rd rd = { 0 };
	int p[2], spins;

	startreader(&rd, p);
	for(spins = 0; spins < 100; spins++)
		yield();	/* we run: the proc was not stopped */
	ck_assert(!rd.done);
	ck_assert_int_eq(write(p[1], "hello", 5), 5);
	ck_assert(t9waitfor(&rd.done, 10000));
	ck_assert_int_eq(rd.r, 5);
	ck_assert_mem_eq(rd.buf, "hello", 5);
	closeioproc(rd.io);
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

/* 1,000 reads: 10 threads in 2 procs, each reading 100 records from its pipe. */
enum { Nprocs = 2, Nthreads = 5, Nrecs = 100 };

struct Many {
	int	pipes[Nprocs * Nthreads][2];
	int	bad;
	int	nread;
	int	inflightok;	/* each proc's ring drained */
	Channel	*done;
};

struct Worker {
	struct Many *m;
	int	i;
};

static void
worker(void *v)
{
	struct Worker *w;
	struct Many *m;
	Ioproc *io;
	unsigned int rec[2];
	int k;

	w = v;
	m = w->m;
	io = ioproc();
	for(k = 0; k < Nrecs; k++){
		if(ioreadn(io, m->pipes[w->i][0], rec, sizeof rec) != sizeof rec ||
		   rec[0] != (unsigned int)w->i || rec[1] != (unsigned int)k)
			__atomic_add_fetch(&m->bad, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&m->nread, 1, __ATOMIC_RELAXED);
	}
	closeioproc(io);
	sendul(m->done, w->i);
}

static void
manyproc(void *v)
{
	struct Worker *w;
	int i, first;

	w = v;
	first = w->i;
	for(i = 1; i < Nthreads; i++)
		threadcreate(worker, &w[i], 65536);
	worker(&w[0]);
	/* Our ring drains once our threads are done. */
	for(i = 0; i < Nthreads - 1; i++)
		yield();
	(void)first;
}

START_TEST(thousand_reads)
{
	struct Worker w[Nprocs * Nthreads];
	struct Many m;
	unsigned int rec[2];
	int i, k, n;

	memset(&m, 0, sizeof m);
	m.done = chancreate(sizeof(unsigned long), Nprocs * Nthreads);
	for(i = 0; i < Nprocs * Nthreads; i++){
		ck_assert_int_eq(pipe(m.pipes[i]), 0);
		w[i].m = &m;
		w[i].i = i;
	}
	for(i = 0; i < Nprocs; i++)
		ck_assert_int_gt(proccreate(manyproc, &w[i * Nthreads], 65536), 0);
	/* Records in an order no reader expects: round by round, pipes shuffled. */
	for(k = 0; k < Nrecs; k++){
		for(n = 0; n < Nprocs * Nthreads; n++){
			i = (n * 7 + k) % (Nprocs * Nthreads);
			rec[0] = i;
			rec[1] = k;
			ck_assert_int_eq(write(m.pipes[i][1], rec, sizeof rec), sizeof rec);
		}
		if(k % 10 == 0)
			usleep(1000);	/* let the readers wait sometimes */
	}
	for(i = 0; i < Nprocs * Nthreads; i++)
		recvul(m.done);
	ck_assert_int_eq(m.nread, Nprocs * Nthreads * Nrecs);
	ck_assert_int_eq(m.bad, 0);
	for(i = 0; i < Nprocs * Nthreads; i++){
		close(m.pipes[i][0]);
		close(m.pipes[i][1]);
	}
	chanfree(m.done);
	drained();
}
END_TEST

/* 1,000 reads waiting at once, 500 threads in each of 2 procs. */
enum { Nwait = 1000 };

struct Wait {
	int	fd[Nwait][2];
	Ioproc	*io[Nwait];
	int	started;
	int	bad;
	Channel	*done;
};

struct Waiter {
	struct Wait *w;
	int	i;
};

static void
waiter(void *v)
{
	struct Waiter *x;
	int got;

	x = v;
	got = -1;
	__atomic_add_fetch(&x->w->started, 1, __ATOMIC_RELEASE);
	if(ioread(x->w->io[x->i], x->w->fd[x->i][0], &got, sizeof got) != sizeof got ||
	   got != x->i)
		__atomic_add_fetch(&x->w->bad, 1, __ATOMIC_RELAXED);
	sendul(x->w->done, x->i);
}

static void
waitproc(void *v)
{
	struct Waiter *x;
	int i;

	x = v;
	for(i = 1; i < Nwait / 2; i++)
		threadcreate(waiter, &x[i], 32768);
	waiter(&x[0]);
}

static void
morefds(void)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_ge(rl.rlim_cur, 2 * Nwait + 64);
}

START_TEST(thousand_waiting)
{
	static struct Waiter x[Nwait];
	static struct Wait w;
	int i;

	morefds();
	memset(&w, 0, sizeof w);
	w.done = chancreate(sizeof(unsigned long), Nwait);
	for(i = 0; i < Nwait; i++){
		ck_assert_int_eq(pipe(w.fd[i]), 0);
		w.io[i] = newio();
		x[i].w = &w;
		x[i].i = i;
	}
	ck_assert_int_gt(proccreate(waitproc, &x[0], 32768), 0);
	ck_assert_int_gt(proccreate(waitproc, &x[Nwait / 2], 32768), 0);
	for(i = 0; i < 30000 && __atomic_load_n(&w.started, __ATOMIC_ACQUIRE) < Nwait; i++)
		usleep(1000);
	ck_assert_int_eq(w.started, Nwait);
	usleep(50000);
	ck_assert_int_eq(nbrecvul(w.done), 0);	/* all still waiting */
	for(i = Nwait - 1; i >= 0; i--)
		ck_assert_int_eq(write(w.fd[i][1], &i, sizeof i), sizeof i);
	for(i = 0; i < Nwait; i++)
		recvul(w.done);
	ck_assert_int_eq(w.bad, 0);
	for(i = 0; i < Nwait; i++){
		closeioproc(w.io[i]);
		close(w.fd[i][0]);
		close(w.fd[i][1]);
	}
	chanfree(w.done);
	drained();
}
END_TEST

static void
interruptread(void)
{
	struct Rd rd = { 0 };
	int p[2];

	startreader(&rd, p);
	iointerrupt(rd.io);
	ck_assert(t9waitfor(&rd.done, 10000));
	ck_assert_int_eq(rd.r, -1);
	ck_assert_int_eq(rd.err, EINTR);
	drained();

	/* The read was cancelled, not done: the data is still in the pipe. */
	ck_assert_int_eq(write(p[1], "xy", 2), 2);
	ck_assert_int_eq(ioread(rd.io, p[0], rd.buf, sizeof rd.buf), 2);

	/* With no call running, the next call is interrupted (9front)... */
	iointerrupt(rd.io);
	errno = 0;
	ck_assert_int_eq(iowrite(rd.io, p[1], "z", 1), -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert_int_eq(iowrite(rd.io, p[1], "z", 1), 1);	/* ... only that one */
	/* ... and ioflush clears it. */
	iointerrupt(rd.io);
	ck_assert_int_eq(ioflush(rd.io), 0);
	ck_assert_int_eq(ioread(rd.io, p[0], rd.buf, 1), 1);
	ck_assert_int_eq(rd.buf[0], 'z');

	closeioproc(rd.io);
	close(p[0]);
	close(p[1]);
	drained();
}

START_TEST(interrupt_unblocks)
{
	interruptread();
}
END_TEST

/*
 * Kernels whose pipes lack nowait I/O (before 6.4) get their blocking
 * pipes reopened O_NONBLOCK for the ring (libthread9/ioring.c); the
 * hook makes this kernel do the same, so that every kernel tests that
 * path.  The pipes open in this process: a reopening left open shows (a
 * proc's ring and eventfd, which live as long as the proc, do not).
 */
static int
openpipes(void)
{
	char path[300], link[64];
	struct dirent *e;
	ssize_t k;
	DIR *d;
	int n;

	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	n = 0;
	while((e = readdir(d)) != nil){
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		k = readlink(path, link, sizeof link - 1);
		n += k > 5 && strncmp(link, "pipe:", 5) == 0;
	}
	closedir(d);
	return n;
}

/* A request waiting in the poll stage of a reopened pipe is interrupted. */
START_TEST(interrupt_reopened)
{
	int fds;

	_t9ioringreopenpipes();
	fds = openpipes();
	interruptread();
	ck_assert_int_eq(openpipes(), fds);
}
END_TEST

/* Threads of this process that are io_uring's io-wq workers ("iou-wrk-TID"). */
static int
iowqworkers(void)
{
	char path[300], comm[32];
	struct dirent *e;
	ssize_t k;
	DIR *d;
	int n, fd;

	d = opendir("/proc/self/task");
	ck_assert_ptr_nonnull(d);
	n = 0;
	while((e = readdir(d)) != nil){
		if(e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if(fd < 0)
			continue;	/* it has exited */
		k = read(fd, comm, sizeof comm - 1);
		close(fd);
		n += k > 8 && strncmp(comm, "iou-wrk-", 8) == 0;
	}
	closedir(d);
	return n;
}

/* An echo proc: a byte back for every byte on in, until end of file. */
struct Echo {
	int	in;
	int	out;
	int	bytes;
	int	done;
};

static void
echo(void *v)
{
	struct Echo *e;
	Ioproc *io;
	char c;

	e = v;
	io = ioproc();
	while(ioread(io, e->in, &c, 1) == 1 && iowrite(io, e->out, &c, 1) == 1)
		e->bytes++;
	closeioproc(io);
	if(e->in == e->out)
		shutdown(e->out, SHUT_WR);
	else
		close(e->out);
	__atomic_store_n(&e->done, 1, __ATOMIC_RELEASE);
}

enum { Trips = 200 };

/*
 * Round trips through pipes and a socket to echo procs, each read waiting
 * for its byte, then end of file each way: every byte back as sent, no
 * io-wq worker made (6.1 hands blocking pipes to io-wq but for the
 * reopening), no fd left open.
 */
static void
roundtrips(void)
{
	struct Echo pe = { 0 }, se = { 0 };
	int ab[2], ba[2], sv[2], fds, i;
	Ioproc *io;
	char c;

	fds = openpipes();
	ck_assert_int_eq(pipe(ab), 0);
	ck_assert_int_eq(pipe(ba), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pe.in = ab[0];
	pe.out = ba[1];
	se.in = se.out = sv[1];
	proccreate(echo, &pe, 65536);
	proccreate(echo, &se, 65536);
	io = newio();
	for(i = 0; i < Trips; i++){
		c = (char)i;
		ck_assert_int_eq(iowrite(io, ab[1], &c, 1), 1);
		ck_assert_int_eq(ioread(io, ba[0], &c, 1), 1);
		ck_assert_int_eq(c, (char)i);
		c = (char)~i;
		ck_assert_int_eq(iowrite(io, sv[0], &c, 1), 1);
		ck_assert_int_eq(ioread(io, sv[0], &c, 1), 1);
		ck_assert_int_eq(c, (char)~i);
	}
	/* End of file reaches a reader already waiting, through each echo. */
	close(ab[1]);
	ck_assert_int_eq(ioread(io, ba[0], &c, 1), 0);
	ck_assert_int_eq(shutdown(sv[0], SHUT_WR), 0);
	ck_assert_int_eq(ioread(io, sv[0], &c, 1), 0);
	ck_assert(t9waitfor(&pe.done, 10000));
	ck_assert(t9waitfor(&se.done, 10000));
	ck_assert_int_eq(pe.bytes, Trips);
	ck_assert_int_eq(se.bytes, Trips);
	ck_assert_int_eq(iowqworkers(), 0);
	closeioproc(io);
	close(ab[0]);
	close(ba[0]);
	close(sv[0]);
	close(sv[1]);
	drained();
	ck_assert_int_eq(openpipes(), fds);
}

START_TEST(pipe_socket_round_trips)
{
	roundtrips();
}
END_TEST

START_TEST(round_trips_reopened)
{
	_t9ioringreopenpipes();
	roundtrips();
}
END_TEST


/* threadint interrupts an io call, as it does a channel operation. */
START_TEST(threadint_unblocks)
{
	struct Rd rd = { 0 };
	int p[2], id;

	ck_assert_int_eq(pipe(p), 0);
	rd.io = newio();
	rd.fd = p[0];
	rd.n = sizeof rd.buf;
	id = threadcreate(reader, &rd, 65536);
	inflight(&rd, 1);
	threadint(id);
	ck_assert(t9waitfor(&rd.done, 10000));
	ck_assert_int_eq(rd.r, -1);
	ck_assert_int_eq(rd.err, EINTR);
	closeioproc(rd.io);
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

/* A thread killed in ioread dies; its read, into its stack, is cancelled. */
static void
victim(void *v)
{
	struct Rd *rd;
	char buf[16];

	rd = v;
	__atomic_store_n(&rd->started, 1, __ATOMIC_RELEASE);
	rd->r = ioread(rd->io, rd->fd, buf, sizeof buf);
	__atomic_store_n(&rd->done, 1, __ATOMIC_RELEASE);	/* never */
}

START_TEST(killed_in_read)
{
	struct Rd rd = { 0 };
	Ioproc *io2;
	char buf[16];
	int p[2], id, i;

	ck_assert_int_eq(pipe(p), 0);
	rd.io = newio();
	rd.fd = p[0];
	id = threadcreate(victim, &rd, 65536);
	inflight(&rd, 1);
	threadkill(id);
	for(i = 0; i < 10000 && threadpid(id) != -1; i++){
		yield();
		usleep(1000);
	}
	ck_assert_int_eq(threadpid(id), -1);	/* gone */
	ck_assert(!rd.done);
	drained();
	/* Nothing reads for it any more: what we write is all still there. */
	ck_assert_int_eq(write(p[1], "after", 5), 5);
	io2 = newio();
	ck_assert_int_eq(ioread(io2, p[0], buf, sizeof buf), 5);
	ck_assert_mem_eq(buf, "after", 5);
	/* The killed thread's Ioproc is free for others. */
	ck_assert_int_eq(write(p[1], "again", 5), 5);
	ck_assert_int_eq(ioread(rd.io, p[0], buf, sizeof buf), 5);
	closeioproc(io2);
	closeioproc(rd.io);
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

struct Victims {
	struct Rd rd;
	Ioproc	*own;
	int	id;
	int	ok;
	int	left;		/* in flight in the proc's ring at the end */
	int	done;
};

static void
killproc(void *v)
{
	struct Victims *vs;
	int i;

	vs = v;
	vs->id = threadcreate(victim, &vs->rd, 65536);
	/* The proc goes on using its ring while the victim waits and dies. */
	while(!__atomic_load_n(&vs->ok, __ATOMIC_ACQUIRE))
		iosleep(vs->own, 2);
	for(i = 0; i < 5000 && _t9ioinflight() != 0; i++)
		iosleep(vs->own, 1);
	vs->left = _t9ioinflight();
	__atomic_store_n(&vs->done, 1, __ATOMIC_RELEASE);
}

START_TEST(killed_in_other_proc)
{
	static struct Victims vs;
	Ioproc *io;
	char buf[16];
	int p[2], i;

	memset(&vs, 0, sizeof vs);
	ck_assert_int_eq(pipe(p), 0);
	vs.rd.io = newio();
	vs.rd.fd = p[0];
	vs.own = newio();
	proccreate(killproc, &vs, 65536);
	ck_assert(t9waitfor(&vs.rd.started, 10000));
	usleep(50000);
	ck_assert_int_gt(vs.id, 0);
	threadkill(vs.id);
	for(i = 0; i < 10000 && threadpid(vs.id) != -1; i++)
		usleep(1000);
	ck_assert_int_eq(threadpid(vs.id), -1);
	ck_assert(!vs.rd.done);
	ck_assert_int_eq(write(p[1], "after", 5), 5);
	io = newio();
	ck_assert_int_eq(ioread(io, p[0], buf, sizeof buf), 5);
	ck_assert_mem_eq(buf, "after", 5);
	__atomic_store_n(&vs.ok, 1, __ATOMIC_RELEASE);
	ck_assert(t9waitfor(&vs.done, 10000));
	ck_assert_int_eq(vs.left, 0);
	closeioproc(io);
	closeioproc(vs.rd.io);
	closeioproc(vs.own);
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

/* closeioproc while a call runs: the call ends, the Ioproc goes. */
START_TEST(close_while_reading)
{
	struct Rd rd = { 0 };
	int p[2];

	startreader(&rd, p);
	closeioproc(rd.io);
	ck_assert(t9waitfor(&rd.done, 10000));
	ck_assert_int_eq(rd.r, -1);
	ck_assert_int_eq(rd.err, EINTR);
	errno = 0;
	ck_assert_int_eq(ioread(rd.io, p[0], rd.buf, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

START_TEST(errors)
{
	Ioproc *io;
	char buf[8];
	int p[2];

	io = newio();
	errno = 0;
	ck_assert_int_eq(ioread(io, -1, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(iowrite(io, 1 << 20, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(ioclose(io, -1), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(ioopen(io, "/nonexistent/file", O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(strerror(errno), "No such file or directory");

	/* Closed pipe: EPIPE writing (SIGPIPE ignored), end of file reading. */
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	errno = 0;
	ck_assert_int_eq(iowrite(io, p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[1]);
	ck_assert_int_eq(pipe(p), 0);
	close(p[1]);
	ck_assert_int_eq(ioread(io, p[0], buf, sizeof buf), 0);
	ck_assert_int_eq(ioreadn(io, p[0], buf, sizeof buf), 0);
	/* ioclose closes. */
	ck_assert_int_eq(ioclose(io, p[0]), 0);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), -1);
	closeioproc(io);
	drained();
}
END_TEST

static long
addop(va_list *arg)
{
	int a, b;

	a = va_arg(*arg, int);
	b = va_arg(*arg, int);
	return a + b;
}

static long
failop(va_list *arg)
{
	(void)arg;
	errno = ENOTDIR;
	return -7;
}

START_TEST(bad_input)
{
	Ioproc *io;
	char buf[8];
	int p[2], cfd;
	char dir[40];

	ck_assert_int_eq(pipe(p), 0);
	io = newio();
	errno = 0;
	ck_assert_int_eq(ioread(io, p[0], nil, 4), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(iowrite(io, p[1], nil, 4), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(ioreadn(io, p[0], buf, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(iowrite(io, p[1], buf, -5), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ioread(io, p[0], buf, 0), 0);	/* nothing to do */
	ck_assert_int_eq(iowrite(io, p[1], nil, 0), 0);
	errno = 0;
	ck_assert_int_eq(ioread(io, -1, buf, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(ioopen(io, nil, O_RDONLY), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(iocall(io, nil), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(iosleep(io, -5), 0);
	ck_assert_int_eq(iosleep(io, 0), 0);
	strcpy(dir, "untouched");
	cfd = 99;
	errno = 0;
	ck_assert_int_eq(iodial(io, "tcp!127.0.0.1", nil, dir, &cfd), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(dir, "");
	ck_assert_int_eq(cfd, -1);
	ck_assert_int_eq(iodial(io, "tcp!127.0.0.1!80!x", nil, nil, nil), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(iodial(io, "il!127.0.0.1!80", nil, nil, nil), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(iodial(io, nil, nil, nil, nil), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(iodial(io, "tcp!127.0.0.1!nosuchservice", nil, nil, nil), -1);
	ck_assert_int_eq(errno, EINVAL);
	closeioproc(io);

	/* nil and closed Ioprocs: EBADF from everything. */
#define BADF(call)						\
	do {							\
		errno = 0;					\
		ck_assert_int_eq((call), -1);			\
		ck_assert_int_eq(errno, EBADF);			\
	} while(0)
	BADF(ioread(nil, p[0], buf, 1));
	BADF(ioread(io, p[0], buf, 1));
	BADF(ioreadn(io, p[0], buf, 1));
	BADF(iowrite(io, p[1], buf, 1));
	BADF(ioopen(io, "/dev/null", O_RDONLY));
	BADF(ioclose(io, p[0]));
	BADF(iosleep(io, 1));
	BADF(ioflush(io));
	BADF(iodial(io, "tcp!127.0.0.1!1", nil, nil, nil));
	BADF(iocall(io, addop, 1, 2));
	iointerrupt(io);	/* no effect */
	closeioproc(io);
	closeioproc(nil);
	iointerrupt(nil);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), 0);	/* untouched */
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

enum { Nbig = 200000 };		/* more than a pipe holds */

struct Wr {
	Ioproc	*io;
	int	fd;
	char	*b;
	int	done;
};

/* Writes Nbig bytes in pieces. */
static void
writer(void *v)
{
	struct Wr *w;
	int k, n;

	w = v;
	for(k = 0; k < Nbig; k += n){
		n = Nbig - k < 10007 ? Nbig - k : 10007;
		if(iowrite(w->io, w->fd, w->b + k, n) != n)
			break;
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
}

START_TEST(readn_exactly)
{
	struct Wr w;
	Ioproc *io;
	char *big, *got;
	int p[2], i;

	big = malloc(Nbig);
	got = malloc(Nbig + 1);
	for(i = 0; i < Nbig; i++)
		big[i] = (char)(i * 31 + i / 256);
	ck_assert_int_eq(pipe(p), 0);
	io = newio();
	w.io = newio();
	w.fd = p[1];
	w.b = big;
	w.done = 0;
	threadcreate(writer, &w, 65536);
	ck_assert_int_eq(ioreadn(io, p[0], got, Nbig), Nbig);
	ck_assert_mem_eq(got, big, Nbig);
	ck_assert(t9waitfor(&w.done, 10000));
	/* Short at end of file. */
	ck_assert_int_eq(iowrite(io, p[1], "12345", 5), 5);
	close(p[1]);
	ck_assert_int_eq(ioreadn(io, p[0], got, 100), 5);
	ck_assert_mem_eq(got, "12345", 5);
	closeioproc(w.io);
	closeioproc(io);
	close(p[0]);
	free(big);
	free(got);
	drained();
}
END_TEST

/* A writer to a full reopened pipe waits in the poll stage for room. */
START_TEST(full_pipe_write_reopened)
{
	struct Wr w;
	Ioproc *io;
	char *big, *got;
	int p[2], fds, i;

	_t9ioringreopenpipes();
	fds = openpipes();
	big = malloc(Nbig);
	got = malloc(Nbig);
	ck_assert(big != nil && got != nil);
	for(i = 0; i < Nbig; i++)
		big[i] = (char)(i * 7 + i / 4096);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_lt(fcntl(p[1], F_GETPIPE_SZ), Nbig);
	w.io = newio();
	w.fd = p[1];
	w.b = big;
	w.done = 0;
	threadcreate(writer, &w, 65536);
	for(i = 0; i < 20; i++){
		yield();	/* it fills the pipe and waits */
		usleep(1000);
	}
	ck_assert(!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	io = newio();
	ck_assert_int_eq(ioreadn(io, p[0], got, Nbig), Nbig);
	ck_assert(t9waitfor(&w.done, 10000));
	ck_assert_mem_eq(got, big, Nbig);
	closeioproc(w.io);
	closeioproc(io);
	close(p[0]);
	close(p[1]);
	free(big);
	free(got);
	drained();
	ck_assert_int_eq(openpipes(), fds);
}
END_TEST

START_TEST(open_write_read)
{
	char path[] = "/tmp/ioprocXXXXXX", buf[16];
	Ioproc *io;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	io = newio();
	fd = ioopen(io, path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(iowrite(io, fd, "segctl", 6), 6);
	ck_assert_int_eq(ioclose(io, fd), 0);
	fd = ioopen(io, path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ioreadn(io, fd, buf, sizeof buf), 6);
	ck_assert_mem_eq(buf, "segctl", 6);
	ck_assert_int_eq(ioclose(io, fd), 0);
	unlink(path);
	closeioproc(io);
	drained();
}
END_TEST

static long
ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct Sl {
	Ioproc	*io;
	int	r;
	int	err;
	int	done;
};

static void
sleeper(void *v)
{
	struct Sl *s;

	s = v;
	s->r = iosleep(s->io, 60000);
	s->err = errno;
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
}

START_TEST(sleep_and_interrupt)
{
	struct Sl s = { 0 };
	Ioproc *io;
	long t0;
	int i;

	io = newio();
	t0 = ms();
	ck_assert_int_eq(iosleep(io, 50), 0);
	ck_assert_int_ge(ms() - t0, 49);	/* it slept (no upper bound) */
	s.io = io;
	threadcreate(sleeper, &s, 65536);
	for(i = 0; i < 50; i++){
		yield();
		usleep(1000);
	}
	ck_assert(!s.done);
	iointerrupt(io);
	ck_assert(t9waitfor(&s.done, 10000));
	ck_assert_int_eq(s.r, -1);
	ck_assert_int_eq(s.err, EINTR);
	closeioproc(io);
	drained();
}
END_TEST

/* iocall: the op runs off the proc, its value and errno come back. */
static long
readop(va_list *arg)
{
	int fd;
	char *b;

	fd = va_arg(*arg, int);
	b = va_arg(*arg, char *);
	return read(fd, b, 8);		/* blocks the helper only */
}

struct Call {
	Ioproc	*io;
	int	fd;
	char	buf[8];
	long	r;
	int	err;
	int	started;
	int	done;
};

static void
caller(void *v)
{
	struct Call *c;

	c = v;
	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
	c->r = iocall(c->io, readop, c->fd, c->buf);
	c->err = errno;
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
}

START_TEST(call)
{
	struct Call c = { 0 };
	Ioproc *io;
	int p[2], i;

	io = newio();
	ck_assert_int_eq(iocall(io, addop, 40, 2), 42);
	errno = 0;
	ck_assert_int_eq(iocall(io, failop), -7);
	ck_assert_int_eq(errno, ENOTDIR);

	ck_assert_int_eq(pipe(p), 0);
	c.io = io;
	c.fd = p[0];
	threadcreate(caller, &c, 65536);
	ck_assert(t9waitfor(&c.started, 10000));
	for(i = 0; i < 50; i++){
		yield();		/* we run while the op blocks */
		usleep(1000);
	}
	ck_assert(!c.done);
	ck_assert_int_eq(write(p[1], "op", 2), 2);
	ck_assert(t9waitfor(&c.done, 10000));
	ck_assert_int_eq(c.r, 2);
	ck_assert_mem_eq(c.buf, "op", 2);

	/* Interrupted while blocked in a system call: EINTR. */
	memset(&c, 0, sizeof c);
	c.io = io;
	c.fd = p[0];
	threadcreate(caller, &c, 65536);
	ck_assert(t9waitfor(&c.started, 10000));
	for(i = 0; i < 100; i++){
		yield();
		usleep(1000);
	}
	iointerrupt(io);
	ck_assert(t9waitfor(&c.done, 10000));
	ck_assert_int_eq(c.r, -1);
	ck_assert_int_eq(c.err, EINTR);
	closeioproc(io);
	close(p[0]);
	close(p[1]);
	drained();
}
END_TEST

/* iodial: a TCP connection to a listener on 127.0.0.1. */
static long
acceptop(va_list *arg)
{
	int fd;

	fd = va_arg(*arg, int);
	return accept(fd, nil, nil);
}

struct Srv {
	int	lfd;
	int	ok;
	int	done;
};

static void
server(void *v)
{
	struct Srv *s;
	Ioproc *io;
	char buf[5];
	int fd, i;

	s = v;
	io = ioproc();
	fd = iocall(io, acceptop, s->lfd);
	if(fd >= 0 && ioreadn(io, fd, buf, 5) == 5){
		for(i = 0; i < 5; i++)
			buf[i] -= 'a' - 'A';
		s->ok = iowrite(io, fd, buf, 5) == 5;
		ioclose(io, fd);
	}
	closeioproc(io);
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
}

START_TEST(dial)
{
	struct sockaddr_in sin;
	struct Srv s = { 0 };
	socklen_t len;
	Ioproc *io;
	char addr[64], buf[8], dir[40];
	int fd, cfd, port;

	s.lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s.lfd, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s.lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(s.lfd, 4), 0);
	len = sizeof sin;
	ck_assert_int_eq(getsockname(s.lfd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	threadcreate(server, &s, 65536);

	io = newio();
	snprintf(addr, sizeof addr, "tcp!127.0.0.1!%d", port);
	strcpy(dir, "x");
	cfd = 5;
	fd = iodial(io, addr, nil, dir, &cfd);
	ck_assert_msg(fd >= 0, "iodial %s: %s", addr, strerror(errno));
	ck_assert_str_eq(dir, "");
	ck_assert_int_eq(cfd, -1);
	ck_assert_int_eq(iowrite(io, fd, "hello", 5), 5);
	ck_assert_int_eq(ioreadn(io, fd, buf, 5), 5);
	ck_assert_mem_eq(buf, "HELLO", 5);
	ck_assert_int_eq(ioread(io, fd, buf, sizeof buf), 0);	/* it hung up */
	ck_assert(t9waitfor(&s.done, 10000));
	ck_assert(s.ok);
	ck_assert_int_eq(ioclose(io, fd), 0);

	/* The same with "net", a local address, and a host name. */
	threadcreate(server, &s, 65536);
	s.done = 0;
	snprintf(addr, sizeof addr, "net!localhost!%d", port);
	fd = iodial(io, addr, "tcp!*!0", nil, nil);
	ck_assert_msg(fd >= 0, "iodial %s: %s", addr, strerror(errno));
	ck_assert_int_eq(iowrite(io, fd, "abcde", 5), 5);
	ck_assert_int_eq(ioreadn(io, fd, buf, 5), 5);
	ck_assert_mem_eq(buf, "ABCDE", 5);
	ck_assert(t9waitfor(&s.done, 10000));
	ioclose(io, fd);

	/* Nobody listening. */
	close(s.lfd);
	errno = 0;
	ck_assert_int_eq(iodial(io, addr + 4, nil, nil, nil), -1);	/* "localhost!port" */
	ck_assert_int_eq(errno, ECONNREFUSED);
	snprintf(addr, sizeof addr, "tcp!127.0.0.1!%d", port);
	errno = 0;
	ck_assert_int_eq(iodial(io, addr, nil, nil, nil), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	closeioproc(io);
	drained();
}
END_TEST

/* A proc sleeping in its ring wakes when another proc readies its thread. */
struct Idle {
	Channel	*c;
	int	tid;
	int	ready;
	int	done;
	unsigned long got;
};

static void
idler(void *v)
{
	struct Idle *d;
	Ioproc *io;

	d = v;
	d->tid = gettid();
	io = ioproc();
	iosleep(io, 1);		/* now the proc has a ring, if it may */
	__atomic_store_n(&d->ready, 1, __ATOMIC_RELEASE);
	while((d->got = recvul(d->c)) < 100)
		;
	closeioproc(io);
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
}

START_TEST(idle_proc_wakes)
{
	struct Idle d = { 0 };
	int i;

	d.c = chancreate(sizeof(unsigned long), 0);
	proccreate(idler, &d, 65536);
	ck_assert(t9waitfor(&d.ready, 10000));
	t9assertidle(d.tid);
	for(i = 1; i <= 100; i++)	/* woken from its ring 100 times */
		ck_assert_int_eq(sendul(d.c, i), 1);
	ck_assert(t9waitfor(&d.done, 10000));
	ck_assert_int_eq(d.got, 100);
	chanfree(d.c);
}
END_TEST

static int
ringworks(void)
{
	struct io_uring r;

	if(io_uring_queue_init(4, &r, 0) < 0)
		return 0;
	io_uring_queue_exit(&r);
	return 1;
}

static Suite *
suite(const char *name)
{
	Suite *s;

	s = suite_create(name);
	T9CASE(s, "basics", 60, path, read_blocks_only_the_thread, errors, bad_input,
	       readn_exactly, open_write_read, sleep_and_interrupt, call, dial);
	T9CASE(s, "interrupt", 60, interrupt_unblocks, threadint_unblocks, killed_in_read,
	       killed_in_other_proc, close_while_reading, idle_proc_wakes);
	T9CASE(s, "pipes", 60, pipe_socket_round_trips, round_trips_reopened, interrupt_reopened,
	       full_pipe_write_reopened);
	T9CASE(s, "many", 300, thousand_reads, thousand_waiting);
	return s;
}

int mainstacksize = 1024 * 1024;

void
threadmain(int argc, char *argv[])
{
	char *mode;
	int nf;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);	/* EPIPE, not death, for the closed-pipe test */
	mode = getenv("SEGCTL_IOPROC");
	nf = 0;
	if(mode == nil || strcmp(mode, "helper") != 0){
		wantpath = ringworks() ? "io_uring" : "helper";
		if(strcmp(wantpath, "helper") == 0)
			printf("check_ioproc: io_uring cannot be set up here: both runs use the helper\n");
		nf += t9run(suite("ioproc io_uring"));
	}
	if(mode == nil || strcmp(mode, "helper") == 0){
		setenv("SEGCTL_IOPROC", "helper", 1);
		wantpath = "helper";
		nf += t9run(suite("ioproc helper"));
	}
	threadexitsall(nf ? "failures" : nil);
}
