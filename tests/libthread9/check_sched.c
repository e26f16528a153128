// SPDX-License-Identifier: MIT
/* Threads in one proc: creation, round-robin, exits, ids, data, names, groups. */
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

T9SUITE("sched")
{
	T9CASE(s, "threads", 60, roundrobin, exits_midway, ids, data_names_groups,
	       stacksize, exit_status);
	/* 20,000 segment attaches and detaches: slow under TCG */
	T9CASE(s, "many", 400, tenthousand);
}
