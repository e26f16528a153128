// SPDX-License-Identifier: MIT
/*
 * segattachguardedn and segdetachn, on either backend: many guarded
 * segments in one call, all or nothing.  Natively this is the user
 * backend's arenas (Linux 6.13+: guard markers, a run of neighbours freed
 * in one madvise); in the VM, the module's SEGCTL_ATTACHN/DETACHN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_seg.h"
#include "maps.h"

enum { Guard = PG, Body = 4 * PG, N = 64 };

/* A line of /proc/self/status, in kB. */
static long
statuskb(const char *key)
{
	char *s, *l;
	long kb;

	s = readall("/proc/self/status", NULL);
	ck_assert_ptr_nonnull(s);
	l = strstr(s, key);
	ck_assert_ptr_nonnull(l);
	kb = atol(l + strlen(key));
	free(s);
	return kb;
}

/* The listing is what it was. */
static void
ck_listing_is(const char *was)
{
	char *l = listing();

	ck_assert_str_eq(l, was);
	free(l);
}

/* Every body is a trio of the listing, zero, usable, and distinct. */
static void
ck_bodies(void **v, int n, unsigned long len, unsigned long guard)
{
	int i;

	for (i = 0; i < n; i++) {
		ck_assert_msg(v[i] != FAILED && v[i] != NULL, "body %d", i);
		ck_listed("memory", " N", ADDR(v[i]) - guard, ADDR(v[i]), 1);
		ck_listed("memory", "", ADDR(v[i]), ADDR(v[i]) + len, 1);
		ck_listed("memory", " N", ADDR(v[i]) + len, ADDR(v[i]) + len + guard, 1);
		ck_assert(allzero(ADDR(v[i]), len));
		memset(v[i], i + 1, len);
	}
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(((char *)v[i])[0], (char)(i + 1));
		ck_assert_int_eq(((char *)v[i])[len - 1], (char)(i + 1));
	}
}

START_TEST(batch_attach_detach)
{
	void *v[N];
	char *before, *after;
	int i;

	before = listing();
	ck_assert_int_eq(segattachguardedn(0, "memory", Body, Guard, N, v), 0);
	ck_bodies(v, N, Body, Guard);
	after = listing();
	ck_assert_int_eq(nlines(after), nlines(before) + 3 * N);
	free(after);
	/* The redzones of the first and the last fault; their bodies do not. */
	ck_assert_int_eq(diesig(wr, ADDR(v[0]) - 1), SIGSEGV);
	ck_assert_int_eq(diesig(rd, ADDR(v[N - 1]) + Body), SIGSEGV);
	ck_assert_int_eq(diesig(wr, ADDR(v[N - 1]) + Body - 1), 0);
	ck_assert_int_eq(segdetachn(v, N), 0);
	ck_listing_is(before);
	ck_assert(gone(ADDR(v[0]) - Guard, ADDR(v[0]) + Body + Guard));
	ck_assert(gone(ADDR(v[N - 1]) - Guard, ADDR(v[N - 1]) + Body + Guard));
	for (i = 0; i < N; i++)
		ck_fails(segdetach(v[i]), -1, EINVAL, EBADARG);
	free(before);
}
END_TEST

/* Batches and single calls mix; a detach by a redzone's address works. */
START_TEST(batch_mixes)
{
	void *v[4], *one;
	char *before;

	before = listing();
	ck_assert_int_eq(segattachguardedn(SG_NOEXEC, "memory", Body, Guard, 4, v), 0);
	ck_assert_int_eq(segdetach(v[2]), 0);
	one = segattachguarded(SG_NOEXEC, "memory", 0, Body, Guard);
	ck_assert(one != FAILED);
	v[2] = one;
	v[3] = (char *)v[3] + Body;
	ck_assert_int_eq(segdetachn(v, 4), 0);
	ck_listing_is(before);
	free(before);
}
END_TEST

/* What does not go into arenas is made one by one, just as well. */
START_TEST(batch_not_arenas)
{
	static const struct {
		int		attr;
		const char	*cls;
		unsigned long	guard;
	} k[] = {
		{ 0, "shared", Guard },
		{ SG_RONLY, "memory", Guard },
		{ 0, "memory", 0 },
	};
	void *v[3];
	char *before;
	size_t i;

	before = listing();
	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		ck_assert_msg(segattachguardedn(k[i].attr, k[i].cls, Body, k[i].guard, 3, v) == 0,
			      "%s: %s", k[i].cls, segerrstr());
		ck_listed(k[i].cls, k[i].attr ? "R" : "", ADDR(v[1]), ADDR(v[1]) + Body, 1);
		ck_assert_int_eq(segdetachn(v, 3), 0);
		ck_listing_is(before);
	}
	free(before);
}
END_TEST

START_TEST(batch_bad_args)
{
	void *v[2] = { NULL, NULL };
	char *before;

	before = listing();
	ck_fails(segattachguardedn(0, "memory", Body, Guard, 0, v), -1, EINVAL, EBADARG);
	ck_fails(segattachguardedn(0, "memory", Body, Guard, -1, v), -1, EINVAL, EBADARG);
	ck_fails(segattachguardedn(0, "memory", Body, Guard, 1025, v), -1, EINVAL, EBADARG);
	ck_fails(segattachguardedn(0, "memory", Body, Guard, 2, NULL), -1, EINVAL, EBADARG);
	ck_fails(segattachguardedn(0, "memory", 0, Guard, 2, v), -1, EINVAL, EBADARG);
	ck_fails(segattachguardedn(0, NULL, Body, Guard, 2, v), -1, EINVAL, EBADARG);
	ck_fails(segattachguardedn(0, "nonesuch", Body, Guard, 2, v), -1, EINVAL, ENOCLASS);
	ck_fails(segattachguardedn(0x1, "memory", Body, Guard, 2, v), -1, EINVAL, EBADARG);
	ck_fails(segdetachn(v, 0), -1, EINVAL, EBADARG);
	ck_fails(segdetachn(v, 1025), -1, EINVAL, EBADARG);
	ck_fails(segdetachn(NULL, 2), -1, EINVAL, EBADARG);
	ck_listing_is(before);
	free(before);
}
END_TEST

/* One address that is no segment's, or one attach named twice: none goes. */
START_TEST(batch_detach_all_or_nothing)
{
	void *v[8], *bad[8];
	char *before, *after;
	int i, j;
	void *plain;

	plain = segattach(0, "memory", 0, PG);
	ck_assert(plain != FAILED);
	ck_assert_int_eq(segattachguardedn(0, "memory", Body, Guard, 8, v), 0);
	before = listing();
	for (j = 0; j < 3; j++) {
		memcpy(bad, v, sizeof v);
		if (j == 0)
			bad[5] = (void *)freeaddr(PG);
		else if (j == 1)
			bad[7] = (void *)(uintptr_t)PG;
		else
			bad[1] = (char *)v[6] + PG;	/* v[6] twice */
		ck_fails(segdetachn(bad, 8), -1, EINVAL, EBADARG);
		after = listing();
		ck_assert_msg(strcmp(after, before) == 0, "case %d detached something", j);
		free(after);
	}
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(((char *)v[i])[0], 0);
	/* A plain segment among them batches too (one by one). */
	memcpy(bad, v, sizeof v);
	ck_assert_int_eq(segdetachn(bad, 8), 0);
	ck_assert_int_eq(segdetachn(&plain, 1), 0);
	free(before);
}
END_TEST

/*
 * Out of address space in the middle of a batch: a new arena (or, for
 * "shared", a segment) cannot be had.  Nothing the call made stays.
 */
static int
midway(void *arg)
{
	const char *cls = arg;
	enum { Many = 200 };
	unsigned long big = 16UL << 20;
	struct rlimit rl;
	void **v;
	char *before, *after;
	int rv, e;

	v = calloc(Many, sizeof *v);
	before = listing();
	/* One arena of 16 MiB spans holds 64: room for about 90 bodies. */
	rl.rlim_cur = rl.rlim_max = (statuskb("VmSize:") << 10) + 90 * (big + 2 * Guard);
	if (v == NULL || setrlimit(RLIMIT_AS, &rl) < 0)
		return 1;
	rv = segattachguardedn(SG_NOEXEC, cls, big, Guard, Many, v);
	e = errno;
	after = listing();
	if (rv != -1 || e != ENOMEM || strcmp(segerrstr(), ENOVMEM) != 0) {
		fprintf(stderr, "midway %s: rv %d errno %d %s\n", cls, rv, e, segerrstr());
		return 2;
	}
	if (strcmp(after, before) != 0) {
		fprintf(stderr, "midway %s: left\n%s\nwas\n%s\n", cls, after, before);
		return 3;
	}
	/* And with room, it works. */
	rv = segattachguardedn(SG_NOEXEC, cls, big, Guard, 60, v);
	if (rv != 0 || segdetachn(v, 60) != 0)
		return 4;
	return 0;
}

START_TEST(batch_fails_midway)
{
	inchild(midway, "memory");
	inchild(midway, "shared");
}
END_TEST

/* A detach's memory goes back at once. */
START_TEST(batch_returns_memory)
{
	void *v[16];
	long r0, r1, r2;
	int i;

	ck_assert_int_eq(segattachguardedn(SG_NOEXEC, "memory", 1 << 20, Guard, 16, v), 0);
	r0 = statuskb("RssAnon:");
	for (i = 0; i < 16; i++)
		memset(v[i], 1, 1 << 20);
	r1 = statuskb("RssAnon:");
	ck_assert_int_eq(segdetachn(v, 16), 0);
	r2 = statuskb("RssAnon:");
	ck_assert_msg(r1 - r0 >= 15 * 1024 && r1 - r2 >= 15 * 1024,
		      "RssAnon %ld -> %ld -> %ld kB", r0, r1, r2);
}
END_TEST

TCase *
tc_batch(void)
{
	TCase *tc = tcase_create("batch");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, batch_attach_detach);
	tcase_add_test(tc, batch_mixes);
	tcase_add_test(tc, batch_not_arenas);
	tcase_add_test(tc, batch_bad_args);
	tcase_add_test(tc, batch_detach_all_or_nothing);
	tcase_add_test(tc, batch_fails_midway);
	tcase_add_test(tc, batch_returns_memory);
	return tc;
}
