// SPDX-License-Identifier: MIT
/*
 * fork, threads, clone(CLONE_VM) and many segments: doc/contract.md §1.3 (no fixed
 * limit, O(log n)), §1.6.  Children report by exit status: 0, or the
 * number of the check that failed.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check_seg.h"

struct two {
	char	*mem;
	char	*shr;
	char	*com;
};

/* "memory" is copy-on-write, "shared" shared, both listed in the child. */
static int
forkchild(void *arg)
{
	struct two *t = arg;

	if (t->mem[0] != 'p' || t->shr[0] != 'p')
		return 1;
	if (!islisted("memory", "", ADDR(t->mem), ADDR(t->mem) + 2 * PG, 1))
		return 2;
	if (!islisted("shared", "", ADDR(t->shr), ADDR(t->shr) + 2 * PG, 2))
		return 3;
	t->mem[0] = 'c';
	t->shr[0] = 'c';
	/* The child detaches what it inherited: gone here, not in the parent. */
	if (segdetach(t->mem) != 0 || segdetach(t->shr + PG) != 0)
		return 4;
	if (mapped(ADDR(t->mem), ADDR(t->mem) + 2 * PG) || mapped(ADDR(t->shr), ADDR(t->shr) + 2 * PG))
		return 5;
	if (islisted("memory", "", ADDR(t->mem), ADDR(t->mem) + 2 * PG, 1))
		return 6;
	/* Attaches after fork are each side's own. */
	if (segattach(0, "memory", 0, PG) == FAILED)
		return 7;
	return 0;
}

START_TEST(fork_inherit)
{
	struct two t;
	char *l;
	int n;

	t.mem = segattach(0, "memory", 0, 2 * PG);
	t.shr = segattach(0, "shared", 0, 2 * PG);
	ck_assert_ptr_ne(t.mem, FAILED);
	ck_assert_ptr_ne(t.shr, FAILED);
	t.mem[0] = 'p';
	t.shr[0] = 'p';
	l = listing();
	n = nlines(l);
	free(l);

	inchild(forkchild, &t);
	ck_assert_int_eq(t.mem[0], 'p');
	ck_assert_int_eq(t.shr[0], 'c');
	ck_listed("memory", "", ADDR(t.mem), ADDR(t.mem) + 2 * PG, 1);
	ck_listed("shared", "", ADDR(t.shr), ADDR(t.shr) + 2 * PG, 1);
	l = listing();
	ck_assert_int_eq(nlines(l), n);
	free(l);
	ck_assert_int_eq(segdetach(t.mem), 0);
	ck_assert_int_eq(segdetach(t.shr), 0);
}
END_TEST

/* The child's SG_COMMIT segments are committed (resident, locked) too. */
static int
commitchild(void *arg)
{
	struct two *t = arg;

	if (!resident(ADDR(t->com), 16 * PG) || !resident(ADDR(t->shr), 4 * PG))
		return 1;
	if (!locked(ADDR(t->com), 16 * PG))
		return 2;
	if (!locked(ADDR(t->shr), 4 * PG))
		return 3;
	if (t->com[5] != 'm' || t->shr[5] != 's')
		return 4;
	t->com[5] = 'x';
	if (!islisted("memory", "  C", ADDR(t->com), ADDR(t->com) + 16 * PG, 1))
		return 5;
	return 0;
}

START_TEST(fork_commit)
{
	struct two t;

	t.com = segattach(SG_COMMIT, "memory", 0, 16 * PG);
	t.shr = segattach(SG_COMMIT, "shared", 0, 4 * PG);
	ck_assert_msg(t.com != FAILED && t.shr != FAILED, "%s", segerrstr());
	t.com[5] = 'm';
	t.shr[5] = 's';
	inchild(commitchild, &t);
	ck_assert_int_eq(t.com[5], 'm');
	ck_assert(resident(ADDR(t.com), 16 * PG));
	ck_assert(locked(ADDR(t.com), 16 * PG));
	ck_assert(locked(ADDR(t.shr), 4 * PG));
	ck_assert_int_eq(segdetach(t.com), 0);
	ck_assert_int_eq(segdetach(t.shr), 0);
}
END_TEST

/* Grandchildren count too, and a dead child stops counting. */
static int
grandchild(void *arg)
{
	struct two *t = arg;
	int status;
	pid_t pid;

	if (!islisted("shared", "", ADDR(t->shr), ADDR(t->shr) + PG, 2))
		return 1;
	pid = fork();
	if (pid == 0) {
		if (!islisted("shared", "", ADDR(t->shr), ADDR(t->shr) + PG, 3))
			_exit(1);
		kill(getpid(), SIGKILL);	/* no chance to detach */
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		return 2;
	if (!islisted("shared", "", ADDR(t->shr), ADDR(t->shr) + PG, 2))
		return 3;
	return 0;
}

START_TEST(fork_refs)
{
	struct two t;

	t.shr = segattach(0, "shared", 0, PG);
	ck_assert_ptr_ne(t.shr, FAILED);
	inchild(grandchild, &t);
	ck_listed("shared", "", ADDR(t.shr), ADDR(t.shr) + PG, 1);
	ck_assert_int_eq(segdetach(t.shr), 0);
}
END_TEST

static void *
attachthread(void *arg)
{
	(void)arg;
	return segattach(0, "memory", 0, 3 * PG);
}

static void *
detachthread(void *arg)
{
	return (void *)(intptr_t)segdetach((char *)arg + PG);
}

/* Threads share the table: one attaches, another sees and detaches. */
START_TEST(threads)
{
	pthread_t t;
	void *p, *rv;

	ck_assert_int_eq(pthread_create(&t, NULL, attachthread, NULL), 0);
	ck_assert_int_eq(pthread_join(t, &p), 0);
	ck_assert_ptr_ne(p, FAILED);
	ck_listed("memory", "", ADDR(p), ADDR(p) + 3 * PG, 1);
	wr(ADDR(p));
	ck_assert_int_eq(pthread_create(&t, NULL, detachthread, p), 0);
	ck_assert_int_eq(pthread_join(t, &rv), 0);
	ck_assert_ptr_null(rv);
	ck_assert(!mapped(ADDR(p), ADDR(p) + 3 * PG));
	ck_unlisted(ADDR(p));
}
END_TEST

/* Many threads at once: no segment lost, none doubled. */
enum { NTHR = 8, NPER = 200 };

static void *
churn(void *arg)
{
	void *s[NPER];
	int i, j;

	(void)arg;
	for (j = 0; j < 3; j++) {
		for (i = 0; i < NPER; i++) {
			s[i] = segattach(i % 3 == 0 ? SG_NONE : 0, i % 2 ? "shared" : "memory", 0, PG);
			if (s[i] == FAILED)
				return (void *)1;
		}
		for (i = 0; i < NPER; i++)
			if (segdetach(s[i]) != 0)
				return (void *)2;
	}
	return NULL;
}

START_TEST(threads_race)
{
	pthread_t t[NTHR];
	void *rv;
	char *l;
	int i, n;

	l = listing();
	n = nlines(l);
	free(l);
	for (i = 0; i < NTHR; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	for (i = 0; i < NTHR; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
	l = listing();
	ck_assert_int_eq(nlines(l), n);
	free(l);
}
END_TEST

struct task {
	void	*seg;
	int	ok;
};

static int
cloneattach(void *arg)
{
	struct task *k = arg;

	k->seg = segattach(0, "shared", 0, 2 * PG);
	if (k->seg != FAILED)
		((char *)k->seg)[1] = 'k';
	return 0;
}

static int
clonedetach(void *arg)
{
	struct task *k = arg;

	k->ok = segdetach(k->seg) == 0;
	return 0;
}

static void
runclone(int (*f)(void *), struct task *k)
{
	char *stack;
	int status;
	pid_t pid;

	stack = mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(stack, MAP_FAILED);
	pid = clone(f, stack + 256 * 1024, CLONE_VM | SIGCHLD, k);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	munmap(stack, 256 * 1024);
}

/* A task sharing the mm (not a thread) sees the same table. */
START_TEST(clone_vm)
{
	struct task k = { 0 };

	runclone(cloneattach, &k);
	ck_assert_ptr_ne(k.seg, FAILED);
	ck_assert_ptr_nonnull(k.seg);
	ck_assert_int_eq(((char *)k.seg)[1], 'k');
	ck_listed("shared", "", ADDR(k.seg), ADDR(k.seg) + 2 * PG, 1);
	ck_assert_int_eq(segdetach(k.seg), 0);

	k.seg = segattach(SG_SAS, "memory", 0, PG);
	ck_assert_ptr_ne(k.seg, FAILED);
	runclone(clonedetach, &k);
	ck_assert(k.ok);
	ck_assert(!mapped(ADDR(k.seg), ADDR(k.seg) + PG));
	ck_unlisted(ADDR(k.seg));
	ck_fails(segdetach(k.seg), -1, EINVAL, EBADARG);
}
END_TEST

enum { NMANY = 10000 };

/*
 * 10,000 segments: all listed, each found by any address.  How fast is the
 * benchmarks' business (bench/), never a test's: timings vary with the
 * machine and the emulator.
 */
START_TEST(many)
{
	char **s, *l, *tmp;
	int i, j, n0;

	l = listing();
	n0 = nlines(l);
	free(l);
	s = calloc(NMANY, sizeof *s);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < NMANY; i++) {
		s[i] = segattach(i % 2 ? SG_NOEXEC : 0, i % 5 ? "memory" : "shared", 0, (1 + i % 3) * PG);
		ck_assert_msg(s[i] != FAILED, "segment %d: %s", i, segerrstr());
		s[i][0] = (char)i;
	}
	l = listing();
	ck_assert_int_eq(nlines(l), n0 + NMANY);
	free(l);
	for (i = 0; i < NMANY; i += 97)
		ck_assert_ptr_eq(segbrk(s[i] + (i % 3) * PG, NULL), s[i]);
	ck_assert_int_eq(segflush(s[NMANY / 2], PG), 0);
	/* Detach in a scrambled order, through an inner address. */
	srand(1);
	for (i = NMANY - 1; i > 0; i--) {
		j = rand() % (i + 1);
		tmp = s[i];
		s[i] = s[j];
		s[j] = tmp;
	}
	for (i = 0; i < NMANY; i++)
		ck_assert_int_eq(segdetach(s[i] + PG - 1), 0);
	l = listing();
	ck_assert_int_eq(nlines(l), n0);
	free(l);
	free(s);
}
END_TEST

TCase *
tc_fork(void)
{
	TCase *tc = tcase_create("fork");

	tcase_add_test(tc, fork_inherit);
	tcase_add_test(tc, fork_commit);
	tcase_add_test(tc, fork_refs);
	return tc;
}

TCase *
tc_tasks(void)
{
	TCase *tc = tcase_create("tasks");

	tcase_add_test(tc, threads);
	tcase_add_test(tc, threads_race);
	tcase_add_test(tc, clone_vm);
	tcase_set_timeout(tc, 60);
	return tc;
}

TCase *
tc_many(void)
{
	TCase *tc = tcase_create("many");

	tcase_add_test(tc, many);
	tcase_set_timeout(tc, 120);
	return tc;
}
