/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * segctl_rules.h: the segment rules of doc/contract.md §1, written once for
 * both backends: the module (kmod/) and libseg's user-space emulation.
 *
 * Not part of the ABI and never installed.  It sits beside linux/segctl.h
 * because that is the one directory both builds already search: the
 * module's Kbuild (SEGCTL_UAPI, and the DKMS copy made by 'make dkms-src')
 * and every user-space build (-Iinclude/uapi).  So it may use nothing but
 * plain C and segctl.h's constants: no kernel and no libc header.  Where a
 * rule needs a value the kernel and libc both define (PROT_*, MAP_*,
 * errno numbers), it has its own constant with the Linux x86-64 value, and
 * each backend asserts at compile time that the two agree.
 *
 * Every function is static inline, so neither binary exports anything.
 */
#ifndef _LINUX_SEGCTL_RULES_H
#define _LINUX_SEGCTL_RULES_H

#include <linux/segctl.h>

/* x86-64 only (doc/contract.md §2): 4 KiB pages, 64-bit longs. */
#define SEGCTL_PAGE_SIZE	4096UL
#define SEGCTL_PAGE_MASK	(~(SEGCTL_PAGE_SIZE - 1))
/*
 * The top of segment space for a 64-bit task: the default mmap window,
 * 2^47 - 4096, Plan 9's amd64 USTKTOP, even where 5-level paging allows
 * more.  The module lowers it for a 32-bit task.
 */
#define SEGCTL_TOP		0x7ffffffff000UL

_Static_assert(sizeof(unsigned long) == 8, "segctl is for LP64 (x86-64) only");

/* Errors a rule can give, with their Linux values (each backend asserts). */
#define SEGCTL_EPERM		1
#define SEGCTL_ENOMEM		12
#define SEGCTL_EINVAL		22

/* Protections and mmap flags, with their Linux x86-64 values. */
#define SEGCTL_PROT_NONE	0x0
#define SEGCTL_PROT_READ	0x1
#define SEGCTL_PROT_WRITE	0x2
#define SEGCTL_PROT_EXEC	0x4
#define SEGCTL_MAP_SHARED	0x01
#define SEGCTL_MAP_PRIVATE	0x02
#define SEGCTL_MAP_ANONYMOUS	0x20
#define SEGCTL_MAP_NORESERVE	0x4000

/* What a redzone inherits from its body: it goes when the body goes. */
#define SEGCTL_ATTR_ZONE_KEEP	(SEGCTL_ATTR_CEXEC | SEGCTL_ATTR_SAS)
/* The attributes a global segment may be attached with (§1.8). */
#define SEGCTL_ATTR_GLOBAL_OK	(SEGCTL_ATTR_RONLY | SEGCTL_ATTR_CEXEC | \
				 SEGCTL_ATTR_SAS)
/* Never together (§1.2): a redzone has no pages to commit. */
#define SEGCTL_ATTR_EXCLUSIVE	(SEGCTL_ATTR_NONE | SEGCTL_ATTR_COMMIT)

/* §1.2: no unknown bit, and not SG_NONE with SG_COMMIT. */
static inline int segctl_attr_valid(unsigned int attr)
{
	return (attr & ~SEGCTL_ATTR_ALL) == 0 &&
	       (attr & SEGCTL_ATTR_EXCLUSIVE) != SEGCTL_ATTR_EXCLUSIVE;
}

/* §1.8: a global segment is neither a redzone, committed nor non-executable. */
static inline int segctl_attr_global_valid(unsigned int attr)
{
	return (attr & ~SEGCTL_ATTR_GLOBAL_OK) == 0;
}

/*
 * The protection of a segment: none for a redzone; otherwise readable,
 * writable unless SG_RONLY, executable unless SG_NOEXEC, as Plan 9's
 * memory segments are.
 */
static inline unsigned long segctl_attr_prot(unsigned int attr)
{
	unsigned long prot = SEGCTL_PROT_READ;

	if (attr & SEGCTL_ATTR_NONE)
		return SEGCTL_PROT_NONE;
	if (!(attr & SEGCTL_ATTR_RONLY))
		prot |= SEGCTL_PROT_WRITE;
	if (!(attr & SEGCTL_ATTR_NOEXEC))
		prot |= SEGCTL_PROT_EXEC;
	return prot;
}

/*
 * The mapping that holds a segment: "memory" private (copy-on-write across
 * fork), "shared" shared, both anonymous; a redzone has no pages to share
 * and reserves none.  How SG_COMMIT pages are locked is the backend's.
 */
static inline unsigned long segctl_map_flags(unsigned int attr,
					     unsigned int seg_class)
{
	if (attr & SEGCTL_ATTR_NONE)
		return SEGCTL_MAP_PRIVATE | SEGCTL_MAP_ANONYMOUS |
		       SEGCTL_MAP_NORESERVE;
	return (seg_class == SEGCTL_CLASS_SHARED ? SEGCTL_MAP_SHARED :
						   SEGCTL_MAP_PRIVATE) |
	       SEGCTL_MAP_ANONYMOUS;
}

static inline unsigned long segctl_page_down(unsigned long x)
{
	return x & SEGCTL_PAGE_MASK;
}

/* x must be at most SEGCTL_TOP (or anything that cannot wrap). */
static inline unsigned long segctl_page_up(unsigned long x)
{
	return (x + SEGCTL_PAGE_SIZE - 1) & SEGCTL_PAGE_MASK;
}

/* An attach's place after Plan 9's rounding (§1.3, §1.5). */
struct segctl_span {
	unsigned long	va;	/* page aligned; 0: anywhere */
	unsigned long	len;	/* whole pages, > 0 */
	unsigned long	guard;	/* whole pages of redzone each side; 0: none */
};

/*
 * The one attach normaliser (§1.3): len grows by va's offset in its page
 * and is rounded up, va is rounded down, guard rounded up.  The whole span
 * [va - guard, va + len + guard) must lie below top (the caller's
 * segctl top, at most SEGCTL_TOP).  Lengths above top can never fit, and
 * refusing them first keeps every sum below from wrapping.  0, or
 * -SEGCTL_EINVAL.
 */
static inline int segctl_span_round(struct segctl_span *sp, unsigned long va,
				    unsigned long len, unsigned long guard,
				    unsigned long top)
{
	if (len == 0 || len > top || guard > top || va >= top)
		return -SEGCTL_EINVAL;
	sp->len = segctl_page_up(len + (va & ~SEGCTL_PAGE_MASK));
	sp->va = segctl_page_down(va);
	sp->guard = segctl_page_up(guard);
	if (sp->len + 2 * sp->guard > top)
		return -SEGCTL_EINVAL;
	/* Without sums that could wrap: len + 2 * guard <= top. */
	if (sp->va && (sp->va < sp->guard ||
		       sp->va > top - sp->len - sp->guard))
		return -SEGCTL_EINVAL;
	return 0;
}

/* One segment of an attach: a redzone or a body. */
struct segctl_piece {
	unsigned long	start;
	unsigned long	end;
	unsigned int	attr;
	unsigned int	seg_class;
};

/*
 * The segments one attach makes (§1.5): the body alone, or redzone, body,
 * redzone, the redzones "memory" with SG_NONE and the body's SG_CEXEC and
 * SG_SAS.  Fills p[] in ascending order and returns how many (1 or 3); the
 * body is p[segctl_body_index(guard)].
 */
static inline int segctl_body_index(unsigned long guard)
{
	return guard ? 1 : 0;
}

static inline int segctl_pieces(struct segctl_piece p[3], unsigned long body,
				unsigned long len, unsigned long guard,
				unsigned int attr, unsigned int seg_class)
{
	unsigned int zone = SEGCTL_ATTR_NONE | (attr & SEGCTL_ATTR_ZONE_KEEP);
	int b = segctl_body_index(guard);

	p[b].start = body;
	p[b].end = body + len;
	p[b].attr = attr;
	p[b].seg_class = seg_class;
	if (!guard)
		return 1;
	p[0].start = body - guard;
	p[0].end = body;
	p[2].start = body + len;
	p[2].end = body + len + guard;
	p[0].attr = p[2].attr = zone;
	p[0].seg_class = p[2].seg_class = SEGCTL_CLASS_MEMORY;
	return 3;
}

/*
 * Stack arenas (doc/arenas.md): a guarded "memory" attach with no address,
 * no SG_COMMIT and a writable body may go into an arena, one mapping
 * holding many spans (redzone, body, redzone) whose redzones and free
 * space fault.  Arenas are keyed by (guard, exec): every span of one has
 * the same redzones and the same protection.  SG_COMMIT bodies are locked
 * and read-only or SG_NONE ones need protections of their own: those, and
 * fixed attaches, take ordinary mappings.
 */
#define SEGCTL_ARENA_MIN	(1UL << 30)	/* bytes of address space, reserved only */
#define SEGCTL_ARENA_SPANS	64		/* at least this many spans of the size asked */

static inline int segctl_arena_fits(unsigned int attr, unsigned int seg_class,
				    unsigned long va, unsigned long guard)
{
	return seg_class == SEGCTL_CLASS_MEMORY && va == 0 && guard != 0 &&
	       !(attr & (SEGCTL_ATTR_COMMIT | SEGCTL_ATTR_NONE |
			 SEGCTL_ATTR_RONLY));
}

/* The arena's protection: its bodies', so executable unless SG_NOEXEC. */
static inline unsigned long segctl_arena_prot(unsigned int attr)
{
	return segctl_attr_prot(attr & SEGCTL_ATTR_NOEXEC);
}

/*
 * The length of a new arena for a body of len bytes between redzones of
 * guard bytes (both whole pages, their sum below SEGCTL_TOP, as
 * segctl_span_round leaves them): SEGCTL_ARENA_MIN, or SEGCTL_ARENA_SPANS
 * spans when that is more.  Never wraps: 64 * 2^47 < 2^64.
 */
static inline unsigned long segctl_arena_len(unsigned long guard,
					     unsigned long len)
{
	unsigned long span = len + 2 * guard;

	if (span > SEGCTL_ARENA_MIN / SEGCTL_ARENA_SPANS)
		return span * SEGCTL_ARENA_SPANS;
	return SEGCTL_ARENA_MIN;
}

/*
 * A batch (segattachguardedn, segdetachn; SEGCTL_ATTACHN, SEGCTL_DETACHN):
 * 1 to SEGCTL_BATCH_MAX segments.  Only attaches that go into arenas
 * batch: the same len, guard and attributes for every body.
 */
static inline int segctl_batch_count_valid(long n)
{
	return n > 0 && n <= SEGCTL_BATCH_MAX;
}

/*
 * segfree's span (§1.4): the whole pages inside [va, va + len), as
 * [*from, *to); empty when *from >= *to.  Plan 9's test is then that *to
 * lies inside the segment holding va.  0, or -SEGCTL_EINVAL.
 */
static inline int segctl_free_span(unsigned long va, unsigned long len,
				   unsigned long top, unsigned long *from,
				   unsigned long *to)
{
	if (va >= top || len > top)
		return -SEGCTL_EINVAL;
	*from = segctl_page_up(va);
	*to = segctl_page_down(va + len);
	return 0;
}

/*
 * segflush's span (§1.4): every page [va, va + len) touches, and at least
 * va's, as [*from, *to) with *from < *to.  0, or -SEGCTL_EINVAL for a
 * range that leaves user space or wraps.
 */
static inline int segctl_flush_span(unsigned long va, unsigned long len,
				    unsigned long top, unsigned long *from,
				    unsigned long *to)
{
	if (va >= top || len > top - va)
		return -SEGCTL_EINVAL;
	*from = segctl_page_down(va);
	*to = len ? segctl_page_up(va + len) : *from + SEGCTL_PAGE_SIZE;
	return 0;
}

/*
 * segbrk's new end (§1.4) for a segment [base, end) that the backend has
 * found and may move (not a guarded body, not a global segment): addr
 * rounded up to a page, above base.  0 with *newend, -SEGCTL_EINVAL past
 * top, or -SEGCTL_ENOMEM at or below the base.
 */
static inline int segctl_brk_end(unsigned long addr, unsigned long base,
				 unsigned long top, unsigned long *newend)
{
	if (addr > top)
		return -SEGCTL_EINVAL;
	if (addr <= base)
		return -SEGCTL_ENOMEM;
	*newend = segctl_page_up(addr);
	return 0;
}

/*
 * The listing (§1.7): one line per segment in 9front's /proc/n/segment
 * layout,
 *
 *	memory R C    7f0000000000 7f0000100000    1
 *
 * the class padded to 6; flags R (read-only) N (none) C (commit) S (SAS)
 * X (close on exec), each in its own column, blank when unset; base and
 * top in lower-case hex, at least 12 wide; the number of address spaces
 * holding the segment, at least 4 wide; a newline.  A global segment is
 * listed as "shared".
 */
#define SEGCTL_LINE_MAX	64	/* 6+1+5+1+16+1+16+1+10+1, and a NUL */

static inline int segctl_fmt_num(char *p, unsigned long v, unsigned int radix,
				 int width)
{
	char digits[20];
	int n = 0, i = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % radix];
		v /= radix;
	} while (v);
	for (; width > n; width--)
		p[i++] = ' ';
	while (n)
		p[i++] = digits[--n];
	return i;
}

/* Formats the line, NUL-terminated, into buf; returns its length. */
static inline int segctl_fmt_line(char buf[SEGCTL_LINE_MAX],
				  unsigned int seg_class, unsigned int attr,
				  unsigned long base, unsigned long top,
				  unsigned int ref)
{
	static const struct {
		unsigned int	bit;
		char		letter;
	} flags[] = {
		{ SEGCTL_ATTR_RONLY, 'R' }, { SEGCTL_ATTR_NONE, 'N' },
		{ SEGCTL_ATTR_COMMIT, 'C' }, { SEGCTL_ATTR_SAS, 'S' },
		{ SEGCTL_ATTR_CEXEC, 'X' },
	};
	const char *name = seg_class == SEGCTL_CLASS_MEMORY ? "memory" :
							       "shared";
	unsigned int i;
	int n = 0;

	while (*name)
		buf[n++] = *name++;
	buf[n++] = ' ';
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		buf[n++] = attr & flags[i].bit ? flags[i].letter : ' ';
	buf[n++] = ' ';
	n += segctl_fmt_num(buf + n, base, 16, 12);
	buf[n++] = ' ';
	n += segctl_fmt_num(buf + n, top, 16, 12);
	buf[n++] = ' ';
	n += segctl_fmt_num(buf + n, ref, 10, 4);
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

#endif /* _LINUX_SEGCTL_RULES_H */
