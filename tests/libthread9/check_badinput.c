// SPDX-License-Identifier: MIT
/* Bad input ends the program with a message naming what failed. */
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "t9.h"

static void
expect(void (*fn)(void *), void *arg, const char *msg)
{
	struct Child c;

	t9child(&c, fn, arg);
	ck_assert_msg(t9exited(&c, 1), "status %#x, stderr: %s", c.status, c.err);
	ck_assert_msg(strstr(c.err, msg) != nil, "want \"%s\" in: %s", msg, c.err);
}

static void
badchan(void *arg)
{
	int *sz;

	sz = arg;
	chancreate(sz[0], sz[1]);
}

START_TEST(channel_sizes)
{
	int zero[] = { 0, 1 }, neg[] = { -4, 1 }, negbuf[] = { 8, -1 }, huge[] = { 1 << 30, 1 << 30 };

	expect(badchan, zero, "chancreate: element size 0");
	expect(badchan, neg, "chancreate: element size -4");
	expect(badchan, negbuf, "chancreate: buffer size -1");
	expect(badchan, huge, "chancreate: 1073741824 elements of 1073741824 bytes is too big");
}
END_TEST

static void
waiter(void *arg)
{
	recv(arg, nil);
}

static void
sendfreed(void *arg)
{
	Channel *c;

	(void)arg;
	c = chancreate(sizeof(long), 0);
	threadcreate(waiter, c, 16384);
	yield();
	chanfree(c);		/* deferred: waiter is on it */
	send(c, nil);
}

static void
freetwice(void *arg)
{
	Channel *c;

	(void)arg;
	c = chancreate(sizeof(long), 0);
	threadcreate(waiter, c, 16384);
	yield();
	chanfree(c);
	chanfree(c);
}

static void
wrongsize(void *arg)
{
	(void)arg;
	sendp(chancreate(4, 1), nil);
}

START_TEST(freed_channel)
{
	expect(sendfreed, nil, "send: channel ");
	expect(sendfreed, nil, " was freed");
	expect(freetwice, nil, "chanfree: channel ");
	expect(wrongsize, nil, "sendp: channel element size 4, not 8");
}
END_TEST

static void
nop(void *arg)
{
	(void)arg;
}

static void
stack0(void *arg)
{
	(void)arg;
	threadcreate(nop, nil, 0);
}

static void
proc0(void *arg)
{
	(void)arg;
	proccreate(nop, nil, 0);
}

#ifndef __SANITIZE_ADDRESS__	/* ASan's shadow is far past any such limit */
/* No address space left for a stack. */
static void
nostack(void *arg)
{
	struct rlimit rl;

	(void)arg;
	rl.rlim_cur = rl.rlim_max = 1UL << 30;
	setrlimit(RLIMIT_AS, &rl);
	threadcreate(nop, nil, 0xfff00000u);
}
#endif

START_TEST(stacks)
{
	expect(stack0, nil, "threadcreate: stack size 0");
	expect(proc0, nil, "procrfork: stack size 0");
#ifndef __SANITIZE_ADDRESS__
	expect(nostack, nil, "threadcreate: cannot allocate a 4293922816-byte stack: virtual memory allocation failed");
#endif
}
END_TEST

static void
unlocked(void *arg)
{
	QLock q;

	(void)arg;
	memset(&q, 0, sizeof q);
	qunlock(&q);
}

START_TEST(locks)
{
	expect(unlocked, nil, "qunlock: QLock ");
}
END_TEST

T9SUITE("badinput")
{
	T9CASE(s, "badinput", 30, channel_sizes, freed_channel, stacks, locks);
}
