// SPDX-License-Identifier: MIT
/*
 * Thread stacks (libthread9/stack.c): memory that threads used goes back
 * to the system when they exit, beyond the bounded per-proc cache; stacks
 * made while many threads are alive are each their own and start zeroed
 * where the thread has not been before; fresh stacks come Stackbatch (16)
 * at a time, and freed ones go that many at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <seglist.h>

#include "t9.h"

enum {
	N = 1000,
	Stack = 64 * 1024,
	Touch = 32 * 1024,	/* of each stack, written */
};

static int started, finished, ended, go;

static long
rssanon(void)
{
	char buf[4096], *l;
	FILE *f;
	long kb;

	f = fopen("/proc/self/status", "r");
	ck_assert_ptr_nonnull(f);
	kb = -1;
	while(fgets(buf, sizeof buf, f) != nil)
		if((l = strstr(buf, "RssAnon:")) == buf)
			kb = atol(l + 8);
	fclose(f);
	ck_assert_int_ge(kb, 0);
	return kb;
}

/* Write Touch bytes of the stack, wait for go, check they are still ours. */
static void
toucher(void *arg)
{
	volatile char pad[Touch];
	int me, i, bad;

	(void)arg;
	me = ++started;
	for(i = 0; i < Touch; i += 512)
		pad[i] = (char)me;
	while(!go)
		yield();
	bad = 0;
	for(i = 0; i < Touch; i += 512)
		bad |= pad[i] != (char)me;
	if(!bad)
		ended++;
	finished++;
}

START_TEST(stack_rss_falls)
{
	long r0, r1, r2;
	int i;

	started = finished = ended = go = 0;
	r0 = rssanon();
	for(i = 0; i < N; i++)
		threadcreate(toucher, nil, Stack);
	while(started < N)
		yield();
	r1 = rssanon();
	go = 1;
	while(finished < N)
		yield();
	/* Let the scheduler free the last stacks. */
	for(i = 0; i < 10; i++)
		yield();
	r2 = rssanon();
	ck_assert_int_eq(ended, N);
	printf("stack_rss_falls: RssAnon %ld kB, %ld kB with %d threads alive, %ld kB after they exit\n",
	       r0, r1, N, r2);
	fflush(stdout);
	/*
	 * Each wrote Touch bytes; all but the cache's 1 MiB must go back.
	 * ASan's shadow of the stacks (an eighth of what their frames
	 * spanned) stays: the sanitizer never learns the stacks went.
	 */
	ck_assert_msg(r1 - r0 >= (long)N * Touch / 1024 * 9 / 10, "RssAnon %ld -> %ld kB", r0, r1);
#ifdef __SANITIZE_ADDRESS__
	ck_assert_msg(r2 - r0 <= 2 * 1024 + (r1 - r0) / 4, "RssAnon %ld -> %ld -> %ld kB", r0, r1, r2);
#else
	ck_assert_msg(r2 - r0 <= 2 * 1024 + (r1 - r0) / 20, "RssAnon %ld -> %ld -> %ld kB", r0, r1, r2);
#endif
}
END_TEST

static int fresh, dirty;

/* Was the stack below this frame written before?  A fresh one reads zero. */
static void
checker(void *arg)
{
	char *fp;
	int o;

	(void)arg;
	fp = __builtin_frame_address(0);
	for(o = 2048; o < Touch; o += 512)
		if(fp[-o] != 0){
			dirty++;
			break;
		}
	fresh++;
}

/*
 * Stacks made after many threads exit: the cache's (at most 16) are
 * reused as they are, every other one is fresh, so zero.
 */
START_TEST(stack_fresh_zero)
{
	int i;

	started = finished = ended = 0;
	go = 1;
	for(i = 0; i < 200; i++)
		threadcreate(toucher, nil, Stack);
	while(finished < 200)
		yield();
	ck_assert_int_eq(ended, 200);
	fresh = dirty = 0;
	for(i = 0; i < 100; i++)
		threadcreate(checker, nil, Stack);
	while(fresh < 100)
		yield();
	ck_assert_int_le(dirty, 16);
	printf("stack_fresh_zero: %d of 100 stacks held an old frame (the cache's)\n", dirty);
	fflush(stdout);
}
END_TEST

/* Segments in the listing now. */
static int
nsegs(void)
{
	char buf[4096];
	ssize_t m;
	int fd, n;

	fd = memfd_create("seglist", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seglist(fd), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	n = 0;
	while((m = read(fd, buf, sizeof buf)) > 0)
		while(m > 0)
			n += buf[--m] == '\n';
	close(fd);
	return n;
}

enum { Batch = 16, Odd = 48 * 1024 };	/* Stackbatch; a size no other test asks */

/*
 * Threads of a new size: the second makes a reserve of Batch stacks in
 * one call (3 segments each), from which the next Batch - 1 come without
 * one.  All alive at once, so no stack is reused from the cache.
 */
START_TEST(stack_reserve)
{
	int i, s1, s2, s3;

	started = finished = ended = go = 0;
	threadcreate(toucher, nil, Odd);
	s1 = nsegs();
	threadcreate(toucher, nil, Odd);
	s2 = nsegs();
	for(i = 0; i < Batch - 1; i++)
		threadcreate(toucher, nil, Odd);
	s3 = nsegs();
	while(started < Batch + 1)
		yield();
	ck_assert_msg(s2 - s1 >= 3 * (Batch - 1), "the reserve: %d -> %d segments", s1, s2);
	ck_assert_msg(s3 == s2, "%d threads from the reserve: %d -> %d segments", Batch - 1, s2, s3);
	go = 1;
	while(finished < Batch + 1)
		yield();
	ck_assert_int_eq(ended, Batch + 1);
}
END_TEST

/*
 * Freed stacks beyond the cache wait for one segdetachn of Batch: after
 * many threads exit, the segments left are the cache's, the reserve's and
 * fewer than Batch waiting.
 */
START_TEST(stack_detach_batched)
{
	enum { M = 200 };
	int i, s0, s1, s2;

	started = finished = ended = go = 0;
	s0 = nsegs();
	for(i = 0; i < M; i++)
		threadcreate(toucher, nil, Stack);
	while(started < M)
		yield();
	s1 = nsegs();
	go = 1;
	while(finished < M)
		yield();
	for(i = 0; i < 10; i++)
		yield();
	s2 = nsegs();
	ck_assert_int_eq(ended, M);
	ck_assert_msg(s1 - s0 >= 3 * M, "%d threads alive: %d -> %d segments", M, s0, s1);
	ck_assert_msg(s2 - s0 <= 3 * (16 + Batch + Batch - 1),
		      "%d threads gone: %d -> %d -> %d segments", M, s0, s1, s2);
	printf("stack_detach_batched: %d segments, %d with %d threads alive, %d after\n",
	       s0, s1, M, s2);
	fflush(stdout);
}
END_TEST

T9SUITE("stack")
{
	T9CASE(s, "stack", 120, stack_rss_falls, stack_fresh_zero, stack_reserve,
	       stack_detach_batched);
}
