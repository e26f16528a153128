// SPDX-License-Identifier: MIT
/*
 * brk.c: segbrk (doc/contract.md §1.4): addr 0 asks the base; the top moves up (new
 * pages mapped, zero, committed when the segment is) or down (the tail
 * unmapped, the charge returned); growing into any mapping is EEXIST,
 * at or below the base ENOMEM, a shared segment another address space
 * holds cannot shrink (EBUSY), a guarded one cannot move (EINVAL).
 */
#include <sys/mman.h>

#include "common.h"

static void expect_top(unsigned long va, unsigned long top)
{
	struct seg s;

	ASSERT(find_seg(va, &s), "no segment at %lx", va);
	EXPECT(s.top == top, "listed top %lx want %lx", s.top, top);
}

TEST(brk_query)
{
	unsigned long va = attach(0, MEM, 0, 3 * PG), base = 0, top = 0;

	ASSERT(va != FAILED);
	ASSERT(segbrk(va + 2 * PG + 5, 0, &base, &top) == 0, "%s", strerror(errno));
	EXPECT(base == va && top == va + 3 * PG, "base %lx top %lx", base, top);
	expect_top(va, va + 3 * PG);
}

static void check_grow(unsigned class)
{
	unsigned long r = free_range(8 * PG), va = attach(0, class, r, 2 * PG), base, top;

	ASSERT(va == r);
	memset((void *)va, 0x11, 2 * PG);
	ASSERT(segbrk(va, va + 5 * PG, &base, &top) == 0, "%s", strerror(errno));
	EXPECT(base == va && top == va + 5 * PG, "base %lx top %lx", base, top);
	expect_top(va, va + 5 * PG);
	EXPECT(mapped_as(va, va + 5 * PG, class == SHR ? "rwxs" : "rwxp"));
	EXPECT(((volatile char *)va)[2 * PG - 1] == 0x11 &&
	       ((volatile char *)va)[2 * PG] == 0 && ((volatile char *)va)[5 * PG - 1] == 0);
	((volatile char *)va)[4 * PG] = 3;
	/* Unaligned: rounded up. */
	ASSERT(segbrk(va + PG, va + 6 * PG + 1, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(top == va + 7 * PG, "top %lx", top);
	expect_top(va, va + 7 * PG);
	/* The same top: nothing to do. */
	ASSERT(segbrk(va, va + 7 * PG, NULL, &top) == 0 && top == va + 7 * PG);
	EXPECT(nsegs() == 1);
	/* Detach takes the grown part too. */
	ASSERT(detach(va + 6 * PG) == 0);
	EXPECT(unmapped(va, va + 7 * PG));
}

TEST(brk_grow_memory)
{
	check_grow(MEM);
}

TEST(brk_grow_shared)
{
	check_grow(SHR);
}

static void check_shrink(unsigned class)
{
	unsigned long va = attach(0, class, 0, 6 * PG), top;

	ASSERT(va != FAILED);
	memset((void *)va, 0x22, 6 * PG);
	ASSERT(segbrk(va + 5 * PG, va + 2 * PG, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(top == va + 2 * PG);
	expect_top(va, va + 2 * PG);
	EXPECT(unmapped(va + 2 * PG, va + 6 * PG), "tail still mapped");
	EXPECT(((volatile char *)va)[2 * PG - 1] == 0x22);
	ASSERT(segbrk(va, va + PG - 10, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(top == va + PG && unmapped(va + PG, va + 2 * PG));
	EXPECT_ERRNO(segbrk(va + PG, 0, NULL, NULL), EINVAL);	/* gone */
	/* And grow again into what it gave back. */
	ASSERT(segbrk(va, va + 3 * PG, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(((volatile char *)va)[2 * PG] == 0, "old tail contents came back");
	EXPECT(nsegs() == 1);
}

TEST(brk_shrink_memory)
{
	check_shrink(MEM);
}

TEST(brk_shrink_shared)
{
	check_shrink(SHR);
}

TEST(brk_grow_into_mapping)
{
	unsigned long r = free_range(8 * PG), va = attach(0, MEM, r, 2 * PG), top;
	unsigned long other = attach(0, SHR, r + 4 * PG, PG);
	char *p = mmap((void *)(r + 6 * PG), PG, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	ASSERT(va == r && other == r + 4 * PG && p == (void *)(r + 6 * PG));
	EXPECT_ERRNO(segbrk(va, r + 5 * PG, NULL, NULL), EEXIST);
	EXPECT_ERRNO(segbrk(va, r + 4 * PG + 1, NULL, NULL), EEXIST);
	EXPECT_ERRNO(segbrk(other, r + 7 * PG, NULL, NULL), EEXIST);
	EXPECT_ERRNO(segbrk(va, (unsigned long)&top, NULL, NULL), EEXIST);
	expect_top(va, r + 2 * PG);
	expect_top(other, r + 5 * PG);
	EXPECT(unmapped(r + 2 * PG, r + 4 * PG), "a failed grow left a mapping");
	EXPECT(mapped_as(r + 6 * PG, r + 7 * PG, "r--p"));
	/* Up to the neighbour is fine. */
	ASSERT(segbrk(va, r + 4 * PG, NULL, &top) == 0 && top == r + 4 * PG,
	       "%s", strerror(errno));
	EXPECT(nsegs() == 2);
}

TEST(brk_below_base)
{
	unsigned long va = attach(0, MEM, 0, 2 * PG);

	ASSERT(va != FAILED);
	EXPECT_ERRNO(segbrk(va, va, NULL, NULL), ENOMEM);
	EXPECT_ERRNO(segbrk(va, va - PG, NULL, NULL), ENOMEM);
	EXPECT_ERRNO(segbrk(va, 1, NULL, NULL), ENOMEM);
	EXPECT_ERRNO(segbrk(va + PG, va - 1, NULL, NULL), ENOMEM);
	expect_top(va, va + 2 * PG);
	EXPECT(mapped(va, va + 2 * PG));
}

TEST(brk_errors)
{
	unsigned long va = attach(0, MEM, 0, 2 * PG), r = free_range(PG);

	ASSERT(va != FAILED);
	EXPECT_ERRNO(segbrk(r, r + PG, NULL, NULL), EINVAL);	/* no segment */
	EXPECT_ERRNO(segbrk(r, 0, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(0, va, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va + 2 * PG, va + 3 * PG, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(0xffff888000000000UL, 0, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va, USER_TOP + PG, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va, ~0UL, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va, 0xffff888000000000UL, NULL, NULL), EINVAL);
	expect_top(va, va + 2 * PG);
	EXPECT(nsegs() == 1);
}

/* A guarded segment is pinned between its redzones. */
TEST(brk_guarded)
{
	unsigned long va = attachg(0, MEM, 0, 2 * PG, PG), base, top;

	ASSERT(va != FAILED);
	EXPECT_ERRNO(segbrk(va, va + PG, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va, va + 4 * PG, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va - PG, va, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(va + 2 * PG, va + 5 * PG, NULL, NULL), EINVAL);
	ASSERT(segbrk(va + PG, 0, &base, &top) == 0, "%s", strerror(errno));
	EXPECT(base == va && top == va + 2 * PG);
	ASSERT(segbrk(va - PG, 0, &base, &top) == 0, "%s", strerror(errno));
	EXPECT(base == va - PG && top == va);
	EXPECT(nsegs() == 3);
	expect_top(va, va + 2 * PG);
}

/* Committed growth is committed and charged; shrinking returns it. */
static void check_brk_commit(unsigned class)
{
	unsigned long r = free_range(16 * PG), va, top;

	va = attach(SEGCTL_ATTR_COMMIT, class, r, 2 * PG);
	ASSERT(va == r, "%s", strerror(errno));
	ASSERT(segbrk(va, va + 6 * PG, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(resident(va, va + 6 * PG) && locked_kb(va, va + 6 * PG) == 24,
	       "Locked %lu kB", locked_kb(va, va + 6 * PG));
	EXPECT(param("committed") == 6, "committed %ld", param("committed"));
	ASSERT(segbrk(va, va + 3 * PG, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(param("committed") == 3, "committed %ld", param("committed"));
	ASSERT(detach(va) == 0);
	EXPECT(param("committed") == 0, "committed %ld", param("committed"));
}

TEST(brk_commit_memory)
{
	check_brk_commit(MEM);
}

TEST(brk_commit_shared)
{
	check_brk_commit(SHR);
}

TEST(brk_commit_over_cap)
{
	long old = param("commit_limit");
	unsigned long r = free_range(16 * PG), va = attach(SEGCTL_ATTR_COMMIT, MEM, r, 2 * PG);

	ASSERT(va == r);
	ASSERT(set_param("commit_limit", 4) == 0);
	EXPECT_ERRNO(segbrk(va, va + 5 * PG, NULL, NULL), ENOMEM);
	expect_top(va, va + 2 * PG);
	EXPECT(unmapped(va + 2 * PG, va + 5 * PG) && param("committed") == 2);
	EXPECT(segbrk(va, va + 4 * PG, NULL, NULL) == 0, "%s", strerror(errno));
	EXPECT(param("committed") == 4);
	ASSERT(set_param("commit_limit", 0) == 0);
	EXPECT_ERRNO(segbrk(va, va + 5 * PG, NULL, NULL), EPERM);
	EXPECT(set_param("commit_limit", old) == 0);
}

/* A shared segment another address space holds cannot shrink: EBUSY. */
TEST(brk_shared_busy)
{
	unsigned long va = attach(0, SHR, free_range(8 * PG), 4 * PG), top;
	int go[2], ready[2];
	pid_t pid;
	char c;

	ASSERT(va != FAILED && pipe(go) == 0 && pipe(ready) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		/* The child holds it as well: it may not shrink it either. */
		errno = 0;
		if (segbrk(va, va + PG, NULL, NULL) != -1 || errno != EBUSY)
			_exit(2);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
			_exit(3);
		_exit(0);
	}
	close(go[0]);
	ASSERT(read(ready[0], &c, 1) == 1, "child did not get ready");
	EXPECT_ERRNO(segbrk(va, va + 2 * PG, NULL, NULL), EBUSY);
	expect_top(va, va + 4 * PG);
	EXPECT(mapped(va, va + 4 * PG));
	/* Growing is fine. */
	EXPECT(segbrk(va, va + 5 * PG, NULL, &top) == 0 && top == va + 5 * PG,
	       "%s", strerror(errno));
	close(go[1]);
	EXPECT(wait_for(pid) == 0, "child status");
	/* The other holder has gone. */
	EXPECT(segbrk(va, va + 2 * PG, NULL, &top) == 0 && top == va + 2 * PG,
	       "%s", strerror(errno));
}

/* A private segment is each side's own after fork: no EBUSY. */
TEST(brk_memory_after_fork)
{
	unsigned long va = attach(0, MEM, 0, 4 * PG), top;
	pid_t pid;

	ASSERT(va != FAILED);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(segbrk(va, va + PG, NULL, &top) == 0 && top == va + PG &&
		      unmapped(va + PG, va + 4 * PG) ? 0 : 1);
	EXPECT(wait_for(pid) == 0);
	expect_top(va, va + 4 * PG);
	EXPECT(segbrk(va, va + PG, NULL, &top) == 0, "%s", strerror(errno));
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
