// SPDX-License-Identifier: MIT
/*
 * Guarded "memory" segments with no address and no SG_COMMIT, which both
 * backends may put into stack arenas (doc/arenas.md): the user backend on
 * Linux 6.13+, the module once it has them.  What must hold whichever way
 * they are made: redzones and freed space fault, detach and segfree give
 * memory back, fork copies them with their redzones, threads may make and
 * free them at once, and many fit in few VMAs where arenas are in use.
 * The user backend's older paths are forced through arenahook.h.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_seg.h"
#include "maps.h"
#include "../../libseg/arenahook.h"

enum { Guard = 4 * PG, Body = 5 * PG };

/* How a fault at p ends in a forked child: its si_code and si_addr. */
struct fault {
	int		sig;
	int		code;
	uintptr_t	addr;
};
static struct fault *shared;

static void
onsegv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	shared->sig = sig;
	shared->code = si->si_code;
	shared->addr = ADDR(si->si_addr);
	_exit(0);
}

/*
 * Mapped once before the tests fork: mapped later, it could land in the
 * hole a detach just left (the fallback's mappings), where a test expects
 * a fault.
 */
static void
faultsetup(void)
{
	shared = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		abort();
}

/* A fork that fails reads as no fault. */
static struct fault
faultat(void (*f)(uintptr_t), uintptr_t p)
{
	struct sigaction sa;
	int status;
	pid_t pid;

	*shared = (struct fault){ 0 };
	pid = fork();
	if (pid == 0) {
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = onsegv;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		f(p);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		shared->sig = -1;
	return *shared;
}

/* The access faulted with SIGSEGV at p, SEGV_MAPERR or SEGV_ACCERR. */
static void
ck_faulted(struct fault r, uintptr_t p)
{
	ck_assert_msg(r.sig == SIGSEGV, "no fault at %#lx", (unsigned long)p);
	ck_assert_msg(r.code == SEGV_MAPERR || r.code == SEGV_ACCERR, "si_code %d", r.code);
	ck_assert_uint_eq(r.addr, p);
}

static void
ck_faults(void (*f)(uintptr_t), uintptr_t p)
{
	ck_faulted(faultat(f, p), p);
}

static long
rssanon(void)
{
	char *s, *l;
	long kb;

	s = readall("/proc/self/status", NULL);
	ck_assert_ptr_nonnull(s);
	l = strstr(s, "RssAnon:");
	ck_assert_ptr_nonnull(l);
	kb = atol(l + 8);
	free(s);
	return kb;
}

/* The listing and the kernel agree that [lo, hi) is one guarded attach's. */
static void
ck_trio(uintptr_t b, unsigned long len, unsigned long guard)
{
	ck_listed("memory", " N", b - guard, b, 1);
	ck_listed("memory", "", b, b + len, 1);
	ck_listed("memory", " N", b + len, b + len + guard, 1);
}

/* Every byte below and above the body faults, with the address reported. */
START_TEST(arena_overflow)
{
	uintptr_t b;
	void *p;

	p = segattachguarded(0, "memory", 0, Body, Guard);
	ck_assert_msg(p != FAILED, "%s", segerrstr());
	b = ADDR(p);
	ck_trio(b, Body, Guard);
	ck_assert(allzero(b, Body));
	memset(p, 7, Body);
	ck_faults(wr, b - 1);
	ck_faults(rd, b - Guard);
	ck_faults(wr, b + Body);
	ck_faults(rd, b + Body + Guard - 1);
	ck_assert_int_eq(diesig(wr, b), 0);
	ck_assert_int_eq(diesig(wr, b + Body - 1), 0);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* A detached span faults (or is gone), a new one there reads zero. */
START_TEST(arena_free_space_faults)
{
	struct fault f[4];
	uintptr_t b, c;
	int rv;
	void *p, *q;

	p = segattachguarded(SG_NOEXEC, "memory", 0, Body, Guard);
	q = segattachguarded(SG_NOEXEC, "memory", 0, Body, Guard);
	ck_assert(p != FAILED && q != FAILED);
	b = ADDR(p);
	c = ADDR(q);
	memset(p, 1, Body);
	memset(q, 2, Body);
	/*
	 * A fork first: the user backend maps its fork bookkeeping at the
	 * first one (shref.c), which must not land where p was.
	 */
	ck_faults(wr, c - 1);
	rv = segdetach((void *)(b + Body));	/* by the high redzone */
	/*
	 * Probe before any assertion: where the span was mappings of its
	 * own, the next mmap may reuse the hole.
	 */
	f[0] = faultat(rd, b - Guard);
	f[1] = faultat(wr, b);
	f[2] = faultat(rd, b + Body - 1);
	f[3] = faultat(wr, b + Body + Guard - 1);
	ck_assert_int_eq(rv, 0);
	ck_faulted(f[0], b - Guard);
	ck_faulted(f[1], b);
	ck_faulted(f[2], b + Body - 1);
	ck_faulted(f[3], b + Body + Guard - 1);
	/* (Not ck_unlisted: q's redzone may end where p's began.) */
	ck_assert(!islisted("memory", " N", b - Guard, b, 1));
	ck_assert(!islisted("memory", "", b, b + Body, 1));
	ck_assert(!islisted("memory", " N", b + Body, b + Body + Guard, 1));
	ck_fails(segdetach(p), -1, EINVAL, EBADARG);
	ck_fails(segfree(p, PG), -1, EINVAL, EBADARG);
	/* The neighbour is untouched. */
	ck_assert_int_eq(((char *)q)[0], 2);
	ck_assert_int_eq(((char *)q)[Body - 1], 2);
	ck_trio(c, Body, Guard);
	/* Whatever comes next is zero, wherever it goes. */
	p = segattachguarded(SG_NOEXEC, "memory", 0, Body, Guard);
	ck_assert(p != FAILED);
	ck_assert(allzero(ADDR(p), Body));
	ck_assert_int_eq(segdetach(p), 0);
	ck_assert_int_eq(segdetach(q), 0);
}
END_TEST

/* Detach gives the body's pages back at once; segfree drops them, keeps the body. */
START_TEST(arena_detach_returns_memory)
{
	unsigned long len = 8 << 20;
	long r0, r1, r2, r3;
	char *p;

	p = segattachguarded(SG_NOEXEC, "memory", 0, len, Guard);
	ck_assert(p != FAILED);
	r0 = rssanon();
	memset(p, 3, len);
	r1 = rssanon();
	ck_assert_msg(r1 - r0 >= 7 * 1024, "RssAnon %ld -> %ld kB", r0, r1);
	ck_assert_int_eq(segfree(p, len / 2), 0);
	r2 = rssanon();
	ck_assert_msg(r1 - r2 >= 3 * 1024, "segfree: RssAnon %ld -> %ld kB", r1, r2);
	ck_assert(allzero(ADDR(p), len / 2));
	ck_assert_int_eq(p[len / 2], 3);
	ck_trio(ADDR(p), len, Guard);
	ck_assert_int_eq(segdetach(p), 0);
	r3 = rssanon();
	ck_assert_msg(r2 - r3 >= 3 * 1024, "detach: RssAnon %ld -> %ld kB", r2, r3);
	printf("arena_detach_returns_memory: RssAnon %ld -> %ld kB touched, %ld kB after "
	       "segfree of half, %ld kB after detach\n", r0, r1, r2, r3);
}
END_TEST

/* segbrk cannot move an arena body; asking for its base works. */
START_TEST(arena_brk)
{
	void *p;

	p = segattachguarded(0, "memory", 0, Body, Guard);
	ck_assert(p != FAILED);
	ck_fails(segbrk(p, (char *)p + Body + PG), FAILED, EINVAL, EBADARG);
	ck_fails(segbrk(p, (char *)p + PG), FAILED, EINVAL, EBADARG);
	ck_assert_ptr_eq(segbrk(p, 0), p);
	ck_trio(ADDR(p), Body, Guard);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

struct forked {
	char	*p;	/* written 'p' by the parent */
	char	*never;	/* never written */
};

static int
forkchild(void *arg)
{
	struct forked *f = arg;
	uintptr_t b = ADDR(f->p);
	char *q;

	if (f->p[0] != 'p' || f->p[Body - 1] != 'p' || f->never[0] != 0)
		return 1;
	if (!islisted("memory", " N", b - Guard, b, 1) ||
	    !islisted("memory", "", b, b + Body, 1) ||
	    !islisted("memory", " N", b + Body, b + Body + Guard, 1))
		return 2;
	/* Redzones are intact in the child, of both. */
	if (diesig(wr, b - 1) != SIGSEGV || diesig(rd, b + Body) != SIGSEGV ||
	    diesig(wr, ADDR(f->never) - 1) != SIGSEGV ||
	    diesig(rd, ADDR(f->never) + Body) != SIGSEGV)
		return 3;
	f->p[0] = 'c';
	f->never[0] = 'c';
	/* The child's attaches and detaches are its own. */
	q = segattachguarded(0, "memory", 0, Body, Guard);
	if (q == FAILED || !allzero(ADDR(q), Body))
		return 4;
	q[0] = 'q';
	if (segdetach(f->never) != 0 || diesig(rd, ADDR(f->never)) != SIGSEGV)
		return 5;
	if (segdetach(q) != 0)
		return 6;
	return 0;
}

/* fork: the child's copy is its own, with every redzone. */
START_TEST(arena_fork)
{
	struct forked f;

	f.p = segattachguarded(0, "memory", 0, Body, Guard);
	f.never = segattachguarded(0, "memory", 0, Body, Guard);
	ck_assert(f.p != FAILED && f.never != FAILED);
	memset(f.p, 'p', Body);
	inchild(forkchild, &f);
	ck_assert_int_eq(f.p[0], 'p');
	ck_assert_int_eq(f.never[0], 0);
	ck_trio(ADDR(f.p), Body, Guard);
	ck_trio(ADDR(f.never), Body, Guard);
	ck_faults(wr, ADDR(f.never) - 1);
	ck_assert_int_eq(segdetach(f.p), 0);
	ck_assert_int_eq(segdetach(f.never), 0);
}
END_TEST

/*
 * The VMAs holding the addresses p[0..n) (ascending VMAs from maps_read):
 * how many, the first max of them into out.
 */
static int
holders(char **p, int n, struct map *out, int max)
{
	struct map *v;
	int nv, i, lo, hi, mid, k;

	nv = maps_read(&v);
	ck_assert_int_ge(nv, 0);
	k = 0;
	for (i = 0; i < n; i++) {
		lo = 0;
		hi = nv;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (v[mid].end <= ADDR(p[i]))
				lo = mid + 1;
			else
				hi = mid;
		}
		ck_assert(lo < nv && v[lo].start <= ADDR(p[i]));
		if (k > 0 && k <= max && out[k - 1].start == v[lo].start)
			continue;
		if (k < max)
			out[k] = v[lo];
		k++;
	}
	free(v);
	return k;
}

/*
 * Do guarded attaches here share VMAs (an arena, or mappings that
 * merge)?  Then many of them fit under vm.max_map_count.
 */
static int
fewvmas(void)
{
	struct map held[8];
	char *p[8];
	int i, k;

	for (i = 0; i < 8; i++) {
		p[i] = segattachguarded(SG_NOEXEC, "memory", 0, Body, Guard);
		ck_assert(p[i] != FAILED);
		*p[i] = 1;
	}
	k = holders(p, 8, held, 8);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(segdetach(p[i]), 0);
	return k <= 2;
}

/*
 * Many alive, each its own, in few VMAs where guarded attaches share them:
 * 100,000 on the user backend (natively), 40,000 on the module (in the
 * VM; more than vm.max_map_count allows three-VMA stacks).  Else 500
 * (three VMAs each; tc_many makes 10,000 plain segments).  The user
 * backend's arenas but one go back after.
 */
START_TEST(arena_many)
{
	enum { Len = 4 * PG, Zone = 4 * PG, Max = 64 };
	struct map held[Max];
	char **p;
	int n, i, k, left, few;

	few = fewvmas();
	n = !few ? 500 : wantbackend == SEG_BACKEND_USER ? 100000 : 40000;
	p = malloc(n * sizeof *p);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++) {
		p[i] = segattachguarded(SG_NOEXEC, "memory", 0, Len, Zone);
		ck_assert_msg(p[i] != FAILED, "attach %d: %s", i, segerrstr());
		*(int *)p[i] = i;
		*(int *)(p[i] + Len - sizeof(int)) = i;
	}
	/* Not sorted by address: a VMA counts once only if its bodies come together. */
	k = holders(p, n, held, Max);
	printf("arena_many: %d guarded segments alive, their bodies in %d VMAs (%s backend)\n",
	       n, k, segbackendname());
	fflush(stdout);
	if (few)
		ck_assert_msg(k <= n / 1000, "%d VMAs for %d segments", k, n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(*(int *)p[i], i);
		ck_assert_int_eq(*(int *)(p[i] + Len - sizeof(int)), i);
	}
	ck_faults(wr, ADDR(p[n / 2]) - 1);
	ck_faults(rd, ADDR(p[n - 1]) + Len);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(segdetach(p[i]), 0);
	free(p);
	if (wantbackend != SEG_BACKEND_USER || k > Max)
		return;
	for (left = i = 0; i < k; i++)
		left += maps_overlap(held[i].start, held[i].end, NULL) == 1;
	ck_assert_msg(left <= 1, "%d of the %d VMAs left after every detach", left, k);
}
END_TEST

enum { Rounds = 300, Keep = 8 };

static void *
churn(void *arg)
{
	uintptr_t id = ADDR(arg);
	char *alive[Keep];
	int i, k, j;

	memset(alive, 0, sizeof alive);
	for (i = 0; i < Rounds; i++) {
		k = i % Keep;
		if (alive[k] != NULL) {
			for (j = 0; j < (int)Body; j += PG)
				if (alive[k][j] != (char)id)
					return (void *)1;
			if (segdetach(alive[k]) != 0)
				return (void *)2;
		}
		alive[k] = segattachguarded(SG_NOEXEC, "memory", 0, Body, Guard);
		if (alive[k] == FAILED)
			return (void *)3;
		for (j = 0; j < (int)Body; j += PG) {
			if (alive[k][j] != 0)
				return (void *)4;
			alive[k][j] = (char)id;
		}
	}
	for (k = 0; k < Keep; k++)
		if (segdetach(alive[k]) != 0)
			return (void *)5;
	return NULL;
}

/* Two threads making and freeing at once: each body its own, zero when made. */
START_TEST(arena_threads)
{
	pthread_t t[2];
	void *rv;
	char *l;
	int i, n0;

	l = listing();
	n0 = nlines(l);
	free(l);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
	l = listing();
	ck_assert_int_eq(nlines(l), n0);
	free(l);
}
END_TEST

/* The user backend's older paths, forced: mappings with markers, PROT_NONE mappings. */
START_TEST(arena_fallback)
{
	uintptr_t b, lo, hi;
	char perms[5];
	int pass;
	void *p;

	if (wantbackend != SEG_BACKEND_USER)
		return;
	for (pass = 0; pass < 2; pass++) {
		_segnoarena = pass == 0;
		_segnoguards = pass == 1;
		p = segattachguarded(0, "memory", 0, Body, Guard);
		ck_assert_msg(p != FAILED, "%s", segerrstr());
		b = ADDR(p);
		ck_trio(b, Body, Guard);
		memset(p, 1, Body);
		ck_faults(wr, b - 1);
		ck_faults(rd, b + Body);
		if (pass == 1) {
			ck_assert(vmaof(b - 1, &lo, &hi, perms));
			ck_assert_str_eq(perms, "---p");
			ck_assert_uint_eq(lo, b - Guard);
			ck_assert_uint_eq(hi, b);
		}
		ck_assert_int_eq(segdetach(p), 0);
		ck_assert(!mapped(b - Guard, b + Body + Guard));
	}
	_segnoarena = 0;
	_segnoguards = 0;
}
END_TEST

TCase *
tc_arena(void)
{
	TCase *tc = tcase_create("arena");

	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, faultsetup, NULL);
	tcase_add_test(tc, arena_overflow);
	tcase_add_test(tc, arena_free_space_faults);
	tcase_add_test(tc, arena_detach_returns_memory);
	tcase_add_test(tc, arena_brk);
	tcase_add_test(tc, arena_fork);
	tcase_add_test(tc, arena_many);
	tcase_add_test(tc, arena_threads);
	tcase_add_test(tc, arena_fallback);
	return tc;
}
