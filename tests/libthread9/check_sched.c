// SPDX-License-Identifier: MIT
/* Threads in one proc: creation, round-robin, exits, ids, data, names, groups. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "t9.h"

static char	order[64];
static int	norder;
static int	ndone;

static void
letter(void *arg)
{
	int i;

	for(i = 0; i < 3; i++){
		order[norder++] = *(char *)arg;
		yield();
	}
	ndone++;
}

START_TEST(roundrobin)
{
	norder = ndone = 0;
	threadcreate(letter, "a", 8192);
	threadcreate(letter, "b", 8192);
	threadcreate(letter, "c", 8192);
	while(ndone < 3)
		yield();
	order[norder] = '\0';
	ck_assert_str_eq(order, "abcabcabc");
}
END_TEST

static void
halfway(void *arg)
{
	*(int *)arg = 1;
	threadexits(nil);
	*(int *)arg = 2;
}

START_TEST(exits_midway)
{
	int v;

	v = 0;
	threadcreate(halfway, &v, 8192);
	while(v == 0)
		yield();
	yield();
	yield();
	ck_assert_int_eq(v, 1);
}
END_TEST

static void
sayid(void *arg)
{
	*(int *)arg = threadid();
}

START_TEST(ids)
{
	int id[4], got[4], i;

	ck_assert_int_ge(threadid(), 1);
	for(i = 0; i < 4; i++){
		got[i] = 0;
		id[i] = threadcreate(sayid, &got[i], 8192);
		ck_assert_int_gt(id[i], threadid());
		if(i > 0)
			ck_assert_int_gt(id[i], id[i - 1]);
	}
	for(i = 0; i < 4; i++){
		while(got[i] == 0)
			yield();
		ck_assert_int_eq(got[i], id[i]);
	}
}
END_TEST

struct Info {
	void	**td, **pd;
	int	grp;
	char	*name;
	int	done;
};

static void
info(void *arg)
{
	struct Info *in;

	in = arg;
	in->td = threaddata();
	in->pd = procdata();
	in->grp = threadgetgrp();
	in->name = threadgetname();
	*threaddata() = in;
	yield();
	ck_assert_ptr_eq(*threaddata(), in);
	in->done = 1;
}

START_TEST(data_names_groups)
{
	struct Info in;

	memset(&in, 0, sizeof in);
	ck_assert_ptr_null(threadgetname());
	threadsetname("main %d", 7);
	ck_assert_str_eq(threadgetname(), "main 7");
	threadsetname("again");
	ck_assert_str_eq(threadgetname(), "again");

	ck_assert_int_eq(threadgetgrp(), 0);
	ck_assert_int_eq(threadsetgrp(5), 0);
	ck_assert_int_eq(threadsetgrp(6), 5);

	*threaddata() = &in.done;
	threadcreate(info, &in, 8192);
	while(!in.done)
		yield();
	ck_assert_ptr_ne(in.td, threaddata());
	ck_assert_ptr_eq(*threaddata(), &in.done);
	ck_assert_ptr_eq(in.pd, procdata());
	ck_assert_int_eq(in.grp, 6);		/* inherited */
	ck_assert_ptr_null(in.name);		/* not inherited */
}
END_TEST

enum { Many = 10000 };

static int	nstarted, nfinished;

static void
many(void *arg)
{
	(void)arg;
	nstarted++;
	yield();
	nfinished++;
}

/* All alive at once (none runs before threadmain yields), then all gone. */
START_TEST(tenthousand)
{
	int i, id, last;

	nstarted = nfinished = 0;
	last = 0;
	for(i = 0; i < Many; i++){
		id = threadcreate(many, nil, 8192);
		ck_assert_int_gt(id, last);
		last = id;
	}
	ck_assert_int_eq(nstarted, 0);
	yield();
	ck_assert_int_eq(nstarted, Many);
	while(nfinished < Many)
		yield();
	ck_assert_int_eq(nfinished, Many);
	/* and again, from the stack cache */
	nstarted = nfinished = 0;
	for(i = 0; i < Many; i++)
		threadcreate(many, nil, 8192);
	while(nfinished < Many)
		yield();
	ck_assert_int_eq(nstarted, Many);
}
END_TEST

static void
bigframe(void *arg)
{
	char buf[400 * 1024];

	memset(buf, 0xa5, sizeof buf);
	needstack(100 * 1024);		/* what is left below buf */
	__asm__ volatile("" : : "r"(buf) : "memory");
	*(int *)arg = 1;
}

/* The size asked for is there (the floor aside): 512 KiB holds 400 KiB. */
START_TEST(stacksize)
{
	int done;

	done = 0;
	threadcreate(bigframe, &done, 512 * 1024);
	while(!done)
		yield();
	/* mainstacksize (1 MiB) is threadmain's */
	needstack(800 * 1024);
}
END_TEST

static void
lastexits(void *arg)
{
	threadexits(arg);
}

static void
exitstatus(void *arg)
{
	/* the child's one thread ends the one proc: the process exits */
	threadcreate(lastexits, arg, 8192);
	threadexits(nil);
}

/*
 * Thread stacks and the signal stack are data: a thread's stack (that of
 * threadmain, of a thread it makes, of a thread in another proc) and its
 * proc's sigaltstack are mapped without execute permission.
 */
static void
assertnoexec(const void *addr, const char *what)
{
	char perms[5];

	t9mapperms(addr, perms);
	ck_assert_msg(strchr(perms, 'x') == nil, "%s at %p is %s", what, addr, perms);
	ck_assert_msg(perms[0] == 'r' && perms[1] == 'w', "%s at %p is %s", what, addr, perms);
}

static void
stackperms(void *arg)
{
	Channel *done;
	stack_t ss;

	done = arg;
	assertnoexec(__builtin_frame_address(0), "thread stack");
	ck_assert_int_eq(sigaltstack(nil, &ss), 0);
	ck_assert(!(ss.ss_flags & SS_DISABLE));
	assertnoexec(ss.ss_sp, "signal stack");
	sendul(done, 1);
}

START_TEST(stacks_noexec)
{
	Channel *done;

	done = chancreate(sizeof(unsigned long), 1);
	stackperms(done);	/* threadmain's */
	ck_assert(recvul(done) == 1);
	threadcreate(stackperms, done, 16 * 1024);
	ck_assert(recvul(done) == 1);
	proccreate(stackperms, done, 16 * 1024);
	ck_assert(recvul(done) == 1);
	chanfree(done);
}
END_TEST

START_TEST(exit_status)
{
	struct Child c;

	t9child(&c, exitstatus, "bad");
	ck_assert_msg(t9exited(&c, 1), "status %#x", c.status);
	t9child(&c, exitstatus, nil);
	ck_assert_msg(t9exited(&c, 0), "status %#x: %s", c.status, c.err);
	t9child(&c, exitstatus, "");
	ck_assert_msg(t9exited(&c, 0), "status %#x", c.status);
}
END_TEST

/*
 * Run queues under load: tokens go round a ring of threads, two in each
 * proc in turn, so every other hop readies a thread of the same proc (its
 * run queue) and every other one a thread of another proc (its inbox),
 * with random yields in between.  With one token a single lost wakeup
 * stops the ring and the test times out; with several, procs are readied
 * from two sides at once.  A token lost, duplicated or misrouted shows in
 * the counts.
 */
enum { Ringprocs = 3, Ringper = 4, Ringsize = Ringprocs * Ringper,
	Ntokens = 5, Nhops = 3000 };
static const unsigned long	Quit = ~0UL;

struct Ring {
	Channel	*in[Ringsize];
	Channel	*done;
	long	hops[Ringsize];
};

struct Member {
	struct Ring *r;
	int	i;
};

static struct Member	members[Ringsize];

static void
ringmember(void *arg)
{
	struct Member *m;
	unsigned long v;
	uint32_t x;
	int n;

	m = arg;
	x = 2463534242u + m->i;
	while((v = recvul(m->r->in[m->i])) != Quit){
		m->r->hops[m->i]++;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		for(n = x % 3; n > 0; n--)
			yield();
		/* v: the token's id in the low byte, hops left above it */
		if(v >> 8 == 0)
			sendul(m->r->done, v);
		else
			sendul(m->r->in[(m->i + 1) % Ringsize], v - 256);
	}
	sendul(m->r->done, Quit);
}

/* The first member of each proc makes the others there, then is one. */
static void
ringproc(void *arg)
{
	struct Member *m;
	int k;

	m = arg;
	for(k = 1; k < Ringper; k++)
		threadcreate(ringmember, m + k, 32768);
	ringmember(m);
}

/* Send ntokens round the ring, Nhops hops each; all must come back. */
static void
ringround(struct Ring *r, int ntokens)
{
	unsigned long v, seen;
	long total;
	int i;

	memset(r->hops, 0, sizeof r->hops);
	for(i = 0; i < ntokens; i++)
		sendul(r->in[i * Ringsize / ntokens], (unsigned long)(Nhops - 1) << 8 | i);
	seen = 0;
	for(i = 0; i < ntokens; i++){
		v = recvul(r->done);
		ck_assert_msg(v < (unsigned long)ntokens && !(seen & 1UL << v), "token %lu", v);
		seen |= 1UL << v;
	}
	total = 0;
	for(i = 0; i < Ringsize; i++){
		ck_assert_msg(r->hops[i] > 0, "member %d never had a token", i);
		total += r->hops[i];
	}
	ck_assert_int_eq(total, (long)ntokens * Nhops);
}

START_TEST(token_ring)
{
	struct Ring r;
	int i;

	memset(&r, 0, sizeof r);
	for(i = 0; i < Ringsize; i++){
		r.in[i] = chancreate(sizeof(unsigned long), 0);
		members[i].r = &r;
		/* members 2k and 2k+1 share a proc: k-th proc, round robin */
		members[(i / 2 % Ringprocs) * Ringper + (i / 2 / Ringprocs) * 2 + i % 2].i = i;
	}
	r.done = chancreate(sizeof(unsigned long), Ntokens);
	for(i = 0; i < Ringprocs; i++)
		proccreate(ringproc, &members[i * Ringper], 32768);
	ringround(&r, 1);
	ringround(&r, Ntokens);
	for(i = 0; i < Ringsize; i++)
		sendul(r.in[i], Quit);
	for(i = 0; i < Ringsize; i++)
		ck_assert(recvul(r.done) == Quit);
	for(i = 0; i < Ringsize; i++)
		chanfree(r.in[i]);
	chanfree(r.done);
}
END_TEST

T9SUITE("sched")
{
	T9CASE(s, "threads", 60, roundrobin, exits_midway, ids, data_names_groups,
	       stacksize, stacks_noexec, exit_status);
	T9CASE(s, "procs", 120, token_ring);
	/* 20,000 segment attaches and detaches: slow under TCG */
	T9CASE(s, "many", 400, tenthousand);
}
