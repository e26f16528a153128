// SPDX-License-Identifier: MIT
/*
 * A thread that runs off its stack: a forked child overflows, and we check
 * from here that it said which thread, where, within which bounds, and
 * then died of SIGSEGV.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t9.h"

/* Deep enough to run off any stack: stop is never reached. */
static volatile int stop = 1 << 30;

static int
recurse(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if(n == stop)
		return 0;
	return recurse(n + 1) + pad[0];
}

static void
deep(void *arg)
{
	char here;

	(void)arg;
	threadsetname("deep %d", 1);
	fprintf(stderr, "id %d here %p\n", threadid(), (void *)&here);
	recurse(0);
}

static void
inthread(void *arg)
{
	threadcreate(deep, arg, 32768);
	threadexits(nil);
}

static void
inproc(void *arg)
{
	proccreate(deep, arg, 32768);
	threadexits(nil);
}

static void
check(void (*how)(void *))
{
	struct Child c;
	unsigned long here, fault, lo, hi;
	char name[32], code[16], *s;
	int id, id2;

	t9child(&c, how, nil);
	ck_assert_msg(t9signalled(&c, SIGSEGV), "status %#x, stderr: %s", c.status, c.err);
	ck_assert_msg(sscanf(c.err, "id %d here %lx", &id, &here) == 2, "stderr: %s", c.err);
	s = strstr(c.err, ": thread ");
	ck_assert_msg(s != nil, "stderr: %s", c.err);
	ck_assert_msg(sscanf(s, ": thread %d \"%31[^\"]\": stack overflow: fault at %lx, stack %lx-%lx (%15[A-Z_])",
			     &id2, name, &fault, &lo, &hi, code) == 6, "stderr: %s", c.err);
	/* A PROT_NONE redzone, or guard markers and arenas (doc/arenas.md). */
	ck_assert_msg(strcmp(code, "SEGV_MAPERR") == 0 || strcmp(code, "SEGV_ACCERR") == 0,
		      "code %s", code);
	ck_assert_int_eq(id2, id);
	ck_assert_str_eq(name, "deep 1");
	ck_assert_msg(lo < here && here < hi, "%lx not in %lx-%lx", here, lo, hi);
	ck_assert_uint_ge(hi - lo, 32768);		/* the size asked for */
	ck_assert_msg(fault < lo && fault >= lo - 64 * 1024, "fault %lx, stack %lx", fault, lo);
}

START_TEST(thread_overflow)
{
	check(inthread);
}
END_TEST

START_TEST(proc_overflow)
{
	check(inproc);
}
END_TEST

/* A fault elsewhere is not reported as an overflow, and still kills. */
static void
wild(void *arg)
{
	*(volatile int *)arg = 1;
}

START_TEST(other_fault)
{
	struct Child c;

	t9child(&c, wild, (void *)(uintptr_t)16);
#ifdef __SANITIZE_ADDRESS__
	/* passed on to ASan's handler, which reports and exits */
	ck_assert_msg(t9exited(&c, 1) && strstr(c.err, "AddressSanitizer: SEGV"),
		      "status %#x, stderr: %s", c.status, c.err);
#else
	ck_assert_msg(t9signalled(&c, SIGSEGV), "status %#x", c.status);
#endif
	ck_assert_ptr_null(strstr(c.err, "stack overflow"));
}
END_TEST

T9SUITE("overflow")
{
	T9CASE(s, "overflow", 30, thread_overflow, proc_overflow, other_fault);
}
