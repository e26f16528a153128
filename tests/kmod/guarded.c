// SPDX-License-Identifier: MIT
/*
 * guarded.c: guarded attach (doc/contract.md §1.5): one call makes redzone + body +
 * redzone, returns the body's base (va, when given, is the body's), lists
 * three segments; detaching any of them removes all three; the redzones
 * fault; overlap of any part is EEXIST with nothing left behind.
 */
#include <sys/mman.h>

#include "common.h"

/* addr lies in a stack arena: one VMA of at least 1 GiB. */
static bool in_arena(unsigned long addr)
{
	struct map m;

	return map_at(addr, &m) && m.end - m.start >= (1UL << 30);
}

static void expect_seg(unsigned long base, unsigned long top, const char *class,
		       const char *flags)
{
	struct seg s;

	ASSERT(find_seg(base, &s), "no segment at %lx", base);
	EXPECT(s.top == top && strcmp(s.class, class) == 0 && strcmp(s.flags, flags) == 0,
	       "%lx: got %s '%s' %lx, want %s '%s' %lx", base, s.class, s.flags, s.top,
	       class, flags, top);
}

TEST(guarded_any_address)
{
	struct segctl_attach a = { .seg_class = MEM, .len = 4 * PG, .guard = 2 * PG };
	unsigned long va;

	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	va = a.va;
	EXPECT(a.len == 4 * PG && a.guard == 2 * PG);
	EXPECT(nsegs() == 3);
	expect_seg(va - 2 * PG, va, "memory", " N   ");
	expect_seg(va, va + 4 * PG, "memory", "     ");
	expect_seg(va + 4 * PG, va + 6 * PG, "memory", " N   ");
	/* In an arena (doc/arenas.md): its redzones are not VMAs, but fault. */
	EXPECT(mapped_as(va - 2 * PG, va + 6 * PG, "rwxp") && in_arena(va));
	EXPECT(read_faults(va - 1) == SIGSEGV && read_faults(va - 2 * PG) == SIGSEGV);
	EXPECT(write_faults(va + 4 * PG) == SIGSEGV && read_faults(va + 6 * PG - 1) == SIGSEGV);
	EXPECT(write_faults(va) == 0 && write_faults(va + 4 * PG - 1) == 0);
}

TEST(guarded_fixed_and_rounded)
{
	unsigned long r = free_range(16 * PG);
	struct segctl_attach a = { .seg_class = SHR, .va = r + 3 * PG + 7, .len = PG,
				   .guard = 1 };

	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	EXPECT(a.va == r + 3 * PG && a.len == 2 * PG && a.guard == PG,
	       "va %llx len %llx guard %llx", (unsigned long long)a.va,
	       (unsigned long long)a.len, (unsigned long long)a.guard);
	expect_seg(r + 2 * PG, r + 3 * PG, "memory", " N   ");
	expect_seg(r + 3 * PG, r + 5 * PG, "shared", "     ");
	expect_seg(r + 5 * PG, r + 6 * PG, "memory", " N   ");
	EXPECT(mapped_as(r + 3 * PG, r + 5 * PG, "rwxs"));
	EXPECT(unmapped(r, r + 2 * PG) && unmapped(r + 6 * PG, r + 16 * PG));
}

/* SAS and CEXEC go to the redzones as well; the rest is the body's. */
TEST(guarded_attrs)
{
	unsigned attr = SEGCTL_ATTR_RONLY | SEGCTL_ATTR_SAS | SEGCTL_ATTR_CEXEC |
			SEGCTL_ATTR_COMMIT | SEGCTL_ATTR_NOEXEC;
	unsigned long va = attachg(attr, MEM, 0, 3 * PG, PG);

	ASSERT(va != FAILED, "%s", strerror(errno));
	expect_seg(va - PG, va, "memory", " N SX");
	expect_seg(va, va + 3 * PG, "memory", "R CSX");
	expect_seg(va + 3 * PG, va + 4 * PG, "memory", " N SX");
	EXPECT(mapped_as(va, va + 3 * PG, "r--p"));
	EXPECT(param("committed") == 3, "redzones charged: committed %ld", param("committed"));
	EXPECT(resident(va, va + 3 * PG));
	ASSERT(detach(va - PG) == 0);
	EXPECT(param("committed") == 0 && nsegs() == 0);
}

static void detach_one(unsigned long off_from_body, unsigned class)
{
	unsigned long va = attachg(0, class, 0, 2 * PG, 3 * PG);

	ASSERT(va != FAILED);
	ASSERT(detach(va + off_from_body) == 0, "offset %ld: %s", (long)off_from_body,
	       strerror(errno));
	EXPECT(nsegs() == 0, "offset %ld", (long)off_from_body);
	/* An arena stays mapped; the span's space is free and faults. */
	if (class == MEM)
		EXPECT(in_arena(va) && read_faults(va - 3 * PG) == SIGSEGV &&
		       read_faults(va) == SIGSEGV && write_faults(va + 2 * PG - 1) == SIGSEGV &&
		       read_faults(va + 5 * PG - 1) == SIGSEGV, "offset %ld: still there",
		       (long)off_from_body);
	else
		EXPECT(unmapped(va - 3 * PG, va + 5 * PG), "offset %ld: left mapped",
		       (long)off_from_body);
	EXPECT_ERRNO(detach(va), EINVAL);
	EXPECT_ERRNO(detach(va - PG), EINVAL);
	EXPECT_ERRNO(detach(va + 2 * PG), EINVAL);
}

TEST(guarded_detach_any_part)
{
	long offs[] = { 0, PG + 3, -1, -3 * (long)PG, 2 * PG, 5 * PG - 1 };
	unsigned i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		detach_one(offs[i], MEM);
		detach_one(offs[i], SHR);
	}
}

/* Two guarded spans side by side: detaching one leaves the other whole. */
TEST(guarded_neighbours)
{
	unsigned long r = free_range(10 * PG);
	unsigned long a = attachg(0, MEM, r + PG, PG, PG);
	unsigned long b = attachg(0, MEM, r + 4 * PG, PG, PG);
	unsigned long c = attach(SEGCTL_ATTR_NONE, MEM, r + 6 * PG, PG);

	ASSERT(a == r + PG && b == r + 4 * PG && c == r + 6 * PG);
	EXPECT(nsegs() == 7);
	ASSERT(detach(r + 2 * PG) == 0);	/* a's high redzone */
	EXPECT(nsegs() == 4 && unmapped(r, r + 3 * PG));
	expect_seg(r + 3 * PG, r + 4 * PG, "memory", " N   ");
	expect_seg(r + 4 * PG, r + 5 * PG, "memory", "     ");
	expect_seg(r + 5 * PG, r + 6 * PG, "memory", " N   ");
	expect_seg(r + 6 * PG, r + 7 * PG, "memory", " N   ");
	ASSERT(detach(r + 5 * PG) == 0);
	EXPECT(nsegs() == 1 && mapped_as(r + 6 * PG, r + 7 * PG, "---p"));
}

TEST(guarded_overlap)
{
	unsigned long r = free_range(16 * PG);
	char *p = mmap((void *)(r + 8 * PG), PG, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	ASSERT(p == (void *)(r + 8 * PG));
	/* The high redzone would cover p. */
	EXPECT_ERRNO(attachg(0, MEM, r + 4 * PG, 4 * PG, PG), EEXIST);
	/* The low one. */
	EXPECT_ERRNO(attachg(0, SHR, r + 10 * PG, 2 * PG, 3 * PG), EEXIST);
	EXPECT_ERRNO(attachg(SEGCTL_ATTR_COMMIT, MEM, r + 9 * PG, PG, PG), EEXIST);
	EXPECT(unmapped(r, r + 8 * PG) && unmapped(r + 9 * PG, r + 16 * PG),
	       "a failed guarded attach left a mapping");
	EXPECT(nsegs() == 0 && param("committed") == 0);
	EXPECT(mapped_as(r + 8 * PG, r + 9 * PG, "r--p"));
	/* Exactly up to it is fine. */
	EXPECT(attachg(0, MEM, r + 5 * PG, 2 * PG, PG) == r + 5 * PG, "%s", strerror(errno));
	EXPECT(nsegs() == 3);
}

TEST(guarded_bad)
{
	EXPECT_ERRNO(attachg(0, MEM, PG, PG, 2 * PG), EINVAL);	/* below 0 */
	EXPECT_ERRNO(attachg(0, MEM, USER_TOP - 2 * PG, PG, 2 * PG), EINVAL);
	EXPECT_ERRNO(attachg(0, MEM, 0, PG, USER_TOP), EINVAL);
	EXPECT_ERRNO(attachg(0, MEM, 0, PG, ~0UL), EINVAL);
	EXPECT_ERRNO(attachg(0, MEM, 0, 0, PG), EINVAL);
	EXPECT_ERRNO(attachg(SEGCTL_ATTR_NONE | SEGCTL_ATTR_COMMIT, MEM, 0, PG, PG), EINVAL);
	EXPECT_ERRNO(attachg(0, 0, 0, PG, PG), EINVAL);
	EXPECT(nsegs() == 0);
}

/* Running off the end of the body (a stack overflow) is a SIGSEGV. */
TEST_SIGNAL(guarded_overflow_faults, SIGSEGV)
{
	unsigned long va = attachg(0, MEM, 0, 2 * PG, PG);
	volatile char *p = (volatile char *)va;
	unsigned long i;

	ASSERT(va != FAILED);
	for (i = 0; i < 3 * PG; i++)
		p[i] = 1;
}

TEST_SIGNAL(guarded_underflow_faults, SIGSEGV)
{
	unsigned long va = attachg(0, SHR, 0, 2 * PG, PG);

	ASSERT(va != FAILED);
	*(volatile char *)(va - 1) = 1;
}

TEST(guarded_flush_free)
{
	unsigned long va = attachg(0, MEM, 0, 2 * PG, PG);

	ASSERT(va != FAILED);
	EXPECT(segflush(va - PG, 4 * PG) == 0, "%s", strerror(errno));
	EXPECT_ERRNO(segflush(va - 2 * PG, 5 * PG), EINVAL);
	memset((void *)va, 1, 2 * PG);
	EXPECT(segfree(va, 2 * PG) == 0 && ((volatile char *)va)[PG] == 0);
	EXPECT_ERRNO(segfree(va, 3 * PG), EINVAL);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
