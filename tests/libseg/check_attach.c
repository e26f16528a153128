// SPDX-License-Identifier: MIT
/* segattach and segattachguarded: doc/contract.md §1.2, §1.3, §1.5. */
#include <signal.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check_seg.h"

START_TEST(attach_memory)
{
	uintptr_t b, lo, hi;
	char perms[5];
	void *p;

	p = segattach(0, "memory", 0, 3 * PG + 5);
	ck_assert_ptr_ne(p, FAILED);
	b = ADDR(p);
	ck_assert_uint_eq(b % PG, 0);
	ck_assert(allzero(b, 4 * PG));
	memset(p, 0xa5, 4 * PG);
	ck_assert(vmaof(b, &lo, &hi, perms));
	ck_assert_str_eq(perms, "rwxp");
	ck_listed("memory", "", b, b + 4 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
	ck_assert(!mapped(b, b + 4 * PG));
	ck_unlisted(b);
}
END_TEST

START_TEST(attach_shared)
{
	uintptr_t lo, hi;
	char perms[5];
	void *p;

	p = segattach(0, "shared", 0, PG);
	ck_assert_ptr_ne(p, FAILED);
	ck_assert(allzero(ADDR(p), PG));
	ck_assert(vmaof(ADDR(p), &lo, &hi, perms));
	ck_assert_str_eq(perms, "rwxs");
	ck_listed("shared", "", ADDR(p), ADDR(p) + PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* va is rounded down and len grows by va's offset, then rounds up. */
START_TEST(attach_fixed_rounding)
{
	uintptr_t va;
	void *p;

	va = freeaddr(2 * PG);
	p = segattach(0, "memory", (void *)(va + 100), PG);
	ck_assert_ptr_eq(p, (void *)va);
	ck_listed("memory", "", va, va + 2 * PG, 1);
	wr(va + 2 * PG - 1);
	ck_assert_int_eq(segdetach((void *)(va + PG + 7)), 0);
	ck_assert(!mapped(va, va + 2 * PG));

	p = segattach(0, "memory", (void *)va, PG + 1);
	ck_assert_ptr_eq(p, (void *)va);
	ck_listed("memory", "", va, va + 2 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* Overlap with a segment or any other mapping: EEXIST, nothing changes. */
START_TEST(attach_overlap)
{
	uintptr_t va, lo, hi;
	char perms[5];
	void *p, *m;

	va = freeaddr(4 * PG);
	p = segattach(0, "memory", (void *)(va + PG), 2 * PG);
	ck_assert_ptr_eq(p, (void *)(va + PG));
	memset(p, 'x', 2 * PG);

	ck_fails(segattach(0, "memory", (void *)va, 2 * PG), FAILED, EEXIST, ESOVERLAP);
	ck_fails(segattach(0, "shared", (void *)(va + 2 * PG), 2 * PG), FAILED, EEXIST, ESOVERLAP);
	ck_fails(segattach(0, "memory", (void *)va, 4 * PG), FAILED, EEXIST, ESOVERLAP);
	ck_fails(segattachguarded(0, "memory", (void *)(va + 3 * PG), PG, PG), FAILED, EEXIST, ESOVERLAP);
	ck_assert(!mapped(va, va + PG));
	ck_assert(!mapped(va + 3 * PG, va + 4 * PG));
	ck_assert_int_eq(((char *)p)[0], 'x');
	ck_assert_int_eq(((char *)p)[2 * PG - 1], 'x');
	ck_listed("memory", "", va + PG, va + 3 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);

	/* Not a segment: a plain mapping is protected all the same. */
	m = mmap((void *)va, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert_ptr_eq(m, (void *)va);
	ck_fails(segattach(0, "memory", (void *)va, PG), FAILED, EEXIST, ESOVERLAP);
	ck_assert(vmaof(va, &lo, &hi, perms));
	ck_assert_str_eq(perms, "r--p");
	ck_unlisted(va);
	munmap(m, PG);
}
END_TEST

/* Protections: exec unless SG_NOEXEC, write unless SG_RONLY, nothing with SG_NONE. */
START_TEST(attrs_prot)
{
	static const struct {
		int	attr;
		const char *cls;
		const char *perms;
		const char *flags;
	} t[] = {
		{ SG_NOEXEC, "memory", "rw-p", "" },
		{ SG_RONLY, "memory", "r-xp", "R" },
		{ SG_RONLY | SG_NOEXEC, "memory", "r--p", "R" },
		{ SG_NONE, "memory", "---p", " N" },
		{ SG_NONE, "shared", "---p", " N" },	/* no pages to share */
		{ SG_FAULT | SG_RONLY, "memory", "---p", "RN" },
		{ SG_NOEXEC, "shared", "rw-s", "" },
		{ SG_RONLY, "shared", "r-xs", "R" },
		{ SG_SAS, "memory", "rwxp", "   S" },
		{ SG_CEXEC, "memory", "rwxp", "    X" },
		{ SG_CEXEC | SG_SAS | SG_RONLY | SG_NOEXEC, "shared", "r--s", "R  SX" },
	};
	uintptr_t lo, hi;
	char perms[5];
	size_t i;
	void *p;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		p = segattach(t[i].attr, t[i].cls, 0, 2 * PG);
		ck_assert_msg(p != FAILED, "attr %#o: %s", t[i].attr, segerrstr());
		ck_assert(vmaof(ADDR(p), &lo, &hi, perms));
		ck_assert_msg(strcmp(perms, t[i].perms) == 0, "attr %#o %s: %s, want %s",
			      t[i].attr, t[i].cls, perms, t[i].perms);
		ck_listed(t[i].cls, t[i].flags, ADDR(p), ADDR(p) + 2 * PG, 1);
		ck_assert_int_eq(segdetach(p), 0);
	}
}
END_TEST

/* SG_NONE: any access faults; SG_RONLY: a write faults, a read does not. */
START_TEST(attrs_faults)
{
	void *n, *nr, *r;

	n = segattach(SG_NONE, "memory", 0, PG);
	nr = segattach(SG_NONE | SG_RONLY, "shared", 0, PG);
	r = segattach(SG_RONLY, "memory", 0, PG);
	ck_assert_ptr_ne(n, FAILED);
	ck_assert_ptr_ne(nr, FAILED);
	ck_assert_ptr_ne(r, FAILED);
	ck_assert_int_eq(diesig(rd, ADDR(n)), SIGSEGV);
	ck_assert_int_eq(diesig(wr, ADDR(n) + 10), SIGSEGV);
	ck_assert_int_eq(diesig(rd, ADDR(nr)), SIGSEGV);
	ck_assert_int_eq(diesig(wr, ADDR(nr)), SIGSEGV);
	ck_assert_int_eq(diesig(rd, ADDR(r)), 0);
	ck_assert_int_eq(diesig(wr, ADDR(r)), SIGSEGV);
	ck_assert(allzero(ADDR(r), PG));
	ck_assert(!resident(ADDR(n), PG));
	ck_assert_int_eq(segdetach(n), 0);
	ck_assert_int_eq(segdetach(nr), 0);
	ck_assert_int_eq(segdetach(r), 0);
}
END_TEST

/* Every bad argument: its errno and text, and nothing mapped. */
START_TEST(badargs)
{
	static const int badattr[] = {
		01, 02, 04, 010, 020, 0400, 01000, 020000, 1 << 20, 1 << 30, -1,
		SG_NONE | SG_COMMIT, SG_FAULT | SG_COMMIT | SG_RONLY,
	};
	uintptr_t va;
	size_t i;
	int before;
	char *l;

	l = listing();
	before = nlines(l);
	free(l);
	va = freeaddr(4 * PG);

	ck_fails(segattach(0, NULL, (void *)va, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "bogus", (void *)va, PG), FAILED, EINVAL, ENOCLASS);
	ck_fails(segattach(0, "", (void *)va, PG), FAILED, EINVAL, ENOCLASS);
	ck_fails(segattach(0, "Memory", (void *)va, PG), FAILED, EINVAL, ENOCLASS);
	ck_fails(segattach(0, "memory ", (void *)va, PG), FAILED, EINVAL, ENOCLASS);
	ck_fails(segattachguarded(0, NULL, (void *)va, PG, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattachguarded(0, "stack", 0, PG, PG), FAILED, EINVAL, ENOCLASS);
	for (i = 0; i < sizeof badattr / sizeof badattr[0]; i++) {
		ck_fails(segattach(badattr[i], "memory", (void *)va, PG), FAILED, EINVAL, EBADARG);
		ck_fails(segattach(badattr[i], "shared", 0, PG), FAILED, EINVAL, EBADARG);
		ck_fails(segattachguarded(badattr[i], "memory", 0, PG, PG), FAILED, EINVAL, EBADARG);
	}

	/* Lengths: zero, more than user space, wrapping once rounded. */
	ck_fails(segattach(0, "memory", 0, 0), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)va, 0), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", 0, ~0UL), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", 0, ~0UL - PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", 0, 1UL << 47), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)(va + 1), ~0UL), FAILED, EINVAL, EBADARG);
	ck_fails(segattachguarded(0, "memory", 0, 0, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattachguarded(0, "memory", 0, PG, ~0UL), FAILED, EINVAL, EBADARG);
	ck_fails(segattachguarded(0, "memory", 0, PG, USTKTOP / 2), FAILED, EINVAL, EBADARG);

	/* Addresses outside user space, or ranges leaving it. */
	ck_fails(segattach(0, "memory", (void *)USTKTOP, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)(USTKTOP - PG), 2 * PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)0xffff800000000000UL, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)~0UL, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)(~0UL - 3 * PG), 8 * PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattach(0, "memory", (void *)0x10, PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattachguarded(0, "memory", (void *)PG, PG, 2 * PG), FAILED, EINVAL, EBADARG);
	ck_fails(segattachguarded(0, "memory", (void *)(USTKTOP - 2 * PG), PG, PG + 1), FAILED,
		 EINVAL, EBADARG);

	ck_assert(!mapped(va - PG, va + 5 * PG));
	l = listing();
	ck_assert_int_eq(nlines(l), before);
	free(l);
}
END_TEST

static int
dropipclock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	d[0].permitted &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

static void
setmemlock(rlim_t n)
{
	struct rlimit rl;

	/* Only the soft limit: it is the one mlock obeys, and it can go up again. */
	ck_assert_int_eq(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	rl.rlim_cur = n;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < n)
		rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(dropipclock(), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
}

/* SG_COMMIT: every page resident and locked before the call returns. */
START_TEST(commit_attach)
{
	uintptr_t b;
	void *p, *s;

	p = segattach(SG_COMMIT, "memory", 0, 64 * PG);
	ck_assert_msg(p != FAILED, "%s", segerrstr());
	b = ADDR(p);
	ck_assert(resident(b, 64 * PG));
	ck_assert(locked(b, 64 * PG));
	ck_assert(allzero(b, 64 * PG));
	ck_listed("memory", "  C", b, b + 64 * PG, 1);

	s = segattach(SG_COMMIT | SG_RONLY, "shared", 0, 8 * PG);
	ck_assert_msg(s != FAILED, "%s", segerrstr());
	ck_assert(resident(ADDR(s), 8 * PG));
	ck_assert(locked(ADDR(s), 8 * PG));
	ck_listed("shared", "R C", ADDR(s), ADDR(s) + 8 * PG, 1);

	ck_assert_int_eq(segdetach(p), 0);
	ck_assert_int_eq(segdetach(s), 0);
	ck_assert(!mapped(b, b + 64 * PG));
}
END_TEST

/* No locked memory at all: EPERM; over the limit: ENOMEM; nothing stays. */
START_TEST(commit_limits)
{
	uintptr_t va;
	void *p;

	va = freeaddr(16 * PG);
	setmemlock(0);
	ck_fails(segattach(SG_COMMIT, "memory", (void *)va, PG), FAILED, EPERM, ECOMMIT);
	ck_fails(segattachguarded(SG_COMMIT, "shared", (void *)(va + PG), PG, PG), FAILED, EPERM,
		 ECOMMIT);
	ck_assert(!mapped(va - PG, va + 17 * PG));
	ck_unlisted(va);

	setmemlock(4 * PG);
	ck_fails(segattach(SG_COMMIT, "memory", (void *)va, 8 * PG), FAILED, ENOMEM, ECOMMIT);
	ck_fails(segattach(SG_COMMIT, "shared", (void *)va, 5 * PG), FAILED, ENOMEM, ECOMMIT);
	ck_assert(!mapped(va - PG, va + 17 * PG));
	ck_unlisted(va);

	/* Within the limit it works, and the charge comes back on detach. */
	p = segattach(SG_COMMIT, "memory", (void *)va, 3 * PG);
	ck_assert_msg(p == (void *)va, "%s", segerrstr());
	ck_assert(locked(va, 3 * PG));
	ck_assert(!mapped(va + 3 * PG, va + 4 * PG));
	ck_fails(segattach(SG_COMMIT, "memory", 0, 2 * PG), FAILED, ENOMEM, ECOMMIT);
	ck_assert_int_eq(segdetach(p), 0);
	p = segattach(SG_COMMIT, "memory", 0, 4 * PG);
	ck_assert_msg(p != FAILED, "%s", segerrstr());
	ck_assert_int_eq(segdetach(p), 0);
	/* Uncommitted memory is not charged. */
	p = segattach(0, "memory", 0, 64 * PG);
	ck_assert_ptr_ne(p, FAILED);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* Three segments, redzones fault, one detach removes all three. */
START_TEST(guarded)
{
	uintptr_t b;
	void *p;
	int i;

	for (i = 0; i < 3; i++) {
		p = segattachguarded(0, "memory", 0, 3 * PG, 2 * PG);
		ck_assert_msg(p != FAILED, "%s", segerrstr());
		b = ADDR(p);
		ck_listed("memory", " N", b - 2 * PG, b, 1);
		ck_listed("memory", "", b, b + 3 * PG, 1);
		ck_listed("memory", " N", b + 3 * PG, b + 5 * PG, 1);
		ck_assert(allzero(b, 3 * PG));
		memset(p, 1, 3 * PG);
		ck_assert_int_eq(diesig(rd, b - 1), SIGSEGV);
		ck_assert_int_eq(diesig(wr, b - 1), SIGSEGV);
		ck_assert_int_eq(diesig(wr, b - 2 * PG), SIGSEGV);
		ck_assert_int_eq(diesig(rd, b + 3 * PG), SIGSEGV);
		ck_assert_int_eq(diesig(wr, b + 5 * PG - 1), SIGSEGV);
		ck_assert_int_eq(diesig(wr, b), 0);
		/* Detach through the low redzone, the body, the high redzone. */
		ck_assert_int_eq(segdetach((void *)(i == 0 ? b - PG : i == 1 ? b + PG : b + 4 * PG)), 0);
		ck_assert(gone(b - 2 * PG, b + 5 * PG));
		ck_unlisted(b - 2 * PG);
		ck_unlisted(b);
		ck_unlisted(b + 3 * PG);
		ck_fails(segdetach((void *)b), -1, EINVAL, EBADARG);
	}
}
END_TEST

START_TEST(guarded_fixed)
{
	uintptr_t va;
	void *p, *m;

	/* va is the body's; the guard rounds up to a page. */
	va = freeaddr(6 * PG) + 2 * PG;
	p = segattachguarded(SG_NOEXEC, "shared", (void *)(va + 5), PG + 5, 1);
	ck_assert_ptr_eq(p, (void *)va);
	ck_listed("memory", " N", va - PG, va, 1);
	ck_listed("shared", "", va, va + 2 * PG, 1);
	ck_listed("memory", " N", va + 2 * PG, va + 3 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
	ck_assert(!mapped(va - PG, va + 3 * PG));

	/* Something where a redzone would go: EEXIST, nothing mapped. */
	m = mmap((void *)(va + 2 * PG), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert_ptr_eq(m, (void *)(va + 2 * PG));
	ck_fails(segattachguarded(0, "memory", (void *)va, 2 * PG, PG), FAILED, EEXIST, ESOVERLAP);
	ck_assert(!mapped(va - PG, va + 2 * PG));
	munmap(m, PG);

	/* guard 0 is a plain segment. */
	p = segattachguarded(0, "memory", (void *)va, PG, 0);
	ck_assert_ptr_eq(p, (void *)va);
	ck_listed("memory", "", va, va + PG, 1);
	ck_assert(!mapped(va - PG, va));
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* The three-call way still works, and each is its own segment. */
START_TEST(guarded_by_hand)
{
	uintptr_t va;

	va = freeaddr(4 * PG);
	ck_assert_ptr_eq(segattach(SG_NONE, "memory", (void *)va, PG), (void *)va);
	ck_assert_ptr_eq(segattach(0, "memory", (void *)(va + PG), 2 * PG), (void *)(va + PG));
	ck_assert_ptr_eq(segattach(SG_NONE, "memory", (void *)(va + 3 * PG), PG), (void *)(va + 3 * PG));
	ck_listed("memory", " N", va, va + PG, 1);
	ck_listed("memory", "", va + PG, va + 3 * PG, 1);
	ck_listed("memory", " N", va + 3 * PG, va + 4 * PG, 1);
	ck_assert_int_eq(diesig(rd, va + PG - 1), SIGSEGV);
	ck_assert_int_eq(diesig(wr, va + 3 * PG), SIGSEGV);
	ck_assert_int_eq(segdetach((void *)va), 0);
	ck_assert(!mapped(va, va + PG));
	ck_listed("memory", "", va + PG, va + 3 * PG, 1);
	wr(va + PG);
	ck_assert_int_eq(segdetach((void *)(va + PG)), 0);
	ck_assert_int_eq(segdetach((void *)(va + 3 * PG)), 0);
	ck_assert(!mapped(va, va + 4 * PG));
}
END_TEST

/* A guarded commit commits the body only. */
START_TEST(guarded_commit)
{
	uintptr_t b;
	void *p;

	p = segattachguarded(SG_COMMIT, "memory", 0, 4 * PG, PG);
	ck_assert_msg(p != FAILED, "%s", segerrstr());
	b = ADDR(p);
	ck_assert(resident(b, 4 * PG));
	ck_assert(locked(b, 4 * PG));
	ck_assert(!locked(b - PG, PG));
	ck_assert(!locked(b + 4 * PG, PG));
	ck_listed("memory", "  C", b, b + 4 * PG, 1);
	ck_listed("memory", " N", b - PG, b, 1);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

TCase *
tc_attach(void)
{
	TCase *tc = tcase_create("attach");

	tcase_add_test(tc, attach_memory);
	tcase_add_test(tc, attach_shared);
	tcase_add_test(tc, attach_fixed_rounding);
	tcase_add_test(tc, attach_overlap);
	return tc;
}

TCase *
tc_attrs(void)
{
	TCase *tc = tcase_create("attrs");

	tcase_add_test(tc, attrs_prot);
	tcase_add_test(tc, attrs_faults);
	return tc;
}

TCase *
tc_badargs(void)
{
	TCase *tc = tcase_create("badargs");

	tcase_add_test(tc, badargs);
	return tc;
}

TCase *
tc_commit(void)
{
	TCase *tc = tcase_create("commit");

	tcase_add_test(tc, commit_attach);
	tcase_add_test(tc, commit_limits);
	return tc;
}

TCase *
tc_guarded(void)
{
	TCase *tc = tcase_create("guarded");

	tcase_set_timeout(tc, 60);	/* gone() forks twice a page of an arena span */
	tcase_add_test(tc, guarded);
	tcase_add_test(tc, guarded_fixed);
	tcase_add_test(tc, guarded_by_hand);
	tcase_add_test(tc, guarded_commit);
	return tc;
}
