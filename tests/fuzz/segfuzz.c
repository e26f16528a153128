// SPDX-License-Identifier: MIT
/*
 * segfuzz: drive /dev/segctl with generated requests and check that every
 * result is success or an errno the contract documents for that call
 * (doc/contract.md §1.1, plus ENOTTY, EFAULT, E2BIG and EINTR), and that the table
 * stays consistent with the mappings.
 *
 *	segfuzz [--seed N] [--iterations N] [--threads N]
 *
 * Phases, one TAP line each:
 *   numbers	every command around the range: type 0xB0..0xBF, nr 0..0x20,
 *		every direction, sizes 0..0x3fff
 *   sizes	each call's struct short, exact, long with a zero and a
 *		non-zero tail, page-sized and huge
 *   pointers	the struct itself at NULL, unaligned, unmapped, PROT_NONE,
 *		read-only, straddling, kernel-half and non-canonical addresses
 *   arguments	every attribute bit, reserved fields, classes, addresses
 *		and lengths at and past the edges of user space
 *   model	one thread, random calls in an arena checked exactly
 *		against a model of the table (results, listing, contents)
 *   arena	one thread, guarded "memory" attaches with va 0 (stack
 *		arenas, doc/arenas.md), detaches and segfrees anywhere near
 *		them, segbrk, touches of bodies and redzones, forks whose
 *		children detach in their copy; checked against a model
 *   random	--threads threads of one mm: random calls, raw requests,
 *		munmap/mremap/mprotect behind the module's back, touches,
 *		forks whose children go on fuzzing their copy
 *   consistent	the listing against /proc/self/maps
 *   cleanup	detach everything; no segment left, no charge beyond VmLck
 *
 * Each thread's choices come from its own PRNG seeded from --seed and its
 * number: with one thread a run is exactly reproducible.  A failure prints
 * the seed, the thread, the operation number and the request.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "segio.h"
#include "tap.h"

#define B(e)		(1ULL << (e))
#define ALLOW_BASE	(B(0) | B(EINTR))
#define MAXT		16
#define POOL		32
#define MAXSEG		4096

static uint64_t seed = 1;
static long iterations = 100000;
static int nthreads = 4;
static int fd;
static __thread int listfd = -1;	/* seq_file position is per open file */
static atomic_long ops;		/* operations done, every phase */
static atomic_int failures;	/* of the phase running */
static int testno;

static const char *ename(int e)
{
	static const char *names[] = {
		[0] = "ok", [EPERM] = "EPERM", [ENOENT] = "ENOENT",
		[EINTR] = "EINTR", [EBADF] = "EBADF", [EAGAIN] = "EAGAIN",
		[ENOMEM] = "ENOMEM", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [EINVAL] = "EINVAL",
		[ENOTTY] = "ENOTTY", [E2BIG] = "E2BIG", [ENOSPC] = "ENOSPC",
		[EOPNOTSUPP] = "EOPNOTSUPP",
	};

	if (e >= 0 && e < (int)(sizeof(names) / sizeof(names[0])) && names[e])
		return names[e];
	return strerror(e);
}

/* One failure: what was asked, what came back, and how to get it again. */
static void __attribute__((format(printf, 2, 3)))
fail(int tid, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (atomic_fetch_add(&failures, 1) < 20)
		printf("# FAIL seed %" PRIu64 " thread %d op %ld: %s\n", seed, tid,
		       atomic_load(&ops), buf);
}

static void phase_end(const char *name, double t0)
{
	int f = atomic_exchange(&failures, 0);

	printf("# %s: %.1f s, %ld operations so far\n", name, now() - t0,
	       atomic_load(&ops));
	printf("%sok %d %s\n", f ? "not " : "", ++testno, name);
	fflush(stdout);
}

/* Raw ioctl, counted; the errno or 0. */
static int rio(unsigned long cmd, void *arg)
{
	atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
	return seg_ioctl(fd, cmd, arg);
}

static int check(int tid, int e, uint64_t allowed, const char *what)
{
	if (e < 0 || e >= 64 || !(allowed & B(e)))
		fail(tid, "%s: %s (%d), not a documented result", what, ename(e), e);
	return e;
}

static int expect(int tid, int e, int want, const char *what)
{
	if (e != want)
		fail(tid, "%s: %s, want %s", what, ename(e), ename(want));
	return e;
}

/* Map n pages with prot; exits if it cannot. */
static char *pages(size_t n, int prot)
{
	char *p = mmap(NULL, n * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		exit(1);
	}
	return p;
}

/* Nothing in the table any more (and the listing says so). */
static int table_size(void)
{
	char why[256];
	int n = seg_list(fd, NULL, 0, why, sizeof(why));

	if (n < 0)
		fail(0, "listing: %s", why);
	return n;
}

/* The commands: per nr, the struct size and the size up to its last mandatory field. */
static const struct cmdinfo {
	unsigned long	cmd;
	const char	*name;
	unsigned	size, min;
} cmds[] = {
	{ SEGCTL_VERSION, "VERSION", sizeof(struct segctl_version), 8 },
	{ SEGCTL_ATTACH, "ATTACH", sizeof(struct segctl_attach), 32 },
	{ SEGCTL_DETACH, "DETACH", sizeof(struct segctl_detach), 16 },
	{ SEGCTL_FREE, "FREE", sizeof(struct segctl_range), 24 },
	{ SEGCTL_BRK, "BRK", sizeof(struct segctl_brk), 24 },
	{ SEGCTL_FLUSH, "FLUSH", sizeof(struct segctl_range), 24 },
	{ SEGCTL_ATTACHN, "ATTACHN", sizeof(struct segctl_attachn), 44 },
	{ SEGCTL_DETACHN, "DETACHN", sizeof(struct segctl_detachn), 20 },
};
#define NCMDS	(int)(sizeof(cmds) / sizeof(cmds[0]))

/* ---- numbers ---- */

static void phase_numbers(void)
{
	static const unsigned sizes[] = { 0, 1, 4, 8, 16, 24, 32, 40, 48, 64, 4096, 0x3fff };
	char *buf = pages(1, PROT_READ | PROT_WRITE);
	unsigned type, nr, dir, si;
	double t0 = now();
	char what[96];

	for (type = 0xb0; type <= 0xbf; type++)
	for (nr = 0; nr <= 0x20; nr++)
	for (dir = 0; dir < 4; dir++)
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		unsigned long cmd = _IOC(dir, type, nr, sizes[si]);
		bool ours = type == SEGCTL_MAGIC && dir == (_IOC_READ | _IOC_WRITE) &&
			    nr < NCMDS;

		snprintf(what, sizeof(what), "ioctl %#lx (type %#x nr %u dir %u size %u)",
			 cmd, type, nr, dir, sizes[si]);
		/* A zero struct: its size field 0 is below every minimum. */
		memset(buf, 0, PG);
		expect(0, rio(cmd, buf), ours ? EINVAL : ENOTTY, what);
		expect(0, rio(cmd, NULL), ours ? EFAULT : ENOTTY, what);
	}
	munmap(buf, PG);
	if (table_size() != 0)
		fail(0, "the table is not empty after zero-sized requests");
	phase_end("numbers", t0);
}

/* ---- sizes ---- */

/*
 * A harmless request of each kind whose result is known: VERSION api 1;
 * ATTACH one page anywhere; ATTACHN one arena body into batch_out; the
 * others on segment seg (for DETACHN an arena body).
 */
static uint64_t batch_out[1], batch_in[1];

static void fill(int nr, char *p, unsigned long seg)
{
	struct segctl_attachn *an = (void *)p;
	struct segctl_detachn *dn = (void *)p;

	switch (nr) {
	case 6: an->seg_class = MEM; an->len = PG; an->guard = PG;
		an->addrs = (uintptr_t)batch_out; an->count = 1; break;
	case 7: batch_in[0] = seg + 5; dn->addrs = (uintptr_t)batch_in;
		dn->count = 1; break;
	case 0: ((struct segctl_version *)p)->api = SEGCTL_API; break;
	case 1: ((struct segctl_attach *)p)->seg_class = MEM;
		((struct segctl_attach *)p)->len = PG; break;
	case 2: ((struct segctl_detach *)p)->addr = seg + 5; break;
	case 3: case 5: ((struct segctl_range *)p)->va = seg;
		((struct segctl_range *)p)->len = PG; break;
	case 4: ((struct segctl_brk *)p)->saddr = seg + 7; break;
	}
}

static void phase_sizes(void)
{
	static const uint32_t sizes[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 23, 24, 25, 31, 32, 33, 39, 40, 41,
		47, 48, 56, 64, 100, 4095, 4096, 4097, 8192, 12287, 12288, 12289,
		0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	/* Three readable pages then a PROT_NONE one: the struct at the first. */
	char *buf = pages(4, PROT_READ | PROT_WRITE), what[128];
	const size_t room = 3 * PG;
	double t0 = now();
	int nr, si, tail;

	mprotect(buf + room, PG, PROT_NONE);
	for (nr = 0; nr < NCMDS; nr++)
	for (si = 0; si < (int)(sizeof(sizes) / sizeof(sizes[0])); si++)
	for (tail = 0; tail < 3; tail++) {
		const struct cmdinfo *c = &cmds[nr];
		uint32_t us = sizes[si];
		unsigned long seg = 0, len;
		int e, want, i;
		size_t copied;

		/* tail 1: a non-zero byte past the known struct; 2: at its very end. */
		if (tail && us <= c->size)
			continue;
		if (tail == 2 && us > room)
			continue;
		if (nr >= 2) {
			seg = 0;
			if (check(0, seg_attach(fd, 0, MEM, &seg, PG, nr == 7 ? PG : 0), B(0),
				  "attach for sizes"))
				continue;
			atomic_fetch_add(&ops, 1);
		}
		memset(buf, 0, room);
		memset(buf + us, 0x5a, us < room ? room - us : 0);
		*(uint32_t *)buf = us;
		fill(nr, buf, seg);
		if (us < c->size)	/* the module sees zeroes past us */
			memset(buf + us, 0x5a, c->size - us);
		if (us >= 4)
			*(uint32_t *)buf = us;
		else
			memcpy(buf, &us, 4);	/* all four bytes are read anyway */
		if (tail == 1)
			buf[c->size] = 1;
		if (tail == 2)
			buf[us - 1] = 1;
		if (us > c->size && !tail && us <= room)
			memset(buf + c->size, 0, us - c->size);

		if (us < c->min)
			want = EINVAL;
		else if (us > c->size && tail)
			want = E2BIG;
		else if (us > room)
			want = EFAULT;
		else
			want = 0;
		snprintf(what, sizeof(what), "%s with size %u%s", c->name, us,
			 tail == 1 ? " and a non-zero tail" :
			 tail == 2 ? " and a non-zero last byte" : "");
		e = expect(0, rio(c->cmd, buf), want, what);

		/* The struct goes back as far as the caller's size, no further. */
		copied = us < c->size ? us : c->size;
		for (i = copied; !e && i < (int)c->size && i < (int)room; i++) {
			if ((unsigned char)buf[i] != 0x5a) {
				fail(0, "%s: byte %d past the caller's size changed", what, i);
				break;
			}
		}
		if (!e && *(uint32_t *)buf != us)
			fail(0, "%s: size field came back %u", what, *(uint32_t *)buf);
		if (!e && nr == 0 && us >= 24 &&
		    ((struct segctl_version *)buf)->attrs != SEGCTL_ATTR_ALL)
			fail(0, "%s: attrs %#llx", what,
			     (unsigned long long)((struct segctl_version *)buf)->attrs);
		if (!e && nr == 1) {
			struct segctl_attach *a = (void *)buf;

			if ((a->va & (PG - 1)) || a->va == 0 || a->len != PG)
				fail(0, "%s: came back va %#llx len %#llx", what,
				     (unsigned long long)a->va, (unsigned long long)a->len);
			else
				seg = a->va;
		}
		if (!e && nr == 4 && us >= 32 && ((struct segctl_brk *)buf)->base != seg)
			fail(0, "%s: base %#llx, want %#lx", what,
			     (unsigned long long)((struct segctl_brk *)buf)->base, seg);
		if (!e && nr == 4 && us >= 40 && ((struct segctl_brk *)buf)->top != seg + PG)
			fail(0, "%s: top %#llx", what,
			     (unsigned long long)((struct segctl_brk *)buf)->top);
		if (!e && nr == 6 && seg_detach(fd, batch_out[0]))
			fail(0, "%s: the body at %#llx did not detach", what,
			     (unsigned long long)batch_out[0]);
		len = seg && !((nr == 2 || nr == 7) && !e) ? seg_detach(fd, seg) : 0;
		if (len)
			fail(0, "%s: detach after: %s", what, ename(len));
		if (table_size() != 0)
			fail(0, "%s: table not empty after", what);
	}
	munmap(buf, room + PG);
	phase_end("sizes", t0);
}

/* ---- pointers ---- */

static void phase_pointers(void)
{
	char *rw = pages(2, PROT_READ | PROT_WRITE);
	char *hole = pages(1, PROT_NONE), *none = pages(1, PROT_NONE);
	char *ro = pages(1, PROT_READ | PROT_WRITE), what[128];
	double t0 = now();
	int nr, i;

	munmap(hole, PG);
	struct { unsigned long p; const char *name; } bad[] = {
		{ 0, "NULL" }, { 1, "1" }, { 0xfff, "0xfff" },
		{ (unsigned long)hole, "unmapped" }, { (unsigned long)none, "PROT_NONE" },
		{ user_top - 2, "straddling the top of user space" },
		{ user_top, "TASK_SIZE" }, { 1UL << 47, "2^47" },
		{ 0x0000800000000000UL - 4, "just below 2^47, straddling" },
		{ 0x8000000000000000UL, "non-canonical 2^63" },
		{ 0xffff888000000000UL, "the direct map" },
		{ 0xffffffff81000000UL, "kernel text" },
		{ 0xffffffffff600000UL, "vsyscall" },
		{ ~0UL, "~0" }, { ~0UL - 3, "~0 - 3 (wraps)" },
	};

	for (nr = 0; nr < NCMDS; nr++) {
		for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
			snprintf(what, sizeof(what), "%s with the struct at %s (%#lx)",
				 cmds[nr].name, bad[i].name, bad[i].p);
			expect(0, rio(cmds[nr].cmd, (void *)bad[i].p), EFAULT, what);
		}
		/* Size readable, the rest in a hole. */
		memset(rw, 0, 2 * PG);
		munmap(rw + PG, PG);
		*(uint32_t *)(rw + PG - 4) = cmds[nr].size;
		snprintf(what, sizeof(what), "%s with the struct running into a hole",
			 cmds[nr].name);
		expect(0, rio(cmds[nr].cmd, rw + PG - 4), EFAULT, what);
		if (mmap(rw + PG, PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			exit(1);
	}

	/* Unaligned but valid: as good as aligned. */
	for (i = 1; i < 8; i++) {
		struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };

		memcpy(rw + i, &v, sizeof(v));
		snprintf(what, sizeof(what), "VERSION at offset %d", i);
		expect(0, rio(SEGCTL_VERSION, rw + i), 0, what);
		memcpy(&v, rw + i, sizeof(v));
		if ((~v.features & (SEGCTL_FEAT_GUARDED | SEGCTL_FEAT_FORK)) ||
		    v.attrs != SEGCTL_ATTR_ALL)
			fail(0, "%s: features %#llx attrs %#llx", what,
			     (unsigned long long)v.features, (unsigned long long)v.attrs);
	}
	/* A bad api is refused whatever else the struct says. */
	{
		struct segctl_version v = { .size = sizeof(v), .api = 2 };

		expect(0, rio(SEGCTL_VERSION, &v), EINVAL, "VERSION api 2");
		v.api = 0;
		expect(0, rio(SEGCTL_VERSION, &v), EINVAL, "VERSION api 0");
	}
	/* Read-only struct: requests that change nothing report EFAULT. */
	{
		struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };

		memcpy(ro, &v, sizeof(v));
		mprotect(ro, PG, PROT_READ);
		expect(0, rio(SEGCTL_VERSION, ro), EFAULT, "VERSION in read-only memory");
		mprotect(ro, PG, PROT_READ | PROT_WRITE);
	}
	if (table_size() != 0)
		fail(0, "table not empty after bad pointers");
	munmap(rw, 2 * PG);
	munmap(none, PG);
	munmap(ro, PG);
	phase_end("pointers", t0);
}

/*
 * An attach whose struct cannot be written back returns EFAULT: the
 * caller cannot know the segment's address, so nothing may stay attached
 * (a failed attach changes nothing, doc/contract.md §1.3).  Same for a segbrk that
 * grows.  Own phase: a bug found by the fuzzer (reliability bug #1).
 */
static void phase_efault_undo(void)
{
	char *ro = pages(1, PROT_READ | PROT_WRITE), *arena = pages(8, PROT_NONE);
	unsigned long va = (unsigned long)arena + PG, top;
	struct segctl_attach *a = (void *)ro;
	struct segctl_brk *b = (void *)ro;
	double t0 = now();
	int e, n;

	munmap(arena, 8 * PG);
	*a = (struct segctl_attach){ .size = sizeof(*a), .seg_class = MEM, .va = va, .len = PG };
	mprotect(ro, PG, PROT_READ);
	e = expect(0, rio(SEGCTL_ATTACH, ro), EFAULT, "ATTACH at a fixed va, struct read-only");
	n = table_size();
	if (e == EFAULT && n != 0) {
		fail(0, "ATTACH failed with EFAULT but left %d segment(s) attached", n);
		seg_detach(fd, va);
	}
	/* Whatever happened, the address must be free again. */
	if (msync((void *)va, PG, MS_ASYNC) == 0)
		fail(0, "ATTACH failed with EFAULT but %#lx is still mapped", va);
	munmap((void *)va, PG);

	top = va;
	if (!check(0, seg_attach(fd, 0, MEM, &top, PG, 0), B(0), "attach")) {
		mprotect(ro, PG, PROT_READ | PROT_WRITE);
		*b = (struct segctl_brk){ .size = sizeof(*b), .saddr = va, .addr = va + 3 * PG };
		mprotect(ro, PG, PROT_READ);
		e = expect(0, rio(SEGCTL_BRK, ro), EFAULT, "BRK growing, struct read-only");
		if (e == EFAULT && msync((void *)(va + PG), PG, MS_ASYNC) == 0)
			fail(0, "BRK failed with EFAULT but the segment grew");
		seg_detach(fd, va);
		munmap((void *)va, 3 * PG);
	}
	munmap(ro, PG);
	if (table_size() != 0)
		fail(0, "table not empty");
	phase_end("efault_changes_nothing", t0);
}

/* ---- arguments ---- */

static int attach_raw(struct segctl_attach *a)
{
	a->size = sizeof(*a);
	return rio(SEGCTL_ATTACH, a);
}

/* One attach whose result must be want (or one of allowed); undone. */
static void try_attach(unsigned attr, unsigned class, unsigned long va,
		       unsigned long len, unsigned long guard, unsigned rsv,
		       uint64_t allowed, const char *name)
{
	struct segctl_attach a = {
		.attr = attr, .seg_class = class, .va = va, .len = len, .guard = guard,
		.__reserved = rsv,
	};
	char what[192];
	int e;

	snprintf(what, sizeof(what), "%s: attach attr %#o class %u va %#lx len %#lx guard %#lx rsv %u",
		 name, attr, class, va, len, guard, rsv);
	e = check(0, attach_raw(&a), allowed, what);
	if (e)
		return;
	if ((a.va & (PG - 1)) || a.va >= user_top || a.va + a.len + a.guard > user_top ||
	    a.len != ((len + (va & (PG - 1)) + PG - 1) & ~(PG - 1)) ||
	    a.guard != ((guard + PG - 1) & ~(PG - 1)) ||
	    ((va & ~(PG - 1)) && a.va != (va & ~(PG - 1))))
		fail(0, "%s: came back va %#llx len %#llx guard %#llx", what,
		     (unsigned long long)a.va, (unsigned long long)a.len,
		     (unsigned long long)a.guard);
	if (table_size() != (guard ? 3 : 1))
		fail(0, "%s: %d segments listed", what, table_size());
	expect(0, seg_detach(fd, a.va), 0, "detach after");
	if (table_size() != 0)
		fail(0, "%s: table not empty after detach", what);
}

/* vm.mmap_min_addr, as this kernel has it. */
static unsigned long mmap_min_addr(void)
{
	FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "r");
	unsigned long v;
	int n;

	n = f ? fscanf(f, "%lu", &v) : 0;
	if (f)
		fclose(f);
	if (n != 1) {
		printf("Bail out! cannot read /proc/sys/vm/mmap_min_addr\n");
		exit(1);
	}
	return v;
}

static void phase_arguments(void)
{
	char *free_ = pages(64, PROT_NONE);
	unsigned long f = (unsigned long)free_, top = user_top;
	double t0 = now();
	unsigned bit;

	munmap(free_, 64 * PG);
	/* Attributes: each valid bit, each invalid bit. */
	for (bit = 0; bit < 32; bit++) {
		unsigned a = 1U << bit;

		if (a & SEGCTL_ATTR_ALL)
			try_attach(a, MEM, 0, PG, 0, 0,
				   B(0) | (a == SEGCTL_ATTR_COMMIT ? B(EPERM) | B(ENOMEM) : 0),
				   "valid bit");
		else
			try_attach(a, MEM, 0, PG, 0, 0, B(EINVAL), "unknown bit");
	}
	try_attach(SEGCTL_ATTR_ALL, MEM, 0, PG, 0, 0, B(EINVAL), "every bit (NONE|COMMIT)");
	try_attach(SEGCTL_ATTR_ALL & ~SEGCTL_ATTR_COMMIT, SHR, 0, PG, PG, 0, B(0), "all but COMMIT");
	try_attach(SEGCTL_ATTR_ALL & ~SEGCTL_ATTR_NONE, SHR, 0, PG, PG, 0, B(0), "all but NONE");
	try_attach(SEGCTL_ATTR_NONE | SEGCTL_ATTR_RONLY, SHR, 0, PG, 0, 0, B(0), "NONE|RONLY");
	try_attach(~0U, MEM, 0, PG, 0, 0, B(EINVAL), "attr ~0");
	/* Classes and the reserved field. */
	try_attach(0, 0, 0, PG, 0, 0, B(EINVAL), "class 0");
	try_attach(0, 3, 0, PG, 0, 0, B(EINVAL), "class 3");
	try_attach(0, ~0U, 0, PG, 0, 0, B(EINVAL), "class ~0");
	for (bit = 0; bit < 32; bit++)
		try_attach(0, MEM, 0, PG, 0, 1U << bit, B(EINVAL), "reserved bit");
	/* Addresses. */
	try_attach(0, MEM, 1, PG, 0, 0, B(0), "va 1 (rounds to 0)");
	try_attach(0, MEM, f + 123, PG, 0, 0, B(0), "unaligned va");
	try_attach(0, MEM, f + PG - 1, 2, 0, 0, B(0), "len crossing a page");
	/*
	 * Below vm.mmap_min_addr: EINVAL, but root (CAP_SYS_RAWIO) may; and
	 * on a kernel whose limit is one page, PG is not below it.
	 */
	try_attach(0, MEM, PG, PG, 0, 0,
		   B(EINVAL) | (geteuid() == 0 || PG >= mmap_min_addr() ? B(0) | B(EEXIST) : 0),
		   "below mmap_min_addr");
	try_attach(0, MEM, f + 8 * PG, PG, 8 * PG, 0, B(0), "guard at va");
	try_attach(0, MEM, f + 4 * PG, PG, 8 * PG, 0, B(0) | B(EEXIST), "guard below va into a mapping");
	/* Last: the stack arena it makes (1 GiB) may take the room f was in. */
	try_attach(0, MEM, 0, PG, 0x10000, 0, B(0), "guard, kernel's choice");
	try_attach(0, MEM, PG, PG, 2 * PG, 0, B(EINVAL), "guard below 0");
	/* The guard ending at va: where asked, or not at all (reliability bug #3). */
	try_attach(0, MEM, 0x10000, PG, 0x10000, 0, B(0) | B(EINVAL) | B(EEXIST), "guard from 0");
	try_attach(0, MEM, PG, PG, PG, 0, B(0) | B(EINVAL) | B(EEXIST), "guard from 0, low");
	try_attach(0, MEM, top - PG, PG, 0, 0, B(0) | B(EEXIST) | B(ENOMEM), "the last page");
	try_attach(0, MEM, top - PG, 2 * PG, 0, 0, B(EINVAL), "past the top");
	try_attach(0, MEM, top - PG, PG, PG, 0, B(EINVAL), "guard past the top");
	try_attach(0, MEM, top, PG, 0, 0, B(EINVAL), "va TASK_SIZE");
	try_attach(0, MEM, 1UL << 47, PG, 0, 0, top > (1UL << 47) ? B(0) : B(EINVAL), "va 2^47");
	try_attach(0, MEM, 1UL << 56, PG, 0, 0, B(EINVAL), "va 2^56");
	try_attach(0, MEM, 0x8000000000000000UL, PG, 0, 0, B(EINVAL), "va non-canonical");
	try_attach(0, MEM, 0xffff888000000000UL, PG, 0, 0, B(EINVAL), "va in the direct map");
	try_attach(0, MEM, 0xffffffffff600000UL, PG, 0, 0, B(EINVAL), "va vsyscall");
	try_attach(0, MEM, ~0UL, PG, 0, 0, B(EINVAL), "va ~0");
	try_attach(0, MEM, ~0UL & ~(PG - 1), PG, 0, 0, B(EINVAL), "va ~0 page");
	try_attach(0, MEM, f, ~0UL - f + 1, 0, 0, B(EINVAL), "wraps to 0");
	try_attach(0, MEM, f, ~0UL - f + 2, 0, 0, B(EINVAL), "wraps past 0");
	try_attach(0, MEM, f, ~0UL, 0, 0, B(EINVAL), "len ~0");
	/* Lengths. */
	try_attach(0, MEM, 0, 0, 0, 0, B(EINVAL), "len 0");
	try_attach(0, MEM, f, 0, 0, 0, B(EINVAL), "len 0 at va");
	try_attach(0, MEM, 0, 1, 0, 0, B(0), "len 1");
	try_attach(0, MEM, 0, PG + 1, 0, 0, B(0), "len page + 1");
	try_attach(0, MEM, 0, 1UL << 40, 0, 0, B(0) | B(ENOMEM), "len 1 TiB");
	try_attach(0, MEM, 0, top, 0, 0, B(ENOMEM) | B(EINVAL), "len TASK_SIZE");
	try_attach(0, MEM, 0, top + 1, 0, 0, B(EINVAL), "len TASK_SIZE + 1");
	try_attach(0, MEM, 0, 1UL << 63, 0, 0, B(EINVAL), "len 2^63");
	try_attach(0, MEM, 0, PG, ~0UL, 0, B(EINVAL), "guard ~0");
	try_attach(0, MEM, 0, PG, top / 2, 0, B(EINVAL) | B(ENOMEM), "guard half of user space");
	try_attach(0, MEM, 0, top / 2, top / 4 + PG, 0, B(EINVAL), "len + guards past TASK_SIZE");
	try_attach(SEGCTL_ATTR_COMMIT, MEM, 0, 1UL << 44, 0, 0, B(ENOMEM) | B(EPERM), "commit 16 TiB");

	/* The other calls with bad ranges: nothing is attached. */
	{
		static const unsigned long addrs[] = {
			0, 1, PG, 0x10000, 0x400000, 1UL << 46, 1UL << 47, 1UL << 56,
			0x8000000000000000UL, 0xffff888000000000UL, ~0UL - PG, ~0UL,
		};
		unsigned i, j;

		for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
			unsigned long a = addrs[i];

			expect(0, seg_detach(fd, a), EINVAL, "detach of nothing");
			for (j = 0; j < sizeof(addrs) / sizeof(addrs[0]); j++) {
				unsigned long l = addrs[j];

				expect(0, seg_free(fd, a, l), EINVAL, "free of nothing");
				expect(0, seg_flush(fd, a, l), EINVAL, "flush of nothing");
				expect(0, seg_brk(fd, a, l, NULL, NULL), EINVAL, "brk of nothing");
				atomic_fetch_add(&ops, 3);
			}
			atomic_fetch_add(&ops, 1);
		}
	}
	/* Non-zero flags on each of the others, on a real segment. */
	{
		unsigned long s = 0;

		if (!check(0, seg_attach(fd, 0, MEM, &s, 4 * PG, 0), B(0), "attach")) {
			for (bit = 0; bit < 32; bit++) {
				struct segctl_detach d = { sizeof(d), 1U << bit, s };
				struct segctl_range r = { sizeof(r), 1U << bit, s, PG };
				struct segctl_brk b = { sizeof(b), 1U << bit, s, s + PG, 0, 0 };

				expect(0, rio(SEGCTL_DETACH, &d), EINVAL, "detach flags");
				expect(0, rio(SEGCTL_FREE, &r), EINVAL, "free flags");
				r.flags = 1U << bit;
				expect(0, rio(SEGCTL_FLUSH, &r), EINVAL, "flush flags");
				expect(0, rio(SEGCTL_BRK, &b), EINVAL, "brk flags");
			}
			/* Edges of the segment for the range calls. */
			expect(0, seg_free(fd, s, 4 * PG), 0, "free all");
			expect(0, seg_free(fd, s, 4 * PG + 1), 0, "free all + 1 (whole pages)");
			expect(0, seg_free(fd, s, 5 * PG), EINVAL, "free past the end");
			expect(0, seg_free(fd, s + 4 * PG - 1, 1), 0, "free last byte (no page)");
			expect(0, seg_free(fd, s + 1, ~0UL), EINVAL, "free len ~0");
			expect(0, seg_free(fd, s, user_top), EINVAL, "free len TASK_SIZE");
			expect(0, seg_flush(fd, s, 4 * PG), 0, "flush all");
			expect(0, seg_flush(fd, s + 1, 4 * PG - 1), 0, "flush unaligned");
			expect(0, seg_flush(fd, s, 4 * PG + 1), EINVAL, "flush past the end");
			expect(0, seg_flush(fd, s, ~0UL), EINVAL, "flush len ~0");
			expect(0, seg_flush(fd, s + PG, ~0UL - PG), EINVAL, "flush wrapping");
			expect(0, seg_brk(fd, s, s, NULL, NULL), ENOMEM, "brk to the base");
			expect(0, seg_brk(fd, s, 1, NULL, NULL), ENOMEM, "brk to 1");
			expect(0, seg_brk(fd, s, user_top + 1, NULL, NULL), EINVAL, "brk past TASK_SIZE");
			expect(0, seg_brk(fd, s, ~0UL, NULL, NULL), EINVAL, "brk to ~0");
			expect(0, seg_brk(fd, s, 0x8000000000000000UL, NULL, NULL), EINVAL, "brk non-canonical");
			check(0, seg_brk(fd, s, user_top, NULL, NULL), B(EEXIST) | B(ENOMEM), "brk to TASK_SIZE");
			expect(0, seg_detach(fd, s + 4 * PG - 1), 0, "detach by the last byte");
			atomic_fetch_add(&ops, 18);
		}
	}
	if (table_size() != 0)
		fail(0, "table not empty after the argument checks");
	phase_end("arguments", t0);
}

/* ---- model ---- */

#define ARENA	512		/* pages */
#define FENCE	16		/* pages of PROT_NONE either side */

struct mseg {
	unsigned long	start, end;
	unsigned	attr, class;
	int		group;		/* guarded attaches share one; else -1 */
};

struct model {
	struct mseg	s[ARENA];
	int		n;
	unsigned long	lo, hi;		/* the arena */
	int		groups;
};

static int m_find(struct model *m, unsigned long a)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (a >= m->s[i].start && a < m->s[i].end)
			return i;
	return -1;
}

static bool m_busy(struct model *m, unsigned long lo, unsigned long hi)
{
	int i;

	if (lo < m->lo || hi > m->hi)
		return true;		/* the fences */
	for (i = 0; i < m->n; i++)
		if (lo < m->s[i].end && hi > m->s[i].start)
			return true;
	return false;
}

static void m_add(struct model *m, unsigned long s, unsigned long e,
		  unsigned attr, unsigned class, int group)
{
	m->s[m->n++] = (struct mseg){ s, e, attr, class, group };
}

static void m_del(struct model *m, int i)
{
	m->s[i] = m->s[--m->n];
}

static bool writable(unsigned attr)
{
	return !(attr & (SEGCTL_ATTR_RONLY | SEGCTL_ATTR_NONE));
}

/* The listing must be the model, line for line. */
static void m_compare(struct model *m, long step)
{
	static struct seg v[ARENA + 8];
	char why[256];
	int n = seg_list(fd, v, ARENA + 8, why, sizeof(why)), i, j;

	if (n < 0) {
		fail(0, "model step %ld: listing: %s", step, why);
		return;
	}
	if (n != m->n) {
		fail(0, "model step %ld: %d segments listed, model has %d", step, n, m->n);
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned a;
		char f[6];

		j = m_find(m, v[i].base);
		if (j < 0 || m->s[j].start != v[i].base || m->s[j].end != v[i].top) {
			fail(0, "model step %ld: listed %lx-%lx not in the model", step,
			     v[i].base, v[i].top);
			return;
		}
		a = m->s[j].attr;
		snprintf(f, sizeof(f), "%c%c%c%c%c",
			 a & SEGCTL_ATTR_RONLY ? 'R' : ' ', a & SEGCTL_ATTR_NONE ? 'N' : ' ',
			 a & SEGCTL_ATTR_COMMIT ? 'C' : ' ', a & SEGCTL_ATTR_SAS ? 'S' : ' ',
			 a & SEGCTL_ATTR_CEXEC ? 'X' : ' ');
		if (strcmp(f, v[i].flags) ||
		    strcmp(v[i].class, m->s[j].class == SHR ? "shared" : "memory"))
			fail(0, "model step %ld: %lx-%lx listed '%s %s', model '%s %s'",
			     step, v[i].base, v[i].top, v[i].class, v[i].flags,
			     m->s[j].class == SHR ? "shared" : "memory", f);
	}
	if (!seg_list_matches_maps(v, n, why, sizeof(why)))
		fail(0, "model step %ld: %s", step, why);
}

static unsigned rand_attr(struct rng *r)
{
	unsigned a = 0;

	if (rng_chance(r, 15)) a |= SEGCTL_ATTR_RONLY;
	if (rng_chance(r, 10)) a |= SEGCTL_ATTR_CEXEC;
	if (rng_chance(r, 10)) a |= SEGCTL_ATTR_NOEXEC;
	if (rng_chance(r, 20)) a |= SEGCTL_ATTR_SAS;
	if (rng_chance(r, 10)) a |= SEGCTL_ATTR_NONE;
	else if (rng_chance(r, 8)) a |= SEGCTL_ATTR_COMMIT;
	return a;
}

/* Mark each page of a writable segment with its page number, lightly. */
static void m_mark(struct mseg *s)
{
	unsigned long a;

	if (!writable(s->attr))
		return;
	for (a = s->start; a < s->end; a += PG)
		*(volatile unsigned char *)a = (unsigned char)(a >> 12) | 1;
}

static void model_step(struct model *m, struct rng *r, long step)
{
	unsigned long arena_pages = (m->hi - m->lo) / PG;
	unsigned long at = m->lo + rng_below(r, arena_pages + 2 * FENCE) * PG - FENCE * PG;
	unsigned long off = rng_chance(r, 20) ? rng_below(r, PG) : 0;
	char what[160];
	int op = rng_below(r, 100), i, e;

	if (op < 35) {			/* attach */
		unsigned attr = rand_attr(r), class = rng_chance(r, 30) ? SHR : MEM;
		unsigned long len = (1 + rng_below(r, 16)) * PG - (rng_chance(r, 20) ? rng_below(r, PG) : 0);
		unsigned long guard = rng_chance(r, 25) ? (1 + rng_below(r, 3)) * PG : 0;
		unsigned long va = at + off, base = at, rlen, lo, hi;
		bool busy;

		/* Inside the arena or just over a fence: never past one. */
		rlen = (len + off + PG - 1) & ~(PG - 1);
		if (base - guard < m->lo - FENCE * PG || base + rlen + guard > m->hi + FENCE * PG)
			return;
		lo = base - guard;
		hi = base + rlen + guard;
		busy = m_busy(m, lo, hi);
		snprintf(what, sizeof(what), "model step %ld: attach attr %#o class %u va %#lx len %#lx guard %#lx",
			 step, attr, class, va, len, guard);
		e = seg_attach(fd, attr, class, &va, len, guard);
		atomic_fetch_add(&ops, 1);
		if (expect(0, e, busy ? EEXIST : 0, what) || e)
			return;
		if (va != base)
			fail(0, "%s: at %#lx, want %#lx", what, va, base);
		if (guard) {
			unsigned z = SEGCTL_ATTR_NONE | (attr & (SEGCTL_ATTR_CEXEC | SEGCTL_ATTR_SAS));

			m_add(m, lo, base, z, MEM, m->groups);
			m_add(m, base + rlen, hi, z, MEM, m->groups);
			m_add(m, base, base + rlen, attr, class, m->groups++);
		} else {
			m_add(m, base, base + rlen, attr, class, -1);
		}
		if (!(attr & SEGCTL_ATTR_NONE) && *(volatile unsigned char *)(base + rlen - 1))
			fail(0, "%s: new segment not zero", what);
		m_mark(&m->s[m->n - 1]);
	} else if (op < 50) {		/* detach */
		int g;

		i = m_find(m, at + off);
		snprintf(what, sizeof(what), "model step %ld: detach %#lx", step, at + off);
		e = seg_detach(fd, at + off);
		atomic_fetch_add(&ops, 1);
		expect(0, e, i < 0 ? EINVAL : 0, what);
		if (i < 0 || e)
			return;
		g = m->s[i].group;
		if (g < 0) {
			m_del(m, i);
		} else {
			for (i = m->n - 1; i >= 0; i--)
				if (m->s[i].group == g)
					m_del(m, i);
		}
	} else if (op < 65) {		/* brk */
		unsigned long to = rng_chance(r, 15) ? 0 :
			at + rng_below(r, 20) * PG - (rng_chance(r, 30) ? rng_below(r, PG) : 0);
		unsigned long base = 0, top = 0, nt = (to + PG - 1) & ~(PG - 1);
		int want;

		i = m_find(m, at + off);
		if (i < 0)
			want = EINVAL;
		else if (!to)
			want = 0;
		else if (m->s[i].group >= 0)
			want = EINVAL;
		else if (nt <= m->s[i].start)
			want = ENOMEM;
		else if (nt > m->s[i].end && m_busy(m, m->s[i].end, nt))
			want = EEXIST;
		else
			want = 0;
		snprintf(what, sizeof(what), "model step %ld: brk %#lx to %#lx", step, at + off, to);
		e = seg_brk(fd, at + off, to, &base, &top);
		atomic_fetch_add(&ops, 1);
		if (expect(0, e, want, what) || e)
			return;
		if (to && nt > m->s[i].end) {
			unsigned long a;

			for (a = m->s[i].end; a < nt; a += PG)
				if (!(m->s[i].attr & SEGCTL_ATTR_NONE) && *(volatile unsigned char *)a)
					fail(0, "%s: grown page %#lx not zero", what, a);
		}
		if (to)
			m->s[i].end = nt;
		if (base != m->s[i].start || top != m->s[i].end)
			fail(0, "%s: base %#lx top %#lx, model %#lx %#lx", what, base, top,
			     m->s[i].start, m->s[i].end);
		m_mark(&m->s[i]);
	} else if (op < 80) {		/* free */
		unsigned long len = rng_below(r, 8) * PG + (rng_chance(r, 30) ? rng_below(r, PG) : 0);
		unsigned long va = at + off, from = (va + PG - 1) & ~(PG - 1);
		unsigned long to = (va + len) & ~(PG - 1), a;
		int want;

		i = m_find(m, va);
		want = i < 0 || to > m->s[i].end ? EINVAL : 0;
		if (!want)
			m_mark(&m->s[i]);
		snprintf(what, sizeof(what), "model step %ld: free %#lx len %#lx", step, va, len);
		e = seg_free(fd, va, len);
		atomic_fetch_add(&ops, 1);
		if (expect(0, e, want, what) || e || !writable(m->s[i].attr))
			return;
		for (a = m->s[i].start; a < m->s[i].end; a += PG) {
			unsigned char c = *(volatile unsigned char *)a;
			bool freed = a >= from && a + PG <= to;

			if (c != (freed ? 0 : ((unsigned char)(a >> 12) | 1))) {
				fail(0, "%s: page %#lx reads %#x after", what, a, c);
				break;
			}
		}
	} else if (op < 90) {		/* flush */
		unsigned long len = rng_below(r, 8) * PG + rng_below(r, PG);
		unsigned long a = (at + off) & ~(PG - 1), end = (at + off + len + PG - 1) & ~(PG - 1);
		int want = 0;

		do {
			i = m_find(m, a);
			if (i < 0) {
				want = EINVAL;
				break;
			}
			a = m->s[i].end;
		} while (a < end);
		snprintf(what, sizeof(what), "model step %ld: flush %#lx len %#lx", step, at + off, len);
		expect(0, seg_flush(fd, at + off, len), want, what);
		atomic_fetch_add(&ops, 1);
	} else {
		m_compare(m, step);
		atomic_fetch_add(&ops, 1);
	}
}

static void phase_model(long steps)
{
	static struct model m;
	struct rng r;
	char *p = pages(ARENA + 2 * FENCE, PROT_NONE);
	double t0 = now();
	long i;

	memset(&m, 0, sizeof(m));
	rng_seed(&r, seed * 7919 + 1000);
	m.lo = (unsigned long)p + FENCE * PG;
	m.hi = m.lo + ARENA * PG;
	munmap((void *)m.lo, ARENA * PG);
	for (i = 0; i < steps && atomic_load(&failures) < 20; i++)
		model_step(&m, &r, i);
	m_compare(&m, i);
	while (m.n) {
		int e = seg_detach(fd, m.s[0].start), g = m.s[0].group, j;

		if (e) {
			fail(0, "model cleanup: detach %#lx: %s", m.s[0].start, ename(e));
			break;
		}
		if (g < 0) {
			m_del(&m, 0);
		} else {
			for (j = m.n - 1; j >= 0; j--)
				if (m.s[j].group == g)
					m_del(&m, j);
		}
	}
	if (table_size() != 0)
		fail(0, "model: table not empty after detaching the model");
	munmap(p, (ARENA + 2 * FENCE) * PG);
	printf("# model: %ld steps\n", i);
	phase_end("model", t0);
}

/* ---- arena: guarded "memory" attaches with va 0, in stack arenas ---- */

#define AGROUPS	4096
static bool garena[AGROUPS];	/* the group's body is in an arena */
static sigjmp_buf arena_jmp;

static void arena_fault(int sig)
{
	(void)sig;
	siglongjmp(arena_jmp, 1);
}

/* Does reading addr fault?  (SIGSEGV caught for the phase.) */
static bool faults_at(unsigned long addr)
{
	if (sigsetjmp(arena_jmp, 1))
		return true;
	(void)*(volatile unsigned char *)addr;
	return false;
}

/* The group's three pieces: redzone, body, redzone (indices into m->s). */
static bool group_pieces(struct model *m, int g, int idx[3])
{
	int i, k = 0;

	for (i = 0; i < m->n && k < 3; i++)
		if (m->s[i].group == g)
			idx[k++] = i;
	return k == 3;
}

/* An address near a live body (or anywhere in the first arena made). */
static unsigned long arena_addr_near(struct model *m, struct rng *r)
{
	unsigned long a;

	if (!m->n)
		return m->lo + rng_below(r, 64) * PG;
	a = m->s[rng_below(r, m->n)].start + rng_below(r, 128) * PG - 64 * PG;
	return a + (rng_chance(r, 20) ? rng_below(r, PG) : 0);
}

static void arena_detach_group(struct model *m, int g)
{
	int j;

	for (j = m->n - 1; j >= 0; j--)
		if (m->s[j].group == g)
			m_del(m, j);
}

/* A child's copy: the same table; its detach leaves the parent alone. */
static void arena_fork(struct model *m, struct rng *r, long step)
{
	int st, g, idx[3];
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail(0, "arena step %ld: fork: %s", step, strerror(errno));
		return;
	}
	if (pid == 0) {
		m_compare(m, step);
		if (m->n) {
			g = m->s[rng_below(r, m->n)].group;
			if (group_pieces(m, g, idx) && seg_detach(fd, m->s[idx[1]].start) == 0)
				arena_detach_group(m, g);
			else
				fail(0, "arena step %ld: child's detach", step);
			m_compare(m, step);
		}
		_exit(atomic_load(&failures) ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail(0, "arena step %ld: fork child status %#x", step, st);
	m_compare(m, step);
}

static void arena_step(struct model *m, struct rng *r, long step)
{
	int op = rng_below(r, 100), i, e, idx[3], g;
	unsigned long a = arena_addr_near(m, r), len, base, top, from, to;
	char what[160];

	if (op < 35 && m->n < ARENA - 3) {		/* attach */
		static const unsigned attrs[] = { 0, 0, 0, SEGCTL_ATTR_NOEXEC,
			SEGCTL_ATTR_CEXEC, SEGCTL_ATTR_SAS, SEGCTL_ATTR_RONLY };
		unsigned attr = attrs[rng_below(r, 7)], z;
		unsigned long guard = (1 + rng_below(r, 3)) * PG - (rng_chance(r, 10) ? 1 : 0);
		unsigned long rg, rl, va = 0;

		len = (1 + rng_below(r, 16)) * PG - (rng_chance(r, 20) ? rng_below(r, PG) : 0);
		snprintf(what, sizeof(what), "arena step %ld: attach attr %#o len %#lx guard %#lx",
			 step, attr, len, guard);
		e = seg_attach(fd, attr, MEM, &va, len, guard);
		atomic_fetch_add(&ops, 1);
		if (expect(0, e, 0, what))
			return;
		rg = (guard + PG - 1) & ~(PG - 1);
		rl = (len + PG - 1) & ~(PG - 1);
		for (i = 0; i < m->n; i++)
			if (va - rg < m->s[i].end && va + rl + rg > m->s[i].start)
				break;
		if (i < m->n) {
			fail(0, "%s: %#lx overlaps %lx-%lx", what, va, m->s[i].start,
			     m->s[i].end);
			return;
		}
		if (!m->lo)
			m->lo = va;
		z = SEGCTL_ATTR_NONE | (attr & (SEGCTL_ATTR_CEXEC | SEGCTL_ATTR_SAS));
		g = m->groups++ % AGROUPS;
		garena[g] = !(attr & SEGCTL_ATTR_RONLY);
		m_add(m, va - rg, va, z, MEM, g);
		m_add(m, va + rl, va + rl + rg, z, MEM, g);
		m_add(m, va, va + rl, attr, MEM, g);
		if (*(volatile unsigned char *)va || *(volatile unsigned char *)(va + rl - 1))
			fail(0, "%s: new body not zero", what);
		if (!faults_at(va - 1) || !faults_at(va + rl))
			fail(0, "%s: a redzone does not fault", what);
		m_mark(&m->s[m->n - 1]);
	} else if (op < 55) {				/* detach, any part or none */
		i = m_find(m, a);
		snprintf(what, sizeof(what), "arena step %ld: detach %#lx", step, a);
		e = seg_detach(fd, a);
		atomic_fetch_add(&ops, 1);
		if (expect(0, e, i < 0 ? EINVAL : 0, what) || i < 0)
			return;
		g = m->s[i].group;
		if (group_pieces(m, g, idx) && garena[g] &&
		    (!faults_at(m->s[idx[1]].start) || !faults_at(m->s[idx[1]].end - 1)))
			fail(0, "%s: a freed body does not fault", what);
		arena_detach_group(m, g);
	} else if (op < 67) {				/* segfree */
		len = rng_below(r, 20) * PG + (rng_chance(r, 30) ? rng_below(r, PG) : 0);
		from = (a + PG - 1) & ~(PG - 1);
		to = (a + len) & ~(PG - 1);
		i = m_find(m, a);
		e = i < 0 || to > m->s[i].end ? EINVAL :
		    (m->s[i].attr & SEGCTL_ATTR_NONE) && garena[m->s[i].group] ? EINVAL : 0;
		snprintf(what, sizeof(what), "arena step %ld: segfree %#lx %#lx", step, a, len);
		if (expect(0, seg_free(fd, a, len), e, what) || i < 0 ||
		    (m->s[i].attr & SEGCTL_ATTR_NONE))
			return;
		atomic_fetch_add(&ops, 1);
		if (from < to && *(volatile unsigned char *)from)
			fail(0, "%s: not zero after", what);
		for (; from < to; from += PG)	/* m_mark's marks back */
			if (writable(m->s[i].attr))
				*(volatile unsigned char *)from = (unsigned char)(from >> 12) | 1;
	} else if (op < 77) {				/* segbrk: base, or no move */
		unsigned long to_addr;

		i = m_find(m, a);
		/* A guarded body and its redzones are pinned: only the base. */
		to_addr = rng_chance(r, 20) && i >= 0 ? m->s[i].end + PG : 0;
		snprintf(what, sizeof(what), "arena step %ld: segbrk %#lx %#lx", step, a, to_addr);
		e = seg_brk(fd, a, to_addr, &base, &top);
		atomic_fetch_add(&ops, 1);
		if (expect(0, e, i < 0 || to_addr ? EINVAL : 0, what) || e)
			return;
		if (base != m->s[i].start || top != m->s[i].end)
			fail(0, "%s: base %#lx top %#lx, want %lx-%lx", what, base, top,
			     m->s[i].start, m->s[i].end);
	} else if (op < 87 && m->n) {			/* contents and redzones */
		i = rng_below(r, m->n);
		snprintf(what, sizeof(what), "arena step %ld: touch %lx-%lx", step,
			 m->s[i].start, m->s[i].end);
		for (a = m->s[i].start; a < m->s[i].end; a += PG) {
			bool f = faults_at(a);

			if (f != !!(m->s[i].attr & SEGCTL_ATTR_NONE))
				fail(0, "%s: %lx %s", what, a, f ? "faults" : "does not fault");
			else if (!f && writable(m->s[i].attr) &&
				 *(volatile unsigned char *)a != ((unsigned char)(a >> 12) | 1))
				fail(0, "%s: %lx lost its contents", what, a);
			if (f)
				break;
		}
	} else if (op < 89) {
		arena_fork(m, r, step);
	} else {
		m_compare(m, step);
		atomic_fetch_add(&ops, 1);
	}
}

static void phase_arena(long steps)
{
	static struct model m;
	struct sigaction sa = { .sa_handler = arena_fault }, old;
	struct rng r;
	double t0 = now();
	long i;

	memset(&m, 0, sizeof(m));
	rng_seed(&r, seed * 7919 + 2000);
	sigaction(SIGSEGV, &sa, &old);
	for (i = 0; i < steps && atomic_load(&failures) < 20; i++)
		arena_step(&m, &r, i);
	m_compare(&m, i);
	while (m.n) {
		int g = m.s[0].group, e = seg_detach(fd, m.s[0].start);

		if (e) {
			fail(0, "arena cleanup: detach %#lx: %s", m.s[0].start, ename(e));
			break;
		}
		arena_detach_group(&m, g);
	}
	sigaction(SIGSEGV, &old, NULL);
	if (table_size() != 0)
		fail(0, "arena: table not empty after detaching the model");
	if (seg_param("segments") != seg_param("arenas_alive"))
		fail(0, "arena: %ld segments for %ld empty arenas", seg_param("segments"),
		     seg_param("arenas_alive"));
	if (seg_param("spans") != 0)
		fail(0, "arena: %ld spans left", seg_param("spans"));
	printf("# arena: %ld steps\n", i);
	phase_end("arena", t0);
}

/* ---- batch: SEGCTL_ATTACHN and SEGCTL_DETACHN, all or nothing ---- */

#define BMAX	512

struct bbody {
	unsigned long	va, len, guard;
	unsigned char	tag;
};

static int batch_attachn(unsigned attr, unsigned long len, unsigned long guard,
			 uint32_t count, uint64_t *out)
{
	struct segctl_attachn a = {
		.size = sizeof(a), .attr = attr, .seg_class = MEM, .len = len,
		.guard = guard, .addrs = (uintptr_t)out, .count = count,
	};

	return rio(SEGCTL_ATTACHN, &a);
}

static int batch_detachn(const uint64_t *addrs, uint32_t count)
{
	struct segctl_detachn d = {
		.size = sizeof(d), .addrs = (uintptr_t)addrs, .count = count,
	};

	return rio(SEGCTL_DETACHN, &d);
}

/*
 * Batches against a model: attaches of 1 to 32 bodies, detaches of random
 * sets of them by any address of their spans, some with a bad or repeated
 * address that must detach none; each body keeps a tag written at attach,
 * and the listing holds three segments per body, no more.
 */
static void phase_batch(long steps)
{
	static struct bbody b[BMAX];
	static uint64_t addrs[64];
	struct rng r;
	double t0 = now();
	int n = 0, i, k, e, pick[32];
	char what[96];
	long step;

	rng_seed(&r, seed * 104729 + 3000);
	for (step = 0; step < steps && atomic_load(&failures) < 20; step++) {
		unsigned op = rng_below(&r, 100);

		if (op < 45 && n + 32 <= BMAX) {
			uint32_t count = 1 + rng_below(&r, 32);
			unsigned long len = PG * (1 + rng_below(&r, 8)), guard = PG * (1 + rng_below(&r, 2));
			unsigned attr = rng_chance(&r, 50) ? SEGCTL_ATTR_NOEXEC : 0;

			snprintf(what, sizeof(what), "step %ld: ATTACHN %u of %lu+%lu", step, count,
				 len, guard);
			if (expect(0, batch_attachn(attr, len, guard, count, addrs), 0, what))
				continue;
			for (i = 0; i < (int)count; i++) {
				b[n] = (struct bbody){ addrs[i], len, guard, (unsigned char)(step | 1) };
				memset((void *)b[n].va, b[n].tag, len);
				n++;
			}
		} else if (op < 90 && n > 0) {
			bool bad = rng_chance(&r, 25);
			uint32_t count = 1 + rng_below(&r, n < 32 ? n : 32);

			/* count distinct bodies, each by an address of its span */
			for (k = 0; k < (int)count; k++) {
				int j;

				do {
					pick[k] = rng_below(&r, n);
					for (j = 0; j < k && pick[j] != pick[k]; j++)
						;
				} while (j < k);
				i = pick[k];
				addrs[k] = b[i].va - b[i].guard +
					   rng_below(&r, b[i].len + 2 * b[i].guard);
			}
			if (bad) {
				k = rng_below(&r, count);
				addrs[k] = rng_chance(&r, 50) && count > 1 ?
					   addrs[(k + 1) % count] : rng_below(&r, user_top);
			}
			snprintf(what, sizeof(what), "step %ld: DETACHN %u%s", step, count,
				 bad ? " with a bad address" : "");
			e = batch_detachn(addrs, count);
			if (bad && e == 0) {
				/* The random address hit a body of ours: then it went too. */
				for (i = 0; i < n; i++)
					if (addrs[k] >= b[i].va - b[i].guard &&
					    addrs[k] < b[i].va + b[i].len + b[i].guard)
						break;
				if (i == n || addrs[k] == addrs[(k + 1) % count])
					fail(0, "%s: succeeded", what);
				else
					bad = false, pick[k] = i;
			}
			if (bad) {
				expect(0, e, EINVAL, what);
				continue;
			}
			if (expect(0, e, 0, what))
				continue;
			/* Forget the picked bodies. */
			for (k = 0; k < (int)count; k++)
				b[pick[k]].tag = 0;
			for (i = 0; i < n; )
				if (!b[i].tag)
					b[i] = b[--n];
				else
					i++;
		} else {
			uint32_t count = rng_chance(&r, 50) ? 0 : SEGCTL_BATCH_MAX + 1;

			snprintf(what, sizeof(what), "step %ld: count %u", step, count);
			expect(0, batch_attachn(0, PG, PG, count, addrs), EINVAL, what);
			expect(0, batch_detachn(addrs, count), EINVAL, what);
		}
		if (step % 64 == 0 || step == steps - 1) {
			int segs = table_size();

			if (segs != 3 * n)
				fail(0, "step %ld: %d segments listed, %d bodies alive", step, segs, n);
			for (i = 0; i < n; i++)
				if (*(volatile unsigned char *)b[i].va != b[i].tag ||
				    *(volatile unsigned char *)(b[i].va + b[i].len - 1) != b[i].tag)
					fail(0, "step %ld: body %#lx lost its tag", step, b[i].va);
		}
	}
	while (n > 0) {
		k = n < 64 ? n : 64;
		for (i = 0; i < k; i++)
			addrs[i] = b[n - 1 - i].va;
		if (expect(0, batch_detachn(addrs, k), 0, "batch cleanup"))
			break;
		n -= k;
	}
	if (table_size() != 0)
		fail(0, "batch: table not empty after");
	phase_end("batch", t0);
}

/* ---- random, several threads ---- */

/* Segments attached during the random phase, racy by design. */
static _Atomic unsigned long pool[MAXT][POOL][2];
static unsigned long play_lo, play_hi;	/* where fixed attaches go */
static atomic_long forks, killed_children;
static __thread sigjmp_buf *fault_jmp;
static atomic_long faults;

static void on_fault(int sig)
{
	(void)sig;
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	signal(sig, SIG_DFL);
}

/*
 * Remember a segment; the one it displaces is detached (mostly), so that
 * the table stays a few hundred segments long and the calls stay cheap.
 */
static void pool_put(int tid, struct rng *r, unsigned long base, unsigned long len)
{
	int i = rng_below(r, POOL);
	unsigned long old = atomic_exchange(&pool[tid][i][0], 0);

	if (old) {
		check(tid, seg_detach(fd, old), ALLOW_BASE | B(EINVAL) | B(ENOMEM),
		      "detach of a displaced segment");
		atomic_fetch_add(&ops, 1);
	}
	atomic_store(&pool[tid][i][1], len);
	atomic_store(&pool[tid][i][0], base);
}

/* A segment someone attached (maybe gone since): base and length. */
static bool pool_get(int tid, struct rng *r, unsigned long *base, unsigned long *len)
{
	int t = rng_chance(r, 75) ? tid : (int)rng_below(r, nthreads), i = rng_below(r, POOL);

	*base = atomic_load(&pool[t][i][0]);
	*len = atomic_load(&pool[t][i][1]);
	return *base != 0;
}

static unsigned long rand_addr(int tid, struct rng *r)
{
	static const unsigned long odd[] = {
		0, 1, PG, 0x10000, 0xfff, 1UL << 47, (1UL << 47) - PG, 1UL << 56,
		0x8000000000000000UL, 0xffff888000000000UL, ~0UL, ~0UL - PG + 1,
	};
	unsigned long b, l;

	if (rng_chance(r, 70) && pool_get(tid, r, &b, &l))
		return b + rng_below(r, l + PG);
	if (rng_chance(r, 70))
		return play_lo + rng_below(r, play_hi - play_lo);
	if (rng_chance(r, 50))
		return user_top - rng_below(r, 4) * PG;
	return odd[rng_below(r, sizeof(odd) / sizeof(odd[0]))];
}

static unsigned long rand_len(struct rng *r)
{
	switch (rng_below(r, 20)) {
	case 0: return 0;
	case 1: return rng_next(r);
	case 2: return ~0UL - rng_below(r, 2 * PG);
	case 3: return user_top - rng_below(r, 2) * PG;
	case 4: return rng_below(r, 1UL << 30);
	default: return (1 + rng_below(r, 8)) * PG - (rng_chance(r, 20) ? rng_below(r, PG) : 0);
	}
}

/* A raw request: a valid or nearby command, random size, random bytes. */
static void raw_request(int tid, struct rng *r)
{
	unsigned char buf[256];
	unsigned long cmd;
	int nr = rng_below(r, NCMDS + 2), e, i;
	uint64_t allowed;
	uint32_t us;
	char what[128];

	for (i = 0; i < (int)sizeof(buf); i += 8) {
		uint64_t v = rng_chance(r, 50) ? 0 : rng_chance(r, 50) ? rng_next(r) :
			     rng_chance(r, 50) ? rand_addr(tid, r) : rand_len(r);

		memcpy(buf + i, &v, 8);
	}
	us = rng_chance(r, 80) ? (nr < NCMDS ? cmds[nr].size : 40) : rng_below(r, 72);
	if (rng_chance(r, 50) && nr < NCMDS)
		memset(buf + cmds[nr].size, 0, sizeof(buf) - cmds[nr].size);
	memcpy(buf, &us, 4);
	if (nr == 0 && rng_chance(r, 80))
		buf[4] = SEGCTL_API, buf[5] = buf[6] = buf[7] = 0;
	if (nr == 1) {
		/* Keep most attaches small, committed ones always: no OOM. */
		struct segctl_attach *a = (void *)buf;

		if (rng_chance(r, 80))
			a->len &= (1UL << 24) - 1;
		if (a->attr & SEGCTL_ATTR_COMMIT)
			a->len &= (1UL << 20) - 1;
		if (rng_chance(r, 50))
			a->attr &= SEGCTL_ATTR_ALL;
		if (rng_chance(r, 50))
			a->seg_class = 1 + rng_below(r, 2);
		if (rng_chance(r, 50))
			a->__reserved = 0;
		if (rng_chance(r, 70))
			a->guard &= 0xffff;
	}
	if (nr == 6) {
		/* Batches small, their array mostly somewhere writable. */
		struct segctl_attachn *a = (void *)buf;
		static __thread uint64_t out[64];

		if (rng_chance(r, 80))
			a->count &= 63;
		if (rng_chance(r, 80))
			a->len &= (1UL << 20) - 1;
		if (rng_chance(r, 70))
			a->guard &= 0xffff;
		if (rng_chance(r, 50))
			a->attr &= SEGCTL_ATTR_ALL;
		if (rng_chance(r, 50))
			a->seg_class = MEM;
		if (rng_chance(r, 70))
			a->addrs = (uintptr_t)out;
	}
	if (nr == 4 && rng_chance(r, 80)) {
		struct segctl_brk *b = (void *)buf;
		unsigned long pb, pl;

		if (pool_get(tid, r, &pb, &pl))
			b->addr = pb + rng_below(r, 3 * pl);
	}
	cmd = nr < NCMDS ? cmds[nr].cmd : _IOWR(SEGCTL_MAGIC, nr, struct segctl_attach);
	if (rng_chance(r, 10))
		cmd = _IOC(_IOC_READ | _IOC_WRITE, SEGCTL_MAGIC, _IOC_NR(cmd), rng_below(r, 0x4000));
	allowed = ALLOW_BASE | B(EINVAL) | B(EFAULT) | B(E2BIG);
	switch (nr) {
	case 0: break;
	case 1: allowed |= B(EEXIST) | B(ENOMEM) | B(EPERM); break;
	case 2: allowed |= B(ENOMEM); break;
	case 3: allowed |= B(ENOMEM); break;
	case 4: allowed |= B(EEXIST) | B(ENOMEM) | B(EBUSY) | B(EPERM); break;
	case 5: break;
	case 6: allowed |= B(ENOMEM); break;
	case 7: allowed |= B(ENOMEM); break;
	default: allowed = B(ENOTTY);
	}
	e = rio(cmd, buf);
	snprintf(what, sizeof(what), "raw %#lx size %u: %02x%02x%02x%02x %016llx %016llx %016llx %016llx",
		 cmd, us, buf[4], buf[5], buf[6], buf[7],
		 (unsigned long long)((uint64_t *)buf)[1], (unsigned long long)((uint64_t *)buf)[2],
		 (unsigned long long)((uint64_t *)buf)[3], (unsigned long long)((uint64_t *)buf)[4]);
	check(tid, e, allowed, what);
	if (!e && nr == 1) {
		struct segctl_attach *a = (void *)buf;

		if (us >= 32 && ((a->va & (PG - 1)) || a->va >= user_top))
			fail(tid, "%s: came back va %#llx", what, (unsigned long long)a->va);
		else if (us >= 32)
			pool_put(tid, r, a->va, a->len);
	}
}

static void random_op(int tid, struct rng *r, bool child);

/* A forked child fuzzes its own copy, then checks its listing. */
static void fork_op(int tid, struct rng *r)
{
	uint64_t cseed = rng_next(r);
	int st, i;
	pid_t pid;

	atomic_fetch_add(&forks, 1);
	atomic_fetch_add(&ops, 1);
	pid = fork();
	if (pid < 0) {
		check(tid, errno, B(EAGAIN) | B(ENOMEM), "fork");
		return;
	}
	if (pid == 0) {
		static struct seg v[MAXSEG];
		struct rng cr;
		char why[256];
		int n;

		atomic_store(&failures, 0);
		alarm(tap_timeout(60));
		listfd = seg_open();	/* not the parent's open file */
		rng_seed(&cr, cseed);
		for (i = 0; i < 40; i++)
			random_op(tid, &cr, true);
		n = seg_list(listfd, v, MAXSEG, why, sizeof(why));
		if (n < 0)
			fail(tid, "child listing: %s", why);
		else if (!seg_list_matches_maps(v, n < MAXSEG ? n : MAXSEG, why, sizeof(why)))
			fail(tid, "child listing vs maps: %s", why);
		fflush(stdout);
		_exit(atomic_load(&failures) ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* SIGKILL: the child could not commit its copies (fork.c). */
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		atomic_fetch_add(&killed_children, 1);
	else if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail(tid, "fork child (seed %#llx) %s %d", (unsigned long long)cseed,
		     WIFSIGNALED(st) ? "died of signal" : "exited",
		     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void random_op(int tid, struct rng *r, bool child)
{
	unsigned long base, len, a, l;
	char what[160];
	int op = rng_below(r, 1000), e;

	if (op < 250) {				/* attach */
		unsigned attr = rng_chance(r, 95) ? rand_attr(r) : (unsigned)rng_next(r);
		unsigned class = rng_chance(r, 95) ? 1 + rng_below(r, 2) : (unsigned)rng_below(r, 5);
		unsigned long va = rng_chance(r, 50) ? 0 : rand_addr(tid, r);
		unsigned long guard = rng_chance(r, 75) ? 0 : rng_chance(r, 90) ?
				      rng_below(r, 4 * PG) : rand_len(r);
		uint64_t allowed = ALLOW_BASE | B(EINVAL) | B(ENOMEM);

		len = rand_len(r);
		if (attr & SEGCTL_ATTR_COMMIT)
			len = rng_chance(r, 98) ? len & ((1UL << 18) - 1) : 1UL << 40;
		if (attr & SEGCTL_ATTR_COMMIT)
			allowed |= B(EPERM);
		if (va & ~(PG - 1))
			allowed |= B(EEXIST);
		snprintf(what, sizeof(what), "attach attr %#o class %u va %#lx len %#lx guard %#lx",
			 attr, class, va, len, guard);
		a = va;
		e = check(tid, seg_attach(fd, attr, class, &a, len, guard), allowed, what);
		if (e == EFAULT) {
			/* A struct on our own stack cannot fault: say where it was. */
			char line[256], *m = NULL;
			FILE *f = fopen("/proc/self/maps", "r");
			unsigned long sp = (unsigned long)&a, lo, hi;

			while (f && fgets(line, sizeof(line), f))
				if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && sp >= lo && sp < hi)
					m = strdup(line);
			if (f)
				fclose(f);
			fail(tid, "EFAULT with the struct near %#lx, mapped as: %s", sp, m ? m : "nothing\n");
		}
		atomic_fetch_add(&ops, 1);
		if (e)
			return;
		l = (len + (va & (PG - 1)) + PG - 1) & ~(PG - 1);
		if ((a & (PG - 1)) || a >= user_top || ((va & ~(PG - 1)) && a != (va & ~(PG - 1))))
			fail(tid, "%s: came back va %#lx", what, a);
		pool_put(tid, r, a, l);
	} else if (op < 380) {			/* detach */
		a = rand_addr(tid, r);
		snprintf(what, sizeof(what), "detach %#lx", a);
		check(tid, seg_detach(fd, a), ALLOW_BASE | B(EINVAL) | B(ENOMEM), what);
		atomic_fetch_add(&ops, 1);
	} else if (op < 460) {			/* free */
		a = rand_addr(tid, r);
		len = rand_len(r);
		snprintf(what, sizeof(what), "free %#lx len %#lx", a, len);
		check(tid, seg_free(fd, a, len), ALLOW_BASE | B(EINVAL) | B(ENOMEM), what);
		atomic_fetch_add(&ops, 1);
	} else if (op < 540) {			/* brk */
		unsigned long to = 0, nb = 0, nt = 0;

		a = rand_addr(tid, r);
		if (pool_get(tid, r, &base, &len) && rng_chance(r, 80))
			to = base + rng_below(r, 3 * len + PG);
		else if (rng_chance(r, 50))
			to = rand_addr(tid, r);
		snprintf(what, sizeof(what), "brk %#lx to %#lx", a, to);
		e = check(tid, seg_brk(fd, a, to, &nb, &nt),
			  ALLOW_BASE | B(EINVAL) | B(EEXIST) | B(ENOMEM) | B(EBUSY) | B(EPERM), what);
		atomic_fetch_add(&ops, 1);
		if (!e && ((nb | nt) & (PG - 1) || nb >= nt || nt > user_top ||
			   (to && nt != ((to + PG - 1) & ~(PG - 1)))))
			fail(tid, "%s: base %#lx top %#lx", what, nb, nt);
		if (!e && to)
			pool_put(tid, r, nb, nt - nb);
	} else if (op < 590) {			/* flush */
		a = rand_addr(tid, r);
		len = rand_len(r);
		snprintf(what, sizeof(what), "flush %#lx len %#lx", a, len);
		check(tid, seg_flush(fd, a, len), ALLOW_BASE | B(EINVAL), what);
		atomic_fetch_add(&ops, 1);
	} else if (op < 600) {			/* list */
		static __thread struct seg v[64];
		char why[256];

		if (listfd < 0)
			listfd = seg_open();
		if (seg_list(listfd, v, 64, why, sizeof(why)) < 0)
			fail(tid, "listing: %s", why);
		atomic_fetch_add(&ops, 1);
	} else if (op < 680) {			/* munmap part of a segment */
		if (!pool_get(tid, r, &base, &len) || len < PG)
			return;
		/* Never past the recorded range: a thread stack may be next to it. */
		a = base + rng_below(r, len / PG) * PG;
		l = (1 + rng_below(r, 4)) * PG;
		munmap((void *)a, l < base + len - a ? l : base + len - a);
		atomic_fetch_add(&ops, 1);
	} else if (op < 720) {			/* mprotect part of a segment */
		static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
					     PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC };

		if (!pool_get(tid, r, &base, &len) || len < PG)
			return;
		a = base + rng_below(r, len / PG) * PG;
		l = (1 + rng_below(r, 4)) * PG;
		mprotect((void *)a, l < base + len - a ? l : base + len - a,
			 prots[rng_below(r, 5)]);
		atomic_fetch_add(&ops, 1);
	} else if (op < 750) {			/* mremap: shrink, grow in place, move */
		void *p;

		if (!pool_get(tid, r, &base, &len) || len < PG)
			return;
		l = (1 + rng_below(r, 2 * (len / PG) + 1)) * PG;
		p = mremap((void *)base, len, l, rng_chance(r, 50) ? MREMAP_MAYMOVE : 0);
		if (p != MAP_FAILED && p != (void *)base)
			pool_put(tid, r, (unsigned long)p, l);
		atomic_fetch_add(&ops, 1);
	} else if (op < 850) {			/* touch */
		sigjmp_buf jb;

		if (!pool_get(tid, r, &base, &len))
			return;
		a = base + rng_below(r, len ? len : 1);
		fault_jmp = &jb;
		if (sigsetjmp(jb, 1) == 0) {
			if (rng_chance(r, 50))
				(void)*(volatile char *)a;
			else
				*(volatile char *)a = 1;
		} else {
			atomic_fetch_add(&faults, 1);
		}
		fault_jmp = NULL;
		atomic_fetch_add(&ops, 1);
	} else if (op < 999) {			/* raw */
		raw_request(tid, r);
	} else if (!child) {
		fork_op(tid, r);
	}
}

struct worker {
	pthread_t	th;
	int		tid;
	long		n;
};

/* Every thread (and its stack) exists before the first one starts. */
static pthread_barrier_t start;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct rng r;
	long i;

	rng_seed(&r, seed * 1000003 + w->tid + 1);
	listfd = seg_open();	/* opened before anyone unmaps anything */
	pthread_barrier_wait(&start);
	for (i = 0; i < w->n && atomic_load(&failures) < 20; i++)
		random_op(w->tid, &r, false);
	return NULL;
}

static void phase_random(long n)
{
	static struct worker w[MAXT];
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };
	double t0 = now();
	char *p;
	int i;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* No thread may map anything but segments once they start. */
	pthread_barrier_init(&start, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		w[i].tid = i;
		w[i].n = n / nthreads;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i])) {
			printf("Bail out! pthread_create\n");
			exit(1);
		}
	}
	/* 1 GiB of room for fixed attaches, free once the stacks exist. */
	p = pages(1UL << 18, PROT_NONE);
	play_lo = (unsigned long)p;
	play_hi = play_lo + (1UL << 30);
	munmap(p, 1UL << 30);
	pthread_barrier_wait(&start);
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].th, NULL);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	printf("# random: %d threads, %ld forks (%ld children killed for commit), %ld faults caught\n",
	       nthreads, atomic_load(&forks), atomic_load(&killed_children), atomic_load(&faults));
	phase_end("random", t0);
}

static void phase_consistent(void)
{
	static struct seg v[MAXSEG];
	double t0 = now();
	char why[256];
	int n = seg_list(fd, v, MAXSEG, why, sizeof(why));

	if (n < 0)
		fail(0, "listing: %s", why);
	else if (!seg_list_matches_maps(v, n < MAXSEG ? n : MAXSEG, why, sizeof(why)))
		fail(0, "listing vs /proc/self/maps: %s", why);
	printf("# %d segments listed\n", n);
	phase_end("consistent", t0);
}

static void phase_cleanup(void)
{
	static struct seg v[MAXSEG];
	double t0 = now();
	char why[256];
	long committed, vmlck;
	int n, i, rounds = 0;

	while ((n = seg_list(fd, v, MAXSEG, why, sizeof(why))) > 0 && rounds++ < 100) {
		for (i = 0; i < n && i < MAXSEG; i++)
			check(0, seg_detach(fd, v[i].base), B(0) | B(EINVAL), "cleanup detach");
	}
	if (n != 0)
		fail(0, "%d segments left after detaching all (%s)", n, n < 0 ? why : "");
	/* The arenas stay, empty: unmapped, the listing forgets them. */
	printf("# %d arenas unmapped\n", seg_unmap_arenas());
	table_size();
	if (seg_param("spans") != 0)
		fail(0, "module still counts %ld spans", seg_param("spans"));
	if (seg_param("segments") != 0)
		fail(0, "module still counts %ld segments", seg_param("segments"));
	/*
	 * A charge to the module cap stands for pages locked in this mm: it
	 * can never be more than VmLck (reliability bug #2).
	 */
	committed = seg_param("committed");
	vmlck = proc_status_kb("VmLck");
	if (committed < 0 || vmlck < 0 || committed * (long)(PG / 1024) > vmlck)
		fail(0, "module holds %ld committed pages, this mm locks %ld kB", committed, vmlck);
	phase_end("cleanup", t0);
}

int main(int argc, char **argv)
{
	long fixed;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iterations = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: segfuzz [--seed N] [--iterations N] [--threads N]\n");
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAXT)
		nthreads = nthreads < 1 ? 1 : MAXT;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Every allocation from the heap, grown now: nothing else is mapped later. */
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_ARENA_MAX, 1);
	free(malloc(32 << 20));
	segio_init();
	fd = seg_open();
	printf("TAP version 13\n1..11\n");
	printf("# segfuzz --seed %" PRIu64 " --iterations %ld --threads %d (user top %#lx)\n",
	       seed, iterations, nthreads, user_top);
	phase_numbers();
	phase_sizes();
	phase_pointers();
	phase_efault_undo();
	phase_arguments();
	fixed = atomic_load(&ops);
	phase_model(iterations > fixed ? (iterations - fixed) / 3 : 100);
	fixed = atomic_load(&ops);
	phase_arena(iterations > fixed ? (iterations - fixed) / 3 : 100);
	phase_batch(iterations > 100000 ? 2000 : iterations / 50 + 100);
	fixed = atomic_load(&ops);
	phase_random(iterations > fixed ? iterations - fixed : 1000);
	phase_consistent();
	phase_cleanup();
	printf("# segfuzz: %ld operations, seed %" PRIu64 "\n", atomic_load(&ops), seed);
	return 0;
}
