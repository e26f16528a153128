// SPDX-License-Identifier: MIT
/*
 * exec.c: exec frees the table (SPEC §1.6): the new image starts with no
 * segments, and the old image's commit charge is returned.  The test
 * re-executes itself with "--after-exec WHAT" to check from the new image.
 * A vfork child's exec leaves the parent's table (its mm) alone.
 */
#include <fcntl.h>
#include <pthread.h>

#include "common.h"

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
	(void)arg;
	ASSERT(attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG) != FAILED);
	ASSERT(attach(SEGCTL_ATTR_COMMIT, SHR, 0, 4 * PG) != FAILED);
	ASSERT(attach(SEGCTL_ATTR_CEXEC, SHR, 0, PG) != FAILED);
	ASSERT(attachg(0, MEM, 0, PG, PG) != FAILED);
	ASSERT(param("committed") == 8 && param("segments") == 6);
	execl("/proc/self/exe", "kmod-exec", "--after-exec", "alone", (char *)NULL);
	ASSERT(0, "exec: %s", strerror(errno));
}

TEST(exec_frees_table)
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
	if (argc == 3 && strcmp(argv[1], "--after-exec") == 0)
		return after_exec(argv[2]);
	return tap_main(argc, argv);
}
