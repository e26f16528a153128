// SPDX-License-Identifier: MIT
/*
 * commit.c: SG_COMMIT (doc/contract.md §1.3): every page resident and locked when
 * attach returns; charged to RLIMIT_MEMLOCK and to the module cap (sysfs
 * commit_limit, committed); all or nothing on failure, as root and as
 * nobody; the charge returned however the segment goes.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common.h"

#define C SEGCTL_ATTR_COMMIT

static void expect_committed(unsigned long va, unsigned long len, bool locked)
{
	EXPECT(resident(va, va + len), "not every page of %lx+%lx resident", va, len);
	if (locked)
		EXPECT(locked_kb(va, va + len) == len / 1024, "Locked: %lu kB of %lu",
		       locked_kb(va, va + len), len / 1024);
}

TEST(commit_memory)
{
	unsigned long va = attach(C, MEM, 0, 16 * PG);
	struct seg s;

	ASSERT(va != FAILED, "%s", strerror(errno));
	expect_committed(va, 16 * PG, true);
	EXPECT(param("committed") == 16, "committed %ld", param("committed"));
	ASSERT(find_seg(va, &s));
	EXPECT(strcmp(s.flags, "  C  ") == 0 && s.top == va + 16 * PG);
	EXPECT(mapped_as(va, va + 16 * PG, "rwxp"));
	EXPECT(((volatile char *)va)[5 * PG] == 0);
	ASSERT(detach(va) == 0);
	EXPECT(param("committed") == 0, "committed %ld after detach", param("committed"));
	EXPECT(unmapped(va, va + 16 * PG));
}

TEST(commit_shared)
{
	unsigned long va = attach(C, SHR, 0, 8 * PG);

	ASSERT(va != FAILED, "%s", strerror(errno));
	expect_committed(va, 8 * PG, true);
	EXPECT(param("committed") == 8);
	EXPECT(mapped_as(va, va + 8 * PG, "rwxs"));
	ASSERT(detach(va + 3 * PG) == 0);
	EXPECT(param("committed") == 0);
}

/* Read-only committed memory is resident (read-faulted) too. */
TEST(commit_ronly)
{
	unsigned long m = attach(C | SEGCTL_ATTR_RONLY, MEM, 0, 4 * PG);
	unsigned long s = attach(C | SEGCTL_ATTR_RONLY, SHR, 0, 4 * PG);

	ASSERT(m != FAILED && s != FAILED, "%s", strerror(errno));
	EXPECT(resident(m, m + 4 * PG));
	expect_committed(s, 4 * PG, true);
	EXPECT(param("committed") == 8);
	EXPECT(write_faults(m) == SIGSEGV && write_faults(s) == SIGSEGV);
}

TEST(commit_counts_add_up)
{
	unsigned long a = attach(C, MEM, 0, 3 * PG), b = attach(C, SHR, 0, 5 * PG);
	unsigned long c = attach(0, MEM, 0, 7 * PG);
	char *dbg, line[64];

	ASSERT(a != FAILED && b != FAILED && c != FAILED);
	EXPECT(param("committed") == 8);
	dbg = slurp("/sys/kernel/debug/segctl/tables", NULL);
	ASSERT(dbg != NULL, "debugfs: %s", strerror(errno));
	snprintf(line, sizeof(line), "pid %d segments 3 commit 8\n", getpid());
	EXPECT(strstr(dbg, line) != NULL, "no '%s' in\n%s", line, dbg);
	free(dbg);
	ASSERT(detach(a) == 0);
	EXPECT(param("committed") == 5);
	ASSERT(detach(c) == 0);
	EXPECT(param("committed") == 5);
}

static void exit_holding(void *arg)
{
	(void)arg;
	ASSERT(attach(C, MEM, 0, 32 * PG) != FAILED);
	ASSERT(attach(C, SHR, 0, 32 * PG) != FAILED);
	ASSERT(param("committed") == 64);
}

TEST(commit_returned_at_exit)
{
	EXPECT_CHILD(exit_holding, NULL);
	EXPECT(counters_are_zero(), "committed %ld", param("committed"));
}

/* Over the module cap: ENOMEM, nothing mapped, nothing charged. */
TEST(commit_over_module_cap)
{
	long old = param("commit_limit");
	unsigned long r = free_range(32 * PG), va;

	ASSERT(set_param("commit_limit", 8) == 0, "%s", strerror(errno));
	EXPECT(param("commit_limit") == 8);
	EXPECT_ERRNO(attach(C, MEM, r, 9 * PG), ENOMEM);
	EXPECT_ERRNO(attach(C, SHR, r, 16 * PG), ENOMEM);
	EXPECT(unmapped(r, r + 32 * PG) && nsegs() == 0 && param("committed") == 0);
	va = attach(C, MEM, r, 6 * PG);
	EXPECT(va == r, "%s", strerror(errno));
	EXPECT_ERRNO(attach(C, SHR, r + 8 * PG, 3 * PG), ENOMEM);
	EXPECT(unmapped(r + 8 * PG, r + 11 * PG));
	EXPECT(attach(C, SHR, r + 8 * PG, 2 * PG) == r + 8 * PG);
	EXPECT(param("committed") == 8);
	EXPECT_ERRNO(attach(C, MEM, 0, PG), ENOMEM);
	EXPECT(attach(0, MEM, 0, 64 * PG) != FAILED, "uncommitted is not capped");
	ASSERT(detach(va) == 0);
	EXPECT(attach(C, MEM, 0, 6 * PG) != FAILED, "cap not returned at detach");
	EXPECT(set_param("commit_limit", old) == 0);
}

/* A cap of 0 turns SG_COMMIT off: EPERM. */
TEST(commit_cap_zero)
{
	long old = param("commit_limit");
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };

	ASSERT(set_param("commit_limit", 0) == 0);
	EXPECT_ERRNO(attach(C, MEM, 0, PG), EPERM);
	EXPECT_ERRNO(attach(C, SHR, 0, PG), EPERM);
	EXPECT(segioctl(SEGCTL_VERSION, &v) == 0 && v.commit_limit == 0);
	EXPECT(nsegs() == 0 && param("committed") == 0);
	EXPECT(attach(0, MEM, 0, PG) != FAILED);
	EXPECT(set_param("commit_limit", old) == 0);
	EXPECT(segioctl(SEGCTL_VERSION, &v) == 0 && v.commit_limit == (unsigned long)old);
}

static void limit_memlock(unsigned long bytes)
{
	struct rlimit rl = { bytes, bytes };

	ASSERT(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "%s", strerror(errno));
}

/* As nobody, RLIMIT_MEMLOCK 0 means no committing at all. */
static void as_nobody_memlock_zero(void *arg)
{
	(void)arg;
	limit_memlock(0);
	become_nobody();
	EXPECT_ERRNO(attach(C, MEM, 0, PG), EPERM);
	EXPECT_ERRNO(attach(C, SHR, 0, PG), EPERM);
	EXPECT_ERRNO(attachg(C, MEM, 0, PG, PG), EPERM);
	EXPECT(nsegs() == 0 && param("committed") == 0);
	EXPECT(attach(0, MEM, 0, PG) != FAILED, "plain attach refused");
}

TEST(nobody_memlock_zero)
{
	EXPECT_CHILD(as_nobody_memlock_zero, NULL);
}

/* As nobody, over RLIMIT_MEMLOCK: ENOMEM, nothing mapped or charged. */
static void as_nobody_over_memlock(void *arg)
{
	unsigned long r, va, s;

	(void)arg;
	limit_memlock(16 * PG);
	become_nobody();
	r = free_range(64 * PG);
	EXPECT_ERRNO(attach(C, MEM, r, 17 * PG), ENOMEM);
	EXPECT_ERRNO(attach(C, SHR, r, 32 * PG), ENOMEM);
	EXPECT(unmapped(r, r + 64 * PG) && nsegs() == 0);
	EXPECT(param("committed") == 0, "committed %ld", param("committed"));
	va = attach(C, MEM, r, 10 * PG);
	ASSERT(va == r, "within the limit: %s", strerror(errno));
	expect_committed(va, 10 * PG, true);
	EXPECT_ERRNO(attach(C, SHR, r + 20 * PG, 7 * PG), ENOMEM);
	EXPECT(unmapped(r + 20 * PG, r + 27 * PG));
	s = attach(C, SHR, r + 20 * PG, 6 * PG);
	EXPECT(s == r + 20 * PG, "%s", strerror(errno));
	EXPECT(param("committed") == 16);
	EXPECT_ERRNO(attach(C, MEM, 0, PG), ENOMEM);
	/* Detach gives the rlimit charge back, as munlock would. */
	ASSERT(detach(va) == 0);
	EXPECT(attach(C, MEM, 0, 10 * PG) != FAILED, "rlimit not returned: %s",
	       strerror(errno));
	EXPECT(param("committed") == 16);
}

TEST(nobody_over_memlock)
{
	EXPECT_CHILD(as_nobody_over_memlock, NULL);
	EXPECT(counters_are_zero());
}

/* As nobody with room in RLIMIT_MEMLOCK, over the module cap: ENOMEM. */
static void as_nobody_over_cap(void *arg)
{
	unsigned long r;

	(void)arg;
	limit_memlock(1024 * PG);
	become_nobody();
	r = free_range(32 * PG);
	EXPECT_ERRNO(attach(C, MEM, r, 9 * PG), ENOMEM);
	EXPECT_ERRNO(attach(C, SHR, r, 9 * PG), ENOMEM);
	EXPECT(unmapped(r, r + 32 * PG) && nsegs() == 0 && param("committed") == 0);
	EXPECT(attach(C, MEM, r, 8 * PG) == r, "%s", strerror(errno));
	EXPECT_ERRNO(attach(C, SHR, 0, PG), ENOMEM);
	EXPECT(param("committed") == 8);
	/* nobody cannot move the cap. */
	EXPECT(set_param("commit_limit", 1000000) == -1 && errno == EACCES,
	       "nobody wrote commit_limit: %s", strerror(errno));
	EXPECT(param("commit_limit") == 8);
}

TEST(nobody_over_cap)
{
	long old = param("commit_limit");

	ASSERT(set_param("commit_limit", 8) == 0);
	EXPECT_CHILD(as_nobody_over_cap, NULL);
	EXPECT(set_param("commit_limit", old) == 0);
	EXPECT(param("commit_limit") == old);
}

/* The module's parameters: commit_limit rw root, the counters read-only. */
TEST(param_modes)
{
	const char *ro[] = { "committed", "tables", "segments" };
	char path[128];
	struct stat st;
	unsigned i;

	ASSERT(stat("/sys/module/segctl/parameters/commit_limit", &st) == 0);
	EXPECT((st.st_mode & 0777) == 0644, "commit_limit mode %o", st.st_mode & 0777);
	EXPECT(param("commit_limit") > 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/module/segctl/parameters/%s", ro[i]);
		ASSERT(stat(path, &st) == 0, "%s", path);
		EXPECT((st.st_mode & 0777) == 0444, "%s mode %o", ro[i], st.st_mode & 0777);
		EXPECT(set_param(ro[i], 5) == -1, "%s writable", ro[i]);
	}
	EXPECT(param("committed") == 0);
}

/* Exactly the cap fits; one page more does not. */
TEST(commit_exactly_the_cap)
{
	long old = param("commit_limit");

	ASSERT(set_param("commit_limit", 12) == 0);
	EXPECT(attach(C, SHR, 0, 12 * PG) != FAILED, "%s", strerror(errno));
	EXPECT_ERRNO(attach(C, MEM, 0, 1), ENOMEM);
	EXPECT(param("committed") == 12);
	EXPECT(set_param("commit_limit", old) == 0);
}

/* Lowering the cap below what is held refuses more, takes nothing away. */
TEST(commit_cap_lowered)
{
	long old = param("commit_limit");
	unsigned long va = attach(C, MEM, 0, 10 * PG);

	ASSERT(va != FAILED);
	ASSERT(set_param("commit_limit", 4) == 0);
	EXPECT_ERRNO(attach(C, MEM, 0, PG), ENOMEM);
	EXPECT(resident(va, va + 10 * PG) && param("committed") == 10);
	ASSERT(detach(va) == 0);
	EXPECT(param("committed") == 0);
	EXPECT(attach(C, MEM, 0, 4 * PG) != FAILED);
	EXPECT(set_param("commit_limit", old) == 0);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
