// SPDX-License-Identifier: MIT
/*
 * nobody.c: an unprivileged user (doc/contract.md §2): the device is open to all and
 * acts only on the caller's own address space; the listing shows only the
 * caller's table; the module's limits and debugfs file are root's; no
 * number the module gives back is a kernel address; stack arenas work for
 * nobody, across fork.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "common.h"

static void expect_user(unsigned long v, const char *what)
{
	EXPECT(v < USER_TOP, "%s %lx is not a user address", what, v);
}

static void everything(void *arg)
{
	struct segctl_attach a = { .seg_class = SHR, .len = 3 * PG, .guard = PG };
	struct segctl_brk b = { .size = sizeof(b) };
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };
	unsigned long m;
	struct seg *segs;
	int i, n;

	(void)arg;
	become_nobody();
	ASSERT(segioctl(SEGCTL_VERSION, &v) == 0, "%s", strerror(errno));
	EXPECT(v.features == SEGCTL_FEAT_ALL && v.attrs == SEGCTL_ATTR_ALL);
	ASSERT(attach_raw(&a) == 0, "%s", strerror(errno));
	expect_user(a.va, "attach va");
	EXPECT(a.len == 3 * PG && a.guard == PG);
	m = attach(SEGCTL_ATTR_RONLY, MEM, 0, PG);
	ASSERT(m != FAILED);
	expect_user(m, "attach va");
	b.saddr = m;
	b.addr = m + 2 * PG;
	if (segioctl(SEGCTL_BRK, &b) == 0) {
		expect_user(b.base, "brk base");
		expect_user(b.top, "brk top");
	}
	b.addr = 0;
	ASSERT(segioctl(SEGCTL_BRK, &b) == 0);
	expect_user(b.base, "brk base");
	expect_user(b.top, "brk top");
	EXPECT(segflush(a.va, a.len) == 0 && segfree(a.va, a.len) == 0);
	n = list_segs(&segs);	/* parse_line checks base and top < TASK_SIZE */
	EXPECT(n == 4, "%d listed", n);
	for (i = 0; i < n; i++)
		EXPECT(segs[i].ref < 1000, "ref %u", segs[i].ref);
	free(segs);
	EXPECT(param("tables") < 1000 && param("segments") < 100000 &&
	       param("committed") < 1000000);
	EXPECT(detach(a.va) == 0 && detach(m) == 0 && nsegs() == 0);
}

TEST(nobody_can_use_the_device)
{
	EXPECT_CHILD(everything, NULL);
}

/* A failed call writes nothing back: no stack or kernel bytes leak out. */
static void no_leak_on_error(void *arg)
{
	unsigned char buf[256];
	struct segctl_attach *a = (void *)buf;
	struct segctl_brk *b = (void *)buf;
	size_t i;

	(void)arg;
	become_nobody();
	memset(buf, 0, sizeof(buf));
	a->size = sizeof(buf);
	a->seg_class = 9;
	a->len = PG;
	EXPECT_ERRNO(segioctl(SEGCTL_ATTACH, buf), EINVAL);
	for (i = offsetof(struct segctl_attach, va) + 16; i < sizeof(buf); i++)
		EXPECT(buf[i] == 0, "byte %zu written", i);
	EXPECT(a->va == 0 && a->len == PG);
	memset(buf, 0, sizeof(buf));
	b->size = sizeof(buf);
	b->saddr = 0x10000;
	EXPECT_ERRNO(segioctl(SEGCTL_BRK, buf), EINVAL);
	for (i = 0; i < sizeof(buf); i++)
		if (i >= 4 && !(i >= 8 && i < 16))
			EXPECT(buf[i] == 0, "byte %zu written", i);
}

TEST(nobody_no_leak_on_error)
{
	EXPECT_CHILD(no_leak_on_error, NULL);
}

/* Only the caller's own table, and only its own address space. */
static int to_child[2], from_child[2];

TEST(nobody_sees_only_own_table)
{
	unsigned long rootseg = 0, va;
	pid_t pid;
	char r;

	ASSERT(pipe(to_child) == 0 && pipe(from_child) == 0);
	pid = fork();	/* before the root side has any table */
	ASSERT(pid >= 0);
	if (pid == 0) {
		struct seg *v;
		int n, ok;

		become_nobody();
		if (read(to_child[0], &rootseg, sizeof(rootseg)) != sizeof(rootseg))
			_exit(2);
		n = list_segs(&v);
		free(v);
		ok = n == 0 && detach(rootseg) == -1 && errno == EINVAL &&
		     segfree(rootseg, PG) == -1 && errno == EINVAL &&
		     segbrk(rootseg, 0, NULL, NULL) == -1 && errno == EINVAL;
		va = attach(0, MEM, 0, PG);
		ok = ok && va != FAILED && nsegs() == 1;
		r = ok ? 'y' : 'n';
		_exit(write(from_child[1], &r, 1) == 1 ? 0 : 3);
	}
	rootseg = attach(0, SHR, 0, 2 * PG);
	ASSERT(rootseg != FAILED);
	memset((void *)rootseg, 0x44, 2 * PG);
	ASSERT(write(to_child[1], &rootseg, sizeof(rootseg)) == sizeof(rootseg));
	ASSERT(read(from_child[0], &r, 1) == 1);
	EXPECT(r == 'y', "nobody saw or touched root's table");
	EXPECT(wait_for(pid) == 0);
	EXPECT(nsegs() == 1 && ((volatile char *)rootseg)[PG] == 0x44);
}

static void root_only(void *arg)
{
	(void)arg;
	become_nobody();
	errno = 0;
	EXPECT(slurp("/sys/kernel/debug/segctl/tables", NULL) == NULL &&
	       (errno == EACCES || errno == EPERM), "debugfs readable: %s", strerror(errno));
	EXPECT(set_param("commit_limit", 1) == -1 && errno == EACCES,
	       "commit_limit writable: %s", strerror(errno));
	EXPECT(param("commit_limit") > 1);
	EXPECT(open("/sys/module/segctl/parameters/committed", O_WRONLY) < 0);
}

TEST(nobody_root_only_files)
{
	EXPECT_CHILD(root_only, NULL);
}

/*
 * Stack arenas for nobody: guarded attaches land in one, fork copies them,
 * the child's detaches leave the parent's alone, and the per-mm span cap
 * (arena_spans) and the arenas switch are root's.
 */
#define NOBODY_STACKS	200

static void arenas(void *arg)
{
	static unsigned long v[NOBODY_STACKS];
	struct map m;
	pid_t pid;
	int i, st;

	(void)arg;
	become_nobody();
	EXPECT(set_param("arena_spans", 1) == -1 && errno == EACCES,
	       "arena_spans writable: %s", strerror(errno));
	EXPECT(set_param("arenas", 0) == -1 && errno == EACCES);
	for (i = 0; i < NOBODY_STACKS; i++) {
		v[i] = attachg(0, MEM, 0, 2 * PG, PG);
		ASSERT(v[i] != FAILED, "stack %d: %s", i, strerror(errno));
		expect_user(v[i], "arena body");
		*(volatile unsigned long *)v[i] = v[i];
	}
	EXPECT(map_at(v[0], &m) && map_at(v[NOBODY_STACKS - 1], &m) &&
	       m.end - m.start >= (1UL << 30), "not in one arena");
	EXPECT(nsegs() == 3 * NOBODY_STACKS);
	EXPECT(read_faults(v[0] - 1) == SIGSEGV && write_faults(v[1] + 2 * PG) == SIGSEGV);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int ok = nsegs() == 3 * NOBODY_STACKS;

		for (i = 0; i < NOBODY_STACKS; i += 2)
			ok = ok && detach(v[i]) == 0;
		for (i = 1; i < NOBODY_STACKS; i += 2)
			ok = ok && *(volatile unsigned long *)v[i] == v[i];
		ok = ok && read_faults(v[0]) == SIGSEGV && nsegs() == 3 * NOBODY_STACKS / 2;
		_exit(ok ? 0 : 1);
	}
	st = wait_for(pid);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	for (i = 0; i < NOBODY_STACKS; i++)
		EXPECT(*(volatile unsigned long *)v[i] == v[i], "stack %d", i);
	EXPECT(nsegs() == 3 * NOBODY_STACKS);
	for (i = 0; i < NOBODY_STACKS; i++)
		ASSERT(detach(v[i] - 1) == 0, "detach %d: %s", i, strerror(errno));
	EXPECT(nsegs() == 0 && read_faults(v[0]) == SIGSEGV);
}

TEST(nobody_arenas)
{
	EXPECT_CHILD(arenas, NULL);
}

/* Limits nobody cannot pass: RLIMIT_MEMLOCK (raising it) and mmap_min_addr. */
static void limits(void *arg)
{
	struct rlimit rl = { 4 * PG, 4 * PG };
	unsigned long min = *(unsigned long *)arg;

	ASSERT(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	become_nobody();
	rl.rlim_cur = rl.rlim_max = 1 << 30;
	EXPECT(setrlimit(RLIMIT_MEMLOCK, &rl) == -1);
	EXPECT_ERRNO(attach(SEGCTL_ATTR_COMMIT, MEM, 0, 5 * PG), ENOMEM);
	EXPECT(attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG) != FAILED, "%s", strerror(errno));
	EXPECT_ERRNO(attach(0, MEM, min - PG, PG), EINVAL);
	EXPECT(nsegs() == 1);
}

TEST(nobody_limits)
{
	unsigned long was, min = min_addr_at_least(2, &was);

	EXPECT_CHILD(limits, &min);
	min_addr_restore(was);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
