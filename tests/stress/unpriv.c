// SPDX-License-Identifier: MIT
/*
 * stress-unpriv: what an unprivileged user (nobody, uid 65534, no
 * capabilities) can do with /dev/segctl (mode 0666).
 *
 *   caps_hold		random commits, growths, frees, unmaps and forks
 *			never take the module past its cap nor the process
 *			past RLIMIT_MEMLOCK
 *   charge_follows_locked	segments changed behind the module's back do
 *			not leave charges that outgrow what is locked
 *   fd_passing		a descriptor sent over a unix socket acts on the
 *			receiver's address space only
 *   no_kernel_addresses	every number the module gives back is a user
 *			address; debugfs refuses nobody
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "segio.h"
#include "tap.h"

#define NOBODY	65534
#define B(e)	(1ULL << (e))

static void become_nobody(rlim_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	ASSERT(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	ASSERT(setgroups(0, NULL) == 0);
	ASSERT(setresgid(NOBODY, NOBODY, NOBODY) == 0);
	ASSERT(setresuid(NOBODY, NOBODY, NOBODY) == 0);
	ASSERT(geteuid() == NOBODY);
}

/* Run fn as nobody in a child; fn ASSERTs, so a failure is its exit status. */
static void as_nobody(void (*fn)(void), rlim_t memlock)
{
	pid_t p = fork();
	int st;

	ASSERT(p >= 0);
	if (p == 0) {
		become_nobody(memlock);
		fn();
		fflush(stdout);
		_exit(0);
	}
	ASSERT(waitpid(p, &st, 0) == p);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nobody's child: status %#x", st);
}

static long cap_pages;

static void check_limits(const char *when, long memlock_kb)
{
	long c = seg_param("committed"), lck = proc_status_kb("VmLck");

	ASSERT(c >= 0 && c <= cap_pages, "%s: committed %ld, cap %ld", when, c, cap_pages);
	ASSERT(lck >= 0 && lck <= memlock_kb, "%s: VmLck %ld kB, RLIMIT_MEMLOCK %ld kB",
	       when, lck, memlock_kb);
}

static void fuzz_commits(void)
{
	unsigned long segs[32] = { 0 }, lens[32] = { 0 };
	int fd = seg_open(), n, i, st;
	struct rng r;

	rng_seed(&r, 65534);
	for (n = 0; n < 3000; n++) {
		unsigned long va = 0, l;
		int e;

		i = rng_below(&r, 32);
		switch (rng_below(&r, 8)) {
		case 0: case 1:
			l = (1 + rng_below(&r, 96)) * PG;
			e = seg_attach(fd, SEGCTL_ATTR_COMMIT | (rng_chance(&r, 20) ? SEGCTL_ATTR_RONLY : 0),
				       rng_chance(&r, 50) ? SHR : MEM, &va, l, rng_chance(&r, 20) ? PG : 0);
			ASSERT(e == 0 || e == ENOMEM || e == EPERM, "attach: %s", strerror(e));
			if (!e) {
				segs[i] = va;
				lens[i] = l;
			}
			break;
		case 2:
			if (!segs[i])
				break;
			e = seg_brk(fd, segs[i], segs[i] + (1 + rng_below(&r, 128)) * PG, NULL, NULL);
			ASSERT(e == 0 || e == ENOMEM || e == EEXIST || e == EINVAL || e == EPERM,
			       "brk: %s", strerror(e));
			lens[i] = 0;
			break;
		case 3:
			e = seg_free(fd, segs[i], lens[i]);
			ASSERT(e == 0 || e == EINVAL || e == ENOMEM, "free: %s", strerror(e));
			break;
		case 4:
			if (segs[i] && lens[i])
				munmap((void *)(segs[i] + rng_below(&r, lens[i] / PG) * PG), PG);
			break;
		case 5:
			if (segs[i] && lens[i])
				mremap((void *)segs[i], lens[i], lens[i] * 2, MREMAP_MAYMOVE);
			segs[i] = lens[i] = 0;
			break;
		case 6:
			seg_detach(fd, segs[i]);
			segs[i] = lens[i] = 0;
			break;
		case 7:
			if (rng_chance(&r, 10)) {
				pid_t p = fork();

				if (p == 0) {
					check_limits("fork child", 1024);
					_exit(0);
				}
				waitpid(p, &st, 0);
				/* A child that cannot commit its copy is killed. */
				ASSERT((WIFEXITED(st) && !WEXITSTATUS(st)) ||
				       (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL),
				       "fork child: %#x", st);
			}
			break;
		}
		if (n % 100 == 0)
			check_limits("during", 1024);
	}
	check_limits("after 3000 operations", 1024);
}

TEST(caps_hold)
{
	long limit0 = seg_param("commit_limit");

	cap_pages = 1024;	/* 4 MiB: reachable with RLIMIT_MEMLOCK 1 MiB? no: */
	ASSERT(seg_param_set("commit_limit", cap_pages) == 0);
	as_nobody(fuzz_commits, 1 << 20);
	seg_param_set("commit_limit", limit0);
	EXPECT(seg_param("committed") == 0, "committed %ld", seg_param("committed"));
}

/*
 * Reliability bug #2: a committed segment unmapped in part, then noticed,
 * kept its whole charge until the mm exited; repeated, the charge grew
 * without bound while almost nothing was locked.  The charge must follow
 * the memory still locked, once the module has been called.
 */
static void stale_commits(void)
{
	int fd = seg_open(), n, e;
	char *arena = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long va0 = (unsigned long)arena;
	long c, lck;

	ASSERT(arena != MAP_FAILED);
	munmap(arena, 64 * PG);
	for (n = 0; n < 200; n++) {
		unsigned long va = va0;

		e = seg_attach(fd, SEGCTL_ATTR_COMMIT, MEM, &va, 64 * PG, 0);
		if (e) {
			ASSERT(0, "round %d: attach: %s (committed %ld, VmLck %ld kB)", n,
			       strerror(e), seg_param("committed"), proc_status_kb("VmLck"));
			break;
		}
		munmap((void *)va0, PG);
		seg_list(fd, NULL, 0, (char[64]){ 0 }, 64);	/* the module notices */
		munmap((void *)va0, 64 * PG);
	}
	/* The module notices at the next call, at the latest (doc/contract.md §1.6). */
	seg_list(fd, NULL, 0, (char[64]){ 0 }, 64);
	c = seg_param("committed");
	lck = proc_status_kb("VmLck");
	ASSERT(c * 4 <= lck, "after %d rounds: module charges %ld pages, VmLck %ld kB", n, c, lck);
}

TEST(charge_follows_locked)
{
	long limit0 = seg_param("commit_limit");

	cap_pages = 4096;
	ASSERT(seg_param_set("commit_limit", cap_pages) == 0);
	as_nobody(stale_commits, 1 << 20);
	seg_param_set("commit_limit", limit0);
	EXPECT(seg_param("committed") == 0, "committed %ld", seg_param("committed"));
}

static int send_fd(int sock, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &m, 0) != 1 || !(cm = CMSG_FIRSTHDR(&m)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static char *slurp(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	ssize_t n = 0, r;

	if (fd < 0)
		return NULL;
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return strdup(buf);
}

static int sv[2];

static void sender(void)
{
	int fd = seg_open();
	unsigned long va = 0;
	char *before, *after, *lb, *la;
	char c;

	ASSERT(seg_attach(fd, 0, SHR, &va, 4 * PG, PG) == 0);
	*(volatile char *)va = 42;
	before = slurp("/proc/self/maps");
	lb = slurp("/dev/segctl");
	ASSERT(send_fd(sv[0], fd) == 0);
	/* Tell the receiver where our segment is, then wait until it is done. */
	ASSERT(write(sv[0], &va, sizeof(va)) == sizeof(va));
	ASSERT(read(sv[0], &c, 1) == 1);
	after = slurp("/proc/self/maps");
	la = slurp("/dev/segctl");
	ASSERT(before && after && !strcmp(before, after),
	       "the sender's maps changed:\n%s\n---\n%s", before, after);
	ASSERT(lb && la && !strcmp(lb, la), "the sender's listing changed");
	ASSERT(*(volatile char *)va == 42, "the sender's segment was touched");
}

static void receiver(void)
{
	int fd = recv_fd(sv[1]), e;
	unsigned long va, mine, b, t;

	ASSERT(fd >= 0);
	ASSERT(read(sv[1], &va, sizeof(va)) == sizeof(va));
	/* Nothing of the sender's is ours to detach, free, flush or grow. */
	ASSERT(seg_detach(fd, va) == EINVAL);
	ASSERT(seg_free(fd, va, PG) == EINVAL);
	ASSERT(seg_flush(fd, va, PG) == EINVAL);
	ASSERT(seg_brk(fd, va, va + 8 * PG, NULL, NULL) == EINVAL);
	/* Attaching at the sender's address makes a segment here, or EEXIST. */
	mine = va;
	e = seg_attach(fd, 0, MEM, &mine, 2 * PG, 0);
	ASSERT(e == 0 || e == EEXIST, "attach: %s", strerror(e));
	if (!e) {
		ASSERT(mine == va);
		*(volatile char *)mine = 7;
		ASSERT(seg_brk(fd, mine, 0, &b, &t) == 0 && b == mine);
		ASSERT(seg_detach(fd, mine) == 0);
	}
	mine = 0;
	ASSERT(seg_attach(fd, 0, MEM, &mine, PG, 0) == 0);
	*(volatile char *)mine = 1;	/* mapped here, in the receiver */
	ASSERT(write(sv[1], "d", 1) == 1);
}

TEST(fd_passing)
{
	pid_t a, b;
	int st;

	ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	a = fork();
	if (a == 0) {
		become_nobody(1 << 20);
		sender();
		fflush(stdout);
		_exit(0);
	}
	b = fork();
	if (b == 0) {
		become_nobody(1 << 20);
		receiver();
		fflush(stdout);
		_exit(0);
	}
	ASSERT(waitpid(a, &st, 0) == a);
	EXPECT(WIFEXITED(st) && !WEXITSTATUS(st), "sender: %#x", st);
	ASSERT(waitpid(b, &st, 0) == b);
	EXPECT(WIFEXITED(st) && !WEXITSTATUS(st), "receiver: %#x", st);
}

static void addresses(void)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };
	struct seg l[64];
	char why[256];
	int fd = seg_open(), n, i, d;
	unsigned long va, b, t;

	/* A process with no table lists nothing. */
	ASSERT(seg_list(fd, l, 64, why, sizeof(why)) == 0);
	ASSERT(seg_ioctl(fd, SEGCTL_VERSION, &v) == 0);
	ASSERT(v.commit_limit < (1UL << 40), "commit_limit %llu", (unsigned long long)v.commit_limit);
	for (i = 0; i < 16; i++) {
		va = 0;
		ASSERT(seg_attach(fd, i & 1 ? SEGCTL_ATTR_NONE : 0, i & 2 ? SHR : MEM, &va,
				  (1 + i) * PG, i & 4 ? PG : 0) == 0);
		ASSERT(va < user_top, "attach gave %#lx", va);
		ASSERT(seg_brk(fd, va, 0, &b, &t) == 0);
		ASSERT(b < user_top && t <= user_top && b == va, "brk gave %#lx %#lx", b, t);
	}
	/* Every number on every line is a user address or a small count. */
	n = seg_list(fd, l, 64, why, sizeof(why));
	ASSERT(n > 0, "listing: %s", why);
	for (i = 0; i < n && i < 64; i++)
		ASSERT(l[i].base < user_top && l[i].top <= user_top && l[i].ref < 1000,
		       "line %d: %lx %lx %u", i, l[i].base, l[i].top, l[i].ref);
	/* debugfs is root's. */
	d = open("/sys/kernel/debug/segctl/tables", O_RDONLY);
	ASSERT(d < 0 && (errno == EACCES || errno == EPERM), "debugfs opened by nobody (%s)",
	       d < 0 ? strerror(errno) : "fd");
	if (d >= 0)
		close(d);
	/* Nor can nobody change the module's parameters. */
	ASSERT(seg_param_set("commit_limit", 1UL << 40) != 0);
}

TEST(no_kernel_addresses)
{
	struct stat st;
	int d;

	/* As root the debugfs file is there and readable. */
	d = open("/sys/kernel/debug/segctl/tables", O_RDONLY);
	EXPECT(d >= 0, "debugfs as root: %s", strerror(errno));
	if (d >= 0)
		close(d);
	EXPECT(stat("/dev/segctl", &st) == 0 && (st.st_mode & 0777) == 0666,
	       "/dev/segctl mode %o", st.st_mode & 0777);
	as_nobody(addresses, 1 << 20);
}

int main(int argc, char **argv)
{
	segio_init();
	return tap_main(argc, argv);
}
