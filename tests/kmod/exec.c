// SPDX-License-Identifier: MIT
/*
 * exec.c: exec and the table (doc/contract.md §1.6).  Private segments and those
 * marked SG_CEXEC go with the old mm, and their charges with them; shared
 * segments without SG_CEXEC come back in the new image at the same place
 * with the same contents (committed again).  The test re-executes itself
 * with "--after-exec WHAT [ADDR]" to check from the new image.  A vfork
 * child's exec leaves the parent's table (its mm) alone.
 */
#include <fcntl.h>
#include <pthread.h>

#include "common.h"

/* In the new image: the carried shared segment, nothing else. */
static int after_carry(const char *addr)
{
	unsigned long va = strtoul(addr, NULL, 16);
	struct seg *v;
	int n = list_segs(&v), bad = 0;

	if (n != 1 || v[0].base != va || v[0].top != va + 4 * PG ||
	    strcmp(v[0].class, "shared") != 0 || strcmp(v[0].flags, "  C  ") != 0) {
		printf("# carried: want one 'shared C' segment at %lx, got %d\n", va, n);
		bad = 1;
	} else if (strcmp((char *)va, "kept across exec") != 0) {
		printf("# carried: contents lost\n");
		bad = 1;
	} else if (!resident(va, va + 4 * PG) || locked_kb(va, va + 4 * PG) != 16 ||
		   param("committed") != 4 || param("segments") != 1) {
		printf("# carried: not committed again (committed %ld, locked %lu kB)\n",
		       param("committed"), locked_kb(va, va + 4 * PG));
		bad = 1;
	}
	free(v);
	return bad;
}

/* In the new image: no table, nothing of the old one counted. */
static int after_exec(const char *what)
{
	size_t n;
	char *s = slurp("/dev/segctl", &n);

	if (s == NULL || n != 0) {
		printf("# %s: the new image has a listing: '%s'\n", what, s ? s : "?");
		return 1;
	}
	if (strcmp(what, "alone") == 0 && !counters_are_zero()) {
		printf("# %s: tables %ld segments %ld committed %ld after exec\n", what,
		       param("tables"), param("segments"), param("committed"));
		return 1;
	}
	if (strcmp(what, "vfork") == 0 && param("committed") != 3) {
		printf("# vfork: committed %ld, want the parent's 3\n", param("committed"));
		return 1;
	}
	return 0;
}

static void attach_and_exec(void *arg)
{
	unsigned long shr;
	char addr[32];

	(void)arg;
	ASSERT(attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG) != FAILED);
	shr = attach(SEGCTL_ATTR_COMMIT, SHR, 0, 4 * PG);
	ASSERT(shr != FAILED);
	strcpy((char *)shr, "kept across exec");
	ASSERT(attach(SEGCTL_ATTR_CEXEC, SHR, 0, PG) != FAILED);
	ASSERT(attachg(0, MEM, 0, PG, PG) != FAILED);
	/* The guarded one is in an arena: one table entry. */
	ASSERT(param("committed") == 8 && param("segments") == 4 && param("spans") == 1);
	snprintf(addr, sizeof(addr), "%lx", shr);
	execl("/proc/self/exe", "kmod-exec", "--after-exec", "carried", addr, (char *)NULL);
	ASSERT(0, "exec: %s", strerror(errno));
}

/* Only "shared" without SG_CEXEC survives; every other charge returns. */
TEST(exec_keeps_shared_only)
{
	EXPECT_CHILD(attach_and_exec, NULL);
	EXPECT(counters_are_zero());
}

/* vfork shares the mm until exec: the child's exec must not free it. */
TEST(vfork_exec_keeps_parent_table)
{
	unsigned long va = attach(SEGCTL_ATTR_COMMIT, MEM, 0, 3 * PG);
	struct seg s;
	pid_t pid;
	int st;

	ASSERT(va != FAILED);
	*(char *)va = 'v';
	pid = vfork();
	if (pid == 0) {
		execl("/proc/self/exe", "kmod-exec", "--after-exec", "vfork", (char *)NULL);
		_exit(127);
	}
	ASSERT(pid > 0);
	st = wait_for(pid);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	EXPECT(find_seg(va, &s) && s.top == va + 3 * PG && *(char *)va == 'v',
	       "the vfork child's exec took our table");
	EXPECT(param("committed") == 3 && resident(va, va + 3 * PG));
}

/* A process with threads execs: the old mm goes with every charge. */
static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void threads_exec(void *arg)
{
	pthread_t t;

	(void)arg;
	ASSERT(attach(SEGCTL_ATTR_COMMIT, MEM, 0, 2 * PG) != FAILED);
	ASSERT(pthread_create(&t, NULL, sleeper, NULL) == 0);
	execl("/proc/self/exe", "kmod-exec", "--after-exec", "alone", (char *)NULL);
	ASSERT(0, "exec: %s", strerror(errno));
}

TEST(exec_with_threads)
{
	EXPECT_CHILD(threads_exec, NULL);
	EXPECT(counters_are_zero());
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--after-exec") == 0)
		return after_carry(argv[3]);
	if (argc == 3 && strcmp(argv[1], "--after-exec") == 0)
		return after_exec(argv[2]);
	return tap_main(argc, argv);
}
