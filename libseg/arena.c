// SPDX-License-Identifier: MIT
/*
 * The user backend's stack arenas (doc/arenas.md §4), Linux 6.13+: one
 * large reservation, read-write, with guard markers (MADV_GUARD_INSTALL)
 * over all of it, holds many guarded spans.  Making a span removes the
 * markers from its body (MADV_GUARD_REMOVE), so its redzones and every
 * byte no span holds still fault, and the arena stays one VMA however
 * many stacks it holds.  Freeing one puts the markers back, which also
 * discards the body's pages: RSS falls at once and the next body made
 * there reads zero.  Neither call takes mmap_lock for writing.
 *
 * Arenas are keyed by (guard, protection) (linux/segctl_rules.h), so a
 * span's size is its body's plus twice the arena's guard.  Free spans are
 * kept by size; a span is taken from a free list of its size, else from
 * the never-used top of an arena, else from a new arena.  An arena whose
 * last span goes is emptied, and unmapped unless it is the only one of its
 * key.  The caller holds the table lock (user.c) around every call.
 *
 * Fork copies the arenas with their markers (6.13's madvise_guard_install
 * gives the VMA an anon_vma so that fork copies its page tables; checked
 * on 6.18 by tests/libseg's arena_fork) and, with the rest of memory, this
 * file's state.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "segimpl.h"
#include "user.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102	/* Linux 6.13 */
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE	103
#endif
#ifndef PIDFD_SELF
#define PIDFD_SELF		-10000	/* Linux 6.15: the calling thread (its mm) */
#endif

/* Free spans of one size in one arena: their low ends. */
typedef struct Freelist Freelist;
struct Freelist {
	unsigned long	span;
	uintptr_t	*lo;
	size_t		n;
	size_t		cap;
};

struct Arena {
	uintptr_t	base;
	uintptr_t	top;
	uintptr_t	next;		/* [next, top) was never a span */
	unsigned long	guard;
	int		prot;
	int		dead;		/* unmapped behind our back: never used again */
	int		lost;		/* a freed span kept no markers: never reset */
	unsigned long	live;		/* spans made and not freed */
	Freelist	*free;
	int		nfree;
	Arena		*link;
};

int _segnoarena;
static Arena *arenas;

static int
keyed(const Arena *a, unsigned long guard, int prot)
{
	return !a->dead && a->guard == guard && a->prot == prot;
}

static Freelist *
freelist(Arena *a, unsigned long span, int make)
{
	Freelist *f;
	int i;

	for (i = 0; i < a->nfree; i++)
		if (a->free[i].span == span)
			return &a->free[i];
	if (!make)
		return NULL;
	f = realloc(a->free, (a->nfree + 1) * sizeof *f);
	if (f == NULL)
		return NULL;
	a->free = f;
	f = &a->free[a->nfree++];
	*f = (Freelist){ .span = span };
	return f;
}

/* A span of this size in a: its low end, or 0. */
static uintptr_t
take(Arena *a, unsigned long span)
{
	Freelist *f;
	uintptr_t lo;

	f = freelist(a, span, 0);
	if (f != NULL && f->n > 0)
		return f->lo[--f->n];
	if (a->top - a->next < span)
		return 0;
	lo = a->next;
	a->next += span;
	return lo;
}

/* Give back a span take just made, as if it had never been made. */
static void
untake(Arena *a, uintptr_t lo, unsigned long span)
{
	Freelist *f;

	if (lo + span == a->next) {
		a->next = lo;
		return;
	}
	f = freelist(a, span, 0);	/* it came off this list, which has room */
	f->lo[f->n++] = lo;
}

/*
 * A new arena for spans of guard and prot, big enough for len: 0, -1 when
 * this kernel has no guard markers, or -2 (errno set) when out of memory.
 */
static int
newarena(unsigned long len, unsigned long guard, int prot, Arena **ap)
{
	unsigned long n;
	int noguard;
	Arena *a;
	void *v;

	n = segctl_arena_len(guard, len);
	a = malloc(sizeof *a);
	if (a == NULL)
		goto nomem;
	v = mmap(NULL, n, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v == MAP_FAILED)
		goto nomem;
	if (madvise(v, n, MADV_GUARD_INSTALL) < 0) {
		noguard = errno == EINVAL;
		munmap(v, n);
		if (noguard) {
			__atomic_store_n(&_segnoguards, 1, __ATOMIC_RELAXED);
			free(a);
			return -1;
		}
		goto nomem;
	}
	*a = (Arena){ .base = (uintptr_t)v, .top = (uintptr_t)v + n, .next = (uintptr_t)v,
		      .guard = guard, .prot = prot };
	/* Whatever the table had there, the program unmapped. */
	_segdropstale(a->base, a->top);
	a->link = arenas;
	arenas = a;
	*ap = a;
	return 0;

nomem:
	free(a);
	_segerror(ENOMEM, _segEnovmem);
	return -2;
}

/*
 * Take a span of this size from an arena of guard and prot, a new one if
 * none has room: 0, or newarena's -1 or -2.
 */
static int
takespan(unsigned long len, unsigned long guard, int prot, Arena **ap, uintptr_t *lo)
{
	unsigned long span = len + 2 * guard;
	Arena *a;
	int rv;

	*lo = 0;
	for (a = arenas; a != NULL; a = a->link)
		if (keyed(a, guard, prot) && (*lo = take(a, span)) != 0)
			break;
	if (a == NULL) {
		if ((rv = newarena(len, guard, prot, &a)) < 0)
			return rv;
		*lo = take(a, span);
	}
	*ap = a;
	return 0;
}

/*
 * Remove the markers from the bodies of n spans: a process_madvise of
 * the caller's own mm takes any advice since Linux 6.15, so one call for
 * up to 64 bodies; elsewhere, and for one, one madvise each.  0 or -1.
 */
static int novector;

static int
unguard(const uintptr_t *lo, int n, unsigned long len, unsigned long guard)
{
	struct iovec iov[64];
	int i, m, done;
	long r;

	done = 0;
	while (n > 1 && done < n && !__atomic_load_n(&novector, __ATOMIC_RELAXED)) {
		m = n - done < 64 ? n - done : 64;
		for (i = 0; i < m; i++)
			iov[i] = (struct iovec){ (void *)(lo[done + i] + guard), len };
		r = syscall(SYS_process_madvise, PIDFD_SELF, iov, m, MADV_GUARD_REMOVE, 0);
		if (r != (long)(m * len)) {
			if (r < 0 && errno != ENOMEM && errno != EINTR)
				__atomic_store_n(&novector, 1, __ATOMIC_RELAXED);
			break;
		}
		done += m;
	}
	/* What the vector did not do (removing markers twice is harmless). */
	for (i = done; i < n; i++)
		if (madvise((void *)(lo[i] + guard), len, MADV_GUARD_REMOVE) < 0)
			return -1;
	return 0;
}

/*
 * n spans for bodies of len bytes between redzones of guard bytes, in
 * arenas of protection prot: their arenas and low ends, the bodies'
 * markers removed.  0; -1 when the attaches should take mappings of their
 * own (the hook, or no guard markers here); -2 after an error (errno and
 * the error string set), nothing taken.
 */
int
_segarenaspans(unsigned long len, unsigned long guard, int prot, int n, Arena **a,
	       uintptr_t *lo)
{
	int i, rv;

	if (__atomic_load_n(&_segnoarena, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&_segnoguards, __ATOMIC_RELAXED))
		return -1;
	for (i = 0; i < n; i++)
		if ((rv = takespan(len, guard, prot, &a[i], &lo[i])) < 0)
			break;
	if (i == n && unguard(lo, n, len, guard) == 0) {
		for (i = 0; i < n; i++)
			a[i]->live++;
		return 0;
	}
	if (i == n) {
		rv = -2;
		_segerror(ENOMEM, _segEnovmem);
	}
	while (i-- > 0)
		untake(a[i], lo[i], len + 2 * guard);
	return rv;
}

int
_segarenaspan(unsigned long len, unsigned long guard, int prot, Arena **ap, uintptr_t *lo)
{
	return _segarenaspans(len, guard, prot, 1, ap, lo);
}

static void
unlink1(Arena *a)
{
	Arena **l;
	int i;

	for (l = &arenas; *l != a; l = &(*l)->link)
		;
	*l = a->link;
	for (i = 0; i < a->nfree; i++)
		free(a->free[i].lo);
	free(a->free);
	free(a);
}

/* Another live arena of a's key, so that a may go. */
static int
another(const Arena *a)
{
	const Arena *b;

	for (b = arenas; b != NULL; b = b->link)
		if (b != a && keyed(b, a->guard, a->prot))
			return 1;
	return 0;
}

/* a's last span went: start it afresh, or give it back to the system. */
static void
empty(Arena *a)
{
	int i;

	if (a->dead) {
		unlink1(a);
		return;
	}
	if (a->lost || another(a)) {
		munmap((void *)a->base, a->top - a->base);
		unlink1(a);
		return;
	}
	a->next = a->base;
	for (i = 0; i < a->nfree; i++)
		a->free[i].n = 0;
}

/* Keep [lo, lo + span) for reuse; if there is no memory for that, lose it. */
static void
keep(Arena *a, uintptr_t lo, unsigned long span)
{
	Freelist *f;
	uintptr_t *v;
	size_t cap;

	if (lo + span == a->next) {
		a->next = lo;
		return;
	}
	f = freelist(a, span, 1);
	if (f == NULL)
		return;
	if (f->n == f->cap) {
		cap = f->cap ? 2 * f->cap : 16;
		v = realloc(f->lo, cap * sizeof *v);
		if (v == NULL)
			return;
		f->lo = v;
		f->cap = cap;
	}
	f->lo[f->n++] = lo;
}

/*
 * Free the span [lo, hi) of a: markers over its body again, which drops
 * its pages.  Should that fail (a fatal signal is pending), the pages are
 * dropped anyway, the span is not reused and the arena goes when empty.
 */
void
_segarenafree(Arena *a, uintptr_t lo, uintptr_t hi)
{
	void *body = (void *)(lo + a->guard);
	unsigned long len = hi - lo - 2 * a->guard;

	if (!a->dead) {
		if (madvise(body, len, MADV_GUARD_INSTALL) == 0)
			keep(a, lo, hi - lo);
		else {
			madvise(body, len, MADV_DONTNEED);
			a->lost = 1;
		}
	}
	if (--a->live == 0)
		empty(a);
}

/*
 * Free the spans v[0..n), sorted by address: markers over each run of
 * neighbours in one call (their redzones have markers already), so that
 * 64 stacks cost about what 5 do one by one.  A run whose call fails
 * goes one span at a time.  From the top down, so that spans at an
 * arena's never-used top go back to it; an arena's spans are all
 * together in v, so it empties (and may go) only at its last.
 */
void
_segarenafreen(const Arenaspan *v, int n)
{
	int i, j, k;
	Arena *a;

	for (j = n; j > 0; j = i) {
		a = v[j - 1].a;
		for (i = j - 1; i > 0 && v[i - 1].a == a && v[i - 1].hi == v[i].lo; i--)
			;
		if (a->dead || j - i == 1 ||
		    madvise((void *)(v[i].lo + a->guard), v[j - 1].hi - v[i].lo - 2 * a->guard,
			    MADV_GUARD_INSTALL) < 0) {
			for (k = j - 1; k >= i; k--)
				_segarenafree(a, v[k].lo, v[k].hi);
			continue;
		}
		for (k = j - 1; k >= i; k--) {
			keep(a, v[k].lo, v[k].hi - v[k].lo);
			if (--a->live == 0)
				empty(a);
		}
	}
}

/*
 * The kernel just gave us [lo, hi) for something else, so an arena there
 * was unmapped behind our back: never make spans in it again.  Its spans
 * are forgotten as the table drops their segments (_segarenafree).
 */
void
_segarenastale(uintptr_t lo, uintptr_t hi)
{
	Arena *a, *next;

	for (a = arenas; a != NULL; a = next) {
		next = a->link;
		if (a->base < hi && lo < a->top) {
			a->dead = 1;
			if (a->live == 0)
				unlink1(a);
		}
	}
}
