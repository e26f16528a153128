// SPDX-License-Identifier: MIT
/*
 * behind.c: munmap, mremap and mprotect of (part of) a segment behind the
 * module's back (doc/contract.md §1.6): no crash; the next call touching it, or a
 * listing, drops it; detach then says EINVAL; the commit charge returns
 * once the range is all unmapped, else when the process goes.
 */
#include <sys/mman.h>

#include "common.h"

static bool listed(unsigned long base)
{
	struct seg s;

	return find_seg(base, &s);
}

TEST(munmap_whole)
{
	unsigned long va = attach(0, MEM, 0, 3 * PG), other = attach(0, SHR, 0, PG);

	ASSERT(va != FAILED && other != FAILED);
	ASSERT(munmap((void *)va, 3 * PG) == 0);
	EXPECT(!listed(va) && nsegs() == 1, "an unmapped segment is listed");
	EXPECT(param("segments") == 1, "segments %ld", param("segments"));
	EXPECT_ERRNO(detach(va), EINVAL);
	EXPECT(listed(other));
}

TEST(munmap_part_then_calls)
{
	unsigned long va;

	/* Each call notices on its own, before any listing. */
	va = attach(0, MEM, 0, 4 * PG);
	ASSERT(va != FAILED && munmap((void *)(va + PG), PG) == 0);
	EXPECT_ERRNO(detach(va), EINVAL);
	EXPECT(mapped(va, va + PG) && mapped(va + 2 * PG, va + 4 * PG),
	       "the rest was unmapped for us");
	va = attach(0, SHR, 0, 4 * PG);
	ASSERT(va != FAILED && munmap((void *)(va + 3 * PG), PG) == 0);
	EXPECT_ERRNO(segfree(va, PG), EINVAL);
	EXPECT(!listed(va));
	va = attach(0, MEM, 0, 4 * PG);
	ASSERT(va != FAILED && munmap((void *)va, PG) == 0);
	EXPECT_ERRNO(segbrk(va + PG, 0, NULL, NULL), EINVAL);
	va = attach(0, MEM, 0, 2 * PG);
	ASSERT(va != FAILED && munmap((void *)va, 2 * PG) == 0);
	EXPECT_ERRNO(segflush(va, PG), EINVAL);
	EXPECT(nsegs() == 0);
}

TEST(mremap_move_and_resize)
{
	unsigned long va = attach(0, MEM, 0, 2 * PG), b = attach(0, MEM, 0, 4 * PG);
	unsigned long r = free_range(4 * PG), nva;

	ASSERT(va != FAILED && b != FAILED);
	*(char *)va = 'q';
	nva = (unsigned long)mremap((void *)va, 2 * PG, 2 * PG,
				    MREMAP_MAYMOVE | MREMAP_FIXED, (void *)r);
	ASSERT(nva == r, "mremap: %s", strerror(errno));
	EXPECT(*(char *)nva == 'q');
	EXPECT(!listed(va) && !listed(nva));
	EXPECT_ERRNO(detach(va), EINVAL);
	EXPECT_ERRNO(detach(nva), EINVAL);
	EXPECT(mapped(nva, nva + 2 * PG), "the moved mapping was unmapped");
	/* Shrunk in place. */
	ASSERT(mremap((void *)b, 4 * PG, 2 * PG, 0) == (void *)b);
	EXPECT_ERRNO(detach(b), EINVAL);
	EXPECT(mapped(b, b + 2 * PG) && nsegs() == 0);
	/* The old place can hold a new segment. */
	EXPECT(attach(0, SHR, va, 2 * PG) == va, "%s", strerror(errno));
	EXPECT(nsegs() == 1);
}

TEST(mremap_grow)
{
	unsigned long r = free_range(8 * PG), va = attach(0, MEM, r, 2 * PG);

	ASSERT(va == r);
	ASSERT(mremap((void *)va, 2 * PG, 4 * PG, 0) == (void *)va, "%s", strerror(errno));
	/* Grown by someone else: at least not corrupt; detach or drop. */
	if (listed(va)) {
		EXPECT(detach(va) == 0);
		EXPECT(unmapped(va, va + 2 * PG));
	} else {
		EXPECT_ERRNO(detach(va), EINVAL);
	}
	EXPECT(nsegs() == 0);
}

TEST(mprotect_part_or_whole)
{
	unsigned long a = attach(0, MEM, 0, 3 * PG), b = attach(SEGCTL_ATTR_RONLY, SHR, 0, 2 * PG);
	unsigned long c = attach(0, MEM, 0, 2 * PG), d = attach(SEGCTL_ATTR_NOEXEC, MEM, 0, PG);

	ASSERT(a != FAILED && b != FAILED && c != FAILED && d != FAILED);
	ASSERT(mprotect((void *)(a + PG), PG, PROT_READ) == 0);
	ASSERT(mprotect((void *)b, 2 * PG, PROT_READ | PROT_WRITE) == 0);
	ASSERT(mprotect((void *)c, 2 * PG, PROT_NONE) == 0);
	/* The protection it had: nothing changed, still a segment. */
	ASSERT(mprotect((void *)d, PG, PROT_READ | PROT_WRITE) == 0);
	EXPECT(!listed(a) && !listed(b) && !listed(c), "changed segments still listed");
	EXPECT(listed(d) && nsegs() == 1);
	EXPECT_ERRNO(detach(a), EINVAL);
	EXPECT_ERRNO(detach(b), EINVAL);
	EXPECT_ERRNO(detach(c), EINVAL);
	EXPECT(detach(d) == 0);
	EXPECT(mapped(a, a + 3 * PG) && mapped(b, b + 2 * PG) && mapped(c, c + 2 * PG));
}

/* A new segment where a stale one was: the stale one makes room. */
TEST(munmap_then_attach_same_place)
{
	unsigned long va = attach(0, MEM, 0, 4 * PG);
	struct seg s;

	ASSERT(va != FAILED && munmap((void *)(va + PG), 2 * PG) == 0);
	ASSERT(attach(0, SHR, va + PG, 2 * PG) == va + PG, "%s", strerror(errno));
	EXPECT(nsegs() == 1 && find_seg(va + PG, &s) && s.top == va + 3 * PG &&
	       strcmp(s.class, "shared") == 0);
	EXPECT_ERRNO(detach(va), EINVAL);
	EXPECT(detach(va + PG) == 0);
	EXPECT(mapped(va, va + PG) && mapped(va + 3 * PG, va + 4 * PG) &&
	       unmapped(va + PG, va + 3 * PG));
}

/* A neighbour grows into the hole a stale segment left. */
TEST(brk_into_stale)
{
	unsigned long r = free_range(6 * PG), a = attach(0, MEM, r, 2 * PG), top;
	unsigned long b = attach(0, MEM, r + 2 * PG, 2 * PG);

	ASSERT(a == r && b == r + 2 * PG);
	ASSERT(munmap((void *)b, 2 * PG) == 0);
	ASSERT(segbrk(a, r + 5 * PG, NULL, &top) == 0, "%s", strerror(errno));
	EXPECT(top == r + 5 * PG && nsegs() == 1);
	EXPECT(detach(b) == 0 && unmapped(r, r + 5 * PG));
}

/* Guarded (the old layout, va given): a redzone unmapped behind our back. */
TEST(guarded_redzone_unmapped)
{
	unsigned long va = attachg(0, MEM, free_range(4 * PG) + PG, 2 * PG, PG);

	ASSERT(va != FAILED && munmap((void *)(va - PG), PG) == 0);
	ASSERT(detach(va) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == 0 && unmapped(va - PG, va + 3 * PG));
	va = attachg(0, SHR, 0, 2 * PG, PG);
	ASSERT(va != FAILED && munmap((void *)va, 2 * PG) == 0);
	ASSERT(detach(va - PG) == 0, "%s", strerror(errno));
	EXPECT(nsegs() == 0 && unmapped(va - PG, va + 3 * PG));
}

TEST(commit_munmap_whole_returns_charge)
{
	unsigned long va = attach(SEGCTL_ATTR_COMMIT, MEM, 0, 8 * PG);

	ASSERT(va != FAILED && param("committed") == 8);
	ASSERT(munmap((void *)va, 8 * PG) == 0);
	EXPECT(nsegs() == 0);
	EXPECT(param("committed") == 0, "committed %ld after munmap", param("committed"));
}

/*
 * The charge follows what stays locked: the unmapped half returns when the
 * module notices (the listing), the locked half when it goes too, at the
 * next call, or at exit.
 */
static void part_unmapped(void *arg)
{
	unsigned long va = attach(SEGCTL_ATTR_COMMIT, SHR, 0, 8 * PG);

	(void)arg;
	ASSERT(va != FAILED && munmap((void *)va, 4 * PG) == 0);
	EXPECT(nsegs() == 0);
	EXPECT(param("committed") == 4, "committed %ld", param("committed"));
	EXPECT(locked_kb(va + 4 * PG, va + 8 * PG) == 16);
	ASSERT(munmap((void *)(va + 4 * PG), 2 * PG) == 0);
	EXPECT(nsegs() == 0);
	EXPECT(param("committed") == 2, "committed %ld", param("committed"));
}

TEST(commit_munmap_part_follows_locked)
{
	EXPECT_CHILD(part_unmapped, NULL);
	EXPECT(counters_are_zero(), "committed %ld", param("committed"));
}

/* Unmapped in the parent while a child shares it. */
TEST(munmap_shared_with_child)
{
	unsigned long va = attach(0, SHR, 0, 4 * PG);
	pid_t pid;
	int go[2];
	char c;

	ASSERT(va != FAILED && pipe(go) == 0);
	*(char *)va = 'z';
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		struct seg s;

		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(2);
		_exit(*(char *)va == 'z' && find_seg(va, &s) && segbrk(va, va + PG, 0, 0) == 0
		      ? 0 : 1);
	}
	close(go[0]);
	ASSERT(munmap((void *)(va + PG), PG) == 0);
	EXPECT(nsegs() == 0);
	close(go[1]);
	EXPECT(wait_for(pid) == 0, "the child lost its copy, or could not shrink it");
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
