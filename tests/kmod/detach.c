// SPDX-License-Identifier: MIT
/*
 * detach.c: segdetach (doc/contract.md §1.4): by any address inside, the whole segment
 * goes (mapping and table entry), neighbours stay; no segment at the
 * address (nothing mapped, a mapping that is not a segment, top, a kernel
 * address, twice) is EINVAL with nothing changed.
 */
#include <sys/mman.h>

#include "common.h"

static void detach_at(unsigned class, unsigned long off)
{
	unsigned long va = attach(0, class, 0, 4 * PG);

	ASSERT(va != FAILED);
	memset((void *)va, 1, 4 * PG);
	ASSERT(detach(va + off) == 0, "offset %lx: %s", off, strerror(errno));
	EXPECT(unmapped(va, va + 4 * PG), "offset %lx: still mapped", off);
	EXPECT(nsegs() == 0);
	EXPECT(param("segments") == 0, "segments %ld", param("segments"));
}

TEST(detach_by_any_address)
{
	unsigned long offs[] = { 0, 1, PG - 1, PG, 2 * PG + 123, 4 * PG - 1 };
	unsigned i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		detach_at(MEM, offs[i]);
		detach_at(SHR, offs[i]);
	}
}

TEST(detach_attrs)
{
	unsigned attrs[] = { SEGCTL_ATTR_RONLY, SEGCTL_ATTR_NONE, SEGCTL_ATTR_NOEXEC,
			     SEGCTL_ATTR_COMMIT, SEGCTL_ATTR_SAS | SEGCTL_ATTR_CEXEC };
	unsigned i;

	for (i = 0; i < 5; i++) {
		unsigned long va = attach(attrs[i], i % 2 ? SHR : MEM, 0, 3 * PG);

		ASSERT(va != FAILED, "attr %o: %s", attrs[i], strerror(errno));
		ASSERT(detach(va + PG) == 0, "attr %o: %s", attrs[i], strerror(errno));
		EXPECT(unmapped(va, va + 3 * PG) && nsegs() == 0, "attr %o", attrs[i]);
	}
	EXPECT(param("committed") == 0);
}

/* Neighbours (merged into one VMA by the kernel) stay whole. */
TEST(detach_leaves_neighbours)
{
	unsigned long r = free_range(9 * PG), i;
	struct seg s;

	for (i = 0; i < 3; i++)
		ASSERT(attach(0, MEM, r + 3 * i * PG, 3 * PG) == r + 3 * i * PG);
	memset((void *)r, 0x77, 9 * PG);
	ASSERT(detach(r + 4 * PG) == 0);
	EXPECT(unmapped(r + 3 * PG, r + 6 * PG));
	EXPECT(mapped_as(r, r + 3 * PG, "rwxp") && mapped_as(r + 6 * PG, r + 9 * PG, "rwxp"));
	EXPECT(nsegs() == 2 && find_seg(r, &s) && s.top == r + 3 * PG &&
	       find_seg(r + 6 * PG, &s) && s.top == r + 9 * PG);
	EXPECT(((volatile char *)r)[3 * PG - 1] == 0x77 &&
	       ((volatile char *)r)[6 * PG] == 0x77, "neighbour contents lost");
	EXPECT_ERRNO(detach(r + 4 * PG), EINVAL);
	ASSERT(detach(r + 9 * PG - 1) == 0);
	ASSERT(detach(r) == 0);
	EXPECT(nsegs() == 0 && unmapped(r, r + 9 * PG));
}

TEST(detach_no_segment)
{
	unsigned long va = attach(0, MEM, 0, 2 * PG), r = free_range(4 * PG);
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long bad[] = { 0, 1, PG, r, r + 3 * PG + 5, (unsigned long)p,
				(unsigned long)&va, (unsigned long)detach_at,
				USER_TOP - 1, USER_TOP, 0xffff888000000000UL, ~0UL };
	unsigned i;

	ASSERT(va != FAILED && p != MAP_FAILED);
	*p = 9;
	EXPECT_ERRNO(detach(va + 2 * PG), EINVAL);	/* top is exclusive */
	EXPECT_ERRNO(detach(va - 1), EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT(detach(bad[i]) == -1 && errno == EINVAL, "addr %lx: errno %d",
		       bad[i], errno);
	}
	EXPECT(*p == 9 && mapped_as((unsigned long)p, (unsigned long)p + PG, "rw-p"),
	       "a plain mapping was touched");
	EXPECT(nsegs() == 1 && mapped(va, va + 2 * PG));
	ASSERT(detach(va) == 0);
	EXPECT_ERRNO(detach(va), EINVAL);
	EXPECT_ERRNO(detach(va + PG), EINVAL);
}

/* Detach, then attach at the same place: a fresh, zeroed segment. */
TEST(detach_then_reattach)
{
	unsigned long va = attach(0, SHR, 0, 2 * PG), again;

	ASSERT(va != FAILED);
	memset((void *)va, 0x42, 2 * PG);
	ASSERT(detach(va) == 0);
	again = attach(0, MEM, va, 2 * PG);
	ASSERT(again == va, "%s", strerror(errno));
	EXPECT(((volatile char *)va)[PG] == 0, "old contents came back");
	EXPECT(mapped_as(va, va + 2 * PG, "rwxp") && nsegs() == 1);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
