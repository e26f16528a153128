// SPDX-License-Identifier: MIT
/*
 * The user backend's segment table: a balanced tree (glibc's tsearch, a
 * red-black tree) ordered by address.  Segments never overlap, so "holds
 * an address" and "overlaps a range" are both the tree's equality, and
 * each lookup is O(log n).  The caller locks.
 */
#include <search.h>
#include <stddef.h>
#include "user.h"

static void *root;

static int
cmp(const void *a, const void *b)
{
	const Seg *x = a, *y = b;

	if (x->top <= y->base)
		return -1;
	if (x->base >= y->top)
		return 1;
	return 0;
}

/* A segment overlapping [lo, hi), or NULL. */
Seg *
_segfindrange(uintptr_t lo, uintptr_t hi)
{
	Seg key = { .base = lo, .top = hi };
	void *n;

	if (hi <= lo)
		return NULL;
	n = tfind(&key, &root, cmp);
	return n != NULL ? *(Seg **)n : NULL;
}

Seg *
_segfind(uintptr_t addr)
{
	return _segfindrange(addr, addr + 1);
}

/* -1 when out of memory; the caller made sure nothing overlaps s. */
int
_seginsert(Seg *s)
{
	return tsearch(s, &root, cmp) != NULL ? 0 : -1;
}

void
_segremove(Seg *s)
{
	tdelete(s, &root, cmp);
}

struct walk {
	void	(*f)(Seg *, void *);
	void	*arg;
};

static void
visit(const void *n, VISIT v, void *arg)
{
	struct walk *w = arg;

	if (v == postorder || v == leaf)
		w->f(*(Seg *const *)n, w->arg);
}

/* f on every segment in ascending order; f must not change the tree. */
void
_segwalk(void (*f)(Seg *, void *), void *arg)
{
	struct walk w = { f, arg };

	twalk_r(root, visit, &w);
}
