// SPDX-License-Identifier: MIT
/*
 * arena.c: the stack-arena prototype (doc/arenas.md): bodies inside one
 * module-backed mapping whose redzones and free space are not VMAs but
 * fault all the same; bodies are anonymous memory, copied on write across
 * fork; freeing a body returns its memory; the module cannot go while an
 * arena is mapped; ptrace cannot read a redzone.
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

#include "common.h"

/* One request; -1 and errno on error. */
static int arena_call(int fd, struct segctl_arena *r)
{
	r->size = sizeof(*r);
	return ioctl(fd, SEGCTL_ARENA, r) < 0 ? -1 : 0;
}

static unsigned long arena_create_fd(int fd, unsigned long len, unsigned long guard)
{
	struct segctl_arena r = { .op = SEGCTL_ARENA_CREATE, .len = len, .guard = guard };

	return arena_call(fd, &r) ? FAILED : r.addr;
}

static unsigned long arena_create(unsigned long len, unsigned long guard)
{
	return arena_create_fd(segfd(), len, guard);
}

static unsigned long arena_alloc(unsigned long arena, unsigned long len)
{
	struct segctl_arena r = { .op = SEGCTL_ARENA_ALLOC, .addr = arena, .len = len };

	return arena_call(segfd(), &r) ? FAILED : r.addr;
}

static int arena_free(unsigned long addr)
{
	struct segctl_arena r = { .op = SEGCTL_ARENA_FREE, .addr = addr };

	return arena_call(segfd(), &r);
}

/* The si_code of the SIGSEGV an access raised, or 0 if it did not fault. */
static sigjmp_buf code_jmp;
static volatile int code_seen;

static void code_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	code_seen = si->si_code;
	siglongjmp(code_jmp, 1);
}

static int segv_code(unsigned long addr, bool write)
{
	struct sigaction sa = { .sa_sigaction = code_handler, .sa_flags = SA_SIGINFO }, old;
	volatile char *p = (volatile char *)addr;

	code_seen = 0;
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

#define A_LEN	(64 * PG)

TEST(arena_is_one_vma)
{
	int before = nvmas();
	unsigned long a = arena_create(A_LEN, PG);
	struct map m;

	ASSERT(a != FAILED, "%s", strerror(errno));
	EXPECT(map_at(a, &m) && m.start == a && m.end == a + A_LEN &&
	       strcmp(m.perms, "rw-p") == 0, "%lx-%lx %s", m.start, m.end, m.perms);
	EXPECT(nvmas() == before + 1);
	ASSERT(arena_alloc(a, 2 * PG) != FAILED && arena_alloc(a, 3 * PG) != FAILED);
	EXPECT(nvmas() == before + 1, "bodies made VMAs");
}

TEST(arena_body_zero_on_first_touch)
{
	unsigned long a = arena_create(A_LEN, PG), b;
	char *p;

	ASSERT(a != FAILED);
	b = arena_alloc(a, 4 * PG);
	ASSERT(b == a + PG, "body at %lx, arena %lx", b, a);
	p = (char *)b;
	EXPECT(p[0] == 0 && p[PG + 5] == 0 && p[4 * PG - 1] == 0);
	memset(p + PG, 0x5a, 2 * PG);	/* after a read: the copy on write */
	p[0] = 7;			/* first access a write */
	EXPECT(p[0] == 7 && p[PG] == 0x5a && p[3 * PG - 1] == 0x5a && p[3 * PG] == 0);
	ASSERT(arena_free(b) == 0);
	ASSERT(arena_alloc(a, 4 * PG) == b);
	EXPECT(p[0] == 0 && p[PG] == 0 && p[3 * PG - 1] == 0, "old contents in a new body");
}

/* An arena's faults are SEGV_MAPERR: its redzones are not PROT_NONE VMAs. */
TEST(arena_redzones_fault)
{
	unsigned long a = arena_create(A_LEN, 2 * PG), b;

	ASSERT(a != FAILED);
	b = arena_alloc(a, 3 * PG);
	ASSERT(b == a + 2 * PG);
	EXPECT(segv_code(b - 1, false) == SEGV_MAPERR && segv_code(b - 2 * PG, true) == SEGV_MAPERR);
	EXPECT(segv_code(b + 3 * PG, true) == SEGV_MAPERR);
	EXPECT(segv_code(b + 5 * PG - 1, false) == SEGV_MAPERR);
	EXPECT(segv_code(b, true) == 0 && segv_code(b + 3 * PG - 1, true) == 0);
	EXPECT(none_resident(b - 2 * PG, b) && none_resident(b + 3 * PG, b + 5 * PG));
}

TEST(arena_free_space_faults)
{
	unsigned long a = arena_create(A_LEN, PG), b;

	ASSERT(a != FAILED);
	EXPECT(segv_code(a, false) == SEGV_MAPERR && segv_code(a + A_LEN - 1, true) == SEGV_MAPERR);
	b = arena_alloc(a, PG);
	ASSERT(b != FAILED);
	EXPECT(segv_code(b + 2 * PG, true) == SEGV_MAPERR, "past the high redzone");
	EXPECT(segv_code(a + A_LEN / 2, false) == SEGV_MAPERR);
	ASSERT(arena_free(b + PG) == 0);	/* by its high redzone */
	EXPECT(segv_code(b, false) == SEGV_MAPERR, "a freed body");
}

struct fork_arg {
	unsigned long a, b, untouched, other;
};

static void fork_child(void *v)
{
	struct fork_arg *f = v;
	char *p = (char *)f->b;
	unsigned long c;

	EXPECT(p[0] == 'P' && p[PG] == 'Q', "child sees %d %d", p[0], p[PG]);
	EXPECT(segv_code(f->b - 1, false) == SEGV_MAPERR &&
	       segv_code(f->b + 2 * PG, true) == SEGV_MAPERR, "child's redzones");
	EXPECT(segv_code(f->a + A_LEN - 1, false) == SEGV_MAPERR, "child's free space");
	p[0] = 'C';
	EXPECT(((char *)f->untouched)[0] == 0);
	/* Its own spans now: a new body, and the parent's other one freed. */
	c = arena_alloc(f->a, PG);
	EXPECT(c != FAILED, "%s", strerror(errno));
	EXPECT(arena_free(f->other) == 0);
	EXPECT(segv_code(f->other, false) == SEGV_MAPERR);
	EXPECT(p[0] == 'C' && p[PG] == 'Q');
}

TEST(arena_fork_copies)
{
	struct fork_arg f;
	char *p;

	f.a = arena_create(A_LEN, PG);
	ASSERT(f.a != FAILED);
	f.b = arena_alloc(f.a, 2 * PG);
	f.untouched = arena_alloc(f.a, PG);
	f.other = arena_alloc(f.a, PG);
	ASSERT(f.b != FAILED && f.untouched != FAILED && f.other != FAILED);
	p = (char *)f.b;
	p[0] = 'P';
	p[PG] = 'Q';
	EXPECT_CHILD(fork_child, &f);
	EXPECT(p[0] == 'P' && p[PG] == 'Q', "parent sees %d %d", p[0], p[PG]);
	EXPECT(segv_code(f.b - 1, true) == SEGV_MAPERR && segv_code(f.b + 2 * PG, false) == SEGV_MAPERR);
	/* The child's free and alloc left the parent's spans alone. */
	EXPECT(segv_code(f.other, true) == 0, "parent's body freed by the child");
	EXPECT(((char *)f.untouched)[PG - 1] == 0);
	EXPECT(segv_code(f.other + PG, false) == SEGV_MAPERR);
	EXPECT(arena_alloc(f.a, PG) == f.other + 3 * PG, "the child's body in the parent");
}

TEST(arena_free_returns_memory)
{
	unsigned long len = 1024 * PG, a = arena_create(len + 2 * PG, PG), b;
	long before, full, after;

	ASSERT(a != FAILED);
	b = arena_alloc(a, len);
	ASSERT(b != FAILED);
	before = status_kb("RssAnon:");
	memset((void *)b, 1, len);
	full = status_kb("RssAnon:");
	EXPECT(full - before >= 3500, "RssAnon %ld -> %ld kB", before, full);
	EXPECT(resident(b, b + len));
	ASSERT(arena_free(b) == 0);
	after = status_kb("RssAnon:");
	EXPECT(full - after >= 3500, "RssAnon %ld -> %ld -> %ld kB", before, full, after);
	EXPECT(none_resident(b, b + len));
	tap_note("RssAnon %ld -> %ld -> %ld kB", before, full, after);
}

/* Never-written pages read as zero without costing anonymous memory. */
TEST(arena_reads_cost_no_memory)
{
	unsigned long len = 1024 * PG, a = arena_create(len + 2 * PG, PG), b, i;
	long before, after;
	unsigned sum = 0;

	ASSERT(a != FAILED);
	b = arena_alloc(a, len);
	ASSERT(b != FAILED);
	before = status_kb("RssAnon:");
	for (i = 0; i < len; i += PG)
		sum += *(volatile char *)(b + i);
	after = status_kb("RssAnon:");
	EXPECT(sum == 0 && after - before < 100, "RssAnon %ld -> %ld kB", before, after);
}

#define NSTACKS	100000

TEST_TIMEOUT(arena_100000_stacks, 600)
{
	unsigned long per = 3 * PG, a, i, b, first = 0;
	int before = nvmas(), after;

	a = arena_create(NSTACKS * per, PG);
	ASSERT(a != FAILED, "%s", strerror(errno));
	for (i = 0; i < NSTACKS; i++) {
		b = arena_alloc(a, PG);
		ASSERT(b != FAILED, "stack %lu: %s", i, strerror(errno));
		if (!i)
			first = b;
		*(volatile char *)(b + PG - 1) = 1;	/* the top of the stack */
	}
	after = nvmas();
	EXPECT(after - before == 1, "%d VMAs for %d stacks", after - before, NSTACKS);
	EXPECT(arena_alloc(a, PG) == FAILED && errno == ENOMEM, "a full arena");
	EXPECT(segv_code(first + PG, true) == SEGV_MAPERR &&
	       segv_code(a + NSTACKS * per - 1, false) == SEGV_MAPERR);
	for (i = 0; i < NSTACKS; i++)
		ASSERT(arena_free(a + i * per) == 0, "free %lu: %s", i, strerror(errno));
	EXPECT(none_resident(a, a + NSTACKS * per));
	tap_note("%d stacks alive in %d VMA (maps %d -> %d lines)", NSTACKS, after - before,
		 before, after);
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
	int fd = open("/dev/segctl", O_RDWR | O_CLOEXEC);
	long r0, r1;
	unsigned long a;

	ASSERT(fd >= 0, "%s", strerror(errno));
	a = arena_create_fd(fd, A_LEN, PG);
	ASSERT(a != FAILED);
	close(fd);
	r1 = refcnt();
	errno = 0;
	EXPECT(syscall(SYS_delete_module, "segctl", O_NONBLOCK) == -1 && errno == EWOULDBLOCK,
	       "rmmod with an arena: errno %d", errno);
	ASSERT(access("/sys/module/segctl", F_OK) == 0, "the module went");
	ASSERT(munmap((void *)a, A_LEN) == 0);
	r0 = refcnt();
	EXPECT(r1 == r0 + 1, "refcnt %ld with the arena, %ld without", r1, r0);
}

/* ptrace's way in (GUP) gets no page for a redzone and maps none. */
TEST(arena_remote_access)
{
	unsigned long a = arena_create(A_LEN, PG), b;
	char buf[16] = "x", mem[32];
	struct iovec local = { buf, sizeof(buf) }, remote;
	int fd;

	ASSERT(a != FAILED);
	b = arena_alloc(a, PG);
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
	EXPECT(segv_code(b - PG, false) == SEGV_MAPERR && segv_code(b + PG, false) == SEGV_MAPERR);
}

/* An arena changes only whole: parts cannot be unmapped or reprotected. */
TEST(arena_changes_only_whole)
{
	unsigned long a = arena_create(A_LEN, PG), b, n;
	void *m;

	ASSERT(a != FAILED);
	b = arena_alloc(a, 2 * PG);
	ASSERT(b == a + PG);
	EXPECT_ERRNO(munmap((void *)(a + 8 * PG), PG), EINVAL);
	EXPECT_ERRNO(mprotect((void *)a, PG, PROT_NONE), EINVAL);
	EXPECT_ERRNO(mprotect((void *)(b + 2 * PG), PG, PROT_READ), EINVAL);
	EXPECT(segv_code(a, false) == SEGV_MAPERR && segv_code(b + 2 * PG, true) == SEGV_MAPERR);
	errno = 0;
	EXPECT(mremap((void *)a, A_LEN, A_LEN + PG, 0) == MAP_FAILED, "grown in place");
	/* Moved whole, its spans go with it. */
	strcpy((char *)b, "moved");
	n = free_range(A_LEN);
	m = mremap((void *)a, A_LEN, A_LEN, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)n);
	ASSERT(m == (void *)n, "mremap: %s", strerror(errno));
	EXPECT(strcmp((char *)(n + PG), "moved") == 0 && ((char *)n)[2 * PG - 1] == 0);
	EXPECT(segv_code(n, false) == SEGV_MAPERR && segv_code(n + 3 * PG, true) == SEGV_MAPERR);
	EXPECT(arena_alloc(n, PG) == n + 5 * PG);
	EXPECT(arena_free(n + PG) == 0 && segv_code(n + PG, false) == SEGV_MAPERR);
	EXPECT(munmap((void *)n, A_LEN) == 0 && unmapped(n, n + A_LEN));
}

TEST(arena_bad_input)
{
	struct segctl_arena r = { .op = SEGCTL_ARENA_CREATE, .len = A_LEN, .guard = PG };
	unsigned long a, b, plain;

	EXPECT(arena_create(0, PG) == FAILED && errno == EINVAL);
	EXPECT(arena_create(A_LEN, 0) == FAILED && errno == EINVAL);
	EXPECT(arena_create(3 * PG, 2 * PG) == FAILED && errno == EINVAL, "redzones fill it");
	EXPECT(arena_create(2 * PG, PG) == FAILED && errno == EINVAL, "no room for a body");
	EXPECT(arena_create(-PG + 1, PG) == FAILED && errno == EINVAL, "length wraps");
	EXPECT(arena_create(1UL << 62, PG) == FAILED && errno == ENOMEM);
	r.addr = 0x10000000;
	EXPECT_ERRNO(arena_call(segfd(), &r), EINVAL);
	r = (struct segctl_arena){ .op = 99 };
	EXPECT_ERRNO(arena_call(segfd(), &r), EINVAL);
	a = arena_create(8 * PG, PG);
	ASSERT(a != FAILED);
	EXPECT(arena_alloc(a, 0) == FAILED && errno == EINVAL);
	EXPECT(arena_alloc(a, 7 * PG) == FAILED && errno == ENOMEM, "body and redzones too big");
	r = (struct segctl_arena){ .op = SEGCTL_ARENA_ALLOC, .addr = a, .len = PG, .guard = PG };
	EXPECT_ERRNO(arena_call(segfd(), &r), EINVAL);
	plain = (unsigned long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);
	EXPECT(arena_alloc(plain, PG) == FAILED && errno == EINVAL, "not an arena");
	EXPECT_ERRNO(arena_free(plain), EINVAL);
	b = arena_alloc(a, 6 * PG);
	ASSERT(b == a + PG, "%s", strerror(errno));
	EXPECT(arena_alloc(a, PG) == FAILED && errno == ENOMEM, "full");
	r = (struct segctl_arena){ .op = SEGCTL_ARENA_FREE, .addr = b, .len = PG };
	EXPECT_ERRNO(arena_call(segfd(), &r), EINVAL);
	EXPECT(arena_free(b) == 0);
	EXPECT_ERRNO(arena_free(b), EINVAL);
	EXPECT_ERRNO(arena_free(a + 8 * PG), EINVAL);
	EXPECT(arena_alloc(a, 6 * PG) == b, "a failed call left something behind");
}

/* A mapping over part of an arena would split it: refused, nothing changed. */
TEST(arena_map_fixed_over_part)
{
	unsigned long a = arena_create(A_LEN, PG), b;
	struct utsname u;
	void *m;
	int want;

	ASSERT(a != FAILED);
	b = arena_alloc(a, 2 * PG);
	ASSERT(b != FAILED);
	strcpy((char *)b, "kept");
	/* 6.1's mmap_region turns any failure to unmap into ENOMEM. */
	ASSERT(uname(&u) == 0);
	want = strncmp(u.release, "6.1.", 4) == 0 ? ENOMEM : EINVAL;
	m = mmap((void *)(b - PG), 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT(m == MAP_FAILED && errno == want, "mmap over part: %p errno %d", m, errno);
	EXPECT(strcmp((char *)b, "kept") == 0 && segv_code(b - PG, true) == SEGV_MAPERR);
	EXPECT(madvise((void *)b, PG, MADV_HUGEPAGE) == -1 && errno == EINVAL);
}

/* MADV_DONTNEED drops a body's pages and keeps the body: they come back zero. */
TEST(arena_dontneed_refaults_zero)
{
	unsigned long a = arena_create(A_LEN, PG), b;

	ASSERT(a != FAILED);
	b = arena_alloc(a, 4 * PG);
	ASSERT(b != FAILED);
	memset((void *)b, 0x77, 4 * PG);
	ASSERT(madvise((void *)b, 4 * PG, MADV_DONTNEED) == 0, "%s", strerror(errno));
	EXPECT(none_resident(b, b + 4 * PG));
	EXPECT(((char *)b)[0] == 0 && ((char *)b)[4 * PG - 1] == 0);
	EXPECT(segv_code(b - 1, false) == SEGV_MAPERR);
	EXPECT_ERRNO(madvise((void *)b, PG, MADV_FREE), EINVAL);
}

/* PROT_NONE over the whole arena: every access faults, now SEGV_ACCERR. */
TEST(arena_prot_none_whole)
{
	unsigned long a = arena_create(A_LEN, PG), b;

	ASSERT(a != FAILED);
	b = arena_alloc(a, PG);
	ASSERT(b != FAILED);
	*(char *)b = 1;
	ASSERT(mprotect((void *)a, A_LEN, PROT_NONE) == 0, "%s", strerror(errno));
	EXPECT(segv_code(b, false) == SEGV_ACCERR && segv_code(b - PG, false) == SEGV_ACCERR);
	ASSERT(mprotect((void *)a, A_LEN, PROT_READ | PROT_WRITE) == 0);
	EXPECT(*(char *)b == 1 && segv_code(b - PG, false) == SEGV_MAPERR);
}

/*
 * A core dump holds the arena: bodies with their contents, redzones and
 * free space as zeros (holes).
 */
#define CORE_PATTERN	"/proc/sys/kernel/core_pattern"
#define CORE_FILE	"/tmp/kmod-arena.core"

static void dump_core(void *v)
{
	unsigned long *ab = v;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	ASSERT(setrlimit(RLIMIT_CORE, &rl) == 0);
	memset((void *)ab[1], 0x3c, 2 * PG);
	signal(SIGABRT, SIG_DFL);
	abort();
}

/* The PT_LOAD header of the core file's image of [start, start + len). */
static bool core_load(const char *core, size_t n, unsigned long start, Elf64_Phdr *ph)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)core;
	int i;

	if (n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_CORE)
		return false;
	for (i = 0; i < eh->e_phnum; i++) {
		memcpy(ph, core + eh->e_phoff + i * sizeof(*ph), sizeof(*ph));
		if (ph->p_type == PT_LOAD && ph->p_vaddr == start)
			return true;
	}
	return false;
}

static bool all_bytes(const char *p, size_t n, char c)
{
	while (n--)
		if (*p++ != c)
			return false;
	return true;
}

TEST_TIMEOUT(arena_core_dump, 120)
{
	unsigned long ab[2], off;
	char *old, *core;
	size_t oldn, n;
	Elf64_Phdr ph;
	FILE *f;
	int st;

	ab[0] = arena_create(A_LEN, PG);
	ASSERT(ab[0] != FAILED);
	ab[1] = arena_alloc(ab[0], 2 * PG);
	ASSERT(ab[1] == ab[0] + PG);
	old = slurp(CORE_PATTERN, &oldn);
	ASSERT(old, "%s", strerror(errno));
	f = fopen(CORE_PATTERN, "w");
	ASSERT(f && fputs(CORE_FILE, f) >= 0 && fclose(f) == 0, "%s", strerror(errno));
	unlink(CORE_FILE);
	st = in_child(dump_core, ab);
	f = fopen(CORE_PATTERN, "w");
	if (f) {
		fwrite(old, 1, oldn, f);
		fclose(f);
	}
	free(old);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && WCOREDUMP(st), "status 0x%x", st);
	core = slurp(CORE_FILE, &n);
	ASSERT(core, "no core: %s", strerror(errno));
	unlink(CORE_FILE);
	ASSERT(core_load(core, n, ab[0], &ph), "no PT_LOAD for the arena");
	EXPECT(ph.p_memsz == A_LEN && ph.p_filesz == A_LEN, "memsz %lx filesz %lx",
	       (unsigned long)ph.p_memsz, (unsigned long)ph.p_filesz);
	off = ph.p_offset;
	ASSERT(off + A_LEN <= n, "core truncated");
	EXPECT(all_bytes(core + off, PG, 0), "low redzone");
	EXPECT(all_bytes(core + off + PG, 2 * PG, 0x3c), "body");
	EXPECT(all_bytes(core + off + 3 * PG, A_LEN - 3 * PG, 0), "high redzone, free space");
	free(core);
}

/*
 * mlock leaves an arena alone (VM_DONTEXPAND is VM_SPECIAL): a body is
 * faulted in but not locked; a range with a redzone cannot be faulted in.
 */
TEST(arena_mlock_locks_nothing)
{
	unsigned long a = arena_create(A_LEN, PG), b;
	int before;

	ASSERT(a != FAILED);
	b = arena_alloc(a, 2 * PG);
	ASSERT(b != FAILED);
	before = nvmas();
	EXPECT(mlock((void *)b, PG) == 0, "%s", strerror(errno));
	EXPECT(nvmas() == before && status_kb("VmLck:") == 0);
	EXPECT_ERRNO(mlock((void *)(b - PG), 2 * PG), ENOMEM);
	EXPECT(segv_code(b - PG, false) == SEGV_MAPERR && none_resident(b - PG, b));
	EXPECT(munlock((void *)b, PG) == 0);
}

/* Threads making, using and freeing bodies at once each keep their own. */
struct churn {
	unsigned long	arena;
	unsigned	id;
	int		bad;
};

static void *churn_thread(void *v)
{
	struct churn *c = v;
	unsigned long b, i, j;

	for (i = 0; i < 2000 && !c->bad; i++) {
		b = arena_alloc(c->arena, 2 * PG);
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
		if (arena_free(b))
			c->bad = errno;
	}
	return NULL;
}

TEST_TIMEOUT(arena_threads_churn, 300)
{
	struct churn c[4];
	pthread_t t[4];
	unsigned i;

	c[0].arena = arena_create(4 * 64 * PG, PG);
	ASSERT(c[0].arena != FAILED);
	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){ .arena = c[0].arena, .id = i + 1 };
		ASSERT(pthread_create(&t[i], NULL, churn_thread, &c[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT(c[i].bad == 0, "thread %u: %d", i, c[i].bad);
	}
	EXPECT(none_resident(c[0].arena, c[0].arena + 4 * 64 * PG));
}

/* exec drops the arena with the old mm, and the module reference with it. */
static const char *self_exe = "/proc/self/exe";

static void exec_child(void *v)
{
	long r0 = *(long *)v;
	int fd = open("/dev/segctl", O_RDWR | O_CLOEXEC);
	unsigned long a;
	char rs[32], as[32];

	ASSERT(fd >= 0);
	a = arena_create_fd(fd, A_LEN, PG);
	ASSERT(a != FAILED);
	close(fd);
	EXPECT(refcnt() == r0 + 1);
	snprintf(rs, sizeof(rs), "%ld", r0);
	snprintf(as, sizeof(as), "%lu", a);
	execl(self_exe, self_exe, "--after-exec", rs, as, (char *)NULL);
	ASSERT(0, "exec: %s", strerror(errno));
}

TEST(arena_gone_after_exec)
{
	long r0 = refcnt();

	EXPECT_CHILD(exec_child, &r0);
	EXPECT(refcnt() == r0);
}

/* The program exec_child runs: 0 when the arena and its reference went. */
static int after_exec(const char *rs, const char *as)
{
	unsigned long a = strtoul(as, NULL, 10);

	return refcnt() == strtol(rs, NULL, 10) && unmapped(a, a + A_LEN) ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--after-exec") == 0)
		return after_exec(argv[2], argv[3]);
	return tap_main(argc, argv);
}
