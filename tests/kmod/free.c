// SPDX-License-Identifier: MIT
/*
 * free.c: segfree (doc/contract.md §1.4): the whole pages inside the span lose their
 * contents and memory but stay mapped; committed pages come back zeroed,
 * resident and locked; a shared segment's hole shows in every address
 * space mapping it.  The span must lie in one segment (EINVAL otherwise).
 */
#include <sys/mman.h>

#include "common.h"

static unsigned long filled(unsigned attr, unsigned class, unsigned long pages)
{
	unsigned long va = attach(attr, class, 0, pages * PG);

	ASSERT(va != FAILED, "%s", strerror(errno));
	memset((void *)va, 0xab, pages * PG);
	return va;
}

static bool page_is(unsigned long va, int c)
{
	unsigned long i;

	for (i = 0; i < PG; i++)
		if (((volatile unsigned char *)va)[i] != c)
			return false;
	return true;
}

static void check_free(unsigned class)
{
	unsigned long va = filled(0, class, 6);
	struct seg s;

	ASSERT(segfree(va + 2 * PG, 2 * PG) == 0, "%s", strerror(errno));
	EXPECT(none_resident(va + 2 * PG, va + 4 * PG), "memory not returned");
	EXPECT(resident(va, va + 2 * PG) && resident(va + 4 * PG, va + 6 * PG));
	EXPECT(page_is(va + PG, 0xab) && page_is(va + 4 * PG, 0xab));
	EXPECT(page_is(va + 2 * PG, 0) && page_is(va + 3 * PG, 0), "freed page not zero");
	EXPECT(mapped_as(va, va + 6 * PG, class == SHR ? "rwxs" : "rwxp"));
	EXPECT(nsegs() == 1 && find_seg(va, &s) && s.top == va + 6 * PG);
	/* Still usable. */
	((volatile char *)va)[2 * PG] = 5;
	EXPECT(((volatile char *)va)[2 * PG] == 5);
}

TEST(free_memory)
{
	check_free(MEM);
}

TEST(free_shared)
{
	check_free(SHR);
}

/* Only whole pages inside [va, va + len) go. */
TEST(free_partial_pages)
{
	unsigned long va = filled(0, MEM, 4);

	ASSERT(segfree(va + 100, 2 * PG) == 0, "%s", strerror(errno));
	EXPECT(page_is(va, 0xab) && page_is(va + PG, 0) && page_is(va + 2 * PG, 0xab),
	       "[va+100, va+100+2PG) holds one whole page");
	ASSERT(segfree(va + 2 * PG + 1, PG) == 0);	/* no whole page */
	EXPECT(page_is(va + 2 * PG, 0xab) && page_is(va + 3 * PG, 0xab));
	ASSERT(segfree(va + 3 * PG, 0) == 0);
	EXPECT(page_is(va + 3 * PG, 0xab));
	ASSERT(segfree(va + 3 * PG, PG - 1) == 0);
	EXPECT(page_is(va + 3 * PG, 0xab));
	ASSERT(segfree(va + 3 * PG, PG) == 0);
	EXPECT(page_is(va + 3 * PG, 0) && page_is(va + 2 * PG, 0xab));
}

/* The span may run to the segment's top, and past it by less than a page. */
TEST(free_to_top)
{
	unsigned long va = filled(0, MEM, 3);

	ASSERT(segfree(va + PG, 2 * PG) == 0, "%s", strerror(errno));
	EXPECT(page_is(va, 0xab) && page_is(va + PG, 0) && page_is(va + 2 * PG, 0));
	memset((void *)va, 0xab, 3 * PG);
	ASSERT(segfree(va + 2 * PG, PG + 100) == 0, "%s", strerror(errno));
	EXPECT(page_is(va + 2 * PG, 0) && page_is(va + PG, 0xab));
	ASSERT(segfree(va, 3 * PG) == 0);
	EXPECT(page_is(va, 0) && page_is(va + 2 * PG, 0));
}

TEST(free_errors)
{
	unsigned long r = free_range(8 * PG);
	unsigned long a = attach(0, MEM, r, 3 * PG), b = attach(0, MEM, r + 3 * PG, 3 * PG);

	ASSERT(a == r && b == r + 3 * PG);
	memset((void *)a, 0xab, 6 * PG);
	EXPECT_ERRNO(segfree(a, 4 * PG), EINVAL);		/* into the next */
	EXPECT_ERRNO(segfree(a + 2 * PG, 2 * PG), EINVAL);
	EXPECT_ERRNO(segfree(b + 2 * PG, 2 * PG), EINVAL);	/* past the end */
	EXPECT_ERRNO(segfree(b, 8 * PG), EINVAL);
	EXPECT_ERRNO(segfree(r + 6 * PG, PG), EINVAL);		/* no segment */
	EXPECT_ERRNO(segfree(r - PG, 2 * PG), EINVAL);		/* starts outside */
	EXPECT_ERRNO(segfree(0, PG), EINVAL);
	EXPECT_ERRNO(segfree((unsigned long)&r, 8), EINVAL);
	EXPECT_ERRNO(segfree(USER_TOP, PG), EINVAL);
	EXPECT_ERRNO(segfree(0xffff888000000000UL, PG), EINVAL);
	EXPECT_ERRNO(segfree(a, ~0UL), EINVAL);
	EXPECT_ERRNO(segfree(a, USER_TOP + 1), EINVAL);
	EXPECT_ERRNO(segfree(b + PG, ~0UL - b), EINVAL);	/* wraps */
	EXPECT(page_is(a, 0xab) && page_is(a + 2 * PG, 0xab) && page_is(b, 0xab) &&
	       page_is(b + 2 * PG, 0xab), "a failed segfree freed");
	EXPECT(nsegs() == 2);
}

/* Committed pages come back zeroed, resident and locked. */
static void check_free_commit(unsigned class)
{
	unsigned long va = filled(SEGCTL_ATTR_COMMIT, class, 8);

	ASSERT(segfree(va + PG, 4 * PG) == 0, "%s", strerror(errno));
	EXPECT(resident(va, va + 8 * PG), "freed committed pages not resident");
	EXPECT(locked_kb(va, va + 8 * PG) == 32, "Locked %lu kB", locked_kb(va, va + 8 * PG));
	EXPECT(page_is(va + PG, 0) && page_is(va + 4 * PG, 0) && page_is(va, 0xab) &&
	       page_is(va + 5 * PG, 0xab));
	EXPECT(param("committed") == 8, "committed %ld", param("committed"));
	ASSERT(detach(va) == 0);
	EXPECT(param("committed") == 0);
}

TEST(free_commit_memory)
{
	check_free_commit(MEM);
}

TEST(free_commit_shared)
{
	check_free_commit(SHR);
}

TEST(free_none_and_ronly)
{
	unsigned long n = attach(SEGCTL_ATTR_NONE, MEM, 0, 2 * PG);
	unsigned long r = attach(SEGCTL_ATTR_RONLY, MEM, 0, 2 * PG);

	ASSERT(n != FAILED && r != FAILED);
	EXPECT(segfree(n, 2 * PG) == 0, "%s", strerror(errno));
	EXPECT(read_faults(n) == SIGSEGV, "a freed redzone became readable");
	EXPECT(segfree(r, 2 * PG) == 0, "%s", strerror(errno));
	EXPECT(page_is(r, 0) && write_faults(r) == SIGSEGV);
	EXPECT(nsegs() == 2);
}

/* A hole punched in a shared segment shows in every address space. */
TEST(free_shared_across_fork)
{
	unsigned long va = filled(0, SHR, 4);
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0) {
		_exit(segfree(va + PG, 2 * PG) == 0 ? 0 : 1);
	}
	EXPECT(wait_for(pid) == 0, "segfree in the child failed");
	/* Before reading: a read of a shmem hole allocates a page again. */
	EXPECT(none_resident(va + PG, va + 3 * PG));
	EXPECT(page_is(va, 0xab) && page_is(va + PG, 0) && page_is(va + 2 * PG, 0) &&
	       page_is(va + 3 * PG, 0xab), "the child's segfree does not show here");
}

/* A private segment's segfree in a child leaves the parent's copy alone. */
TEST(free_memory_across_fork)
{
	unsigned long va = filled(0, MEM, 2);
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(segfree(va, 2 * PG) == 0 && page_is(va, 0) ? 0 : 1);
	EXPECT(wait_for(pid) == 0, "segfree in the child failed");
	EXPECT(page_is(va, 0xab) && page_is(va + PG, 0xab), "the child freed our copy");
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
