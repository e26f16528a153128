// SPDX-License-Identifier: MIT
/*
 * attach.c: segattach (doc/contract.md §1.2, §1.3): classes, attributes and the
 * protections they give, va 0 or fixed, rounding, zero fill, and every
 * error: bad attributes and classes, lengths and addresses outside user
 * space, wrap, overlap with any mapping (EEXIST, nothing changed).
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

static char global_data[PG] = { 1 };
int main_text_marker(void);

/* The segment at base is listed with exactly this line. */
static void expect_listed(unsigned long base, unsigned long top,
			  const char *class, const char *flags, unsigned ref)
{
	struct seg s;

	ASSERT(find_seg(base, &s), "no segment at %lx", base);
	EXPECT(s.top == top, "top %lx want %lx", s.top, top);
	EXPECT(strcmp(s.class, class) == 0, "class %s want %s", s.class, class);
	EXPECT(strcmp(s.flags, flags) == 0, "flags '%s' want '%s'", s.flags, flags);
	EXPECT(s.ref == ref, "ref %u want %u", s.ref, ref);
}

TEST(memory_any_address)
{
	struct segctl_attach a = { .seg_class = MEM, .len = 3 * PG };
	unsigned long i;

	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	EXPECT(a.va != 0 && a.va % PG == 0 && a.va + a.len <= USER_TOP);
	EXPECT(a.len == 3 * PG && a.guard == 0);
	expect_listed(a.va, a.va + 3 * PG, "memory", "     ", 1);
	EXPECT(nsegs() == 1);
	EXPECT(mapped_as(a.va, a.va + 3 * PG, "rwxp"));
	for (i = 0; i < 3 * PG; i += 512)
		EXPECT(((volatile char *)a.va)[i] == 0, "not zero at +%lx", i);
	memset((void *)a.va, 0x5a, 3 * PG);
	EXPECT(((volatile char *)a.va)[3 * PG - 1] == 0x5a);
}

TEST(shared_any_address)
{
	unsigned long va = attach(0, SHR, 0, 5 * PG);

	ASSERT(va != FAILED, "%s", strerror(errno));
	expect_listed(va, va + 5 * PG, "shared", "     ", 1);
	EXPECT(mapped_as(va, va + 5 * PG, "rwxs"));
	EXPECT(((volatile char *)va)[4 * PG] == 0);
	((volatile char *)va)[4 * PG] = 1;
	EXPECT(((volatile char *)va)[4 * PG] == 1);
}

TEST(fixed_address)
{
	unsigned long want = free_range(8 * PG) + 2 * PG, va;

	va = attach(0, MEM, want, 2 * PG);
	EXPECT(va == want, "va %lx want %lx", va, want);
	va = attach(0, SHR, want + 2 * PG, PG);
	EXPECT(va == want + 2 * PG, "va %lx", va);
	expect_listed(want, want + 2 * PG, "memory", "     ", 1);
	expect_listed(want + 2 * PG, want + 3 * PG, "shared", "     ", 1);
	EXPECT(nsegs() == 2);
}

/* va is rounded down, len up after adding va's offset in its page. */
TEST(rounding)
{
	unsigned long want = free_range(16 * PG);
	struct segctl_attach a = { .seg_class = MEM, .va = want + 100, .len = PG };

	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	EXPECT(a.va == want && a.len == 2 * PG, "va %llx len %llx",
	       (unsigned long long)a.va, (unsigned long long)a.len);
	expect_listed(want, want + 2 * PG, "memory", "     ", 1);

	a = (struct segctl_attach){ .seg_class = MEM, .va = want + 4 * PG + PG - 1, .len = 1 };
	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	EXPECT(a.va == want + 4 * PG && a.len == PG);

	a = (struct segctl_attach){ .seg_class = SHR, .va = want + 6 * PG + 1, .len = PG - 1 };
	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	EXPECT(a.va == want + 6 * PG && a.len == PG);

	a = (struct segctl_attach){ .seg_class = MEM, .len = 3 * PG + 1 };
	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	EXPECT(a.len == 4 * PG);
	expect_listed(a.va, a.va + 4 * PG, "memory", "     ", 1);
}

struct attrcase {
	unsigned	attr;
	const char	*flags;
	const char	*perms;	/* memory class */
	bool		readable, writable;
};

static const struct attrcase cases[] = {
	{ 0, "     ", "rwx", true, true },
	{ SEGCTL_ATTR_RONLY, "R    ", "r-x", true, false },
	{ SEGCTL_ATTR_NOEXEC, "     ", "rw-", true, true },
	{ SEGCTL_ATTR_RONLY | SEGCTL_ATTR_NOEXEC, "R    ", "r--", true, false },
	{ SEGCTL_ATTR_NONE, " N   ", "---", false, false },
	{ SEGCTL_ATTR_NONE | SEGCTL_ATTR_RONLY, "RN   ", "---", false, false },
	{ SEGCTL_ATTR_SAS, "   S ", "rwx", true, true },
	{ SEGCTL_ATTR_CEXEC, "    X", "rwx", true, true },
	{ SEGCTL_ATTR_COMMIT, "  C  ", "rwx", true, true },
	{ SEGCTL_ATTR_ALL & ~SEGCTL_ATTR_NONE, "R CSX", "r--", true, false },
	{ SEGCTL_ATTR_NONE | SEGCTL_ATTR_SAS | SEGCTL_ATTR_CEXEC | SEGCTL_ATTR_NOEXEC,
	  " N SX", "---", false, false },
};

static void check_attrs(unsigned class)
{
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct attrcase *c = &cases[i];
		unsigned long va = attach(c->attr, class, 0, 2 * PG);
		char perms[5];
		int sig;

		ASSERT(va != FAILED, "attr %o: %s", c->attr, strerror(errno));
		snprintf(perms, sizeof(perms), "%s%c", c->perms,
			 class == SHR && !(c->attr & SEGCTL_ATTR_NONE) ? 's' : 'p');
		expect_listed(va, va + 2 * PG, class == SHR ? "shared" : "memory",
			      c->flags, 1);
		EXPECT(mapped_as(va, va + 2 * PG, perms), "attr %o: want %s", c->attr, perms);
		sig = read_faults(va + PG);
		EXPECT(c->readable ? sig == 0 : sig == SIGSEGV, "attr %o read: signal %d",
		       c->attr, sig);
		sig = write_faults(va);
		EXPECT(c->writable ? sig == 0 : sig == SIGSEGV, "attr %o write: signal %d",
		       c->attr, sig);
		if (c->readable)
			EXPECT(*(volatile char *)(va + PG + 7) == 0);
		ASSERT(detach(va) == 0, "%s", strerror(errno));
		EXPECT(unmapped(va, va + 2 * PG));
	}
	EXPECT(nsegs() == 0);
}

TEST(attributes_memory)
{
	check_attrs(MEM);
}

TEST(attributes_shared)
{
	check_attrs(SHR);
}

/* A NONE segment faults on every access: the process dies of SIGSEGV. */
TEST_SIGNAL(none_faults_for_real, SIGSEGV)
{
	unsigned long va = attach(SEGCTL_ATTR_NONE, MEM, 0, PG);

	ASSERT(va != FAILED);
	(void)*(volatile char *)va;
}

TEST_SIGNAL(ronly_write_faults_for_real, SIGSEGV)
{
	unsigned long va = attach(SEGCTL_ATTR_RONLY, SHR, 0, PG);

	ASSERT(va != FAILED);
	*(volatile char *)va = 1;
}

/* Each rejected attach leaves no table entry and no mapping at va. */
static void expect_einval(unsigned attr, unsigned class, unsigned long va,
			  unsigned long len, unsigned long guard)
{
	struct segctl_attach a = { .attr = attr, .seg_class = class, .va = va,
				   .len = len, .guard = guard };

	errno = 0;
	EXPECT(attach_raw(&a) == -1 && errno == EINVAL,
	       "attr %o class %u va %lx len %lx guard %lx: errno %d", attr, class,
	       va, len, guard, errno);
	EXPECT(a.va == va && a.len == len, "struct written on error");
}

TEST(bad_attributes)
{
	unsigned bits[] = { 1, 2, 4, 010, 020, 0400, 01000, 020000, 0100000,
			    1u << 20, 1u << 31 };
	unsigned i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		ASSERT(!(bits[i] & SEGCTL_ATTR_ALL));
		expect_einval(bits[i], MEM, 0, PG, 0);
		expect_einval(bits[i] | SEGCTL_ATTR_RONLY, SHR, 0, PG, 0);
	}
	expect_einval(SEGCTL_ATTR_NONE | SEGCTL_ATTR_COMMIT, MEM, 0, PG, 0);
	expect_einval(SEGCTL_ATTR_NONE | SEGCTL_ATTR_COMMIT, SHR, 0, PG, 0);
	expect_einval(SEGCTL_ATTR_NONE | SEGCTL_ATTR_COMMIT, MEM, 0, PG, PG);
	expect_einval(~0u, MEM, 0, PG, 0);
	EXPECT(nsegs() == 0);
	EXPECT(param("committed") == 0);
}

TEST(bad_class)
{
	unsigned classes[] = { 0, 3, 4, 0x101, 0xffffffff };
	unsigned i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		expect_einval(0, classes[i], 0, PG, 0);
		expect_einval(SEGCTL_ATTR_COMMIT, classes[i], 0, PG, 0);
	}
	EXPECT(nsegs() == 0);
}

TEST(bad_lengths)
{
	unsigned long free_va = free_range(4 * PG);

	expect_einval(0, MEM, 0, 0, 0);
	expect_einval(0, MEM, free_va, 0, 0);
	expect_einval(0, SHR, 0, 0, PG);
	expect_einval(0, MEM, 0, USER_TOP + 1, 0);
	expect_einval(0, MEM, 0, ~0UL, 0);
	expect_einval(0, MEM, 0, ~0UL - PG + 2, 0);	/* would round up to 0 */
	expect_einval(0, MEM, 0, 1UL << 63, 0);
	expect_einval(0, MEM, 0, PG, USER_TOP + 1);
	expect_einval(0, MEM, 0, PG, ~0UL);
	expect_einval(0, MEM, 0, USER_TOP / 2, USER_TOP / 2);	/* len + 2 guard */
	EXPECT(nsegs() == 0 && unmapped(free_va, free_va + 4 * PG));
}

TEST(bad_addresses)
{
	expect_einval(0, MEM, USER_TOP, PG, 0);
	expect_einval(0, MEM, USER_TOP + PG, PG, 0);
	expect_einval(0, MEM, 0xffff888000000000UL, PG, 0);
	expect_einval(0, MEM, 0xffffffffff600000UL, PG, 0);
	expect_einval(0, MEM, ~0UL & ~(PG - 1), PG, 0);
	/* The range runs past the top of user space, or wraps. */
	expect_einval(0, MEM, USER_TOP - PG, 2 * PG, 0);
	expect_einval(0, MEM, USER_TOP - PG, USER_TOP, 0);
	expect_einval(0, SHR, USER_TOP - 10 * PG, 11 * PG, 0);
	expect_einval(0, MEM, USER_TOP - PG, PG, PG);	/* high redzone */
	expect_einval(0, MEM, PG, PG, 2 * PG);		/* low redzone below 0 */
	EXPECT(nsegs() == 0);
	/* The last page of user space is fine (when nothing is there). */
	if (unmapped(USER_TOP - PG, USER_TOP)) {
		EXPECT(attach(0, MEM, USER_TOP - PG, PG) == USER_TOP - PG,
		       "last page: %s", strerror(errno));
		EXPECT(nsegs() == 1);
	}
}

/*
 * Below mmap_min_addr (only root may map there): EINVAL, not EPERM.  The
 * first page, one halfway, the last one, and a guarded attach whose guard
 * alone reaches below.
 */
static void low_as_nobody(void *arg)
{
	unsigned long min = *(unsigned long *)arg;

	become_nobody();
	expect_einval(0, MEM, PG, PG, 0);
	expect_einval(0, SHR, min / 2 & ~(PG - 1), PG, 0);
	expect_einval(0, MEM, min - PG, PG, 0);
	expect_einval(0, MEM, min - 4 * PG, PG, PG);
	expect_einval(0, MEM, min, PG, PG);
	EXPECT(nsegs() == 0);
}

TEST(below_mmap_min_addr)
{
	unsigned long was, min = min_addr_at_least(16, &was);

	EXPECT_CHILD(low_as_nobody, &min);
	min_addr_restore(was);
}

/* Overlap with anything mapped is EEXIST, and nothing changes. */
static void expect_eexist(unsigned attr, unsigned class, unsigned long va,
			  unsigned long len, unsigned long guard)
{
	struct segctl_attach a = { .attr = attr, .seg_class = class, .va = va,
				   .len = len, .guard = guard };
	long committed = param("committed");

	errno = 0;
	EXPECT(attach_raw(&a) == -1 && errno == EEXIST,
	       "attr %o class %u va %lx len %lx guard %lx: errno %d", attr, class,
	       va, len, guard, errno);
	EXPECT(param("committed") == committed, "commit charge moved");
}

TEST(overlap_segment)
{
	unsigned long r = free_range(16 * PG), va;
	struct seg *before, *after;
	int n, m, i;

	va = attach(0, MEM, r + 4 * PG, 4 * PG);
	ASSERT(va == r + 4 * PG);
	memset((void *)va, 0x33, 4 * PG);
	n = list_segs(&before);
	expect_eexist(0, MEM, va, 4 * PG, 0);			/* same */
	expect_eexist(0, SHR, va + PG, PG, 0);			/* inside */
	expect_eexist(0, MEM, r, 5 * PG, 0);			/* low end */
	expect_eexist(0, MEM, r + 7 * PG, 4 * PG, 0);		/* high end */
	expect_eexist(0, MEM, r, 16 * PG, 0);			/* around */
	expect_eexist(SEGCTL_ATTR_COMMIT, MEM, r + 2 * PG, 4 * PG, 0);
	expect_eexist(SEGCTL_ATTR_NONE, MEM, r + 7 * PG, PG, 0);
	expect_eexist(0, MEM, r + 10 * PG, 2 * PG, 3 * PG);	/* low redzone */
	expect_eexist(0, MEM, r + 2 * PG, 2 * PG, PG);		/* high redzone */
	m = list_segs(&after);
	ASSERT(n == 1 && m == 1);
	EXPECT(memcmp(before, after, sizeof(*before)) == 0, "listing changed");
	for (i = 0; i < (int)(4 * PG); i += 256)
		EXPECT(((volatile char *)va)[i] == 0x33, "contents changed at +%x", i);
	EXPECT(unmapped(r, r + 4 * PG) && unmapped(r + 8 * PG, r + 16 * PG),
	       "a failed attach left a mapping");
	free(before);
	free(after);
}

/* Mappings that are not segments count too: text, data, stack, mmap. */
TEST(overlap_other_mappings)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long stack = (unsigned long)&p & ~(PG - 1);
	unsigned long text = (unsigned long)&main_text_marker & ~(PG - 1);

	ASSERT(p != MAP_FAILED);
	expect_eexist(0, MEM, (unsigned long)p, PG, 0);
	expect_eexist(0, SHR, (unsigned long)p + 3 * PG, 2 * PG, 0);
	expect_eexist(0, MEM, (unsigned long)p - PG, 2 * PG, 0);
	expect_eexist(0, MEM, (unsigned long)p + 4 * PG, PG, PG);
	expect_eexist(0, MEM, stack, PG, 0);
	expect_eexist(0, MEM, (unsigned long)global_data & ~(PG - 1), PG, 0);
	expect_eexist(0, MEM, text, PG, 0);
	EXPECT(mapped_as((unsigned long)p, (unsigned long)p + 4 * PG, "r--p"));
	EXPECT(global_data[0] == 1);
	EXPECT(nsegs() == 0);
}

TEST(adjacent_segments)
{
	unsigned long r = free_range(6 * PG);
	unsigned long a = attach(0, MEM, r, 2 * PG), b = attach(0, MEM, r + 2 * PG, 2 * PG);
	unsigned long c = attach(0, MEM, r + 4 * PG, 2 * PG);

	ASSERT(a == r && b == r + 2 * PG && c == r + 4 * PG, "%lx %lx %lx", a, b, c);
	expect_listed(a, b, "memory", "     ", 1);
	expect_listed(b, c, "memory", "     ", 1);
	expect_listed(c, c + 2 * PG, "memory", "     ", 1);
	EXPECT(nsegs() == 3);
}

TEST(many_segments)
{
	unsigned long va[100];
	struct seg *v;
	int i, j, n;

	for (i = 0; i < 100; i++) {
		va[i] = attach(i % 3 ? 0 : SEGCTL_ATTR_NOEXEC, i % 2 ? SHR : MEM, 0,
			       (i % 4 + 1) * PG);
		ASSERT(va[i] != FAILED, "attach %d: %s", i, strerror(errno));
		*(volatile int *)va[i] = i;
	}
	n = list_segs(&v);
	EXPECT(n == 100, "%d listed", n);
	for (i = 0; i < 100; i++) {
		for (j = 0; j < n && v[j].base != va[i]; j++)
			;
		EXPECT(j < n && v[j].top == va[i] + (i % 4 + 1) * PG, "segment %d", i);
		EXPECT(*(volatile int *)va[i] == i);
	}
	free(v);
}

COUNTERS_ZERO_TEST

int main_text_marker(void)
{
	return 0;
}

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
