// SPDX-License-Identifier: MIT
/*
 * The user backend: segments emulated with mmap, mlock and madvise, and a
 * process-local table (table.c) under one lock.  The lock is held across
 * the system calls of each request, so a request is atomic with respect
 * to the other threads' (the kernel holds mmap_lock the same way).
 *
 * Protections, mapping flags, the pieces of a guarded attach and the
 * spans of segfree, segflush and segbrk are the rules the module follows
 * too (linux/segctl_rules.h); what is this backend's own is how it commits
 * (mlock, then mincore), the guard markers of mapguarded and of its stack
 * arenas (arena.c), and its table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "segimpl.h"
#include "user.h"

/* The rules' own constants are libc's (linux/segctl_rules.h). */
_Static_assert(SEGCTL_PROT_NONE == PROT_NONE && SEGCTL_PROT_READ == PROT_READ &&
	       SEGCTL_PROT_WRITE == PROT_WRITE && SEGCTL_PROT_EXEC == PROT_EXEC,
	       "PROT_*");
_Static_assert(SEGCTL_MAP_SHARED == MAP_SHARED && SEGCTL_MAP_PRIVATE == MAP_PRIVATE &&
	       SEGCTL_MAP_ANONYMOUS == MAP_ANONYMOUS &&
	       SEGCTL_MAP_NORESERVE == MAP_NORESERVE, "MAP_*");
_Static_assert(SEGCTL_EPERM == EPERM && SEGCTL_ENOMEM == ENOMEM &&
	       SEGCTL_EINVAL == EINVAL, "errno");

static pthread_mutex_t tablock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t forkonce = PTHREAD_ONCE_INIT;

/*
 * The system calls themselves: ASan and friends replace mlock and munlock
 * with no-ops, and a committed segment must really be locked.  (Not lock
 * and unlock: those are lock(2)'s.)
 */
static int
sysmlock(uintptr_t p, unsigned long len)
{
	return syscall(SYS_mlock, p, len);
}

static int
sysmunlock(uintptr_t p, unsigned long len)
{
	return syscall(SYS_munlock, p, len);
}

/* An errno from the kernel or from a shared rule, in Plan 9's words. */
static int
maperror(int e)
{
	switch (e) {
	case EEXIST:
		return _segerror(EEXIST, _segEsoverlap);
	case EINVAL:
	case EPERM:	/* below vm.mmap_min_addr */
		return _segerror(EINVAL, _segEbadarg);
	}
	return _segerror(ENOMEM, _segEnovmem);
}

/*
 * Map len bytes at va (anywhere when va is 0, never over another mapping
 * otherwise).  0 or -1.
 */
static int
mapat(uintptr_t va, unsigned long len, int prot, int flags, uintptr_t *p)
{
	void *v;

	if (va != 0)
		flags |= MAP_FIXED_NOREPLACE;
	v = mmap((void *)va, len, prot, flags, -1, 0);
	if (v == MAP_FAILED)
		return maperror(errno);
	/* Before Linux 4.17 MAP_FIXED_NOREPLACE was only a hint. */
	if (va != 0 && (uintptr_t)v != va) {
		munmap(v, len);
		return _segerror(EEXIST, _segEsoverlap);
	}
	*p = (uintptr_t)v;
	return 0;
}

/*
 * Fault in and lock [p, p+len), and check that every page is resident:
 * all or nothing.  The caller unmaps on failure, which also unlocks.
 */
static int
commit(uintptr_t p, unsigned long len)
{
	unsigned char vec[1024];
	unsigned long n, i;

	if (sysmlock(p, len) < 0)
		return _segerror(errno == EPERM ? EPERM : ENOMEM, _segEcommit);
	for (; len > 0; p += n * BY2PG, len -= n * BY2PG) {
		n = len / BY2PG;
		if (n > sizeof vec)
			n = sizeof vec;
		if (mincore((void *)p, n * BY2PG, vec) < 0)
			return _segerror(ENOMEM, _segEcommit);
		for (i = 0; i < n; i++)
			if (!(vec[i] & 1))
				return _segerror(ENOMEM, _segEcommit);
	}
	return 0;
}

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102	/* Linux 6.13 */
#endif

int _segnoguards;	/* the kernel has no guard markers (or arenahook.h says so) */

/*
 * Since Linux 6.13 a redzone need not be a mapping of its own: guard
 * markers in the page table fault on any access, so a guarded "memory"
 * segment is one mapping, and neighbouring stacks merge into one VMA.
 * vm.max_map_count then limits segments, not redzones.  The kernel will
 * not put markers in locked memory, and 6.13 not in shared memory: those,
 * and older kernels, get PROT_NONE mappings (mapping the span first, the
 * body over it).  Returns 0, -1 to fall back, or -2 after a real error.
 */
static int
mapguarded(uintptr_t lo, const Segreq *r, int prot, int flags, uintptr_t *p)
{
	const struct segctl_span *sp = &r->span;
	unsigned long span = sp->len + 2 * sp->guard;

	if (__atomic_load_n(&_segnoguards, __ATOMIC_RELAXED) ||
	    (r->attr & SG_COMMIT) || r->class != SEGCTL_CLASS_MEMORY)
		return -1;
	if (mapat(lo, span, prot, flags, p) < 0)
		return -2;
	if (madvise((void *)*p, sp->guard, MADV_GUARD_INSTALL) == 0 &&
	    madvise((void *)(*p + sp->guard + sp->len), sp->guard, MADV_GUARD_INSTALL) == 0)
		return 0;
	if (errno == EINVAL)
		__atomic_store_n(&_segnoguards, 1, __ATOMIC_RELAXED);
	munmap((void *)*p, span);
	return -1;
}

static Seg *
newseg(const struct segctl_piece *p, Arena *a)
{
	Seg *s;

	s = malloc(sizeof *s);
	if (s == NULL)
		return NULL;
	*s = (Seg){ .base = p->start, .top = p->end, .attr = p->attr, .class = p->seg_class,
		    .arena = a };
	s->ring = s;
	return s;
}

static void
unring(Seg *s)
{
	Seg *p;

	for (p = s; p->ring != s; p = p->ring)
		;
	p->ring = s->ring;
	s->ring = s;
}

/* Forget s: out of the table, out of its trio, its share lock dropped. */
static void
dropseg(Seg *s)
{
	_segremove(s);
	unring(s);
	_segshrefrelease(s);
	free(s);
}

/* The bounds [*lo, *hi) of s's trio. */
static void
trio(Seg *s, uintptr_t *lo, uintptr_t *hi)
{
	Seg *p;

	*lo = s->base;
	*hi = s->top;
	for (p = s->ring; p != s; p = p->ring) {
		if (p->base < *lo)
			*lo = p->base;
		if (p->top > *hi)
			*hi = p->top;
	}
}

/* Forget s's arena span and its three segments; the arena frees it. */
static void
droparena(Seg *s)
{
	uintptr_t lo, hi;
	Arena *a;

	a = s->arena;
	trio(s, &lo, &hi);
	while (s->ring != s)
		dropseg(s->ring);
	dropseg(s);
	_segarenafree(a, lo, hi);
}

/*
 * The kernel just gave us [lo, hi), so a table entry there is a segment
 * the program unmapped behind our back, and an arena there one it
 * unmapped: forget them.  An arena span goes whole.
 */
void
_segdropstale(uintptr_t lo, uintptr_t hi)
{
	Seg *s;

	_segarenastale(lo, hi);
	while ((s = _segfindrange(lo, hi)) != NULL)
		if (s->arena != NULL)
			droparena(s);
		else
			dropseg(s);
}

/* Fork: the child gets a copy of the table; re-establish what fork breaks. */
static void
forkprepare1(Seg *s, void *arg)
{
	(void)arg;
	if (s->class == SEGCTL_CLASS_SHARED)
		_segshrefprepare1(s);
}

static void
forkprepare(void)
{
	pthread_mutex_lock(&tablock);
	_segshrefprepare();
	_segwalk(forkprepare1, NULL);
}

static void
forkparent(void)
{
	_segshrefparent();
	pthread_mutex_unlock(&tablock);
}

/*
 * mlock is not inherited: lock the child's committed pages again (for a
 * "memory" segment this copies them, so the child has its own resident
 * pages, as doc/contract.md §1.6 asks).  A child over its limit keeps them unlocked:
 * fork cannot fail here.
 */
static void
forkchild1(Seg *s, void *arg)
{
	(void)arg;
	if (s->attr & SG_COMMIT)
		sysmlock(s->base, s->top - s->base);
}

static void
forkchild(void)
{
	_segshrefchild();
	_segwalk(forkchild1, NULL);
	pthread_mutex_unlock(&tablock);
}

static void
setupfork(void)
{
	pthread_atfork(forkprepare, forkparent, forkchild);
}

/*
 * A guarded attach goes into an arena where it can (arena.c), else
 * reserves the whole span PROT_NONE in one mmap and maps the body over
 * its middle, so no other thread's mmap can land between the three.
 */
/*
 * Enter the pieces of an attach whose span starts at p and whose body is
 * at body (in arena a, or NULL) into the table: 0, or -1 with nothing
 * entered.
 */
static int
record(const Segreq *r, uintptr_t p, uintptr_t body, Arena *a)
{
	const struct segctl_span *sp = &r->span;
	struct segctl_piece pc[3];
	Seg *s[3];
	int i, n;

	n = segctl_pieces(pc, body, sp->len, sp->guard, r->attr, r->class);
	for (i = 0; i < n; i++)
		s[i] = newseg(&pc[i], a);
	if (a == NULL)
		_segdropstale(p, p + sp->len + 2 * sp->guard);
	for (i = 0; i < n; i++)
		if (s[i] == NULL || _seginsert(s[i]) < 0)
			break;
	if (i < n) {
		while (i-- > 0)
			_segremove(s[i]);
		for (i = 0; i < n; i++)
			free(s[i]);
		return _segerror(ENOMEM, _segEnovmem);
	}
	for (i = 0; i + 1 < n; i++)
		s[i]->ring = s[i + 1];
	s[n - 1]->ring = s[0];
	return 0;
}

static void *
attachlocked(const Segreq *r)
{
	const struct segctl_span *sp = &r->span;
	uintptr_t p, body, lo;
	unsigned long span;
	int prot, flags, zflags;
	Arena *a;
	int i;

	prot = segctl_attr_prot(r->attr);
	flags = segctl_map_flags(r->attr, r->class);
	span = sp->len + 2 * sp->guard;
	lo = sp->va != 0 ? sp->va - sp->guard : 0;

	a = NULL;
	if (segctl_arena_fits(r->attr, r->class, sp->va, sp->guard) &&
	    (i = _segarenaspan(sp->len, sp->guard, segctl_arena_prot(r->attr), &a, &p)) != -1) {
		if (i < 0)
			goto out;
		body = p + sp->guard;
	} else if (sp->guard == 0) {
		if (mapat(lo, span, prot, flags, &p) < 0)
			goto out;
		body = p;
	} else if ((i = mapguarded(lo, r, prot, flags, &p)) != -1) {
		if (i < 0)
			goto out;
		body = p + sp->guard;
	} else {
		zflags = segctl_map_flags(SG_NONE, SEGCTL_CLASS_MEMORY);
		if (mapat(lo, span, PROT_NONE, zflags, &p) < 0)
			goto out;
		body = p + sp->guard;
		if (mmap((void *)body, sp->len, prot, flags | MAP_FIXED, -1, 0) == MAP_FAILED) {
			maperror(errno);
			goto unmap;
		}
	}
	if ((r->attr & SG_COMMIT) && commit(body, sp->len) < 0)
		goto unmap;

	if (record(r, p, body, a) < 0)
		goto unmap;
	return (void *)body;

unmap:
	if (a != NULL)
		_segarenafree(a, p, p + span);
	else
		munmap((void *)p, span);
out:
	return (void *)-1;
}

static void *
uattach(const Segreq *r)
{
	void *v;

	/* Global segments live in the module; a process alone has none. */
	if (r->class == SEGCTL_CLASS_GLOBAL)
		return _segerrorp(EINVAL, _segEnoclass);
	pthread_once(&forkonce, setupfork);
	pthread_mutex_lock(&tablock);
	v = attachlocked(r);
	pthread_mutex_unlock(&tablock);
	return v;
}

/* Unmap and forget s and the rest of its attach (the lock held). */
static void
detachlocked(Seg *s)
{
	Seg *next;

	if (s->arena != NULL) {
		droparena(s);
		return;
	}
	do {
		next = s->ring != s ? s->ring : NULL;
		munmap((void *)s->base, s->top - s->base);
		dropseg(s);
		s = next;
	} while (s != NULL);
}

/*
 * n arena attaches: the spans taken and their markers removed at once
 * (arena.c), then entered.  0, -1 after an error (nothing made), or 1 when
 * arenas cannot be had here.
 */
static int
arenaattachn(const Segreq *r, int n, void **out)
{
	const struct segctl_span *sp = &r->span;
	unsigned long span = sp->len + 2 * sp->guard;
	uintptr_t *lo;
	Arena **a;
	int i, j, rv;

	a = malloc(n * (sizeof *a + sizeof *lo));
	if (a == NULL)
		return _segerror(ENOMEM, _segEnovmem);
	lo = (uintptr_t *)(a + n);
	rv = _segarenaspans(sp->len, sp->guard, segctl_arena_prot(r->attr), n, a, lo);
	if (rv == -1)
		rv = 1;
	else if (rv < 0)
		rv = -1;
	for (i = 0; rv == 0 && i < n; i++) {
		if (record(r, lo[i], lo[i] + sp->guard, a[i]) < 0) {
			for (j = 0; j < i; j++)
				droparena(_segfind(lo[j] + sp->guard));
			for (j = i; j < n; j++)
				_segarenafree(a[j], lo[j], lo[j] + span);
			rv = -1;
			break;
		}
		out[i] = (void *)(lo[i] + sp->guard);
	}
	free(a);
	return rv;
}

/* n attaches under one hold of the lock, undone on failure. */
static int
uattachn(const Segreq *r, int n, void **out)
{
	const char *text;
	int i, e;

	if (!segctl_arena_fits(r->attr, r->class, r->span.va, r->span.guard))
		return _segattacheach(r, n, out);
	pthread_once(&forkonce, setupfork);
	pthread_mutex_lock(&tablock);
	if ((i = arenaattachn(r, n, out)) <= 0) {
		pthread_mutex_unlock(&tablock);
		return i;
	}
	for (i = 0; i < n; i++) {
		out[i] = attachlocked(r);
		if (out[i] == (void *)-1)
			break;
	}
	if (i < n) {
		e = errno;
		text = segerrstr();
		while (i-- > 0)
			detachlocked(_segfind((uintptr_t)out[i]));
		pthread_mutex_unlock(&tablock);
		return _segerror(e, text);
	}
	pthread_mutex_unlock(&tablock);
	return 0;
}

static int
udetach(uintptr_t addr)
{
	Seg *s;

	pthread_mutex_lock(&tablock);
	s = _segfind(addr);
	if (s == NULL) {
		pthread_mutex_unlock(&tablock);
		return _segerror(EINVAL, _segEbadarg);
	}
	detachlocked(s);
	pthread_mutex_unlock(&tablock);
	return 0;
}

static int
bylo(const void *a, const void *b)
{
	const Arenaspan *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * n detaches under one hold of the lock, all or nothing: every address
 * must be a segment's, no attach named twice.  The arena spans go back
 * together, a run of neighbours at a time (arena.c).
 */
static int
udetachn(void *const *addrs, int n)
{
	Arenaspan *v;
	Seg *s;
	int i, k, rv;

	v = malloc(n * sizeof *v);
	if (v == NULL)
		return _segerror(ENOMEM, _segEnovmem);
	rv = 0;
	pthread_mutex_lock(&tablock);
	for (i = 0; i < n; i++) {
		if ((s = _segfind((uintptr_t)addrs[i])) == NULL)
			break;
		trio(s, &v[i].lo, &v[i].hi);
		v[i].a = s->arena;
	}
	qsort(v, i, sizeof *v, bylo);
	for (k = 1; k < i && v[k - 1].lo != v[k].lo; k++)
		;
	if (i < n || k < n) {
		rv = _segerror(EINVAL, _segEbadarg);
		goto out;
	}
	for (i = 0, k = 0; i < n; i++) {
		s = _segfind(v[i].lo);
		if (v[i].a == NULL) {
			detachlocked(s);
			continue;
		}
		while (s->ring != s)
			dropseg(s->ring);
		dropseg(s);
		v[k++] = v[i];
	}
	_segarenafreen(v, k);
out:
	pthread_mutex_unlock(&tablock);
	free(v);
	return rv;
}

/*
 * Whole pages inside the span lose their contents.  Locked pages cannot
 * be discarded, so a committed span is unlocked, discarded and committed
 * again (zero pages, resident and locked).  MADV_REMOVE frees a shared
 * segment's pages for every process mapping it; it needs write access,
 * and a segment nobody can write holds only zeros anyway.
 */
static int
ufree(uintptr_t va, unsigned long len)
{
	unsigned long from, to;
	Seg *s;
	int advice, rv;

	if ((rv = segctl_free_span(va, len, USTKTOP, &from, &to)) < 0)
		return maperror(-rv);
	rv = 0;
	pthread_mutex_lock(&tablock);
	s = _segfind(va);
	/* Plan 9's test: the last whole page must end inside the segment. */
	if (s == NULL || to > s->top) {
		rv = _segerror(EINVAL, _segEbadarg);
		goto out;
	}
	if (from >= to || (s->attr & SG_NONE))
		goto out;
	advice = MADV_DONTNEED;
	if (s->class == SEGCTL_CLASS_SHARED && !(s->attr & SG_RONLY))
		advice = MADV_REMOVE;
	if (s->attr & SG_COMMIT)
		sysmunlock(from, to - from);
	if (madvise((void *)from, to - from, advice) < 0)
		rv = _segerror(EINVAL, _segEbadarg);
	if ((s->attr & SG_COMMIT) && commit(from, to - from) < 0)
		rv = -1;
out:
	pthread_mutex_unlock(&tablock);
	return rv;
}

/* Grow s to top, committing the new pages if s is committed. */
static int
grow(Seg *s, uintptr_t top)
{
	uintptr_t p;

	if (mapat(s->top, top - s->top, segctl_attr_prot(s->attr),
		  segctl_map_flags(s->attr, s->class), &p) < 0)
		return -1;
	if ((s->attr & SG_COMMIT) && commit(p, top - p) < 0) {
		munmap((void *)p, top - p);
		return -1;
	}
	_segdropstale(p, top);
	s->top = top;
	return 0;
}

/*
 * Shrinking a segment another address space maps is refused, as Plan 9
 * refuses it: the other side may be using the pages.
 */
static int
shrink(Seg *s, uintptr_t top)
{
	if (s->class == SEGCTL_CLASS_SHARED && _segshrefothers(s, 0) > 0)
		return _segerror(EBUSY, _segEinuse);
	munmap((void *)top, s->top - top);
	s->top = top;
	return 0;
}

static void *
ubrk(uintptr_t saddr, uintptr_t addr)
{
	unsigned long top;
	void *rv;
	Seg *s;
	int r;

	rv = (void *)-1;
	pthread_mutex_lock(&tablock);
	s = _segfind(saddr);
	if (s == NULL) {
		_segerror(EINVAL, _segEbadarg);
		goto out;
	}
	if (addr == 0) {
		rv = (void *)s->base;
		goto out;
	}
	/* A guarded segment's body is pinned between its redzones. */
	if (s->ring != s) {
		_segerror(EINVAL, _segEbadarg);
		goto out;
	}
	r = segctl_brk_end(addr, s->base, USTKTOP, &top);
	if (r < 0) {
		maperror(-r);
		goto out;
	}
	if (top > s->top)
		r = grow(s, top);
	else if (top < s->top)
		r = shrink(s, top);
	if (r == 0)
		rv = NULL;
out:
	pthread_mutex_unlock(&tablock);
	return rv;
}

/* Every page of [va, va+len) lies in a segment; len 0 means va's page. */
static int
uflush(uintptr_t va, unsigned long len)
{
	unsigned long a, hi;
	Seg *s;
	int rv;

	if ((rv = segctl_flush_span(va, len, USTKTOP, &a, &hi)) < 0)
		return maperror(-rv);
	rv = 0;
	pthread_mutex_lock(&tablock);
	for (; a < hi; a = s->top) {
		s = _segfind(a);
		if (s == NULL) {
			rv = _segerror(EINVAL, _segEbadarg);
			break;
		}
	}
	pthread_mutex_unlock(&tablock);
	return rv;
}

struct listbuf {
	char	*p;
	size_t	n;
	size_t	cap;
	int	nomem;
};

static void
list1(Seg *s, void *arg)
{
	struct listbuf *b = arg;
	size_t cap;
	char *p;
	int ref;

	if (b->nomem)
		return;
	if (b->cap - b->n < SEGCTL_LINE_MAX) {
		cap = b->cap != 0 ? 2 * b->cap : 4096;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->nomem = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	ref = 1;
	if (s->class == SEGCTL_CLASS_SHARED)
		ref += _segshrefothers(s, 1);
	b->n += segctl_fmt_line(b->p + b->n, s->class, s->attr, s->base, s->top, ref);
}

/* Format under the lock, write after it: fd may be a slow pipe. */
static int
ulist(int fd)
{
	struct listbuf b = { 0 };
	int rv;

	pthread_mutex_lock(&tablock);
	_segwalk(list1, &b);
	pthread_mutex_unlock(&tablock);
	if (b.nomem)
		rv = _segerror(ENOMEM, _segEnovmem);
	else if (_segwriteall(fd, b.p, b.n) < 0)
		rv = _segerror(errno, strerrordesc_np(errno));
	else
		rv = 0;
	free(b.p);
	return rv;
}

const Segops _seguserops = {
	.name = "user",
	.id = SEG_BACKEND_USER,
	.attach = uattach,
	.attachn = uattachn,
	.detach = udetach,
	.detachn = udetachn,
	.free = ufree,
	.brk = ubrk,
	.flush = uflush,
	.list = ulist,
};
