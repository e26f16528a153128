// SPDX-License-Identifier: MIT
/* common.c: the helpers behind common.h, shared by every module test. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/*
 * TASK_SIZE.  A kernel with 5-level paging (TCG's "-cpu max" has LA57)
 * gives an address above 47 bits to whoever asks for one.
 */
unsigned long user_top(void)
{
	static unsigned long top;
	unsigned long hi = 1UL << 50;
	void *p;

	if (top)
		return top;
	p = mmap((void *)hi, PG, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, PG);
	top = p == (void *)hi ? (1UL << 56) - PG : (1UL << 47) - PG;
	return top;
}

static int fd = -1;
static pthread_once_t fd_once = PTHREAD_ONCE_INIT;

static void open_dev(void)
{
	fd = open("/dev/segctl", O_RDWR | O_CLOEXEC);
}

int segfd(void)
{
	pthread_once(&fd_once, open_dev);
	ASSERT(fd >= 0, "open /dev/segctl: %s", strerror(errno));
	return fd;
}

int segioctl(unsigned long cmd, void *arg)
{
	return ioctl(segfd(), cmd, arg) < 0 ? -1 : 0;
}

int attach_raw(struct segctl_attach *a)
{
	a->size = sizeof(*a);
	return segioctl(SEGCTL_ATTACH, a);
}

unsigned long attachg(unsigned attr, unsigned class, unsigned long va,
		      unsigned long len, unsigned long guard)
{
	struct segctl_attach a = {
		.attr = attr, .seg_class = class, .va = va, .len = len, .guard = guard,
	};

	if (attach_raw(&a) < 0)
		return FAILED;
	return a.va;
}

unsigned long attach(unsigned attr, unsigned class, unsigned long va,
		     unsigned long len)
{
	return attachg(attr, class, va, len, 0);
}

int detach(unsigned long addr)
{
	struct segctl_detach d = { .size = sizeof(d), .addr = addr };

	return segioctl(SEGCTL_DETACH, &d);
}

int segfree(unsigned long va, unsigned long len)
{
	struct segctl_range r = { .size = sizeof(r), .va = va, .len = len };

	return segioctl(SEGCTL_FREE, &r);
}

int segflush(unsigned long va, unsigned long len)
{
	struct segctl_range r = { .size = sizeof(r), .va = va, .len = len };

	return segioctl(SEGCTL_FLUSH, &r);
}

int segbrk(unsigned long saddr, unsigned long addr, unsigned long *base,
	   unsigned long *top)
{
	struct segctl_brk b = { .size = sizeof(b), .saddr = saddr, .addr = addr };

	if (segioctl(SEGCTL_BRK, &b) < 0)
		return -1;
	if (base)
		*base = b.base;
	if (top)
		*top = b.top;
	return 0;
}

/* A whole file, or NULL with errno when it cannot be read. */
char *slurp(const char *path, size_t *len)
{
	return readall(path, len);
}

char *listing(size_t *len)
{
	char *s = slurp("/dev/segctl", len);

	ASSERT(s != NULL, "read /dev/segctl: %s", strerror(errno));
	return s;
}

int list_segs(struct seg **v)
{
	char *text = listing(NULL), why[256];
	int n = segs_parse(text, USER_TOP, v, why, sizeof(why));

	ASSERT(n >= 0, "listing: %s", why);
	free(text);
	return n;
}

int nsegs(void)
{
	struct seg *v;
	int n = list_segs(&v);

	free(v);
	return n;
}

bool find_seg(unsigned long base, struct seg *s)
{
	struct seg *v;
	int i, n = list_segs(&v);
	bool found = false;

	for (i = 0; i < n; i++) {
		if (v[i].base == base) {
			*s = v[i];
			found = true;
			break;
		}
	}
	free(v);
	return found;
}

bool map_at(unsigned long addr, struct map *m)
{
	int r = maps_overlap(addr, addr + 1, m);

	ASSERT(r >= 0, "read /proc/self/maps: %s", strerror(errno));
	return r;
}

bool mapped_as(unsigned long start, unsigned long end, const char *perms)
{
	struct map m;

	while (start < end) {
		if (!map_at(start, &m))
			return false;
		if (perms && strcmp(m.perms, perms) != 0)
			return false;
		start = m.end;
	}
	return true;
}

bool mapped(unsigned long start, unsigned long end)
{
	return mapped_as(start, end, NULL);
}

bool unmapped(unsigned long start, unsigned long end)
{
	int r = maps_overlap(start, end, NULL);

	ASSERT(r >= 0, "read /proc/self/maps: %s", strerror(errno));
	return !r;
}

/*
 * Resident kB of VM_LOCKED VMAs in [start, end).  Not smaps' "Locked:",
 * which is proportional: a page a child shares counts half in each.
 */
unsigned long locked_kb(unsigned long start, unsigned long end)
{
	char *text = slurp("/proc/self/smaps", NULL), *line, *save = NULL, *p;
	unsigned long s, e, kb, rss = 0, total = 0;
	bool in = false;

	ASSERT(text != NULL, "read /proc/self/smaps: %s", strerror(errno));
	for (p = text; (line = strtok_r(p, "\n", &save)) != NULL; p = NULL) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 &&
		    line[strspn(line, "0123456789abcdef")] == '-') {
			in = s < end && e > start;
			rss = 0;
		} else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1) {
			rss = kb;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0 &&
			   strstr(line, " lo")) {
			total += rss;
		}
	}
	free(text);
	return total;
}

static bool residency(unsigned long start, unsigned long end, int want)
{
	size_t n = (end - start) / PG, i;
	unsigned char *vec = malloc(n);
	bool ok = true;

	ASSERT(vec != NULL);
	ASSERT(mincore((void *)start, end - start, vec) == 0, "mincore: %s",
	       strerror(errno));
	for (i = 0; i < n; i++)
		if ((vec[i] & 1) != want)
			ok = false;
	free(vec);
	return ok;
}

bool resident(unsigned long start, unsigned long end)
{
	return residency(start, end, 1);
}

bool none_resident(unsigned long start, unsigned long end)
{
	return residency(start, end, 0);
}

unsigned long free_range(unsigned long len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
	ASSERT(munmap(p, len) == 0);
	return (unsigned long)p;
}

static __thread sigjmp_buf probe_jmp;
static __thread volatile int probing;

static void probe_handler(int sig)
{
	if (probing)
		siglongjmp(probe_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int probe(unsigned long addr, bool write)
{
	struct sigaction sa = { .sa_handler = probe_handler }, osegv, obus;
	volatile char *p = (volatile char *)addr;
	int sig;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, &osegv);
	sigaction(SIGBUS, &sa, &obus);
	sig = sigsetjmp(probe_jmp, 1);
	if (sig == 0) {
		probing = 1;
		if (write)
			*p = *p;	/* keep the contents: a read, then a write */
		else
			(void)*p;
	}
	probing = 0;
	sigaction(SIGSEGV, &osegv, NULL);
	sigaction(SIGBUS, &obus, NULL);
	return sig;
}

int read_faults(unsigned long addr)
{
	return probe(addr, false);
}

int write_faults(unsigned long addr)
{
	return probe(addr, true);
}

long param(const char *name)
{
	char path[128], *s;
	long v;

	snprintf(path, sizeof(path), "/sys/module/segctl/parameters/%s", name);
	s = slurp(path, NULL);
	ASSERT(s != NULL, "read %s: %s", path, strerror(errno));
	ASSERT(sscanf(s, "%ld", &v) == 1, "%s: '%s'", path, s);
	free(s);
	return v;
}

int set_param(const char *name, long val)
{
	char path[128], buf[32];
	int f, n, r;

	snprintf(path, sizeof(path), "/sys/module/segctl/parameters/%s", name);
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", val);
	r = write(f, buf, n) == n ? 0 : -1;
	close(f);
	return r;
}

bool counters_are_zero(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 250; i++) {
		if (param("tables") == 0 && param("segments") == 0 &&
		    param("committed") == 0 && param("spans") == 0 &&
		    param("arenas_alive") == 0)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

int wait_for(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		ASSERT(errno == EINTR, "waitpid %d: %s", pid, strerror(errno));
	}
	return st;
}

int in_child(void (*fn)(void *), void *arg)
{
	int p[2], st;
	bool failed = false;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	ASSERT(pipe(p) == 0);
	pid = fork();
	ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	/* "failed:" cannot straddle reads: tap_fail writes whole lines. */
	while ((n = read(p[0], buf, sizeof(buf) - 1)) != 0) {
		if (n < 0) {
			ASSERT(errno == EINTR);
			continue;
		}
		buf[n] = '\0';
		if (strstr(buf, ": failed: "))
			failed = true;
		fwrite(buf, 1, n, stdout);
		fflush(stdout);
	}
	close(p[0]);
	st = wait_for(pid);
	if (failed && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		st = 1 << 8;
	return st;
}

void become_nobody(void)
{
	struct stat st;

	/*
	 * The guest's initramfs root may come out mode 0700 (a mktemp -d
	 * staging directory): nobody could not even reach /dev/segctl.
	 */
	if (stat("/", &st) == 0 && !(st.st_mode & S_IXOTH))
		chmod("/", 0755);
	ASSERT(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	ASSERT(setgid(NOBODY) == 0, "setgid: %s", strerror(errno));
	ASSERT(setuid(NOBODY) == 0, "setuid: %s", strerror(errno));
	ASSERT(getuid() == NOBODY && geteuid() == NOBODY);
}

unsigned long sysctl_get(const char *name)
{
	char path[128], *s, *end;
	unsigned long v;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	s = slurp(path, NULL);
	ASSERT(s != NULL, "read %s: %s", path, strerror(errno));
	errno = 0;
	v = strtoul(s, &end, 10);
	ASSERT(errno == 0 && end != s, "%s: '%s'", path, s);
	free(s);
	return v;
}

void sysctl_set(const char *name, unsigned long val)
{
	char path[128], buf[32];
	int f, n;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	f = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT(f >= 0, "open %s: %s", path, strerror(errno));
	n = snprintf(buf, sizeof(buf), "%lu\n", val);
	ASSERT(write(f, buf, n) == n, "write %lu to %s: %s", val, path, strerror(errno));
	close(f);
	ASSERT(sysctl_get(name) == val, "%s did not become %lu", path, val);
}

unsigned long min_addr_at_least(unsigned long pages, unsigned long *was)
{
	unsigned long min = sysctl_get("vm/mmap_min_addr");

	*was = min;
	if (min < pages * PG) {
		min = pages * PG;
		sysctl_set("vm/mmap_min_addr", min);
	}
	return min;
}

void min_addr_restore(unsigned long was)
{
	if (sysctl_get("vm/mmap_min_addr") != was)
		sysctl_set("vm/mmap_min_addr", was);
}

/*
 * The tests write sizes and addresses in pages of PG bytes: on a kernel
 * with other pages every one of them would be wrong, so say so, once.
 */
__attribute__((constructor)) static void page_size_is_pg(void)
{
	long sz = sysconf(_SC_PAGESIZE);

	if (sz != (long)PG) {
		printf("Bail out! page size %ld, the tests assume %lu\n", sz, PG);
		exit(1);
	}
}
