// SPDX-License-Identifier: MIT
/*
 * fork.c: the child's copy of the table (doc/contract.md §1.6): it lists and detaches
 * the inherited segments; memory is copy-on-write, shared is shared (ref 2
 * in both listings while both hold it); committed segments are committed
 * and charged in the child too; the copy is the table as it was at fork.
 */
#include <sys/prctl.h>

#include "common.h"

struct two {
	unsigned long mem, shr;
};

static void child_lists(void *arg)
{
	struct two *t = arg;
	struct seg s;

	EXPECT(nsegs() == 2);
	EXPECT(find_seg(t->mem, &s) && s.ref == 1 && strcmp(s.class, "memory") == 0 &&
	       s.top == t->mem + 2 * PG);
	EXPECT(find_seg(t->shr, &s) && s.ref == 2 && strcmp(s.class, "shared") == 0 &&
	       s.top == t->shr + 3 * PG, "ref %u", s.ref);
	/* Copy-on-write for memory, shared for shared. */
	EXPECT(((volatile char *)t->mem)[0] == 'm' && ((volatile char *)t->shr)[0] == 's');
	((volatile char *)t->mem)[0] = 'M';
	((volatile char *)t->shr)[0] = 'S';
	/* The child can detach what it inherited. */
	ASSERT(detach(t->mem + PG) == 0, "%s", strerror(errno));
	EXPECT(unmapped(t->mem, t->mem + 2 * PG) && nsegs() == 1);
	EXPECT(param("tables") == 2);
}

TEST(fork_copies_table)
{
	struct two t = { attach(0, MEM, 0, 2 * PG), attach(0, SHR, 0, 3 * PG) };
	struct seg s;

	ASSERT(t.mem != FAILED && t.shr != FAILED);
	*(char *)t.mem = 'm';
	*(char *)t.shr = 's';
	EXPECT_CHILD(child_lists, &t);
	EXPECT(*(volatile char *)t.mem == 'm', "the child's write to memory shows here");
	EXPECT(*(volatile char *)t.shr == 'S', "the child's write to shared does not show");
	EXPECT(nsegs() == 2 && find_seg(t.mem, &s) && mapped(t.mem, t.mem + 2 * PG),
	       "the child's detach touched ours");
	EXPECT(find_seg(t.shr, &s) && s.ref == 1, "ref %u after the child went", s.ref);
}

/* While the child lives the parent's listing shows ref 2 as well. */
TEST(fork_ref_in_parent)
{
	unsigned long va = attach(0, SHR, 0, PG);
	int go[2];
	pid_t pid;
	char c;
	struct seg s;

	ASSERT(va != FAILED && pipe(go) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	/* The child's table is adopted before it runs: wait until it has run. */
	for (int i = 0; i < 500 && find_seg(va, &s) && s.ref != 2; i++)
		usleep(10000);
	EXPECT(find_seg(va, &s) && s.ref == 2, "ref %u with a child", s.ref);
	close(go[1]);
	EXPECT(wait_for(pid) == 0);
	EXPECT(find_seg(va, &s) && s.ref == 1, "ref %u", s.ref);
}

/* The parent writes after fork: the child keeps its own copy. */
TEST(fork_cow_both_ways)
{
	unsigned long va = attach(0, MEM, 0, PG);
	int go[2], back[2];
	pid_t pid;
	char c;

	ASSERT(va != FAILED && pipe(go) == 0 && pipe(back) == 0);
	*(char *)va = 'a';
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(*(volatile char *)va == 'a' ? 0 : 1);
	}
	*(volatile char *)va = 'b';
	ASSERT(write(go[1], "x", 1) == 1);
	EXPECT(wait_for(pid) == 0, "the parent's write shows in the child");
}

static void child_commit(void *arg)
{
	unsigned long *va = arg;

	EXPECT(resident(va[0], va[0] + 4 * PG) && resident(va[1], va[1] + 2 * PG));
	EXPECT(locked_kb(va[0], va[0] + 4 * PG) == 16 && locked_kb(va[1], va[1] + 2 * PG) == 8,
	       "child Locked %lu + %lu kB", locked_kb(va[0], va[0] + 4 * PG),
	       locked_kb(va[1], va[1] + 2 * PG));
	EXPECT(param("committed") == 12, "committed %ld with a child", param("committed"));
	EXPECT(nsegs() == 2);
	ASSERT(detach(va[0]) == 0);
	EXPECT(param("committed") == 8);
}

TEST(fork_commit)
{
	unsigned long va[2] = { attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG),
				attach(SEGCTL_ATTR_COMMIT, SHR, 0, 2 * PG) };

	ASSERT(va[0] != FAILED && va[1] != FAILED);
	memset((void *)va[0], 1, 4 * PG);
	EXPECT_CHILD(child_commit, va);
	EXPECT(param("committed") == 6, "committed %ld after the child", param("committed"));
	EXPECT(locked_kb(va[0], va[0] + 4 * PG) == 16);
}

/* A child that cannot commit its copy (over the cap) is killed. */
TEST(fork_commit_over_cap)
{
	long old = param("commit_limit");
	unsigned long va = attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG);
	pid_t pid;
	int st;

	ASSERT(va != FAILED);
	ASSERT(set_param("commit_limit", 6) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	st = wait_for(pid);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status 0x%x", st);
	EXPECT(param("committed") == 4, "committed %ld", param("committed"));
	EXPECT(set_param("commit_limit", old) == 0);
}

/* Detached right after fork: still in the child's table. */
TEST(fork_detach_after)
{
	unsigned long va = attach(0, MEM, 0, 2 * PG);
	int go[2];
	pid_t pid;
	char c;

	ASSERT(va != FAILED && pipe(go) == 0);
	*(char *)va = 'k';
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		struct seg s;

		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(2);
		_exit(find_seg(va, &s) && s.top == va + 2 * PG && *(char *)va == 'k' &&
		      detach(va) == 0 ? 0 : 1);
	}
	close(go[0]);
	ASSERT(detach(va) == 0);
	close(go[1]);
	EXPECT(wait_for(pid) == 0, "the parent's detach reached the child");
}

/* Attached right after fork: not in the child's table. */
TEST(fork_attach_after)
{
	unsigned long before = attach(0, MEM, 0, PG), after;
	int go[2];
	pid_t pid;

	ASSERT(before != FAILED && pipe(go) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		unsigned long a;

		close(go[1]);
		if (read(go[0], &a, sizeof(a)) != sizeof(a))
			_exit(2);
		_exit(nsegs() == 1 && detach(a) == -1 && unmapped(a, a + PG) ? 0 : 1);
	}
	close(go[0]);
	after = attach(0, SHR, 0, PG);
	ASSERT(after != FAILED);
	ASSERT(write(go[1], &after, sizeof(after)) == sizeof(after));
	EXPECT(wait_for(pid) == 0, "the child got a segment attached after fork");
	EXPECT(nsegs() == 2);
}

/* The parent exits right after fork: the child keeps its table. */
static pid_t mid_pid;

TEST(fork_parent_exits)
{
	int res[2];
	pid_t mid;
	char r = 0;

	ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	ASSERT(pipe(res) == 0);
	mid = fork();
	ASSERT(mid >= 0);
	if (mid == 0) {
		unsigned long va = attach(0, SHR, 0, 2 * PG), m = attach(0, MEM, 0, PG);

		if (va == FAILED || m == FAILED)
			_exit(2);
		*(char *)va = 'p';
		mid_pid = getpid();
		if (fork() == 0) {
			struct seg s;

			/* Reparented to the test (a subreaper) once mid is gone. */
			while (getppid() == mid_pid)
				usleep(1000);
			r = find_seg(va, &s) && *(char *)va == 'p' && find_seg(m, &s) &&
			    nsegs() == 2 && detach(va) == 0 && nsegs() == 1 ? 'y' : 'n';
			_exit(write(res[1], &r, 1) == 1 ? 0 : 3);
		}
		_exit(0);
	}
	close(res[1]);
	EXPECT(wait_for(mid) == 0);
	ASSERT(read(res[0], &r, 1) == 1);
	EXPECT(r == 'y', "the orphan lost its table");
	while (wait(NULL) > 0)
		;
}

TEST(fork_without_table)
{
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(nsegs() == 0 && param("tables") == 0 ? 0 : 1);
	EXPECT(wait_for(pid) == 0);
}

/* Grandchildren inherit too; shared counts every holder. */
static void grandchild(void *arg)
{
	unsigned long va = *(unsigned long *)arg;
	struct seg s;

	EXPECT(find_seg(va, &s) && s.ref == 3, "ref %u in the grandchild", s.ref);
	EXPECT(nsegs() == 3);
	ASSERT(detach(va + PG) == 0);
	EXPECT(nsegs() == 0 && unmapped(va - PG, va + 3 * PG), "guarded span not all gone");
}

static void child_forks(void *arg)
{
	EXPECT_CHILD(grandchild, arg);
}

TEST(fork_twice_guarded)
{
	unsigned long va = attachg(0, SHR, 0, 2 * PG, PG);
	struct seg s;

	ASSERT(va != FAILED);
	EXPECT_CHILD(child_forks, &va);
	EXPECT(nsegs() == 3 && find_seg(va, &s) && s.ref == 1);
}

/* A child's own attaches are its own. */
static void child_attaches(void *arg)
{
	(void)arg;
	ASSERT(attach(0, MEM, 0, PG) != FAILED);
	EXPECT(nsegs() == 2);
}

TEST(fork_child_attaches)
{
	ASSERT(attach(0, MEM, 0, PG) != FAILED);
	EXPECT_CHILD(child_attaches, NULL);
	EXPECT(nsegs() == 1);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
