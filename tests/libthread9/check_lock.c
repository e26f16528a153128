// SPDX-License-Identifier: MIT
/* QLock, RWLock, Rendez and Ref, across procs. */
#include <string.h>

#include "t9.h"

enum { Nproc = 3, Nthread = 2, Nloop = 3000 };

static QLock	ql;
static long	counter;
static Channel	*done;

static void
incr(void *arg)
{
	long v;
	int i;

	(void)arg;
	for(i = 0; i < Nloop; i++){
		qlock(&ql);
		v = counter;
		if(i % 7 == 0)
			yield();	/* others in this proc run; they must wait */
		counter = v + 1;
		qunlock(&ql);
	}
	sendul(done, 0);
}

static void
incrproc(void *arg)
{
	int i;

	for(i = 1; i < Nthread; i++)
		threadcreate(incr, arg, 16384);
	incr(arg);
}

START_TEST(qlock_excludes)
{
	int i;

	memset(&ql, 0, sizeof ql);
	counter = 0;
	done = chancreate(sizeof(unsigned long), 0);
	for(i = 0; i < Nproc; i++)
		proccreate(incrproc, nil, 16384);
	for(i = 0; i < Nproc * Nthread; i++)
		recvul(done);
	ck_assert_int_eq(counter, Nproc * Nthread * Nloop);
	ck_assert_int_eq(canqlock(&ql), 1);
	ck_assert_int_eq(canqlock(&ql), 0);
	qunlock(&ql);
	chanfree(done);
}
END_TEST

/* A bounded buffer under a QLock with two Rendez, producers and consumers in other procs. */
enum { Nbuf = 4, Nitems = 5000, Nside = 2 };

static struct {
	QLock	l;
	Rendez	full, empty;
	unsigned long buf[Nbuf];
	int	n, r, w;
} bb;

static void
produce(void *arg)
{
	unsigned long i;

	(void)arg;
	for(i = 1; i <= Nitems; i++){
		qlock(&bb.l);
		while(bb.n == Nbuf)
			rsleep(&bb.full);
		bb.buf[bb.w++ % Nbuf] = i;
		bb.n++;
		rwakeup(&bb.empty);
		qunlock(&bb.l);
	}
	sendul(done, 0);
}

static void
consume(void *arg)
{
	unsigned long sum, v;
	int i;

	(void)arg;
	sum = 0;
	for(i = 0; i < Nitems; i++){
		qlock(&bb.l);
		while(bb.n == 0)
			rsleep(&bb.empty);
		v = bb.buf[bb.r++ % Nbuf];
		bb.n--;
		rwakeup(&bb.full);
		qunlock(&bb.l);
		ck_assert(v >= 1 && v <= Nitems);
		sum += v;
	}
	sendul(done, sum);
}

START_TEST(rendez_producer_consumer)
{
	unsigned long sum;
	int i;

	memset(&bb, 0, sizeof bb);
	bb.full.l = &bb.l;
	bb.empty.l = &bb.l;
	done = chancreate(sizeof(unsigned long), 0);
	for(i = 0; i < Nside; i++){
		proccreate(produce, nil, 16384);
		proccreate(consume, nil, 16384);
	}
	sum = 0;
	for(i = 0; i < 2 * Nside; i++)
		sum += recvul(done);
	ck_assert_uint_eq(sum, (unsigned long)Nside * Nitems * (Nitems + 1) / 2);
	ck_assert_int_eq(bb.n, 0);
	qlock(&bb.l);
	ck_assert_int_eq(rwakeup(&bb.empty), 0);	/* nobody left asleep */
	ck_assert_int_eq(rwakeupall(&bb.full), 0);
	qunlock(&bb.l);
	chanfree(done);
}
END_TEST

static RWLock	rw;
static int	inside, maxinside, writing;

static void
reader(void *arg)
{
	int i;

	(void)arg;
	for(i = 0; i < 200; i++){
		rlock(&rw);
		ck_assert_int_eq(__atomic_load_n(&writing, __ATOMIC_SEQ_CST), 0);
		if(__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST) > maxinside)
			maxinside = inside;
		yield();
		__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		runlock(&rw);
	}
	sendul(done, 0);
}

static void
writer(void *arg)
{
	int i;

	(void)arg;
	for(i = 0; i < 200; i++){
		wlock(&rw);
		ck_assert_int_eq(__atomic_load_n(&inside, __ATOMIC_SEQ_CST), 0);
		writing = 1;
		yield();
		writing = 0;
		wunlock(&rw);
	}
	sendul(done, 0);
}

START_TEST(rwlock)
{
	int i;

	memset(&rw, 0, sizeof rw);
	inside = maxinside = writing = 0;
	ck_assert_int_eq(canrlock(&rw), 1);
	ck_assert_int_eq(canrlock(&rw), 1);
	ck_assert_int_eq(canwlock(&rw), 0);
	runlock(&rw);
	runlock(&rw);
	ck_assert_int_eq(canwlock(&rw), 1);
	ck_assert_int_eq(canrlock(&rw), 0);
	wunlock(&rw);

	done = chancreate(sizeof(unsigned long), 0);
	for(i = 0; i < 3; i++)
		threadcreate(reader, nil, 16384);	/* same proc: they overlap */
	proccreate(writer, nil, 16384);
	proccreate(reader, nil, 16384);
	for(i = 0; i < 5; i++)
		recvul(done);
	ck_assert_int_ge(maxinside, 2);
	chanfree(done);
}
END_TEST

static Ref	ref;

static void
increfs(void *arg)
{
	int i;

	(void)arg;
	for(i = 0; i < 100000; i++)
		incref(&ref);
	sendul(done, 0);
}

START_TEST(refs)
{
	long i, zeros;

	ref.ref = 0;
	done = chancreate(sizeof(unsigned long), 0);
	for(i = 0; i < 3; i++)
		proccreate(increfs, nil, 16384);
	for(i = 0; i < 3; i++)
		recvul(done);
	ck_assert_int_eq(ref.ref, 300000);
	zeros = 0;
	for(i = 0; i < 300000; i++)
		if(decref(&ref) == 0)
			zeros++;
	ck_assert_int_eq(zeros, 1);
	ck_assert_int_eq(ref.ref, 0);
	chanfree(done);
}
END_TEST

T9SUITE("lock")
{
	T9CASE(s, "lock", 120, qlock_excludes, rendez_producer_consumer, rwlock, refs);
}
