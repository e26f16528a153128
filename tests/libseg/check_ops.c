// SPDX-License-Identifier: MIT
/* segdetach, segfree, segbrk, segflush and the listing: doc/contract.md §1.4, §1.7. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_seg.h"

START_TEST(detach_anywhere)
{
	void *p;
	int i;

	for (i = 0; i < 3; i++) {
		p = segattach(0, "memory", 0, 4 * PG);
		ck_assert_ptr_ne(p, FAILED);
		ck_assert_int_eq(segdetach((char *)p + (i == 0 ? 0 : i == 1 ? 2 * PG + 17 : 4 * PG - 1)), 0);
		ck_assert(!mapped(ADDR(p), ADDR(p) + 4 * PG));
		ck_unlisted(ADDR(p));
	}
}
END_TEST

START_TEST(detach_bad)
{
	uintptr_t va, lo, hi;
	char perms[5];
	void *p, *m;

	va = freeaddr(3 * PG);
	ck_fails(segdetach(NULL), -1, EINVAL, EBADARG);
	ck_fails(segdetach((void *)va), -1, EINVAL, EBADARG);
	ck_fails(segdetach((void *)~0UL), -1, EINVAL, EBADARG);
	ck_fails(segdetach((void *)USTKTOP), -1, EINVAL, EBADARG);

	p = segattach(0, "memory", (void *)va, PG);
	ck_assert_ptr_eq(p, (void *)va);
	ck_fails(segdetach((void *)(va + PG)), -1, EINVAL, EBADARG);
	ck_assert_int_eq(segdetach(p), 0);
	ck_fails(segdetach(p), -1, EINVAL, EBADARG);

	/* A mapping that is not a segment is not ours to remove. */
	m = mmap((void *)va, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert_ptr_eq(m, (void *)va);
	ck_fails(segdetach(m), -1, EINVAL, EBADARG);
	ck_assert(vmaof(va, &lo, &hi, perms));
	munmap(m, PG);
}
END_TEST

/* A segment unmapped behind libseg's back: its range can be attached again. */
START_TEST(detach_behind_back)
{
	void *p, *q;
	char *l, want[64];

	p = segattach(0, "memory", 0, 2 * PG);
	ck_assert_ptr_ne(p, FAILED);
	munmap(p, 2 * PG);
	q = segattach(0, "memory", p, PG);
	ck_assert_msg(q == p, "%s", segerrstr());
	wr(ADDR(q));
	ck_listed("memory", "", ADDR(p), ADDR(p) + PG, 1);
	snprintf(want, sizeof want, " %12lx ", (unsigned long)ADDR(p));
	l = listing();
	ck_assert_ptr_eq(strstr(strstr(l, want) + 1, want), NULL);
	free(l);
	ck_assert_int_eq(segdetach(q), 0);
	ck_assert(!mapped(ADDR(p), ADDR(p) + 2 * PG));
}
END_TEST

static void
fill(void *p, int c, uintptr_t n)
{
	memset(p, c, n);
}

/* Whole pages inside the span are zeroed, partial ones kept, still mapped. */
START_TEST(free_pages)
{
	const char *cls[] = { "memory", "shared" };
	char *p;
	int i;

	for (i = 0; i < 2; i++) {
		p = segattach(0, cls[i], 0, 4 * PG);
		ck_assert_ptr_ne(p, FAILED);
		fill(p, 'a', 4 * PG);
		ck_assert_int_eq(segfree(p + 100, 3 * PG), 0);
		ck_assert(!resident(ADDR(p) + PG, 2 * PG));	/* before touching them */
		ck_assert(resident(ADDR(p), PG));
		ck_assert_int_eq(p[0], 'a');
		ck_assert_int_eq(p[PG - 1], 'a');
		ck_assert(allzero(ADDR(p) + PG, 2 * PG));
		ck_assert_int_eq(p[3 * PG], 'a');
		ck_assert_int_eq(p[4 * PG - 1], 'a');
		p[PG] = 'b';	/* still mapped, writable */
		ck_assert_int_eq(p[PG], 'b');

		/* Empty spans and less than a page free nothing. */
		ck_assert_int_eq(segfree(p + 1, PG - 2), 0);
		ck_assert_int_eq(segfree(p, 0), 0);
		ck_assert_int_eq(p[0], 'a');

		ck_assert_int_eq(segfree(p, 4 * PG), 0);
		ck_assert(allzero(ADDR(p), 4 * PG));
		ck_assert_int_eq(segdetach(p), 0);
	}
}
END_TEST

/* A shared segment's freed pages are gone for every process mapping it. */
START_TEST(free_shared_child)
{
	int status;
	char *p;
	pid_t pid;

	p = segattach(0, "shared", 0, 2 * PG);
	ck_assert_ptr_ne(p, FAILED);
	fill(p, 'z', 2 * PG);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(segfree(p, 2 * PG) != 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(allzero(ADDR(p), 2 * PG));
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* On SG_COMMIT the pages read as zero and stay resident and locked. */
START_TEST(free_commit)
{
	char *p;

	p = segattach(SG_COMMIT, "memory", 0, 8 * PG);
	ck_assert_msg(p != FAILED, "%s", segerrstr());
	fill(p, 'c', 8 * PG);
	ck_assert_int_eq(segfree(p + 2 * PG, 4 * PG), 0);
	ck_assert(resident(ADDR(p), 8 * PG));
	ck_assert(locked(ADDR(p), 8 * PG));
	ck_assert(allzero(ADDR(p) + 2 * PG, 4 * PG));
	ck_assert_int_eq(p[2 * PG - 1], 'c');
	ck_assert_int_eq(p[6 * PG], 'c');
	ck_assert_int_eq(segdetach(p), 0);

	p = segattach(SG_COMMIT, "shared", 0, 4 * PG);
	ck_assert_msg(p != FAILED, "%s", segerrstr());
	fill(p, 'c', 4 * PG);
	ck_assert_int_eq(segfree(p, 4 * PG), 0);
	ck_assert(resident(ADDR(p), 4 * PG));
	ck_assert(allzero(ADDR(p), 4 * PG));
	ck_assert(locked(ADDR(p), 4 * PG));
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* The span must lie within one segment. */
START_TEST(free_bad)
{
	uintptr_t va;
	char *p, *q;

	va = freeaddr(4 * PG);
	p = segattach(0, "memory", (void *)va, 2 * PG);
	q = segattach(0, "memory", (void *)(va + 2 * PG), 2 * PG);
	ck_assert_ptr_eq(p, (void *)va);
	ck_assert_ptr_eq(q, (void *)(va + 2 * PG));
	fill(p, 'p', 2 * PG);
	fill(q, 'q', 2 * PG);

	ck_fails(segfree(p, 3 * PG), -1, EINVAL, EBADARG);	/* into the next segment */
	ck_fails(segfree(p + PG, 2 * PG), -1, EINVAL, EBADARG);
	ck_fails(segfree(q, 3 * PG), -1, EINVAL, EBADARG);	/* past the end */
	ck_fails(segfree(q + PG, ~0UL), -1, EINVAL, EBADARG);	/* wraps */
	ck_fails(segfree(q + PG, ~0UL - 2 * PG), -1, EINVAL, EBADARG);
	ck_fails(segfree((void *)(va + 4 * PG), PG), -1, EINVAL, EBADARG);
	ck_fails(segfree(NULL, PG), -1, EINVAL, EBADARG);
	ck_fails(segfree((void *)(va - PG), 2 * PG), -1, EINVAL, EBADARG);
	ck_assert_int_eq(p[0], 'p');
	ck_assert_int_eq(p[2 * PG - 1], 'p');
	ck_assert_int_eq(q[0], 'q');
	ck_assert_int_eq(q[2 * PG - 1], 'q');
	/* Plan 9 rounds the end down: a span ending in the next page is fine. */
	ck_assert_int_eq(segfree(q + PG, PG + 5), 0);
	ck_assert_int_eq(q[PG - 1], 'q');
	ck_assert(allzero(ADDR(q) + PG, PG));
	ck_assert_int_eq(p[0], 'p');
	ck_assert_int_eq(segdetach(p), 0);
	ck_assert_int_eq(segdetach(q), 0);
}
END_TEST

START_TEST(brk_grow_shrink)
{
	uintptr_t b;
	char *p;

	p = segattach(0, "memory", 0, 2 * PG);
	ck_assert_ptr_ne(p, FAILED);
	b = ADDR(p);
	/* What is above must be free for this test. */
	if (mapped(b + 2 * PG, b + 6 * PG)) {
		ck_assert_int_eq(segdetach(p), 0);
		b = freeaddr(6 * PG);
		p = segattach(0, "memory", (void *)b, 2 * PG);
		ck_assert_ptr_eq(p, (void *)b);
	}
	fill(p, 'k', 2 * PG);
	ck_assert_ptr_eq(segbrk(p, NULL), p);
	ck_assert_ptr_eq(segbrk(p + PG + 3, NULL), p);

	ck_assert_ptr_eq(segbrk(p, p + 4 * PG + 1), NULL);	/* rounds up */
	ck_listed("memory", "", b, b + 5 * PG, 1);
	ck_assert(allzero(b + 2 * PG, 3 * PG));
	fill(p + 2 * PG, 'g', 3 * PG);
	ck_assert_int_eq(p[PG], 'k');

	ck_assert_ptr_eq(segbrk(p + 4 * PG, p + PG), NULL);
	ck_listed("memory", "", b, b + PG, 1);
	ck_assert(!mapped(b + PG, b + 5 * PG));
	ck_assert_int_eq(p[0], 'k');

	ck_assert_ptr_eq(segbrk(p, p + PG), NULL);		/* no change */
	ck_listed("memory", "", b, b + PG, 1);
	ck_assert_ptr_eq(segbrk(p, p + 3 * PG), NULL);
	ck_assert(allzero(b + PG, 2 * PG));			/* grown again: zero */
	ck_assert_int_eq(segdetach(p + 2 * PG), 0);
	ck_assert(!mapped(b, b + 3 * PG));
}
END_TEST

START_TEST(brk_errors)
{
	uintptr_t va;
	char *p, *q;

	va = freeaddr(6 * PG);
	p = segattach(0, "memory", (void *)va, 2 * PG);
	q = segattach(SG_RONLY, "shared", (void *)(va + 4 * PG), PG);
	ck_assert_ptr_eq(p, (void *)va);
	ck_assert_ptr_eq(q, (void *)(va + 4 * PG));

	/* Into another segment, or any mapping: EEXIST, nothing changes. */
	ck_fails(segbrk(p, p + 5 * PG), FAILED, EEXIST, ESOVERLAP);
	ck_fails(segbrk(p, p + 4 * PG + 1), FAILED, EEXIST, ESOVERLAP);
	ck_listed("memory", "", va, va + 2 * PG, 1);
	ck_assert(!mapped(va + 2 * PG, va + 4 * PG));
	ck_listed("shared", "R", va + 4 * PG, va + 5 * PG, 1);

	/* At or below the base: ENOMEM. */
	ck_fails(segbrk(p, p), FAILED, ENOMEM, ENOVMEM);
	ck_fails(segbrk(p + PG, p - 1), FAILED, ENOMEM, ENOVMEM);
	ck_fails(segbrk(q, (void *)PG), FAILED, ENOMEM, ENOVMEM);
	/* Beyond user space: EINVAL. */
	ck_fails(segbrk(p, (void *)~0UL), FAILED, EINVAL, EBADARG);
	ck_fails(segbrk(p, (void *)(USTKTOP + 1)), FAILED, EINVAL, EBADARG);
	ck_listed("memory", "", va, va + 2 * PG, 1);

	/* No segment there: EINVAL. */
	ck_fails(segbrk((void *)(va + 3 * PG), p + 3 * PG), FAILED, EINVAL, EBADARG);
	ck_fails(segbrk(NULL, NULL), FAILED, EINVAL, EBADARG);
	ck_fails(segbrk((void *)(va + 3 * PG), NULL), FAILED, EINVAL, EBADARG);

	/* Up to the next segment is fine. */
	ck_assert_ptr_eq(segbrk(p, p + 4 * PG), NULL);
	ck_listed("memory", "", va, va + 4 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
	ck_assert_int_eq(segdetach(q), 0);
}
END_TEST

/* A guarded segment's parts cannot move: EINVAL; asking the base is fine. */
START_TEST(brk_guarded)
{
	char *p;

	p = segattachguarded(0, "memory", 0, 2 * PG, PG);
	ck_assert_ptr_ne(p, FAILED);
	ck_assert_ptr_eq(segbrk(p + 1, NULL), p);
	ck_assert_ptr_eq(segbrk(p - 1, NULL), p - PG);
	ck_fails(segbrk(p, p + PG), FAILED, EINVAL, EBADARG);
	ck_fails(segbrk(p, p + 4 * PG), FAILED, EINVAL, EBADARG);
	ck_fails(segbrk(p - PG, p - PG / 2), FAILED, EINVAL, EBADARG);
	ck_listed("memory", "", ADDR(p), ADDR(p) + 2 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* A committed segment's new pages are committed too, all or nothing. */
START_TEST(brk_commit)
{
	uintptr_t b;
	char *p;

	b = freeaddr(8 * PG);
	p = segattach(SG_COMMIT, "memory", (void *)b, PG);
	ck_assert_msg(p == (void *)b, "%s", segerrstr());
	ck_assert_ptr_eq(segbrk(p, p + 6 * PG), NULL);
	ck_assert(resident(b, 6 * PG));
	ck_assert(locked(b, 6 * PG));
	ck_listed("memory", "  C", b, b + 6 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* Shrinking a shared segment another address space maps: EBUSY. */
START_TEST(brk_shared_busy)
{
	int go[2], status;
	uintptr_t top;
	char *p, c;
	pid_t pid;

	p = segattach(0, "shared", 0, 4 * PG);
	ck_assert_ptr_ne(p, FAILED);
	top = ADDR(p) + 4 * PG;
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) != 0);	/* hold the segment until told */
	}
	close(go[0]);
	ck_fails(segbrk(p, p + 2 * PG), FAILED, EBUSY, EINUSE);
	ck_listed("shared", "", ADDR(p), top, 2);
	/* Growing is fine; shrinking back is not. */
	if (!mapped(top, top + PG)) {
		ck_assert_ptr_eq(segbrk(p, (void *)(top + PG)), NULL);
		ck_fails(segbrk(p, (void *)top), FAILED, EBUSY, EINUSE);
		top += PG;
	}
	close(go[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* The child is gone: shrinking works. */
	ck_listed("shared", "", ADDR(p), top, 1);
	ck_assert_ptr_eq(segbrk(p, p + 2 * PG), NULL);
	ck_listed("shared", "", ADDR(p), ADDR(p) + 2 * PG, 1);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

/* A child that detached no longer counts. */
START_TEST(brk_shared_child_detached)
{
	int go[2], done[2], status;
	char *p, c;
	pid_t pid;

	p = segattach(0, "shared", 0, 4 * PG);
	ck_assert_ptr_ne(p, FAILED);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		c = segdetach(p) == 0 ? 'y' : 'n';
		if (write(done[1], &c, 1) != 1)
			_exit(2);
		_exit(read(go[0], &c, 1) != 0);
	}
	close(go[0]);
	close(done[1]);
	ck_assert_int_eq(read(done[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	ck_listed("shared", "", ADDR(p), ADDR(p) + 4 * PG, 1);
	ck_assert_ptr_eq(segbrk(p, p + PG), NULL);
	close(go[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(segdetach(p), 0);
}
END_TEST

START_TEST(flush)
{
	uintptr_t va;
	void *p, *q;

	va = freeaddr(5 * PG);
	p = segattach(0, "memory", (void *)va, 2 * PG);
	q = segattach(SG_NONE, "shared", (void *)(va + 2 * PG), PG);
	ck_assert_ptr_eq(p, (void *)va);
	ck_assert_ptr_eq(q, (void *)(va + 2 * PG));
	ck_assert_int_eq(segflush(p, 2 * PG), 0);
	ck_assert_int_eq(segflush((char *)p + 5, 1), 0);
	ck_assert_int_eq(segflush((char *)p + PG + 1, PG), 0);	/* spans two segments */
	ck_assert_int_eq(segflush(p, 3 * PG), 0);
	ck_assert_int_eq(segflush(q, PG), 0);
	ck_assert_int_eq(segflush(p, 0), 0);

	ck_fails(segflush(p, 3 * PG + 1), -1, EINVAL, EBADARG);
	ck_fails(segflush((void *)(va - 1), 2), -1, EINVAL, EBADARG);
	ck_fails(segflush((void *)(va + 3 * PG), PG), -1, EINVAL, EBADARG);
	ck_fails(segflush((void *)(va + 3 * PG), 0), -1, EINVAL, EBADARG);
	ck_fails(segflush(p, ~0UL), -1, EINVAL, EBADARG);
	ck_fails(segflush(NULL, PG), -1, EINVAL, EBADARG);

	/* A hole between segments. */
	ck_assert_int_eq(segdetach((char *)p + PG), 0);
	p = segattach(0, "memory", (void *)va, PG);
	ck_assert_ptr_eq(p, (void *)va);
	ck_fails(segflush(p, 3 * PG), -1, EINVAL, EBADARG);
	ck_assert_int_eq(segdetach(p), 0);
	ck_assert_int_eq(segdetach(q), 0);
}
END_TEST

/* §1.7: ascending base, the exact layout, every flag letter in its column. */
START_TEST(list_format)
{
	char want[1024], line[128], *l, *got;
	uintptr_t va;
	void *s[5];
	int i;

	va = freeaddr(10 * PG);
	s[0] = segattach(SG_CEXEC, "memory", (void *)(va + 8 * PG), 2 * PG);
	s[1] = segattach(SG_RONLY | SG_SAS, "shared", (void *)(va + 2 * PG), PG);
	s[2] = segattach(SG_NONE, "memory", (void *)(va + 3 * PG), 3 * PG);
	s[3] = segattach(SG_COMMIT | SG_NOEXEC, "memory", (void *)va, PG);
	s[4] = segattach(0, "shared", (void *)(va + 6 * PG), PG);
	for (i = 0; i < 5; i++)
		ck_assert_msg(s[i] != FAILED, "%d: %s", i, segerrstr());
	want[0] = 0;
#define LINE(c, f, b, t) do { \
	snprintf(line, sizeof line, "%-6s %c%c%c%c%c %12lx %12lx %4d\n", c, f[0], f[1], f[2], f[3], \
		 f[4], (unsigned long)(b), (unsigned long)(t), 1); \
	strcat(want, line); \
} while (0)
	LINE("memory", "  C  ", va, va + PG);
	LINE("shared", "R  S ", va + 2 * PG, va + 3 * PG);
	LINE("memory", " N   ", va + 3 * PG, va + 6 * PG);
	LINE("shared", "     ", va + 6 * PG, va + 7 * PG);
	LINE("memory", "    X", va + 8 * PG, va + 10 * PG);
#undef LINE
	l = listing();
	got = strstr(l, want);
	ck_assert_msg(got != NULL, "want\n%sin\n%s", want, l);
	/* The layout, character for character, for one line. */
	ck_assert_int_eq(strchr(got, '\n') - got, 6 + 1 + 5 + 1 + 12 + 1 + 12 + 1 + 4);
	free(l);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(segdetach(s[i]), 0);
}
END_TEST

TCase *
tc_detach(void)
{
	TCase *tc = tcase_create("detach");

	tcase_add_test(tc, detach_anywhere);
	tcase_add_test(tc, detach_bad);
	tcase_add_test(tc, detach_behind_back);
	return tc;
}

TCase *
tc_free(void)
{
	TCase *tc = tcase_create("free");

	tcase_add_test(tc, free_pages);
	tcase_add_test(tc, free_shared_child);
	tcase_add_test(tc, free_commit);
	tcase_add_test(tc, free_bad);
	return tc;
}

TCase *
tc_brk(void)
{
	TCase *tc = tcase_create("brk");

	tcase_add_test(tc, brk_grow_shrink);
	tcase_add_test(tc, brk_errors);
	tcase_add_test(tc, brk_guarded);
	tcase_add_test(tc, brk_commit);
	tcase_add_test(tc, brk_shared_busy);
	tcase_add_test(tc, brk_shared_child_detached);
	return tc;
}

TCase *
tc_flush(void)
{
	TCase *tc = tcase_create("flush");

	tcase_add_test(tc, flush);
	return tc;
}

TCase *
tc_list(void)
{
	TCase *tc = tcase_create("list");

	tcase_add_test(tc, list_format);
	return tc;
}
