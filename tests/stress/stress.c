// SPDX-License-Identifier: MIT
/*
 * stress: the module under concurrency, for a fixed time each.
 *
 *	stress [--seconds N] [-t TEST]...
 *
 *   sas_churn		tasks of one mm (pthreads and clone(CLONE_VM) tasks)
 *			attach, detach, munmap, brk, free and list at once,
 *			guarded "memory" segments in stack arenas among them
 *   fork_storm		children forked from a process whose threads keep
 *			attaching (half of them into arenas); children list,
 *			check, detach and exit
 *   commit_caps	SG_COMMIT up to and past the module cap and
 *			RLIMIT_MEMLOCK, several processes at once, under memory
 *			pressure from a hog; only success, ENOMEM or EPERM
 *   exit_in_ioctl	processes whose threads are inside the ioctl when a
 *			sibling calls exit_group, is killed, or execs
 *   free_vs_remap	segfree while another thread replaces the segment
 *			with a hugetlb or read-only file mapping
 *
 * Every result must be documented; after each test the listing matches
 * /proc/self/maps and the module's counters come back to where they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <unistd.h>

#include "segio.h"
#include "tap.h"

#define B(e)	(1ULL << (e))
#define OKS	(B(0) | B(EINTR))

static double seconds = 3;
static atomic_long nops;
static const char *self = "/tests/stress";

static bool documented(int e, uint64_t allowed)
{
	return e >= 0 && e < 64 && (allowed & B(e));
}

/* Checks shared by the tests: consistency, then an empty table. */
static void check_table(int fd, const char *when)
{
	static struct seg v[4096];
	char why[256];
	int n = seg_list(fd, v, 4096, why, sizeof(why));

	EXPECT(n >= 0, "%s: listing: %s", when, why);
	if (n > 0)
		EXPECT(seg_list_matches_maps(v, n < 4096 ? n : 4096, why, sizeof(why)),
		       "%s: %s", when, why);
}

static void detach_all(int fd)
{
	static struct seg v[4096];
	char why[256];
	int n, i, rounds = 0;

	while ((n = seg_list(fd, v, 4096, why, sizeof(why))) > 0 && rounds++ < 50)
		for (i = 0; i < n && i < 4096; i++)
			seg_detach(fd, v[i].base);
	EXPECT(n == 0, "%d segments left after detaching all", n);
}

/* The module's counters settle back to what they were (exits are async). */
static void expect_counters(long tables, long segs, long committed)
{
	long t = -1, s = -1, c = -1;
	int i;

	for (i = 0; i < 100; i++) {
		t = seg_param("tables");
		s = seg_param("segments");
		c = seg_param("committed");
		if (t == tables && s == segs && c == committed)
			return;
		usleep(50000);
	}
	EXPECT(0, "counters tables %ld segments %ld committed %ld, want %ld %ld %ld",
	       t, s, c, tables, segs, committed);
}

/* ---- (a) many tasks of one mm ---- */

struct churn {
	int		fd, id;
	bool		raw;	/* a clone(CLONE_VM) task: shares the parent's TLS */
	double		end;
	atomic_int	bad;
};

/*
 * A task made by clone(CLONE_VM) without CLONE_SETTLS runs on its parent's
 * TLS: errno, malloc and stdio are not its own.  It makes its calls with
 * the syscall instruction and reads the error from the return value.
 */
static long sys3(long n, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
			  : "rcx", "r11", "memory");
	return ret;
}

static int c_ioctl(struct churn *c, unsigned long cmd, void *arg)
{
	long r;

	if (!c->raw)
		return seg_ioctl(c->fd, cmd, arg);
	r = sys3(SYS_ioctl, c->fd, cmd, (long)arg);
	return r < 0 ? (int)-r : 0;
}

static int c_attach(struct churn *c, unsigned attr, unsigned class, unsigned long *va,
		    unsigned long len, unsigned long guard)
{
	struct segctl_attach a = { .size = sizeof(a), .attr = attr, .seg_class = class,
				   .va = *va, .len = len, .guard = guard };
	int e = c_ioctl(c, SEGCTL_ATTACH, &a);

	if (!e)
		*va = a.va;
	return e;
}

static int c_detach(struct churn *c, unsigned long addr)
{
	struct segctl_detach d = { .size = sizeof(d), .addr = addr };

	return c_ioctl(c, SEGCTL_DETACH, &d);
}

static int c_range(struct churn *c, unsigned long cmd, unsigned long va, unsigned long len)
{
	struct segctl_range r = { .size = sizeof(r), .va = va, .len = len };

	return c_ioctl(c, cmd, &r);
}

static int c_brk(struct churn *c, unsigned long saddr, unsigned long addr)
{
	struct segctl_brk b = { .size = sizeof(b), .saddr = saddr, .addr = addr };

	return c_ioctl(c, SEGCTL_BRK, &b);
}

static int churn_task(void *arg)
{
	struct churn *c = arg;
	struct rng r;
	unsigned long mine[32] = { 0 }, lens[32] = { 0 };
	int lfd = c->raw ? -1 : seg_open();

	rng_seed(&r, 4242 + c->id);
	while (now() < c->end) {
		int i = rng_below(&r, 32), e = 0, op = rng_below(&r, 10);
		unsigned long va = 0, len = (1 + rng_below(&r, 8)) * PG;
		unsigned attr = rng_chance(&r, 10) ? SEGCTL_ATTR_COMMIT :
				rng_chance(&r, 10) ? SEGCTL_ATTR_NONE : 0;

		atomic_fetch_add(&nops, 1);
		if (op < 4 || !mine[i]) {
			if (mine[i]) {
				e = c_detach(c, mine[i] + rng_below(&r, lens[i]));
				if (!documented(e, OKS | B(EINVAL)))
					break;
			}
			mine[i] = 0;
			/* Guarded "memory" ones with va 0 go into stack arenas. */
			e = c_attach(c, attr, rng_chance(&r, 30) ? SHR : MEM, &va, len,
				     rng_chance(&r, 40) ? PG : 0);
			if (!documented(e, OKS | B(ENOMEM)))
				break;
			if (!e) {
				mine[i] = va;
				lens[i] = len;
			}
		} else if (op == 4) {	/* behind the module's back */
			sys3(SYS_munmap, mine[i] + rng_below(&r, lens[i] / PG) * PG, PG, 0);
		} else if (op == 5) {
			e = c_brk(c, mine[i], mine[i] + (1 + rng_below(&r, 12)) * PG);
			if (!documented(e, OKS | B(EINVAL) | B(EEXIST) | B(ENOMEM)))
				break;
			if (!e)
				mine[i] = 0;	/* its size changed: forget it */
		} else if (op == 6) {
			e = c_range(c, SEGCTL_FREE, mine[i], lens[i]);
			if (!documented(e, OKS | B(EINVAL) | B(ENOMEM)))
				break;
		} else if (op == 7 && !c->raw) {
			char why[128];

			if (seg_list(lfd, NULL, 0, why, sizeof(why)) < 0) {
				printf("# task %d: listing: %s\n", c->id, why);
				break;
			}
		} else {
			e = c_range(c, SEGCTL_FLUSH, mine[i], lens[i]);
			if (!documented(e, OKS | B(EINVAL)))
				break;
		}
	}
	if (lfd >= 0)
		close(lfd);
	if (now() < c->end)
		atomic_fetch_add(&c->bad, 1);
	return 0;
}

static void *churn_thread(void *arg)
{
	churn_task(arg);
	return NULL;
}

TEST_TIMEOUT(sas_churn, 120)
{
	enum { NPT = 4, NCL = 4 };
	static struct churn c[NPT + NCL];
	pthread_t th[NPT];
	pid_t pids[NCL];
	int fd = seg_open(), i, st;
	long base_tables;
	double end = now() + seconds;

	base_tables = seg_param("tables");
	for (i = 0; i < NPT + NCL; i++) {
		c[i].fd = fd;
		c[i].id = i;
		c[i].end = end;
		c[i].raw = i >= NPT;
	}
	for (i = 0; i < NPT; i++)
		ASSERT(pthread_create(&th[i], NULL, churn_thread, &c[i]) == 0);
	/* Tasks sharing the mm but not a thread group: each exits on its own. */
	for (i = 0; i < NCL; i++) {
		char *stack = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

		ASSERT(stack != MAP_FAILED);
		pids[i] = clone(churn_task, stack + (1 << 20),
				CLONE_VM | CLONE_FS | CLONE_FILES | SIGCHLD, &c[NPT + i]);
		ASSERT(pids[i] > 0, "clone: %s", strerror(errno));
	}
	for (i = 0; i < NPT; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NCL; i++)
		waitpid(pids[i], &st, 0);
	for (i = 0; i < NPT + NCL; i++)
		EXPECT(c[i].bad == 0, "task %d saw an undocumented result", i);
	tap_note("sas_churn: %d tasks, %.0f s, %ld operations", NPT + NCL, seconds,
		 atomic_load(&nops));
	check_table(fd, "after the churn");
	detach_all(fd);
	EXPECT(seg_param("spans") == 0, "spans %ld", seg_param("spans"));
	/* Empty arenas stay mapped; unmapped, the listing forgets them. */
	seg_unmap_arenas();
	check_table(fd, "after unmapping the arenas");
	EXPECT(seg_param("tables") <= base_tables + 1, "tables %ld", seg_param("tables"));
	EXPECT(seg_param("segments") == 0, "segments %ld", seg_param("segments"));
}

/* ---- (b) fork storm ---- */

struct storm {
	int		fd;
	double		end;
	atomic_int	bad;
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	struct rng r;
	unsigned long ring[16] = { 0 };

	rng_seed(&r, (uintptr_t)&r);
	while (now() < s->end) {
		int i = rng_below(&r, 16), e;
		unsigned long va = 0;

		if (ring[i])
			seg_detach(s->fd, ring[i]);
		ring[i] = 0;
		e = seg_attach(s->fd, rng_chance(&r, 10) ? SEGCTL_ATTR_COMMIT : 0,
			       rng_chance(&r, 50) ? SHR : MEM, &va, (1 + rng_below(&r, 4)) * PG,
			       rng_chance(&r, 50) ? PG : 0);	/* arenas, for "memory" */
		if (!documented(e, OKS | B(ENOMEM))) {
			atomic_fetch_add(&s->bad, 1);
			break;
		}
		if (!e) {
			ring[i] = va;
			*(volatile char *)va = 1;	/* memory to copy at fork */
		}
		atomic_fetch_add(&nops, 1);
	}
	return NULL;
}

/* In a child: check the copy, drop some of it, maybe fork again, exit. */
static int storm_child(int depth)
{
	static struct seg v[1024];
	char why[256];
	int fd = seg_open(), n, i;

	n = seg_list(fd, v, 1024, why, sizeof(why));
	if (n < 0) {
		printf("# child: listing: %s\n", why);
		return 1;
	}
	if (!seg_list_matches_maps(v, n < 1024 ? n : 1024, why, sizeof(why))) {
		printf("# child: %s\n", why);
		return 1;
	}
	for (i = 0; i < n && i < 1024; i += 2) {
		int e = seg_detach(fd, v[i].base);

		if (!documented(e, OKS | B(EINVAL))) {
			printf("# child: detach: %s\n", strerror(e));
			return 1;
		}
	}
	if (depth == 0 && n > 0) {
		pid_t p = fork();
		int st;

		if (p == 0)
			_exit(storm_child(1));
		if (p > 0) {
			waitpid(p, &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				return 1;
		}
	}
	return 0;
}

TEST_TIMEOUT(fork_storm, 120)
{
	enum { NT = 2, LIVE = 6 };
	static struct storm s;
	pthread_t th[NT];
	pid_t live[LIVE] = { 0 };
	long forks = 0, bad = 0;
	int i, st;

	s.fd = seg_open();
	s.end = now() + seconds;
	for (i = 0; i < NT; i++)
		ASSERT(pthread_create(&th[i], NULL, storm_thread, &s) == 0);
	while (now() < s.end) {
		for (i = 0; i < LIVE; i++) {
			if (live[i] && waitpid(live[i], &st, WNOHANG) == live[i]) {
				if (!WIFEXITED(st) || WEXITSTATUS(st)) {
					bad++;
					printf("# child %d: status %#x\n", live[i], st);
				}
				live[i] = 0;
			}
			if (!live[i]) {
				live[i] = fork();
				if (live[i] == 0)
					_exit(storm_child(0));
				forks++;
			}
		}
		usleep(1000);
	}
	for (i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < LIVE; i++) {
		if (live[i] > 0 && waitpid(live[i], &st, 0) == live[i] &&
		    (!WIFEXITED(st) || WEXITSTATUS(st))) {
			bad++;
			printf("# child %d: status %#x\n", live[i], st);
		}
	}
	tap_note("fork_storm: %ld forks in %.0f s, %ld attaches", forks, seconds,
		 atomic_load(&nops));
	EXPECT(bad == 0, "%ld children failed", bad);
	EXPECT(s.bad == 0, "an attach returned an undocumented error");
	check_table(s.fd, "after the storm");
	detach_all(s.fd);
}

/* ---- (c) commit caps ---- */

/* A process that takes most free memory and holds it until killed. */
static pid_t hog(long kb)
{
	pid_t p = fork();

	if (p == 0) {
		char *m = mmap(NULL, kb << 10, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long i;

		if (m == MAP_FAILED)
			_exit(1);
		for (i = 0; i < kb << 10; i += PG)
			m[i] = 1;
		for (;;)
			pause();
	}
	return p;
}

static long meminfo_kb(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;
	size_t n = strlen(field);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Commit chunks until refused; returns pages committed, checks each result. */
static long commit_until_refused(int fd, unsigned long chunk, uint64_t refusals, int *last)
{
	long pages = 0;
	int e, n;

	for (n = 0; n < 100000; n++) {
		unsigned long va = 0;

		e = seg_attach(fd, SEGCTL_ATTR_COMMIT, n & 1 ? SHR : MEM, &va, chunk, 0);
		if (e) {
			EXPECT(documented(e, refusals), "commit: %s", strerror(e));
			break;
		}
		pages += chunk / PG;
	}
	*last = e;
	return pages;
}

static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	d[0].permitted &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

TEST_TIMEOUT(commit_caps, 240)
{
	long limit0 = seg_param("commit_limit"), base = seg_param("committed"), avail, pages;
	const long cap = 8192;		/* 32 MiB */
	int fd = seg_open(), e, i, st, left, kst[4];
	pid_t h, kids[4];

	ASSERT(limit0 > 0 && base == 0, "commit_limit %ld committed %ld", limit0, base);
	/* Pressure: leave about 4 times the cap free. */
	avail = meminfo_kb("MemAvailable");
	ASSERT(avail > 0);
	h = hog(avail - 4 * cap * 4 - 96 * 1024);
	usleep(200000);
	tap_note("commit_caps: MemAvailable %ld kB, hog %ld kB, now %ld kB", avail,
		 avail - 4 * cap * 4 - 96 * 1024, meminfo_kb("MemAvailable"));
	ASSERT(seg_param_set("commit_limit", cap) == 0);

	/* The module cap, as root (CAP_IPC_LOCK: no RLIMIT_MEMLOCK). */
	pages = commit_until_refused(fd, 256 * PG, B(ENOMEM), &e);
	EXPECT(e == ENOMEM && pages <= cap && pages > cap - 256,
	       "committed %ld pages of %ld, then %s", pages, cap, strerror(e));
	EXPECT(seg_param("committed") == pages, "committed %ld, want %ld",
	       seg_param("committed"), pages);
	/* A growing segbrk past the cap fails and leaves the segment as it was. */
	{
		char *room = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long va = (unsigned long)room, b, t;

		/* Room to grow into: the kernel packs mappings top-down. */
		ASSERT(room != MAP_FAILED);
		munmap(room, 64 * PG);
		detach_all(fd);
		EXPECT(seg_param("committed") == 0);
		ASSERT(seg_attach(fd, SEGCTL_ATTR_COMMIT, MEM, &va, PG, 0) == 0);
		EXPECT(seg_brk(fd, va, va + (cap + 1) * PG, NULL, NULL) == ENOMEM);
		EXPECT(seg_brk(fd, va, 0, &b, &t) == 0 && t == va + PG, "top %#lx", t);
		EXPECT(seg_param("committed") == 1);
		EXPECT(seg_brk(fd, va, va + 16 * PG, NULL, NULL) == 0);
		EXPECT(seg_param("committed") == 16);
		EXPECT(seg_brk(fd, va, va + 2 * PG, NULL, NULL) == 0);
		EXPECT(seg_param("committed") == 2);
		detach_all(fd);
	}
	/* A cap of 0 turns SG_COMMIT off: EPERM. */
	ASSERT(seg_param_set("commit_limit", 0) == 0);
	{
		unsigned long va = 0;

		EXPECT(seg_attach(fd, SEGCTL_ATTR_COMMIT, MEM, &va, PG, 0) == EPERM);
	}
	ASSERT(seg_param_set("commit_limit", cap) == 0);

	/* Four processes race for the cap; never more than the cap in all. */
	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			int kfd = seg_open(), k, ke;

			for (k = 0; k < 20; k++) {
				long p = commit_until_refused(kfd, (16 + 16 * i) * PG, B(ENOMEM), &ke);

				(void)p;
				detach_all(kfd);
			}
			_exit(0);
		}
	}
	/* Watch the total while they run; reap each racer by its own pid. */
	for (left = 4; left > 0;) {
		long c = seg_param("committed");

		EXPECT(c >= 0 && c <= cap, "committed %ld with cap %ld", c, cap);
		if (c < 0 || c > cap)
			break;
		for (i = 0; i < 4; i++) {
			if (kids[i] > 0 && waitpid(kids[i], &kst[i], WNOHANG) == kids[i]) {
				kids[i] = 0;
				left--;
			}
		}
	}
	for (i = 0; i < 4; i++) {
		if (kids[i] > 0 && waitpid(kids[i], &kst[i], 0) != kids[i])
			kst[i] = -1;
		EXPECT(WIFEXITED(kst[i]) && !WEXITSTATUS(kst[i]), "racer %d: status %#x",
		       i, kst[i]);
	}
	expect_counters(seg_param("tables"), 0, 0);

	/* RLIMIT_MEMLOCK without CAP_IPC_LOCK: ENOMEM past it, EPERM at 0. */
	{
		pid_t p = fork();

		if (p == 0) {
			struct rlimit rl = { 1 << 20, 1 << 20 };	/* 256 pages */
			int kfd = seg_open(), ke, bad = 0;
			long got, lck;

			if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &rl))
				_exit(2);
			got = commit_until_refused(kfd, 16 * PG, B(ENOMEM), &ke);
			lck = proc_status_kb("VmLck");
			if (ke != ENOMEM || got > 256 || got < 240 || lck > 1024) {
				printf("# rlimit: committed %ld pages, VmLck %ld kB, then %s\n",
				       got, lck, strerror(ke));
				bad = 1;
			}
			if (seg_param("committed") != got) {
				printf("# rlimit: committed %ld, want %ld\n", seg_param("committed"), got);
				bad = 1;
			}
			detach_all(kfd);
			rl.rlim_cur = 0;
			setrlimit(RLIMIT_MEMLOCK, &rl);
			{
				unsigned long va = 0;

				ke = seg_attach(kfd, SEGCTL_ATTR_COMMIT, MEM, &va, PG, 0);
				if (ke != EPERM) {
					printf("# RLIMIT_MEMLOCK 0: %s, want EPERM\n", strerror(ke));
					bad = 1;
				}
			}
			_exit(bad);
		}
		EXPECT(waitpid(p, &st, 0) == p && WIFEXITED(st) && !WEXITSTATUS(st),
		       "rlimit child: status %#x", st);
	}

	/* A fork that cannot commit its copy again dies of SIGKILL, charges returned. */
	{
		unsigned long va = 0;
		pid_t p;

		ASSERT(seg_attach(fd, SEGCTL_ATTR_COMMIT, MEM, &va, (cap / 2 + 16) * PG, 0) == 0);
		p = fork();
		if (p == 0)
			_exit(0);
		EXPECT(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		       "over-cap fork child: status %#x", st);
		EXPECT(seg_param("committed") == cap / 2 + 16, "committed %ld",
		       seg_param("committed"));
		detach_all(fd);
	}
	kill(h, SIGKILL);
	waitpid(h, &st, 0);
	seg_param_set("commit_limit", limit0);
	EXPECT(seg_param("committed") == 0, "committed %ld", seg_param("committed"));
}

/* ---- (d) exits while siblings are inside the ioctl ---- */

static void *busy_thread(void *arg)
{
	int fd = (int)(long)arg;
	struct rng r;
	unsigned long va;

	rng_seed(&r, (uintptr_t)&r);
	for (;;) {
		va = 0;
		if (!seg_attach(fd, rng_chance(&r, 20) ? SEGCTL_ATTR_COMMIT : 0,
				rng_chance(&r, 50) ? SHR : MEM, &va, (1 + rng_below(&r, 64)) * PG,
				rng_chance(&r, 30) ? PG : 0) && rng_chance(&r, 50))
			seg_detach(fd, va);
		if (rng_chance(&r, 5))
			seg_list(fd, NULL, 0, (char[64]){ 0 }, 64);
	}
	return NULL;
}

/* How one victim ends: 0 exit_group, 1 SIGKILL from outside, 2 execve, 3 a clone(CLONE_VM) task's exit. */
static void victim(int how, int threads)
{
	int fd = seg_open(), i;
	pthread_t th;

	for (i = 0; i < threads; i++)
		pthread_create(&th, NULL, busy_thread, (void *)(long)fd);
	usleep(1000 + (getpid() % 7) * 500);
	if (how == 2)
		execl(self, self, "--noop", (char *)NULL);
	if (how == 1)
		pause();
	_exit(0);	/* exit_group: the siblings die inside the ioctl */
}

TEST_TIMEOUT(exit_in_ioctl, 120)
{
	long tables = seg_param("tables"), rounds = 0, bad = 0;
	double end = now() + seconds;
	int st;

	while (now() < end) {
		int how = rounds % 3;
		pid_t p = fork();

		if (p == 0)
			victim(how, 3);
		if (how == 1) {
			usleep(2000 + rounds % 5 * 1000);
			kill(p, SIGKILL);
		}
		waitpid(p, &st, 0);
		if (how == 1 ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			     : !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			bad++;
			printf("# victim %ld (way %d): status %#x\n", rounds, how, st);
		}
		rounds++;
	}
	tap_note("exit_in_ioctl: %ld processes ended mid-ioctl in %.0f s", rounds, seconds);
	EXPECT(bad == 0, "%ld victims ended wrongly", bad);
	expect_counters(tables, 0, 0);
}

/* ---- (e) segfree racing a remap of its segment ---- */

/*
 * segfree checks the segment against the mappings, drops mmap_lock, takes
 * it again and frees whatever VMA is there now.  Another thread replaces
 * the segment in between with a hugetlb mapping (zap on an unaligned range
 * of a hugetlb VMA is a kernel BUG) or a read-only file (fallocate on it
 * fails with an errno segfree does not document).  reliability bug #4, #5.
 */
#define HUGE	(2UL << 20)

struct remap {
	int		fd;
	unsigned long	x;
	double		end;
	atomic_int	bad;
	atomic_long	frees, remaps;
	int		file;
};

static void *remap_freer(void *arg)
{
	struct remap *m = arg;

	while (now() < m->end) {
		int e = seg_free(m->fd, m->x + PG, 2 * PG);

		atomic_fetch_add(&m->frees, 1);
		if (!documented(e, OKS | B(EINVAL) | B(ENOMEM))) {
			printf("# segfree during a remap: %s (%d)\n", strerror(e), e);
			atomic_fetch_add(&m->bad, 1);
			break;
		}
	}
	return NULL;
}

/* Replace the segment again and again, with hugetlb pages or a file. */
static void free_vs_remap(bool huge)
{
	static struct remap m;
	pthread_t th;
	char *p;
	int hp, n = 0;

	memset(&m, 0, sizeof(m));
	if (huge) {
		/* A few huge pages: root may, and many machines have them. */
		hp = open("/proc/sys/vm/nr_hugepages", O_WRONLY);
		ASSERT(hp >= 0 && write(hp, "8", 1) == 1, "nr_hugepages: %s", strerror(errno));
		close(hp);
	}
	m.fd = seg_open();
	m.file = open(self, O_RDONLY);
	ASSERT(m.file >= 0);
	p = mmap(NULL, 2 * HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(p != MAP_FAILED);
	m.x = ((unsigned long)p + HUGE - 1) & ~(HUGE - 1);
	munmap(p, 2 * HUGE);
	m.end = now() + seconds;
	ASSERT(pthread_create(&th, NULL, remap_freer, &m) == 0);
	while (now() < m.end && !m.bad) {
		unsigned long va = m.x;
		int e = seg_attach(m.fd, 0, huge ? MEM : SHR, &va, HUGE, 0);

		if (e) {
			EXPECT(e == EEXIST, "attach: %s", strerror(e));
			munmap((void *)m.x, HUGE);
			continue;
		}
		if (huge)
			p = mmap((void *)m.x, HUGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED, -1, 0);
		else
			p = mmap((void *)m.x, 4 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, m.file, 0);
		if (p != MAP_FAILED)
			atomic_fetch_add(&m.remaps, 1);
		munmap((void *)m.x, HUGE);
		n++;
	}
	pthread_join(th, NULL);
	tap_note("free_vs_remap: %ld %s remaps, %ld frees in %.0f s", atomic_load(&m.remaps),
		 huge ? "hugetlb" : "file", atomic_load(&m.frees), seconds);
	EXPECT(m.bad == 0);
	detach_all(m.fd);
	if (huge) {
		hp = open("/proc/sys/vm/nr_hugepages", O_WRONLY);
		EXPECT(hp >= 0 && write(hp, "0", 1) == 1);
		close(hp);
	}
}

TEST_TIMEOUT(free_vs_remap_file, 120)
{
	free_vs_remap(false);
}

TEST_TIMEOUT(free_vs_remap_hugetlb, 120)
{
	free_vs_remap(true);
}

/* ---- helpers for reload.sh ---- */

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

/*
 * Attach one of each kind; 0 or the first error.  The guarded one goes
 * at body address at if that is not 0 (three mappings), else anywhere
 * (a stack arena).
 */
static int attach_kinds(int fd, unsigned long va[4], unsigned long at)
{
	static const unsigned attrs[4] = { 0, 0, SEGCTL_ATTR_COMMIT, SEGCTL_ATTR_RONLY };
	static const unsigned classes[4] = { MEM, SHR, MEM, SHR };
	int i, e;

	for (i = 0; i < 4; i++) {
		va[i] = i == 0 ? at : 0;
		e = seg_attach(fd, attrs[i], classes[i], &va[i], (4 + i) * PG, i == 0 ? PG : 0);
		if (e)
			return e;
		if (!(attrs[i] & SEGCTL_ATTR_RONLY))
			*(volatile char *)va[i] = (char)(i + 1);
	}
	return 0;
}

/*
 * A body address for a guarded segment of len bytes with guard-byte
 * redzones where nothing is mapped.  The holder's segments must outlive
 * rmmod as ordinary mappings, and a process mapping a stack arena keeps
 * the module loaded (doc/contract.md section 2), so its guarded segment
 * is placed, which gives the three-mapping layout.
 */
static unsigned long free_body(unsigned long len, unsigned long guard)
{
	void *p = mmap(NULL, len + 2 * guard, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len + 2 * guard);
	return (unsigned long)p + guard;
}

/* Use segments, fork a child that checks its copy, exit with them attached. */
static int reload_client(void)
{
	static struct seg v[64];
	unsigned long va[4];
	char why[256];
	int fd = seg_open(), e = attach_kinds(fd, va, 0), st, n;
	pid_t p;

	if (e) {
		printf("reload-client: attach: %s\n", strerror(e));
		return 1;
	}
	p = fork();
	if (p == 0) {
		n = seg_list(fd, v, 64, why, sizeof(why));
		if (n != 6 || !seg_list_matches_maps(v, n, why, sizeof(why)) ||
		    *(volatile char *)va[1] != 2 || seg_detach(fd, va[1])) {
			printf("reload-client child: %d segments: %s\n", n, why);
			_exit(1);
		}
		_exit(0);
	}
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("reload-client: child status %#x\n", st);
		return 1;
	}
	return 0;
}

/*
 * Attach, then (hold) close the descriptor or (busy) keep it, tell the
 * script by creating file, and wait for SIGTERM: then check the memory,
 * an ordinary mapping by now if the module went away meanwhile.
 */
static int reload_wait(const char *file, bool keep_fd)
{
	unsigned long va[4];
	int fd = seg_open(), e = attach_kinds(fd, va, free_body(4 * PG, PG)), i;

	signal(SIGTERM, on_term);
	if (e) {
		printf("reload-%s: attach: %s\n", keep_fd ? "busy" : "hold", strerror(e));
		return 1;
	}
	if (!keep_fd)
		close(fd);
	close(open(file, O_WRONLY | O_CREAT, 0644));
	while (!term)
		pause();
	for (i = 0; i < 3; i++) {
		if (*(volatile char *)va[i] != i + 1) {
			printf("reload-hold: segment %d lost its contents\n", i);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, j;

	if (argc > 1 && !strcmp(argv[1], "--reload-client"))
		return reload_client();
	if (argc > 2 && !strcmp(argv[1], "--reload-hold"))
		return reload_wait(argv[2], false);
	if (argc > 2 && !strcmp(argv[1], "--reload-busy"))
		return reload_wait(argv[2], true);

	self = argv[0];
	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--noop"))
			return 0;	/* what an exec'ing victim becomes */
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	segio_init();
	return tap_main(j, argv);
}
