// SPDX-License-Identifier: MIT
/*
 * arena.c: stack arenas (doc/arenas.md, contract §1.5): a guarded "memory"
 * attach with va 0 puts its body into an arena of the caller's mm, one
 * mapping whose redzones and free space are not VMAs but fault all the
 * same (SEGV_MAPERR); bodies are anonymous memory, copied on write across
 * fork; detach and segfree return memory; the listing shows each body as
 * a guarded attach does; the module cannot go while an arena is mapped;
 * ptrace cannot read a redzone; arenas=0, va, SG_COMMIT, "shared" and
 * SG_RONLY take the old path.
 */
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/uio.h>
#include <time.h>

#include "common.h"

#define NOEXEC	SEGCTL_ATTR_NOEXEC
#define GB	(1UL << 30)

/* A guarded body with va 0: in an arena. */
static unsigned long body(unsigned long len, unsigned long guard)
{
	return attachg(0, MEM, 0, len, guard);
}

/* The arena (VMA) holding addr: its range, ASSERTed to be an arena. */
static struct map arena_of(unsigned long addr)
{
	struct map m;

	ASSERT(map_at(addr, &m), "nothing mapped at %lx", addr);
	ASSERT(m.end - m.start >= GB, "%lx-%lx is no arena", m.start, m.end);
	return m;
}

/* The si_code and si_addr of the SIGSEGV an access raised; code 0: none. */
static sigjmp_buf code_jmp;
static volatile int code_seen;
static volatile unsigned long addr_seen;

static void code_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	code_seen = si->si_code;
	addr_seen = (unsigned long)si->si_addr;
	siglongjmp(code_jmp, 1);
}

static int segv_code(unsigned long addr, bool write)
{
	struct sigaction sa = { .sa_sigaction = code_handler, .sa_flags = SA_SIGINFO }, old;
	volatile char *p = (volatile char *)addr;

	code_seen = 0;
	addr_seen = 0;
	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(code_jmp, 1) == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	sigaction(SIGSEGV, &old, NULL);
	return code_seen;
}

/* An access to addr is SEGV_MAPERR with si_addr addr. */
static bool maperr(unsigned long addr, bool write)
{
	return segv_code(addr, write) == SEGV_MAPERR && addr_seen == addr;
}

/* VMAs in /proc/self/maps. */
static int nvmas(void)
{
	size_t n, i;
	char *s = slurp("/proc/self/maps", &n);
	int lines = 0;

	ASSERT(s, "maps: %s", strerror(errno));
	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	free(s);
	return lines;
}

/* A line of /proc/self/status, in kB. */
static long status_kb(const char *key)
{
	char *s = slurp("/proc/self/status", NULL), *p;
	long kb;

	ASSERT(s, "status: %s", strerror(errno));
	p = strstr(s, key);
	ASSERT(p, "no %s", key);
	kb = strtol(p + strlen(key) + 1, NULL, 10);
	free(s);
	return kb;
}

/* A boolean module parameter ("Y" or "N"). */
static bool bool_param(const char *name)
{
	char path[128], *s;
	bool on;

	snprintf(path, sizeof(path), "/sys/module/segctl/parameters/%s", name);
	s = slurp(path, NULL);
	ASSERT(s, "%s: %s", path, strerror(errno));
	on = s[0] == 'Y';
	free(s);
	return on;
}

static void expect_seg(unsigned long base, unsigned long top, const char *flags)
{
	struct seg s;

	ASSERT(find_seg(base, &s), "no segment at %lx", base);
	EXPECT(s.top == top && strcmp(s.class, "memory") == 0 && strcmp(s.flags, flags) == 0,
	       "%lx: got %s '%s' %lx, want memory '%s' %lx", base, s.class, s.flags, s.top,
	       flags, top);
}

/* The listing shows body b (len, guard g) as redzone, body, redzone. */
static void expect_listed(unsigned long b, unsigned long len, unsigned long g,
			  const char *flags)
{
	expect_seg(b - g, b, " N   ");
	expect_seg(b, b + len, flags);
	expect_seg(b + len, b + len + g, " N   ");
}

TEST(arena_is_one_vma)
{
	int before = nvmas();
	unsigned long b1 = body(2 * PG, PG), b2, b3;
	struct map m;

	ASSERT(b1 != FAILED, "%s", strerror(errno));
	m = arena_of(b1);
	EXPECT(m.start == b1 - PG && strcmp(m.perms, "rwxp") == 0, "%lx-%lx %s", m.start,
	       m.end, m.perms);
	EXPECT(nvmas() == before + 1);
	b2 = body(3 * PG, PG);
	EXPECT(b2 == b1 + 4 * PG, "second body at %lx", b2);
	EXPECT(nvmas() == before + 1, "a body made a VMA");
	/* SG_NOEXEC bodies have an arena of their own, not executable. */
	b3 = attachg(NOEXEC, MEM, 0, PG, PG);
	ASSERT(b3 != FAILED);
	EXPECT(map_at(b3, &m) && strcmp(m.perms, "rw-p") == 0 && m.start == b3 - PG);
	EXPECT(nvmas() == before + 2);
	EXPECT(param("spans") >= 3 && param("arenas_alive") >= 2);
}

TEST(arena_body_zero_on_first_touch)
{
	unsigned long b = body(4 * PG, PG);
	char *p = (char *)b;

	ASSERT(b != FAILED);
	EXPECT(p[0] == 0 && p[PG + 5] == 0 && p[4 * PG - 1] == 0);
	memset(p + PG, 0x5a, 2 * PG);	/* after a read: the copy on write */
	p[0] = 7;			/* first access a write */
	EXPECT(p[0] == 7 && p[PG] == 0x5a && p[3 * PG - 1] == 0x5a && p[3 * PG] == 0);
	ASSERT(detach(b) == 0);
	ASSERT(body(4 * PG, PG) == b, "the freed run is not reused");
	EXPECT(p[0] == 0 && p[PG] == 0 && p[3 * PG - 1] == 0, "old contents in a new body");
}

/* Overflow below and above a body: SEGV_MAPERR at the address touched. */
TEST(arena_overflow_below_and_above)
{
	unsigned long b = body(3 * PG, 2 * PG);

	ASSERT(b != FAILED);
	EXPECT(maperr(b - 1, true), "below: code %d addr %lx", code_seen, addr_seen);
	EXPECT(maperr(b - 2 * PG, false));
	EXPECT(maperr(b + 3 * PG, true), "above: code %d addr %lx", code_seen, addr_seen);
	EXPECT(maperr(b + 5 * PG - 1, false));
	EXPECT(segv_code(b, true) == 0 && segv_code(b + 3 * PG - 1, true) == 0);
	EXPECT(none_resident(b - 2 * PG, b) && none_resident(b + 3 * PG, b + 5 * PG));
}

TEST(arena_free_space_faults)
{
	unsigned long b = body(PG, PG), b2;
	struct map m = arena_of(b);

	EXPECT(maperr(m.end - 1, true) && maperr(m.start + GB / 2, false));
	EXPECT(maperr(b + 2 * PG, true), "past the high redzone");
	b2 = body(PG, PG);
	ASSERT(b2 == b + 3 * PG);
	ASSERT(detach(b + PG) == 0, "by its high redzone: %s", strerror(errno));
	EXPECT(maperr(b, false), "a freed body");
	EXPECT(segv_code(b2, true) == 0, "the neighbour went too");
}

struct fork_arg {
	unsigned long b, untouched, other;
};

static void fork_child(void *v)
{
	struct fork_arg *f = v;
	char *p = (char *)f->b;
	unsigned long c;

	EXPECT(p[0] == 'P' && p[PG] == 'Q', "child sees %d %d", p[0], p[PG]);
	EXPECT(maperr(f->b - 1, false) && maperr(f->b + 2 * PG, true), "child's redzones");
	EXPECT(maperr(arena_of(f->b).end - 1, false), "child's free space");
	p[0] = 'C';
	EXPECT(((char *)f->untouched)[0] == 0);
	/* Its own table: the bodies are listed, and it attaches and detaches. */
	expect_listed(f->b, 2 * PG, PG, "     ");
	c = body(PG, PG);
	EXPECT(c == f->other + 3 * PG, "child's new body at %lx", c);
	EXPECT(detach(f->other) == 0, "%s", strerror(errno));
	EXPECT(maperr(f->other, false));
	EXPECT(p[0] == 'C' && p[PG] == 'Q');
}

TEST(arena_fork_copies)
{
	struct fork_arg f;
	char *p;

	f.b = body(2 * PG, PG);
	f.untouched = body(PG, PG);
	f.other = body(PG, PG);
	ASSERT(f.b != FAILED && f.untouched != FAILED && f.other != FAILED);
	p = (char *)f.b;
	p[0] = 'P';
	p[PG] = 'Q';
	EXPECT_CHILD(fork_child, &f);
	EXPECT(p[0] == 'P' && p[PG] == 'Q', "parent sees %d %d", p[0], p[PG]);
	EXPECT(maperr(f.b - 1, true) && maperr(f.b + 2 * PG, false));
	/* The child's detach and attach left the parent's spans alone. */
	EXPECT(segv_code(f.other, true) == 0, "parent's body freed by the child");
	EXPECT(((char *)f.untouched)[PG - 1] == 0);
	EXPECT(maperr(f.other + PG, false));
	expect_listed(f.other, PG, PG, "     ");
	EXPECT(body(PG, PG) == f.other + 3 * PG, "the child's body in the parent");
	EXPECT(detach(f.other) == 0);
}

/*
 * A body of len bytes, written all over; *before and *full are RssAnon in
 * kB before and after the writes, which must have cost about 4 MiB.
 */
static unsigned long written_body(unsigned long len, long *before, long *full)
{
	unsigned long b = body(len, PG);

	ASSERT(b != FAILED);
	*before = status_kb("RssAnon:");
	memset((void *)b, 1, len);
	*full = status_kb("RssAnon:");
	EXPECT(*full - *before >= 3500, "RssAnon %ld -> %ld kB", *before, *full);
	return b;
}

TEST(arena_detach_returns_memory)
{
	unsigned long len = 1024 * PG, b;
	long before, full, after;

	b = written_body(len, &before, &full);
	ASSERT(detach(b) == 0);
	after = status_kb("RssAnon:");
	EXPECT(full - after >= 3500, "RssAnon %ld -> %ld -> %ld kB", before, full, after);
	EXPECT(none_resident(b, b + len));
	tap_note("detach: RssAnon %ld -> %ld -> %ld kB", before, full, after);
}

TEST(arena_segfree_returns_memory)
{
	unsigned long len = 1024 * PG, b;
	long before, full, after;

	b = written_body(len, &before, &full);
	ASSERT(segfree(b, len) == 0, "%s", strerror(errno));
	after = status_kb("RssAnon:");
	EXPECT(full - after >= 3500, "RssAnon %ld -> %ld -> %ld kB", before, full, after);
	EXPECT(none_resident(b, b + len));
	/* The body stays, zero, with its redzones. */
	EXPECT(((char *)b)[0] == 0 && ((char *)b)[len - 1] == 0);
	EXPECT(maperr(b - 1, false) && maperr(b + len, false));
	/* Part of it: only those pages. */
	memset((void *)b, 2, 4 * PG);
	ASSERT(segfree(b + PG, 2 * PG) == 0);
	EXPECT(((char *)b)[0] == 2 && ((char *)b)[PG] == 0 && ((char *)b)[3 * PG] == 2);
	tap_note("segfree: RssAnon %ld -> %ld -> %ld kB", before, full, after);
}

/* Never-written pages read as zero without costing anonymous memory. */
TEST(arena_reads_cost_no_memory)
{
	unsigned long len = 1024 * PG, b = body(len, PG), i;
	long before, after;
	unsigned sum = 0;

	ASSERT(b != FAILED);
	before = status_kb("RssAnon:");
	for (i = 0; i < len; i += PG)
		sum += *(volatile char *)(b + i);
	after = status_kb("RssAnon:");
	EXPECT(sum == 0 && after - before < 100, "RssAnon %ld -> %ld kB", before, after);
}

/* At the default vm.max_map_count a pthread-style layout stops near 32,758. */
#define NSTACKS	100000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST_TIMEOUT(arena_100000_stacks, 900)
{
	unsigned long *v = malloc(NSTACKS * sizeof(*v)), i;
	int before = nvmas(), after;
	double t0, t1, t2;

	ASSERT(v);
	tap_note("vm.max_map_count %lu", sysctl_get("vm/max_map_count"));
	t0 = now();
	for (i = 0; i < NSTACKS; i++) {
		v[i] = body(PG, PG);
		ASSERT(v[i] != FAILED, "stack %lu: %s", i, strerror(errno));
		*(volatile char *)(v[i] + PG - 1) = 1;	/* the top of the stack */
	}
	t1 = now();
	after = nvmas();
	EXPECT(after - before <= 4, "%d VMAs for %d stacks", after - before, NSTACKS);
	EXPECT(nsegs() == 3 * NSTACKS, "listing %d lines", nsegs());
	EXPECT(maperr(v[0] - 1, true) && maperr(v[NSTACKS - 1] + PG, false));
	for (i = 0; i < NSTACKS; i++)
		ASSERT(detach(v[i]) == 0, "detach %lu: %s", i, strerror(errno));
	t2 = now();
	EXPECT(none_resident(v[0], v[0] + PG) && nsegs() == 0);
	tap_note("%d stacks alive in %d VMAs (maps %d -> %d lines); attach+touch %.2f s, detach %.2f s",
		 NSTACKS, after - before, before, after, t1 - t0, t2 - t1);
	free(v);
}

/* Bodies that fill an arena: the next one opens a second arena. */
TEST(arena_full_makes_another)
{
	unsigned long len = 16UL << 20, b, first = 0;
	int before = nvmas(), i;

	for (i = 0; i < 64; i++) {
		b = body(len, PG);
		ASSERT(b != FAILED, "body %d: %s", i, strerror(errno));
		if (!i)
			first = b;
	}
	EXPECT(nvmas() == before + 1);
	b = body(len, PG);
	ASSERT(b != FAILED);
	EXPECT(nvmas() == before + 2 && arena_of(b).start != arena_of(first).start);
	ASSERT(detach(first) == 0);
	EXPECT(body(len, PG) == first, "the first arena's free run");
}

/* arena_spans caps the bodies of one address space: ENOMEM beyond. */
TEST(arena_spans_cap)
{
	long was = param("arena_spans"), spans;
	unsigned long b[3];
	int segs;

	ASSERT(set_param("arena_spans", 3) == 0);
	b[0] = body(PG, PG);
	b[1] = attachg(NOEXEC, MEM, 0, PG, PG);
	b[2] = body(PG, 2 * PG);
	segs = nsegs();
	spans = param("spans");
	errno = 0;
	EXPECT(body(PG, PG) == FAILED && errno == ENOMEM, "errno %d", errno);
	EXPECT(nsegs() == segs && param("spans") == spans, "a failed attach left something");
	/* The old layout is not arenas'. */
	EXPECT(attachg(0, MEM, free_range(3 * PG) + PG, PG, PG) != FAILED);
	ASSERT(detach(b[1]) == 0);
	EXPECT(body(PG, PG) != FAILED);
	set_param("arena_spans", was);
	EXPECT(b[0] != FAILED && b[2] != FAILED);
}

static long refcnt(void)
{
	char *s = slurp("/sys/module/segctl/refcnt", NULL);
	long n;

	ASSERT(s, "refcnt: %s", strerror(errno));
	n = strtol(s, NULL, 10);
	free(s);
	return n;
}

/* The arena's vm_ops are module text: the module stays while one is mapped. */
TEST(arena_holds_the_module)
{
	int fd = segfd();
	long r0, r1;
	unsigned long b = body(PG, PG);
	struct map m;

	ASSERT(b != FAILED);
	m = arena_of(b);
	close(fd);	/* segfd() reopens on next use */
	r1 = refcnt();
	errno = 0;
	EXPECT(syscall(SYS_delete_module, "segctl", O_NONBLOCK) == -1 && errno == EWOULDBLOCK,
	       "rmmod with an arena: errno %d", errno);
	ASSERT(access("/sys/module/segctl", F_OK) == 0, "the module went");
	ASSERT(munmap((void *)m.start, m.end - m.start) == 0);
	r0 = refcnt();
	EXPECT(r1 == r0 + 1, "refcnt %ld with the arena, %ld without", r1, r0);
}

/* ptrace's way in (GUP) gets no page for a redzone and maps none. */
TEST(arena_remote_access)
{
	unsigned long b = body(PG, PG);
	char buf[16] = "x", mem[32];
	struct iovec local = { buf, sizeof(buf) }, remote;
	int fd;

	ASSERT(b != FAILED);
	strcpy((char *)b, "body");
	remote = (struct iovec){ (void *)b, sizeof(buf) };
	EXPECT(process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == sizeof(buf) &&
	       strcmp(buf, "body") == 0);
	remote.iov_base = (void *)(b - PG);
	errno = 0;
	EXPECT(process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == -1 && errno == EFAULT,
	       "redzone: errno %d", errno);
	remote.iov_base = (void *)(b + 2 * PG);
	errno = 0;
	EXPECT(process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == -1 && errno == EFAULT,
	       "free space: errno %d", errno);
	fd = open("/proc/self/mem", O_RDWR);
	ASSERT(fd >= 0, "%s", strerror(errno));
	EXPECT(pread(fd, mem, 4, (off_t)b) == 4 && memcmp(mem, "body", 4) == 0);
	errno = 0;
	EXPECT(pread(fd, mem, 4, (off_t)(b - PG)) == -1 && errno == EIO,
	       "/proc/self/mem read of a redzone: errno %d", errno);
	errno = 0;
	EXPECT(pwrite(fd, "zz", 2, (off_t)(b + PG)) == -1 && errno == EIO,
	       "/proc/self/mem write of a redzone: errno %d", errno);
	close(fd);
	EXPECT(none_resident(b - PG, b) && none_resident(b + PG, b + 2 * PG));
	EXPECT(maperr(b - PG, false) && maperr(b + PG, false));
}

/*
 * An arena changes only whole: munmap or mprotect of part of it (a redzone
 * too) is EINVAL and changes nothing.  Moved whole, its bodies go along;
 * the table's entry no longer matches and is forgotten, as a segment moved
 * behind the module's back is.
 */
TEST(arena_changes_only_whole)
{
	unsigned long b = body(2 * PG, PG), n, len, b2;
	struct map m;
	void *p;
	int segs;

	ASSERT(b != FAILED);
	m = arena_of(b);
	len = m.end - m.start;
	strcpy((char *)b, "kept");
	segs = nsegs();
	EXPECT_ERRNO(munmap((void *)(b + 8 * PG), PG), EINVAL);
	EXPECT_ERRNO(munmap((void *)b, 2 * PG), EINVAL);
	EXPECT_ERRNO(mprotect((void *)m.start, PG, PROT_NONE), EINVAL);
	EXPECT_ERRNO(mprotect((void *)(b + 2 * PG), PG, PROT_READ), EINVAL);
	EXPECT_ERRNO(mprotect((void *)(b - PG), PG, PROT_READ | PROT_WRITE), EINVAL);
	EXPECT(maperr(b - PG, false) && maperr(b + 2 * PG, true));
	EXPECT(strcmp((char *)b, "kept") == 0 && nsegs() == segs);
	EXPECT(map_at(b, &m) && m.end - m.start == len, "the arena changed");
	errno = 0;
	EXPECT(mremap((void *)m.start, len, len + PG, 0) == MAP_FAILED, "grown in place");
	n = free_range(len);
	p = mremap((void *)m.start, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)n);
	ASSERT(p == (void *)n, "mremap: %s", strerror(errno));
	EXPECT(strcmp((char *)(n + PG), "kept") == 0 && ((char *)n)[3 * PG - 1] == 0);
	EXPECT(maperr(n, false) && maperr(n + 3 * PG, true));
	EXPECT(nsegs() == 0, "a moved arena still listed");
	EXPECT_ERRNO(detach(n + PG), EINVAL);
	b2 = body(PG, PG);
	EXPECT(b2 != FAILED && (b2 < n || b2 >= n + len), "a new arena");
	EXPECT(munmap((void *)n, len) == 0 && unmapped(n, n + len));
}

/* doc/arenas.md §4's bad input: the errno, and nothing changed or left. */
TEST(arena_bad_input)
{
	unsigned long b, b2, spans, top = USER_TOP;
	struct map m;
	int segs, vmas;

	b = body(2 * PG, PG);
	ASSERT(b != FAILED);
	m = arena_of(b);
	segs = nsegs();
	spans = param("spans");
	vmas = nvmas();
	EXPECT(body(0, PG) == FAILED && errno == EINVAL, "len 0");
	EXPECT(body(-PG + 1, PG) == FAILED && errno == EINVAL, "len wraps");
	EXPECT(body(PG, top) == FAILED && errno == EINVAL, "redzone larger than any arena");
	EXPECT(body(PG, top / 2) == FAILED && (errno == EINVAL || errno == ENOMEM),
	       "redzones fill the address space: errno %d", errno);
	EXPECT(body(top - 8 * PG, PG) == FAILED && errno == ENOMEM,
	       "no room for the body in the address space: errno %d", errno);
	/* A fixed attach over an arena: its space is taken. */
	EXPECT(attachg(0, MEM, m.start + GB / 2, PG, PG) == FAILED && errno == EEXIST);
	EXPECT(attach(0, MEM, m.end - PG, PG) == FAILED && errno == EEXIST);
	EXPECT_ERRNO(detach(m.start + GB / 2), EINVAL);	/* free space */
	EXPECT_ERRNO(segfree(m.start + GB / 2, PG), EINVAL);
	EXPECT_ERRNO(segfree(b - PG, PG), EINVAL);		/* a redzone */
	EXPECT_ERRNO(segfree(b, 3 * PG), EINVAL);		/* past the body */
	EXPECT_ERRNO(segbrk(b, b + 4 * PG, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segbrk(m.start + GB / 2, 0, NULL, NULL), EINVAL);
	EXPECT_ERRNO(segflush(b, 4 * PG), EINVAL);	/* into free space */
	EXPECT(nsegs() == segs && param("spans") == (long)spans && nvmas() == vmas,
	       "segments %d -> %d, spans %lu -> %ld, VMAs %d -> %d", segs, nsegs(), spans,
	       param("spans"), vmas, nvmas());
	EXPECT(segv_code(b, true) == 0 && maperr(b - 1, true));
	ASSERT(detach(b) == 0);
	EXPECT_ERRNO(detach(b), EINVAL);			/* double detach */
	EXPECT_ERRNO(detach(b - PG), EINVAL);
	b2 = body(2 * PG, PG);
	EXPECT(b2 == b, "a failed call left something behind: %lx, not %lx", b2, b);
}

/* segbrk asks a body's base (addr 0) and will not move it; segflush works. */
TEST(arena_brk_and_flush)
{
	unsigned long b = body(3 * PG, PG), base, top;

	ASSERT(b != FAILED);
	ASSERT(segbrk(b + 5, 0, &base, &top) == 0, "%s", strerror(errno));
	EXPECT(base == b && top == b + 3 * PG, "base %lx top %lx", base, top);
	ASSERT(segbrk(b - 1, 0, &base, &top) == 0);
	EXPECT(base == b - PG && top == b, "redzone base %lx top %lx", base, top);
	EXPECT_ERRNO(segbrk(b, b + PG, NULL, NULL), EINVAL);
	EXPECT(segflush(b, 3 * PG) == 0 && segflush(b - PG, 5 * PG) == 0);
}

/* A mapping over part of an arena would split it: refused, nothing changed. */
TEST(arena_map_fixed_over_part)
{
	unsigned long b = body(2 * PG, PG);
	struct utsname u;
	void *m;
	int want;

	ASSERT(b != FAILED);
	strcpy((char *)b, "kept");
	/* 6.1's mmap_region turns any failure to unmap into ENOMEM. */
	ASSERT(uname(&u) == 0);
	want = strncmp(u.release, "6.1.", 4) == 0 ? ENOMEM : EINVAL;
	m = mmap((void *)(b - PG), 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT(m == MAP_FAILED && errno == want, "mmap over part: %p errno %d", m, errno);
	EXPECT(strcmp((char *)b, "kept") == 0 && maperr(b - PG, true));
	EXPECT(madvise((void *)b, PG, MADV_HUGEPAGE) == -1 && errno == EINVAL);
}

/* MADV_DONTNEED drops a body's pages and keeps the body: they come back zero. */
TEST(arena_dontneed_refaults_zero)
{
	unsigned long b = body(4 * PG, PG);

	ASSERT(b != FAILED);
	memset((void *)b, 0x77, 4 * PG);
	ASSERT(madvise((void *)b, 4 * PG, MADV_DONTNEED) == 0, "%s", strerror(errno));
	EXPECT(none_resident(b, b + 4 * PG));
	EXPECT(((char *)b)[0] == 0 && ((char *)b)[4 * PG - 1] == 0);
	EXPECT(maperr(b - 1, false));
	EXPECT_ERRNO(madvise((void *)b, PG, MADV_FREE), EINVAL);
}

/* PROT_NONE over the whole arena: every access faults, now SEGV_ACCERR. */
TEST(arena_prot_none_whole)
{
	unsigned long b = body(PG, PG);
	struct map m;

	ASSERT(b != FAILED);
	m = arena_of(b);
	*(char *)b = 1;
	ASSERT(mprotect((void *)m.start, m.end - m.start, PROT_NONE) == 0, "%s", strerror(errno));
	EXPECT(segv_code(b, false) == SEGV_ACCERR && segv_code(b - PG, false) == SEGV_ACCERR);
	ASSERT(mprotect((void *)m.start, m.end - m.start, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
	EXPECT(*(char *)b == 1 && maperr(b - PG, false));
	expect_listed(b, PG, PG, "     ");
}

/*
 * A core dump holds the arena: bodies with their contents, redzones and
 * free space as zeros (holes).
 */
#define CORE_PATTERN	"/proc/sys/kernel/core_pattern"
#define CORE_FILE	"/tmp/kmod-arena.core"

static void dump_core(void *v)
{
	unsigned long b = *(unsigned long *)v;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	ASSERT(setrlimit(RLIMIT_CORE, &rl) == 0);
	memset((void *)b, 0x3c, 2 * PG);
	signal(SIGABRT, SIG_DFL);
	abort();
}

/* The PT_LOAD header of the core file's image of [start, ...). */
static bool core_load(int fd, unsigned long start, Elf64_Phdr *ph)
{
	Elf64_Ehdr eh;
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_type != ET_CORE)
		return false;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, ph, sizeof(*ph), eh.e_phoff + i * sizeof(*ph)) != sizeof(*ph))
			return false;
		if (ph->p_type == PT_LOAD && ph->p_vaddr == start)
			return true;
	}
	return false;
}

/* n bytes of the file at off are all c. */
static bool all_bytes(int fd, off_t off, size_t n, char c)
{
	char buf[4096];
	size_t i, k;

	while (n) {
		k = n < sizeof(buf) ? n : sizeof(buf);
		if (pread(fd, buf, k, off) != (ssize_t)k)
			return false;
		for (i = 0; i < k; i++)
			if (buf[i] != c)
				return false;
		off += k;
		n -= k;
	}
	return true;
}

TEST_TIMEOUT(arena_core_dump, 300)
{
	unsigned long b = body(2 * PG, PG), len;
	char *old;
	size_t oldn;
	Elf64_Phdr ph;
	struct map m;
	FILE *f;
	int st, fd;

	ASSERT(b != FAILED);
	m = arena_of(b);
	len = m.end - m.start;
	old = slurp(CORE_PATTERN, &oldn);
	ASSERT(old, "%s", strerror(errno));
	f = fopen(CORE_PATTERN, "w");
	ASSERT(f && fputs(CORE_FILE, f) >= 0 && fclose(f) == 0, "%s", strerror(errno));
	unlink(CORE_FILE);
	st = in_child(dump_core, &b);
	f = fopen(CORE_PATTERN, "w");
	if (f) {
		fwrite(old, 1, oldn, f);
		fclose(f);
	}
	free(old);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && WCOREDUMP(st), "status 0x%x", st);
	fd = open(CORE_FILE, O_RDONLY);
	ASSERT(fd >= 0, "no core: %s", strerror(errno));
	unlink(CORE_FILE);
	ASSERT(core_load(fd, m.start, &ph), "no PT_LOAD for the arena");
	EXPECT(ph.p_memsz == len && ph.p_filesz == len, "memsz %lx filesz %lx",
	       (unsigned long)ph.p_memsz, (unsigned long)ph.p_filesz);
	EXPECT(all_bytes(fd, ph.p_offset, PG, 0), "low redzone");
	EXPECT(all_bytes(fd, ph.p_offset + PG, 2 * PG, 0x3c), "body");
	EXPECT(all_bytes(fd, ph.p_offset + 3 * PG, 64 * PG, 0), "high redzone, free space");
	EXPECT(all_bytes(fd, ph.p_offset + len - 64 * PG, 64 * PG, 0), "the arena's end");
	close(fd);
}

/*
 * mlock leaves an arena alone (VM_DONTEXPAND is VM_SPECIAL): a body is
 * faulted in but not locked; a range with a redzone cannot be faulted in.
 */
TEST(arena_mlock_locks_nothing)
{
	unsigned long b = body(2 * PG, PG);
	int before;

	ASSERT(b != FAILED);
	before = nvmas();
	EXPECT(mlock((void *)b, PG) == 0, "%s", strerror(errno));
	EXPECT(nvmas() == before && status_kb("VmLck:") == 0);
	EXPECT_ERRNO(mlock((void *)(b - PG), 2 * PG), ENOMEM);
	EXPECT(maperr(b - PG, false) && none_resident(b - PG, b));
	EXPECT(munlock((void *)b, PG) == 0);
}

/*
 * Procs of one address space (threads: clone(CLONE_VM)) attaching,
 * using and detaching bodies at once, while others fault their own
 * long-lived bodies in and check them: each keeps its own.
 */
struct churn {
	unsigned	id;
	int		bad;
	volatile int	*stop;
};

static void *churn_thread(void *v)
{
	struct churn *c = v;
	unsigned long b, i, j;

	for (i = 0; i < 500 && !c->bad; i++) {
		b = body(2 * PG, PG);
		if (b == FAILED) {
			c->bad = errno;
			break;
		}
		for (j = 0; j < 2 * PG; j += 512)
			if (*(volatile unsigned *)(b + j) != 0)
				c->bad = -1;
		for (j = 0; j < 2 * PG; j += 512)
			*(volatile unsigned *)(b + j) = c->id << 20 | i;
		for (j = 0; j < 2 * PG; j += 512)
			if (*(volatile unsigned *)(b + j) != (c->id << 20 | i))
				c->bad = -2;
		if (i % 3 == 0 && segfree(b, 2 * PG))
			c->bad = errno;
		if (detach(b))
			c->bad = errno;
	}
	return NULL;
}

static void *fault_thread(void *v)
{
	struct churn *c = v;
	unsigned long b = body(64 * PG, PG), j, round = 0;

	if (b == FAILED) {
		c->bad = errno;
		return NULL;
	}
	while (!*c->stop && !c->bad) {
		round++;
		for (j = 0; j < 64 * PG; j += PG)
			*(volatile unsigned long *)(b + j) = round << 8 | c->id;
		if (madvise((void *)b, 64 * PG, MADV_DONTNEED))
			c->bad = errno;
		for (j = 0; j < 64 * PG; j += PG)
			if (*(volatile unsigned long *)(b + j) != 0)
				c->bad = -3;
	}
	if (detach(b))
		c->bad = errno;
	return NULL;
}

TEST_TIMEOUT(arena_procs_churn, 600)
{
	struct churn c[6];
	pthread_t t[6];
	volatile int stop = 0;
	unsigned i;

	for (i = 0; i < 6; i++) {
		c[i] = (struct churn){ .id = i + 1, .stop = &stop };
		ASSERT(pthread_create(&t[i], NULL, i < 4 ? churn_thread : fault_thread,
				      &c[i]) == 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	stop = 1;
	for (i = 4; i < 6; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 6; i++)
		EXPECT(c[i].bad == 0, "thread %u: %d", i, c[i].bad);
	EXPECT(nsegs() == 0 && param("spans") == 0, "segments %d spans %ld", nsegs(),
	       param("spans"));
}

/* exec drops the arena with the old mm, and the module reference with it. */
static const char *self_exe = "/proc/self/exe";

static void exec_child(void *v)
{
	long r0 = *(long *)v;
	unsigned long b = body(PG, PG);
	char rs[32], as[32];
	struct map m;

	ASSERT(b != FAILED);
	m = arena_of(b);
	close(segfd());
	EXPECT(refcnt() == r0 + 1);
	snprintf(rs, sizeof(rs), "%ld", r0);
	snprintf(as, sizeof(as), "%lu", m.start);
	execl(self_exe, self_exe, "--after-exec", rs, as, (char *)NULL);
	ASSERT(0, "exec: %s", strerror(errno));
}

TEST(arena_gone_after_exec)
{
	long r0 = refcnt();

	EXPECT_CHILD(exec_child, &r0);
	EXPECT(refcnt() == r0);
}

/* The program exec_child runs: 0 when the arena, its reference and entries went. */
static int after_exec(const char *rs, const char *as)
{
	unsigned long a = strtoul(as, NULL, 10);

	return refcnt() == strtol(rs, NULL, 10) && unmapped(a, a + GB) && nsegs() == 0 ? 0 : 1;
}

/* Three lines a body, in address order, with the body's attributes. */
TEST(arena_listing)
{
	unsigned long b1 = body(2 * PG, 2 * PG), b2 = attachg(SEGCTL_ATTR_CEXEC, MEM, 0, PG, 2 * PG);
	unsigned long b3 = attachg(NOEXEC, MEM, 0, 3 * PG, PG);
	struct seg *v;
	int n, i;

	ASSERT(b1 != FAILED && b2 != FAILED && b3 != FAILED);
	EXPECT(b2 == b1 + 6 * PG, "b2 %lx", b2);
	expect_listed(b1, 2 * PG, 2 * PG, "     ");
	/* SG_CEXEC is the last column, and the redzones have it too (§1.5). */
	expect_seg(b2 - 2 * PG, b2, " N  X");
	expect_seg(b2, b2 + PG, "    X");
	expect_seg(b2 + PG, b2 + 3 * PG, " N  X");
	expect_listed(b3, 3 * PG, PG, "     ");
	n = list_segs(&v);
	EXPECT(n == 9, "%d lines", n);
	for (i = 1; i < n; i++)
		EXPECT(v[i - 1].top <= v[i].base, "line %d out of order", i);
	free(v);
	ASSERT(detach(b1 + 2 * PG) == 0);	/* by its high redzone */
	EXPECT(nsegs() == 6 && !find_seg(b1, &(struct seg){ 0 }));
}

/* What takes the old path: three VMAs, PROT_NONE redzones (SEGV_ACCERR). */
static void expect_old_layout(unsigned long b, unsigned long len, unsigned long g)
{
	EXPECT(mapped_as(b - g, b, "---p") && mapped_as(b + len, b + len + g, "---p"),
	       "redzones at %lx", b);
	EXPECT(segv_code(b - 1, false) == SEGV_ACCERR && segv_code(b + len, true) == SEGV_ACCERR);
	expect_listed(b, len, g, "     ");
}

TEST(arena_not_for_every_attach)
{
	unsigned long b, va = free_range(6 * PG) + PG;
	struct map m;

	b = attachg(0, MEM, va, 4 * PG, PG);		/* va given */
	ASSERT(b == va, "%s", strerror(errno));
	EXPECT(map_at(b, &m) && m.end - m.start == 4 * PG);
	expect_old_layout(b, 4 * PG, PG);
	b = attachg(SEGCTL_ATTR_RONLY, MEM, 0, PG, PG);
	ASSERT(b != FAILED);
	EXPECT(map_at(b, &m) && m.end - m.start == PG && strcmp(m.perms, "r-xp") == 0);
	b = attachg(0, SHR, 0, PG, PG);
	ASSERT(b != FAILED);
	EXPECT(map_at(b, &m) && m.end - m.start == PG && strcmp(m.perms, "rwxs") == 0);
	b = attachg(SEGCTL_ATTR_COMMIT, MEM, 0, PG, PG);
	if (b != FAILED) {
		EXPECT(map_at(b, &m) && m.end - m.start == PG && locked_kb(b, b + PG) == 4);
	} else {
		EXPECT(errno == EPERM || errno == ENOMEM, "commit: %s", strerror(errno));
	}
	EXPECT(param("spans") == 0 && param("arenas_alive") == 0);
}

/* arenas=0: every guarded attach takes the old layout, and the feature is off. */
TEST(arena_param_off)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };
	unsigned long b, b2;
	struct map m;

	ASSERT(bool_param("arenas"), "arenas is off at the start");
	b2 = body(PG, PG);
	ASSERT(b2 != FAILED);
	ASSERT(set_param("arenas", 0) == 0, "%s", strerror(errno));
	EXPECT(segioctl(SEGCTL_VERSION, &v) == 0 && !(v.features & SEGCTL_FEAT_ARENA),
	       "features %llx", (unsigned long long)v.features);
	b = body(4 * PG, PG);
	set_param("arenas", 1);
	ASSERT(b != FAILED, "%s", strerror(errno));
	EXPECT(map_at(b, &m) && m.start == b && m.end == b + 4 * PG);
	expect_old_layout(b, 4 * PG, PG);
	/* The arena made before stays one. */
	EXPECT(maperr(b2 - 1, false) && detach(b2) == 0);
	EXPECT(detach(b) == 0 && unmapped(b - PG, b + 5 * PG));
	EXPECT(segioctl(SEGCTL_VERSION, &v) == 0 && (v.features & SEGCTL_FEAT_ARENA));
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--after-exec") == 0)
		return after_exec(argv[2], argv[3]);
	return tap_main(argc, argv);
}
