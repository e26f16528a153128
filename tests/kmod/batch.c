// SPDX-License-Identifier: MIT
/*
 * batch.c: SEGCTL_ATTACHN and SEGCTL_DETACHN (segattachguardedn,
 * segdetachn): many arena stacks in one call, all or nothing.  Every
 * refused call is checked to leave the listing and the module's span count
 * as they were.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

#include "common.h"

#define NOEXEC	SEGCTL_ATTR_NOEXEC

static int attachn_raw(struct segctl_attachn *a)
{
	if (!a->size)
		a->size = sizeof(*a);
	return segioctl(SEGCTL_ATTACHN, a);
}

/* n bodies of len between redzones of guard into out; 0 or -1 and errno. */
static int attachn(unsigned attr, unsigned long len, unsigned long guard,
		   unsigned n, __u64 *out)
{
	struct segctl_attachn a = {
		.attr = attr, .seg_class = MEM, .len = len, .guard = guard,
		.addrs = (uintptr_t)out, .count = n,
	};

	return attachn_raw(&a);
}

static int detachn(const __u64 *addrs, unsigned n)
{
	struct segctl_detachn d = {
		.size = sizeof(d), .addrs = (uintptr_t)addrs, .count = n,
	};

	return segioctl(SEGCTL_DETACHN, &d);
}

/* The state a refused call must leave alone. */
struct state {
	char	*list;
	long	spans;
};

static struct state state_now(void)
{
	struct state s = { listing(NULL), param("spans") };

	ASSERT(s.list, "listing: %s", strerror(errno));
	return s;
}

static bool state_same(struct state *was)
{
	struct state now = state_now();
	bool same = strcmp(now.list, was->list) == 0 && now.spans == was->spans;

	free(now.list);
	return same;
}

static void state_drop(struct state *s)
{
	free(s->list);
}

static sigjmp_buf segv_jmp;

static void segv_handler(int sig)
{
	(void)sig;
	siglongjmp(segv_jmp, 1);
}

/* A write to addr faults. */
static bool write_segv(unsigned long addr)
{
	struct sigaction sa = { .sa_handler = segv_handler }, old;
	volatile bool faulted = false;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(segv_jmp, 1) == 0)
		*(volatile char *)addr = 1;
	else
		faulted = true;
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/* The bodies are distinct, usable, read zero, and their redzones fault. */
static void expect_bodies(const __u64 *b, unsigned n, unsigned long len,
			  unsigned long guard)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		volatile char *p = (volatile char *)(uintptr_t)b[i];

		EXPECT(p[0] == 0 && p[len - 1] == 0, "body %u not zero", i);
		p[0] = (char)i;
		p[len - 1] = (char)i;
		EXPECT(write_segv(b[i] - 1) && write_segv(b[i] - guard),
		       "body %u: the redzone below is writable", i);
		EXPECT(write_segv(b[i] + len) && write_segv(b[i] + len + guard - 1),
		       "body %u: the redzone above is writable", i);
	}
	for (i = 0; i < n; i++) {
		EXPECT(((volatile char *)(uintptr_t)b[i])[len - 1] == (char)i,
		       "body %u lost what was written", i);
		for (j = 0; j < i; j++)
			EXPECT(b[i] + len + guard <= b[j] - guard ||
			       b[j] + len + guard <= b[i] - guard,
			       "bodies %u and %u overlap", j, i);
	}
}

TEST(batch_feature)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };

	ASSERT(segioctl(SEGCTL_VERSION, &v) == 0);
	EXPECT(v.features & SEGCTL_FEAT_BATCH, "features %llx", (unsigned long long)v.features);
}

TEST(batch_attach_detach)
{
	enum { N = 64 };
	unsigned long len = 16 * 1024, guard = PG;
	int segs = nsegs();
	long spans = param("spans");
	__u64 b[N];
	unsigned i;

	memset(b, 0, sizeof(b));
	ASSERT(attachn(0, len, guard, N, b) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == segs + 3 * N, "%d segments, want %d", nsegs(), segs + 3 * N);
	EXPECT(param("spans") == spans + N);
	for (i = 0; i < N; i++) {
		struct seg s;

		EXPECT(find_seg(b[i], &s) && s.top == b[i] + len, "body %u not listed", i);
	}
	expect_bodies(b, N, len, guard);
	ASSERT(detachn(b, N) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == segs && param("spans") == spans);
	for (i = 0; i < N; i++)
		EXPECT(write_segv(b[i]), "body %u still there", i);
}

/* The lengths round as one attach's do, and an odd count works. */
TEST(batch_rounds)
{
	__u64 b[3];
	struct seg s;

	ASSERT(attachn(NOEXEC, PG + 1, 1, 3, b) == 0, "%s", strerror(errno));
	EXPECT(find_seg(b[2], &s) && s.top == b[2] + 2 * PG);
	EXPECT(find_seg(b[2] - PG, &s) && s.top == b[2], "one page of redzone");
	expect_bodies(b, 3, 2 * PG, PG);
	ASSERT(detachn(b, 3) == 0);
}

/* Single calls and batches mix: segdetach frees a batch's body. */
TEST(batch_mixes_with_single)
{
	__u64 b[4], one;

	ASSERT(attachn(0, PG, PG, 4, b) == 0);
	EXPECT(detach(b[1]) == 0);
	one = attachg(0, MEM, 0, PG, PG);
	ASSERT(one != FAILED);
	b[1] = one;
	/* Any address in the span names it, redzones included. */
	b[2] -= PG;
	b[3] += PG;
	EXPECT(detachn(b, 4) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == 0, "%d left", nsegs());
}

TEST(batch_bad_input)
{
	struct segctl_attachn a;
	struct state st;
	__u64 b[4], *ro;
	struct {
		struct segctl_attachn a;
		__u64 extra;
	} big;
	__u64 keep;

	keep = attachg(0, MEM, 0, PG, PG);	/* a table, and something to keep */
	ASSERT(keep != FAILED);
	st = state_now();
#define BAD(field, val, e)						\
	do {								\
		a = (struct segctl_attachn){ .size = sizeof(a), .seg_class = MEM, \
			.len = PG, .guard = PG, .addrs = (uintptr_t)b, .count = 4 }; \
		a.field = val;						\
		EXPECT_ERRNO(attachn_raw(&a), e);			\
		EXPECT(state_same(&st), #field " = " #val " changed something"); \
	} while (0)
	BAD(size, offsetof(struct segctl_attachn, count), EINVAL);
	BAD(flags, 1, EINVAL);
	BAD(__reserved, 1, EINVAL);
	BAD(count, 0, EINVAL);
	BAD(count, SEGCTL_BATCH_MAX + 1, EINVAL);
	BAD(count, 0xffffffffu, EINVAL);
	BAD(seg_class, SHR, EINVAL);
	BAD(seg_class, SEGCTL_CLASS_GLOBAL, EINVAL);
	BAD(attr, SEGCTL_ATTR_COMMIT, EINVAL);
	BAD(attr, SEGCTL_ATTR_RONLY, EINVAL);
	BAD(attr, SEGCTL_ATTR_NONE, EINVAL);
	BAD(attr, 1, EINVAL);
	BAD(guard, 0, EINVAL);
	BAD(len, 0, EINVAL);
	BAD(len, USER_TOP, EINVAL);
	BAD(addrs, 0, EFAULT);
	BAD(addrs, ~0ULL - 7, EFAULT);
	/* The bodies are made and then cannot be told: undone. */
	ro = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(ro != MAP_FAILED && mprotect((char *)ro + PG, PG, PROT_READ) == 0);
	BAD(addrs, (uintptr_t)ro + PG, EFAULT);
	/* The array runs off the end of what is writable. */
	BAD(addrs, (uintptr_t)ro + PG - 2 * sizeof(__u64), EFAULT);
#undef BAD
	memset(&big, 0, sizeof(big));
	big.a = (struct segctl_attachn){ .size = sizeof(big), .seg_class = MEM, .len = PG,
					 .guard = PG, .addrs = (uintptr_t)b, .count = 4 };
	big.extra = 1;
	EXPECT_ERRNO(attachn_raw(&big.a), E2BIG);
	EXPECT(state_same(&st));
	big.extra = 0;
	EXPECT(attachn_raw(&big.a) == 0, "a longer struct with zeros: %s", strerror(errno));
	EXPECT(detachn(b, 4) == 0);
	EXPECT(state_same(&st));
	state_drop(&st);
	munmap(ro, 2 * PG);
}

/* arena_spans reached in the middle of a batch: nothing stays. */
TEST(batch_cap_midway)
{
	long was = param("arena_spans");
	struct state st;
	__u64 b[100];

	/* This mm holds one span; the cap counts the mm's. */
	ASSERT(attachg(0, MEM, 0, PG, PG) != FAILED);
	st = state_now();
	ASSERT(set_param("arena_spans", 1 + 10) == 0, "%s", strerror(errno));
	EXPECT_ERRNO(attachn(0, PG, PG, 20, b), ENOMEM);
	EXPECT(state_same(&st), "a batch over the cap left something");
	/*
	 * 16 MiB bodies: 64 fill a new arena, the 65th opens another, and
	 * the cap is met in it.
	 */
	set_param("arena_spans", 1 + 70);
	EXPECT_ERRNO(attachn(NOEXEC, 16UL << 20, PG, 100, b), ENOMEM);
	EXPECT(state_same(&st), "a batch over two arenas left something");
	/* Just under the cap it fits, over two arenas. */
	EXPECT(attachn(NOEXEC, 16UL << 20, PG, 70, b) == 0, "%s", strerror(errno));
	EXPECT(param("spans") == st.spans + 70);
	expect_bodies(b, 70, 16UL << 20, PG);
	EXPECT(detachn(b, 70) == 0);
	EXPECT(state_same(&st));
	set_param("arena_spans", was);
	state_drop(&st);
}

/* With arenas off nothing batches, and the feature is not reported. */
TEST(batch_arenas_off)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };
	__u64 b[2], c[2];
	unsigned long one;

	ASSERT(attachn(0, PG, PG, 2, b) == 0);
	ASSERT(set_param("arenas", 0) == 0, "%s", strerror(errno));
	EXPECT(segioctl(SEGCTL_VERSION, &v) == 0 && !(v.features & SEGCTL_FEAT_BATCH),
	       "features %llx", (unsigned long long)v.features);
	EXPECT_ERRNO(attachn(0, PG, PG, 2, c), EINVAL);
	one = attachg(0, MEM, 0, PG, PG);	/* the old layout: no arena */
	set_param("arenas", 1);
	ASSERT(one != FAILED);
	/* A segment outside the arenas is no batch's. */
	c[0] = b[0];
	c[1] = one;
	EXPECT_ERRNO(detachn(c, 2), EINVAL);
	EXPECT(detach(one) == 0);
	/* Arena bodies made before still detach in a batch. */
	EXPECT(detachn(b, 2) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == 0);
}

/* One bad address and the batch detaches none. */
TEST(batch_detach_all_or_nothing)
{
	enum { N = 8 };
	__u64 b[N], bad[N];
	unsigned long plain;
	struct state st;
	int i;

	ASSERT(attachn(0, 4 * PG, PG, N, b) == 0);
	plain = attach(0, MEM, 0, PG);
	ASSERT(plain != FAILED);
	st = state_now();
#define BADAT(i, val)							\
	do {								\
		memcpy(bad, b, sizeof(b));				\
		bad[i] = val;						\
		EXPECT_ERRNO(detachn(bad, N), EINVAL);			\
		EXPECT(state_same(&st), "bad[%d] = " #val ": something went", i); \
	} while (0)
	BADAT(5, 0);
	BADAT(N - 1, 12345);
	BADAT(0, plain);			/* not an arena's */
	BADAT(3, free_range(PG));		/* nothing there */
	BADAT(2, b[6]);				/* one span twice */
	BADAT(2, b[6] + 3 * PG);		/* the same span, another page */
	BADAT(7, ~0ULL);
#undef BADAT
	{
		struct segctl_detachn d = { .size = sizeof(d), .addrs = (uintptr_t)b, .count = N };

		d.flags = 1;
		EXPECT_ERRNO(segioctl(SEGCTL_DETACHN, &d), EINVAL);
		d.flags = 0;
		d.__reserved = 1;
		EXPECT_ERRNO(segioctl(SEGCTL_DETACHN, &d), EINVAL);
		d.__reserved = 0;
		d.count = 0;
		EXPECT_ERRNO(segioctl(SEGCTL_DETACHN, &d), EINVAL);
		d.count = SEGCTL_BATCH_MAX + 1;
		EXPECT_ERRNO(segioctl(SEGCTL_DETACHN, &d), EINVAL);
		d.count = N;
		d.addrs = 0;
		EXPECT_ERRNO(segioctl(SEGCTL_DETACHN, &d), EFAULT);
		d.size = offsetof(struct segctl_detachn, count);
		d.addrs = (uintptr_t)b;
		EXPECT_ERRNO(segioctl(SEGCTL_DETACHN, &d), EINVAL);
	}
	EXPECT(state_same(&st));
	for (i = 0; i < N; i++)
		((volatile char *)(uintptr_t)b[i])[0] = 1;
	EXPECT(detachn(b, N) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == 1);
	state_drop(&st);
}

/* Most a batch may hold, twice. */
TEST(batch_max)
{
	static __u64 b[2][SEGCTL_BATCH_MAX];
	long spans = param("spans");

	ASSERT(attachn(0, 4 * PG, PG, SEGCTL_BATCH_MAX, b[0]) == 0, "%s", strerror(errno));
	ASSERT(attachn(0, 4 * PG, PG, SEGCTL_BATCH_MAX, b[1]) == 0, "%s", strerror(errno));
	EXPECT(param("spans") == spans + 2 * SEGCTL_BATCH_MAX);
	expect_bodies(b[1] + SEGCTL_BATCH_MAX - 4, 4, 4 * PG, PG);
	EXPECT(detachn(b[0], SEGCTL_BATCH_MAX) == 0);
	EXPECT(detachn(b[1], SEGCTL_BATCH_MAX) == 0);
	EXPECT(param("spans") == spans && nsegs() == 0);
}

struct forked {
	__u64	*b;
	int	n;
};

static void fork_child(void *v)
{
	struct forked *f = v;

	EXPECT(((volatile char *)(uintptr_t)f->b[0])[0] == 7, "the child's copy");
	EXPECT(detachn(f->b, f->n) == 0, "%s", strerror(errno));
	EXPECT(write_segv(f->b[0]));
	EXPECT(nsegs() == 0);
}

/* A fork shares the arena's spans: a batch in the child leaves the parent's. */
TEST(batch_after_fork)
{
	enum { N = 16 };
	struct forked f;
	__u64 b[N];

	ASSERT(attachn(0, PG, PG, N, b) == 0);
	((volatile char *)(uintptr_t)b[0])[0] = 7;
	f = (struct forked){ b, N };
	EXPECT_CHILD(fork_child, &f);
	EXPECT(((volatile char *)(uintptr_t)b[0])[0] == 7);
	EXPECT(nsegs() == 3 * N);
	EXPECT(detachn(b, N) == 0);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
