// SPDX-License-Identifier: MIT
/*
 * flush.c: segflush (doc/contract.md §1.4): 0 when every page of the range lies in
 * a segment (one or several), EINVAL when any page does not.
 */
#include <sys/mman.h>

#include "common.h"

TEST(flush_inside)
{
	unsigned long va = attach(0, MEM, 0, 4 * PG);

	ASSERT(va != FAILED);
	EXPECT(segflush(va, 4 * PG) == 0, "%s", strerror(errno));
	EXPECT(segflush(va + PG, PG) == 0);
	EXPECT(segflush(va + 10, 3 * PG) == 0);
	EXPECT(segflush(va + 4 * PG - 1, 1) == 0);
	EXPECT(segflush(va, 0) == 0);
	EXPECT(segflush(va + 5, 0) == 0);
	EXPECT(segflush(va, 4 * PG - 1) == 0);
}

TEST(flush_across_segments)
{
	unsigned long r = free_range(6 * PG);

	ASSERT(attach(0, MEM, r, 2 * PG) == r);
	ASSERT(attach(SEGCTL_ATTR_NONE, SHR, r + 2 * PG, PG) == r + 2 * PG);
	ASSERT(attach(SEGCTL_ATTR_RONLY, SHR, r + 3 * PG, 2 * PG) == r + 3 * PG);
	EXPECT(segflush(r, 5 * PG) == 0, "%s", strerror(errno));
	EXPECT(segflush(r + PG + 1, 3 * PG) == 0, "%s", strerror(errno));
	EXPECT_ERRNO(segflush(r, 6 * PG), EINVAL);
	EXPECT_ERRNO(segflush(r + 4 * PG, PG + 1), EINVAL);
}

TEST(flush_gaps)
{
	unsigned long r = free_range(6 * PG);
	char *p;

	ASSERT(attach(0, MEM, r, PG) == r);
	ASSERT(attach(0, MEM, r + 2 * PG, PG) == r + 2 * PG);
	p = mmap((void *)(r + PG), PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT(p == (void *)(r + PG));
	EXPECT_ERRNO(segflush(r, 3 * PG), EINVAL);		/* a plain mapping between */
	EXPECT_ERRNO(segflush(r + PG, 1), EINVAL);
	EXPECT_ERRNO(segflush(r - PG, 2 * PG), EINVAL);		/* starts before */
	EXPECT_ERRNO(segflush(r + 3 * PG, PG), EINVAL);
	EXPECT_ERRNO(segflush((unsigned long)&p, 8), EINVAL);
	EXPECT_ERRNO(segflush(0, PG), EINVAL);
}

TEST(flush_bad_ranges)
{
	unsigned long va = attach(0, MEM, 0, PG);

	ASSERT(va != FAILED);
	EXPECT_ERRNO(segflush(USER_TOP, PG), EINVAL);
	EXPECT_ERRNO(segflush(0xffff888000000000UL, PG), EINVAL);
	EXPECT_ERRNO(segflush(va, ~0UL), EINVAL);
	EXPECT_ERRNO(segflush(va, USER_TOP), EINVAL);
	EXPECT_ERRNO(segflush(va, ~0UL - va + 2), EINVAL);	/* wraps to va + 1 */
	EXPECT_ERRNO(segflush(~0UL, 2), EINVAL);
}

/* A detached segment is no longer there to flush. */
TEST(flush_after_detach)
{
	unsigned long va = attach(0, SHR, 0, 2 * PG);

	ASSERT(va != FAILED);
	ASSERT(detach(va) == 0);
	EXPECT_ERRNO(segflush(va, PG), EINVAL);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
