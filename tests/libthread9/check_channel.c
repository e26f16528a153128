// SPDX-License-Identifier: MIT
/* Channels: every rule of thread(2), between threads and between procs. */
#include <stdlib.h>
#include <string.h>

#include "t9.h"

struct Pair {
	Channel	*c;
	long	n;
	long	sum;
	int	r;
	int	done;
};

static void
sender(void *arg)
{
	struct Pair *p;
	long i;

	p = arg;
	for(i = 1; i <= p->n; i++)
		ck_assert_int_eq(send(p->c, &i), 1);
	p->done = 1;
}

START_TEST(unbuffered)
{
	struct Pair p = { .n = 100 };
	long i, v;

	p.c = chancreate(sizeof(long), 0);
	threadcreate(sender, &p, 16384);
	for(i = 1; i <= 100; i++){
		ck_assert_int_eq(recv(p.c, &v), 1);
		ck_assert_int_eq(v, i);
	}
	while(!p.done)
		yield();
	chanfree(p.c);
}
END_TEST

START_TEST(nonblocking)
{
	Channel *c;
	long v;
	int i;

	c = chancreate(sizeof(long), 0);
	v = 7;
	ck_assert_int_eq(nbsend(c, &v), 0);	/* nobody to take it */
	ck_assert_int_eq(nbrecv(c, &v), 0);
	ck_assert_int_eq(v, 7);
	chanfree(c);

	c = chancreate(sizeof(long), 3);
	for(i = 0; i < 3; i++){
		v = 10 + i;
		ck_assert_int_eq(nbsend(c, &v), 1);
	}
	ck_assert_int_eq(nbsend(c, &v), 0);	/* full */
	for(i = 0; i < 3; i++){
		ck_assert_int_eq(nbrecv(c, &v), 1);
		ck_assert_int_eq(v, 10 + i);	/* in order */
	}
	ck_assert_int_eq(nbrecv(c, &v), 0);	/* empty */
	chanfree(c);
}
END_TEST

START_TEST(nilvalues)
{
	Channel *c;
	char buf[5];

	c = chancreate(5, 2);
	memcpy(buf, "abcde", 5);
	ck_assert_int_eq(send(c, buf), 1);
	ck_assert_int_eq(send(c, nil), 1);	/* sends zeros */
	ck_assert_int_eq(recv(c, nil), 1);	/* discards "abcde" */
	memset(buf, 'x', 5);
	ck_assert_int_eq(recv(c, buf), 1);
	ck_assert_mem_eq(buf, "\0\0\0\0\0", 5);
	chanfree(c);
}
END_TEST

START_TEST(pointer_ulong_forms)
{
	Channel *cp, *cu;
	int x;

	cp = chancreate(sizeof(void *), 1);
	cu = chancreate(sizeof(unsigned long), 1);
	ck_assert_int_eq(sendp(cp, &x), 1);
	ck_assert_int_eq(nbsendp(cp, &x), 0);
	ck_assert_ptr_eq(recvp(cp), &x);
	ck_assert_ptr_null(nbrecvp(cp));
	ck_assert_int_eq(nbsendp(cp, &x), 1);
	ck_assert_ptr_eq(nbrecvp(cp), &x);

	ck_assert_int_eq(sendul(cu, 42), 1);
	ck_assert_int_eq(nbsendul(cu, 43), 0);
	ck_assert_uint_eq(recvul(cu), 42);
	ck_assert_uint_eq(nbrecvul(cu), 0);
	ck_assert_int_eq(nbsendul(cu, 44), 1);
	ck_assert_uint_eq(nbrecvul(cu), 44);
	chanfree(cp);
	chanfree(cu);
}
END_TEST

START_TEST(print)
{
	Channel *c;
	char *s;

	c = chancreate(sizeof(char *), 1);
	ck_assert_int_eq(chanprint(c, "%s %d", "seven", 7), 1);
	s = recvp(c);
	ck_assert_str_eq(s, "seven 7");
	free(s);
	chanfree(c);
}
END_TEST

START_TEST(close_rules)
{
	Channel *c;
	long v;

	c = chancreate(sizeof(long), 4);
	ck_assert_int_eq(chanclosing(c), -1);
	v = 1;
	send(c, &v);
	v = 2;
	send(c, &v);
	ck_assert_int_eq(chanclose(c), 0);
	ck_assert_int_eq(chanclose(c), -1);	/* already */
	ck_assert_int_eq(chanclosing(c), 2);
	ck_assert_int_eq(send(c, &v), -1);
	ck_assert_int_eq(nbsend(c, &v), -1);
	ck_assert_int_eq(recv(c, &v), 1);	/* what was in it still comes out */
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(nbrecv(c, &v), 1);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(chanclosing(c), 0);
	ck_assert_int_eq(recv(c, &v), -1);	/* and then never blocks */
	ck_assert_int_eq(nbrecv(c, &v), -1);
	chanfree(c);

	c = chancreate(sizeof(unsigned long), 0);
	chanclose(c);
	ck_assert_uint_eq(recvul(c), ~0UL);
	ck_assert_int_eq(sendul(c, 1), -1);
	chanfree(c);

	c = chancreate(sizeof(void *), 0);
	chanclose(c);
	ck_assert_ptr_null(recvp(c));
	ck_assert_int_eq(sendp(c, c), -1);
	chanfree(c);
}
END_TEST

static void
blockedrecv(void *arg)
{
	struct Pair *p;
	long v;

	p = arg;
	p->r = recv(p->c, &v);
	p->done = 1;
}

static void
blockedsend(void *arg)
{
	struct Pair *p;
	long v;

	p = arg;
	v = 9;
	p->r = send(p->c, &v);
	p->done = 1;
}

/* Close wakes blocked senders and receivers, with -1. */
START_TEST(close_wakes)
{
	struct Pair r = { 0 }, s = { 0 };
	long v;

	r.c = chancreate(sizeof(long), 0);
	proccreate(blockedrecv, &r, 16384);
	s.c = chancreate(sizeof(long), 1);
	v = 1;
	send(s.c, &v);				/* full: the sender blocks */
	threadcreate(blockedsend, &s, 16384);
	yield();
	ck_assert_int_eq(s.done, 0);
	chanclose(r.c);
	chanclose(s.c);
	ck_assert(t9waitfor(&r.done, 10000));
	ck_assert(t9waitfor(&s.done, 10000));
	ck_assert_int_eq(r.r, -1);
	ck_assert_int_eq(s.r, -1);
	ck_assert_int_eq(chanclosing(s.c), 1);
	chanfree(r.c);
	chanfree(s.c);
}
END_TEST

struct Two {
	Channel	*a, *b;
	int	r;
	int	done;
};

static void
altboth(void *arg)
{
	struct Two *t;
	long va, vb;
	Alt alts[] = {
		{ .op = CHANRCV },
		{ .op = CHANRCV },
		{ .op = CHANEND },
	};

	t = arg;
	alts[0].c = t->a;
	alts[0].v = &va;
	alts[1].c = t->b;
	alts[1].v = &vb;
	t->r = alt(alts);
	t->done = 1;
}

/* chanfree while a thread waits on the channel: put off until it leaves. */
START_TEST(free_deferred)
{
	struct Two t = { 0 };
	long v;

	t.a = chancreate(sizeof(long), 0);
	t.b = chancreate(sizeof(long), 0);
	threadcreate(altboth, &t, 16384);
	yield();
	chanfree(t.b);			/* deferred: altboth waits on it */
	v = 5;
	ck_assert_int_eq(send(t.a, &v), 1);
	while(!t.done)
		yield();
	ck_assert_int_eq(t.r, 0);
	/* t.b is gone now: ASan would see a leak or a double free */
	chanfree(t.a);
}
END_TEST

/* Many senders and receivers in four procs, under real parallelism. */
enum { Nitems = 20000, Nside = 2 };

struct Stress {
	Channel	*c;
	Channel	*done;
	long	sum[Nside];
};

static void
producer(void *arg)
{
	struct Stress *s;
	unsigned long i;

	s = arg;
	for(i = 1; i <= Nitems; i++)
		ck_assert_int_eq(sendul(s->c, i), 1);
	sendul(s->done, 0);
}

static void
consumer(void *arg)
{
	struct Stress *s;
	unsigned long v, n, sum;

	s = arg;
	sum = 0;
	for(n = 0; n < Nitems; n++){
		v = recvul(s->c);
		ck_assert(v >= 1 && v <= Nitems);
		sum += v;
	}
	sendul(s->done, sum);
}

static void
stress(int bufsize)
{
	struct Stress s;
	unsigned long sum;
	int i;

	s.c = chancreate(sizeof(unsigned long), bufsize);
	s.done = chancreate(sizeof(unsigned long), 0);
	for(i = 0; i < Nside; i++){
		proccreate(producer, &s, 16384);
		proccreate(consumer, &s, 16384);
	}
	sum = 0;
	for(i = 0; i < 2 * Nside; i++)
		sum += recvul(s.done);
	ck_assert_uint_eq(sum, (unsigned long)Nside * Nitems * (Nitems + 1) / 2);
	ck_assert_int_eq(nbrecvul(s.c), 0);
	chanfree(s.c);
	chanfree(s.done);
}

START_TEST(procs_unbuffered)
{
	stress(0);
}
END_TEST

START_TEST(procs_buffered)
{
	stress(7);
}
END_TEST

T9SUITE("channel")
{
	T9CASE(s, "rules", 30, unbuffered, nonblocking, nilvalues, pointer_ulong_forms,
	       print, close_rules, close_wakes, free_deferred);
	T9CASE(s, "procs", 120, procs_unbuffered, procs_buffered);
}
