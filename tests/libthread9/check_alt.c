// SPDX-License-Identifier: MIT
/* alt: index conventions, fairness, closed channels, interruption. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t9.h"

START_TEST(noblock_index)
{
	Channel *a, *b;
	long v;
	Alt alts[] = {
		{ .op = CHANRCV, .v = &v },
		{ .op = CHANNOP },
		{ .op = CHANSND, .v = &v },
		{ .op = CHANNOBLK },
	};

	a = chancreate(sizeof(long), 0);
	b = chancreate(sizeof(long), 0);
	alts[0].c = a;
	alts[1].c = (Channel *)1;	/* never looked at */
	alts[2].c = b;
	ck_assert_int_eq(alt(alts), 3);
	chanfree(a);
	chanfree(b);
}
END_TEST

START_TEST(ready_entry)
{
	Channel *a, *b;
	long va, vb;
	Alt alts[] = {
		{ .op = CHANRCV, .v = &va },
		{ .op = CHANRCV, .v = &vb },
		{ .op = CHANEND },
	};

	a = chancreate(sizeof(long), 1);
	b = chancreate(sizeof(long), 1);
	alts[0].c = a;
	alts[1].c = b;
	vb = 77;
	send(b, &vb);
	vb = 0;
	ck_assert_int_eq(alt(alts), 1);
	ck_assert_int_eq(vb, 77);
	chanfree(a);
	chanfree(b);
}
END_TEST

START_TEST(nil_channel)
{
	long v;
	Alt alts[] = {
		{ .c = nil, .op = CHANRCV, .v = &v },
		{ .op = CHANEND },
	};

	ck_assert_int_eq(alt(alts), -1);
}
END_TEST

/*
 * Every entry ready every time: each of N must be chosen about R/N times.
 * The count is binomial (sd ~ 82 for R=30000, N=3); 800 is ~10 sd.
 */
enum { N = 3, Rounds = 30000 };

START_TEST(fair_recv)
{
	Channel *c[N];
	long v, got[N];
	Alt alts[N + 1];
	int i, r;

	memset(alts, 0, sizeof alts);
	for(i = 0; i < N; i++){
		c[i] = chancreate(sizeof(long), 1);
		v = i;
		send(c[i], &v);
		alts[i].c = c[i];
		alts[i].v = &v;
		alts[i].op = CHANRCV;
		got[i] = 0;
	}
	alts[N].op = CHANEND;
	for(r = 0; r < Rounds; r++){
		i = alt(alts);
		ck_assert(i >= 0 && i < N);
		ck_assert_int_eq(v, i);
		got[i]++;
		send(c[i], &v);		/* ready again */
	}
	for(i = 0; i < N; i++){
		ck_assert_msg(labs(got[i] - Rounds / N) < 800, "entry %d chosen %ld times of %d",
			      i, got[i], Rounds);
		chanfree(c[i]);
	}
}
END_TEST

START_TEST(fair_send)
{
	Channel *c[2];
	long v, got[2];
	Alt alts[3];
	int i, r;

	memset(alts, 0, sizeof alts);
	for(i = 0; i < 2; i++){
		c[i] = chancreate(sizeof(long), 1);
		alts[i].c = c[i];
		alts[i].v = &v;
		alts[i].op = CHANSND;
		got[i] = 0;
	}
	alts[2].op = CHANNOBLK;
	for(r = 0; r < Rounds; r++){
		i = alt(alts);
		ck_assert(i >= 0 && i < 2);
		got[i]++;
		ck_assert_int_eq(nbrecv(c[i], nil), 1);
	}
	for(i = 0; i < 2; i++){
		ck_assert_msg(labs(got[i] - Rounds / 2) < 900, "entry %d chosen %ld times", i, got[i]);
		chanfree(c[i]);
	}
}
END_TEST

/* Closed entries are reported once each (err set), then alt returns -1. */
START_TEST(all_closed)
{
	Channel *a, *b;
	long v;
	Alt alts[] = {
		{ .op = CHANRCV, .v = &v },
		{ .op = CHANSND, .v = &v },
		{ .op = CHANEND },
	};
	int r1, r2;

	a = chancreate(sizeof(long), 0);
	b = chancreate(sizeof(long), 0);
	alts[0].c = a;
	alts[1].c = b;
	chanclose(a);
	chanclose(b);
	r1 = alt(alts);
	ck_assert(r1 == 0 || r1 == 1);
	ck_assert_ptr_nonnull(alts[r1].err);
	ck_assert_str_eq(alts[r1].err, "channel was closed");
	r2 = alt(alts);
	ck_assert_int_eq(r2, 1 - r1);
	ck_assert_ptr_nonnull(alts[r2].err);
	ck_assert_int_eq(alt(alts), -1);
	alts[2].op = CHANNOBLK;
	ck_assert_int_eq(alt(alts), -1);	/* even when it may not block */
	chanfree(a);
	chanfree(b);
}
END_TEST

/* One closed, one open but not ready: block on (or skip) the open one. */
START_TEST(some_closed)
{
	Channel *a, *b;
	long v;
	Alt alts[] = {
		{ .op = CHANRCV, .v = &v },
		{ .op = CHANRCV, .v = &v },
		{ .op = CHANNOBLK },
	};

	a = chancreate(sizeof(long), 0);
	b = chancreate(sizeof(long), 0);
	alts[0].c = a;
	alts[1].c = b;
	chanclose(a);
	ck_assert_int_eq(alt(alts), 2);
	ck_assert_ptr_null(alts[0].err);
	chanfree(a);
	chanfree(b);
}
END_TEST

struct Blocked {
	Channel	*a, *b;
	long	v;
	int	r;
	char	*err[2];
	int	done;
};

static void
altrecv2(void *arg)
{
	struct Blocked *bl;
	Alt alts[] = {
		{ .op = CHANRCV },
		{ .op = CHANRCV },
		{ .op = CHANEND },
	};

	bl = arg;
	alts[0].c = bl->a;
	alts[0].v = &bl->v;
	alts[1].c = bl->b;
	alts[1].v = &bl->v;
	bl->r = alt(alts);
	bl->err[0] = alts[0].err;
	bl->err[1] = alts[1].err;
	__atomic_store_n(&bl->done, 1, __ATOMIC_RELEASE);
}

/* A blocked alt in another proc, completed by a send on its second channel. */
START_TEST(blocked_across_procs)
{
	struct Blocked bl = { 0 };
	long v;
	int i;

	for(i = 0; i < 200; i++){
		memset(&bl, 0, sizeof bl);
		bl.a = chancreate(sizeof(long), 0);
		bl.b = chancreate(sizeof(long), 0);
		proccreate(altrecv2, &bl, 16384);
		v = 1000 + i;
		ck_assert_int_eq(send(bl.b, &v), 1);
		ck_assert(t9waitfor(&bl.done, 10000));
		ck_assert_int_eq(bl.r, 1);
		ck_assert_int_eq(bl.v, 1000 + i);
		ck_assert_int_eq(nbsend(bl.a, &v), 0);	/* its other entry is gone */
		chanfree(bl.a);
		chanfree(bl.b);
	}
}
END_TEST

START_TEST(woken_by_close)
{
	struct Blocked bl = { 0 };

	bl.a = chancreate(sizeof(long), 0);
	bl.b = chancreate(sizeof(long), 0);
	threadcreate(altrecv2, &bl, 16384);
	yield();
	ck_assert_int_eq(bl.done, 0);
	chanclose(bl.b);
	while(!bl.done)
		yield();
	ck_assert_int_eq(bl.r, 1);
	ck_assert_ptr_null(bl.err[0]);
	ck_assert_str_eq(bl.err[1], "channel was closed");
	chanfree(bl.a);
	chanfree(bl.b);
}
END_TEST

START_TEST(interrupted)
{
	struct Blocked bl = { 0 };
	int id;

	bl.a = chancreate(sizeof(long), 0);
	bl.b = chancreate(sizeof(long), 0);
	id = proccreate(altrecv2, &bl, 16384);
	usleep(10000);
	ck_assert_int_eq(bl.done, 0);
	threadint(id);
	ck_assert(t9waitfor(&bl.done, 10000));
	ck_assert_int_eq(bl.r, -1);
	chanfree(bl.a);
	chanfree(bl.b);
}
END_TEST

static void
recvforever(void *arg)
{
	struct Blocked *bl;

	bl = arg;
	recv(bl->a, nil);
	bl->r = 1;	/* never: killed in recv */
}

START_TEST(killed)
{
	struct Blocked bl = { 0 };
	int id, i;

	bl.a = chancreate(sizeof(long), 0);
	threadsetgrp(3);
	id = threadcreate(recvforever, &bl, 16384);
	threadsetgrp(0);
	yield();
	ck_assert_int_ne(threadpid(id), -1);
	threadkillgrp(3);
	for(i = 0; i < 10 && threadpid(id) != -1; i++)
		yield();
	ck_assert_int_eq(threadpid(id), -1);	/* gone */
	ck_assert_int_eq(bl.r, 0);
	ck_assert_int_eq(nbsend(bl.a, nil), 0);	/* and off the channel */
	chanfree(bl.a);
}
END_TEST

T9SUITE("alt")
{
	T9CASE(s, "alt", 60, noblock_index, ready_entry, nil_channel, fair_recv, fair_send,
	       all_closed, some_closed, blocked_across_procs, woken_by_close, interrupted,
	       killed);
}
