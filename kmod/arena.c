// SPDX-License-Identifier: GPL-2.0-only
/*
 * arena.c: stack arenas (doc/arenas.md).  A guarded "memory" attach with
 * va 0 puts its body into an arena of the caller's mm: one private
 * mapping of an anonymous-inode file of ours, whose ->fault hands out a
 * zeroed page inside a live body and SIGSEGV for a redzone or for space no
 * body holds.  The private mapping's copy-on-write turns what is written
 * into ordinary anonymous memory.  So a body costs an entry in a maple
 * tree, not a VMA.
 *
 * The table holds one entry per arena (SEGCTL_KIND_ARENA, its whole
 * range), on t->arenas too; the bodies ("spans": redzone, body, redzone,
 * in file pages) are in a map the arena's VMA holds.  fork's copy of the
 * VMA shares the map until either side changes its spans, which first
 * makes its own copy (arena_unshare).
 *
 * Lifetimes: the file holds the arena's geometry and a reference to this
 * module, so rmmod is refused while any arena is mapped; every VMA of the
 * arena holds the file.  The one zero page is the module's.
 *
 * Locking (doc/arenas.md §2): ->fault runs under mmap_lock read on both
 * kernels (6.12 retries a ->fault without ->map_pages under mmap_lock:
 * mm/memory.c vmf_can_call_fault), and reads the spans under RCU.  An
 * attach adds a span under t->lock, mmap_lock read and the map's mutex;
 * a detach removes one and zaps its pages under mmap_lock write, so no
 * fault that saw the span alive can map a page into it after the zap.
 * Replacing a VMA's map also takes mmap_lock write.  segfree zaps under
 * mmap_lock read: the span stays, so a racing fault is a legal one.
 *
 * What a caller makes (file, maps, maple nodes) is charged to its memory
 * cgroup: GFP_KERNEL_ACCOUNT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "arena.h"
#include "compat.h"
#include "segctl.h"

bool segctl_arenas = true;
unsigned long segctl_arena_spans = 1UL << 20;
atomic_long_t segctl_nr_arenas;
atomic_long_t segctl_nr_spans;

/* Read faults in bodies map it; never written (a write copies it). */
static struct page *arena_zero;


/* The file: what every copy of the arena has in common. */
struct segctl_arena_file {
	unsigned long	guard;		/* pages of redzone on each side */
	bool		mapped;		/* mmap only once, by us */
};

/* One VMA's spans, shared copy-on-write with fork's copies. */
struct segctl_arena_map {
	refcount_t	ref;		/* VMAs using it */
	struct mutex	lock;		/* insertions, under mmap_lock read */
	unsigned long	nspans;
	struct maple_tree spans;	/* [lo, hi] file pages -> body's attr */
};

static struct segctl_arena_map *arena_map_alloc(void)
{
	struct segctl_arena_map *map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);

	if (!map)
		return NULL;
	refcount_set(&map->ref, 1);
	mutex_init(&map->lock);
	mt_init_flags(&map->spans, MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU);
	return map;
}

static void arena_map_put(struct segctl_arena_map *map)
{
	if (!refcount_dec_and_test(&map->ref))
		return;
	atomic_long_sub(map->nspans, &segctl_nr_spans);
	mtree_destroy(&map->spans);
	mutex_destroy(&map->lock);
	kfree(map);
}

static unsigned long arena_guard(struct vm_area_struct *vma)
{
	struct segctl_arena_file *af = vma->vm_file->private_data;

	return af->guard;
}

/* The span holding pgoff in the VMA's map, or NULL; its attr as a value. */
static void *arena_span(struct vm_area_struct *vma, unsigned long pgoff,
			unsigned long *lo, unsigned long *hi)
{
	struct segctl_arena_map *map = vma->vm_private_data;
	MA_STATE(mas, &map->spans, pgoff, pgoff);
	void *entry;

	rcu_read_lock();
	entry = mas_walk(&mas);
	*lo = mas.index;
	*hi = mas.last;
	rcu_read_unlock();
	return entry;
}

static vm_fault_t arena_fault(struct vm_fault *vmf)
{
	unsigned long lo, hi, guard = arena_guard(vmf->vma);

	if (!arena_span(vmf->vma, vmf->pgoff, &lo, &hi) ||
	    vmf->pgoff < lo + guard || vmf->pgoff + guard > hi)
		return VM_FAULT_SIGSEGV;
	/* A write copies it (do_cow_fault); a read maps it read-only. */
	get_page(arena_zero);
	vmf->page = arena_zero;
	return 0;
}

/* fork's copy and mremap's new VMA share the spans until one changes them. */
static void arena_open(struct vm_area_struct *vma)
{
	struct segctl_arena_map *map = vma->vm_private_data;

	refcount_inc(&map->ref);
}

static void arena_close(struct vm_area_struct *vma)
{
	arena_map_put(vma->vm_private_data);
}

/* An arena changes only whole: no munmap, mprotect, mlock of part of it. */
static int arena_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct segctl_arena_vm_ops = {
	.open		= arena_open,
	.close		= arena_close,
	.may_split	= arena_may_split,
	.fault		= arena_fault,
};

static int arena_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct segctl_arena_file *af = file->private_data;
	struct segctl_arena_map *map;

	if (af->mapped || (vma->vm_flags & VM_SHARED))
		return -EINVAL;
	map = arena_map_alloc();
	if (!map)
		return -ENOMEM;
	af->mapped = true;
	vma->vm_private_data = map;
	vma->vm_ops = &segctl_arena_vm_ops;
	/* VM_DONTEXPAND: mremap may not grow it, and mlock leaves it alone. */
	segctl_vma_set_flags(vma, VM_DONTEXPAND);
	return 0;
}

static int arena_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	atomic_long_dec(&segctl_nr_arenas);
	return 0;
}

static const struct file_operations segctl_arena_fops = {
	.owner		= THIS_MODULE,	/* anon_inode_getfile takes a reference */
	.mmap		= arena_mmap,
	.release	= arena_release,
};

/*
 * The arena VMA a table entry stands for, if the mapping is still the one
 * we made: same range, our vm_ops, the protection we gave.  Caller holds
 * mmap_lock.
 */
static struct vm_area_struct *arena_vma(struct mm_struct *mm,
					const struct segctl_seg *s)
{
	unsigned long want = VM_READ | VM_WRITE, mask = VM_READ | VM_WRITE |
			     VM_EXEC | VM_SHARED;
	struct vm_area_struct *vma = vma_lookup(mm, s->start);

	if (!(s->attr & SEGCTL_ATTR_NOEXEC))
		want |= VM_EXEC;
	if (!vma || vma->vm_ops != &segctl_arena_vm_ops ||
	    vma->vm_start != s->start || vma->vm_end != s->end ||
	    (vma->vm_flags & mask) != want ||
	    arena_guard(vma) != s->guard >> PAGE_SHIFT)
		return NULL;
	return vma;
}

bool segctl_arena_matches(struct mm_struct *mm, const struct segctl_seg *s)
{
	return arena_vma(mm, s) != NULL;
}

static unsigned long arena_pgoff(struct vm_area_struct *vma, unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

static unsigned long arena_addr(struct vm_area_struct *vma, unsigned long pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/* The pieces (redzone, body, redzone) of the span [lo, hi]; 3. */
static int arena_pieces(struct vm_area_struct *vma, unsigned long lo,
			unsigned long hi, void *entry, struct segctl_piece p[3])
{
	unsigned long guard = arena_guard(vma);

	return segctl_pieces(p, arena_addr(vma, lo + guard),
			     (hi - lo + 1 - 2 * guard) << PAGE_SHIFT,
			     guard << PAGE_SHIFT, xa_to_value(entry),
			     SEGCTL_CLASS_MEMORY);
}

/*
 * Give the VMA spans of its own before they change, if fork shares them:
 * under mmap_lock write, since ->fault reads vm_private_data.  Nobody
 * changes a shared map, so it can be read without its lock.
 */
static int arena_unshare(struct vm_area_struct *vma)
{
	struct segctl_arena_map *old = vma->vm_private_data, *map;
	MA_STATE(mas, &old->spans, 0, 0);
	unsigned long *lohi, n = 0, i;
	void **entries;
	void *entry;
	int err = -ENOMEM;

	segctl_assert_mmap_write_locked(vma->vm_mm);
	if (refcount_read(&old->ref) == 1)
		return 0;
	map = arena_map_alloc();
	if (!map)
		return -ENOMEM;
	lohi = kvmalloc_array(old->nspans + 1, 2 * sizeof(*lohi),
			      GFP_KERNEL_ACCOUNT);
	entries = kvmalloc_array(old->nspans + 1, sizeof(*entries),
				 GFP_KERNEL_ACCOUNT);
	if (!lohi || !entries)
		goto free;
	rcu_read_lock();
	mas_for_each(&mas, entry, ULONG_MAX) {
		if (n == old->nspans)
			break;
		lohi[2 * n] = mas.index;
		lohi[2 * n + 1] = mas.last;
		entries[n++] = entry;
	}
	rcu_read_unlock();
	for (i = 0; i < n; i++) {
		err = mtree_insert_range(&map->spans, lohi[2 * i], lohi[2 * i + 1],
					 entries[i], GFP_KERNEL_ACCOUNT);
		if (err)
			goto free;
		map->nspans++;
		atomic_long_inc(&segctl_nr_spans);
	}
	vma->vm_private_data = map;
	kvfree(entries);
	kvfree(lohi);
	arena_map_put(old);
	return 0;

free:
	kvfree(entries);
	kvfree(lohi);
	arena_map_put(map);
	return err;
}

/*
 * Take the lowest run of pages free pages in the map of the VMA for a
 * body with attr, under the map's mutex: mtree_alloc_range is not used,
 * since 6.1's returns junk on an empty tree (lib/maple_tree.c mas_alloc);
 * mas_empty_area is what 6.1's mmap relies on.  -ENOSPC: no run that long.
 */
static int arena_insert(struct vm_area_struct *vma, struct segctl_arena_map *map,
			unsigned long pages, u32 attr, unsigned long *lo)
{
	unsigned long min = vma->vm_pgoff, max = min + vma_pages(vma) - 1;
	MA_STATE(mas, &map->spans, 0, 0);
	int err;

	lockdep_assert_held(&map->lock);
	if (pages > vma_pages(vma))
		return -ENOSPC;
	rcu_read_lock();
	err = mas_empty_area(&mas, min, max, pages);
	rcu_read_unlock();
	if (err || mas.index < min || mas.index > max - pages + 1)
		return -ENOSPC;
	*lo = mas.index;
	err = mtree_insert_range(&map->spans, *lo, *lo + pages - 1,
				 xa_mk_value(attr), GFP_KERNEL_ACCOUNT);
	if (err)
		return err == -EEXIST ? -ENOSPC : err;
	map->nspans++;
	atomic_long_inc(&segctl_nr_spans);
	return 0;
}

/*
 * Put bodies into the VMA's arena until all n have one (*placed of them
 * had before), the arena is full (-ENOSPC) or the mm holds cap spans
 * (-ENOMEM; *spans counts them): one hold of the map's mutex.
 */
static int arena_fill(struct vm_area_struct *vma, unsigned long pages, u32 attr,
		      unsigned long n, u64 *body, unsigned long *placed,
		      unsigned long *spans, unsigned long cap)
{
	struct segctl_arena_map *map = vma->vm_private_data;
	unsigned long lo;
	int err = 0;

	mutex_lock(&map->lock);
	while (*placed < n) {
		if (*spans >= cap) {
			err = -ENOMEM;
			break;
		}
		err = arena_insert(vma, map, pages, attr, &lo);
		if (err)
			break;
		body[(*placed)++] = arena_addr(vma, lo + arena_guard(vma));
		(*spans)++;
	}
	mutex_unlock(&map->lock);
	return err;
}

/* Does a guarded attach of these go into an arena?  (doc/arenas.md §4) */
bool segctl_arena_wants(const struct segctl_span *sp, u32 attr, u32 class)
{
	return READ_ONCE(segctl_arenas) &&
	       segctl_arena_fits(attr, class, sp->va, sp->guard);
}

/*
 * A new arena for bodies with this redzone and exec-ness, in the table.
 * Under t->lock, not mmap_lock (vm_mmap takes it).
 */
static long arena_create(struct segctl_table *t, const struct segctl_span *sp,
			 u32 attr)
{
	unsigned long per = sp->len + 2 * sp->guard, len, va;
	u32 noexec = attr & SEGCTL_ATTR_NOEXEC;
	struct segctl_arena_file *af;
	struct segctl_piece p;
	struct segctl_seg *s;
	struct file *file;
	long err;

	/* The size rule both backends share; a body too big for it gets its own. */
	len = segctl_arena_len(sp->guard, sp->len);
	if (len > segctl_top())
		len = per;
	af = kzalloc(sizeof(*af), GFP_KERNEL_ACCOUNT);
	if (!af)
		return -ENOMEM;
	af->guard = sp->guard >> PAGE_SHIFT;
	file = anon_inode_getfile("[segctl-arena]", &segctl_arena_fops, af,
				  O_RDWR);
	if (IS_ERR(file)) {
		kfree(af);
		return PTR_ERR(file);
	}
	atomic_long_inc(&segctl_nr_arenas);
	/* From here the file owns af.  NORESERVE: bodies are charged as used. */
	va = vm_mmap(file, 0, len, segctl_attr_prot(noexec),
		     MAP_PRIVATE | MAP_NORESERVE, 0);
	fput(file);
	if (IS_ERR_VALUE(va))
		return segctl_map_error((long)va, attr);
	p = (struct segctl_piece){ va, va + len, noexec, SEGCTL_CLASS_MEMORY };
	s = segctl_seg_new(&p, p.start, p.end, NULL);
	err = -ENOMEM;
	if (s) {
		s->kind = SEGCTL_KIND_ARENA;
		s->guard = sp->guard;
		err = segctl_seg_insert(t, s);
		if (err)
			segctl_seg_free(s);
	}
	if (err)
		vm_munmap(va, len);
	return err;
}

/*
 * Put bodies into the arenas of the mm with room until all n have one
 * (*placed of them had before): one mmap_lock section.  -ENOSPC: the
 * arenas are full.
 */
static long arena_place(struct segctl_table *t, const struct segctl_span *sp,
			u32 attr, unsigned long n, u64 *body,
			unsigned long *placed)
{
	unsigned long pages = (sp->len + 2 * sp->guard) >> PAGE_SHIFT;
	unsigned long spans = 0, cap = READ_ONCE(segctl_arena_spans);
	struct mm_struct *mm = t->mn.mm;
	struct segctl_arena_map *map;
	struct vm_area_struct *vma;
	struct segctl_seg *s;
	bool write = false;
	long err;

	mmap_read_lock(mm);
again:
	list_for_each_entry(s, &t->arenas, arena) {
		vma = arena_vma(mm, s);
		if (vma)
			spans += ((struct segctl_arena_map *)vma->vm_private_data)->nspans;
	}
	err = -ENOSPC;
	list_for_each_entry(s, &t->arenas, arena) {
		if (s->guard != sp->guard ||
		    (s->attr & SEGCTL_ATTR_NOEXEC) != (attr & SEGCTL_ATTR_NOEXEC))
			continue;
		vma = arena_vma(mm, s);
		if (!vma)
			continue;
		map = vma->vm_private_data;
		if (refcount_read(&map->ref) != 1) {
			if (!write) {
				mmap_read_unlock(mm);
				mmap_write_lock(mm);
				write = true;
				spans = 0;
				goto again;
			}
			err = arena_unshare(vma);
			if (err)
				break;
		}
		err = arena_fill(vma, pages, attr, n, body, placed, &spans, cap);
		if (err != -ENOSPC)
			break;
	}
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return err;
}

/**
 * segctl_arena_attach - segattachguarded into an arena
 * @t: the caller's table, locked
 * @sp: the rounded span (va 0, guard > 0)
 * @attr: the body's attributes (segctl_arena_wants() said yes)
 * @n: how many bodies
 * @body: out: the bodies' addresses
 *
 * Places the bodies in arenas of the mm with free runs, making new
 * arenas when none has room.  -ENOMEM when the mm would hold more than
 * arena_spans spans.  All or nothing: on failure the bodies placed are
 * detached again; only arenas made for them stay, empty, as after any
 * detach.
 */
long segctl_arena_attach(struct segctl_table *t, const struct segctl_span *sp,
			 u32 attr, unsigned long n, u64 *body)
{
	unsigned long placed = 0, before;
	bool made = false;
	long err;

	lockdep_assert_held(&t->lock);
	for (;;) {
		before = placed;
		err = arena_place(t, sp, attr, n, body, &placed);
		if (err != -ENOSPC)
			break;
		/* A new arena holds SEGCTL_ARENA_SPANS at least: not one fit. */
		if (made && placed == before) {
			err = -ENOMEM;
			break;
		}
		err = arena_create(t, sp, attr);
		if (err)
			break;
		made = true;
	}
	if (err && placed)
		segctl_arena_detach(t, body, placed, false);
	return err;
}

/* A span a detach takes away: sorted by arena, then place. */
struct arena_victim {
	struct vm_area_struct *vma;
	unsigned long	lo;
	unsigned long	hi;
};

static int arena_victim_cmp(const void *a, const void *b)
{
	const struct arena_victim *x = a, *y = b;

	if (x->vma != y->vma)
		return (unsigned long)x->vma < (unsigned long)y->vma ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/*
 * The span holding addr, or false when it is in no arena span of the
 * table's.  Under mmap_lock.
 */
static bool arena_find(struct segctl_table *t, unsigned long addr,
		       struct arena_victim *v)
{
	struct segctl_seg *s = mtree_load(&t->segs, addr);

	if (!s || s->kind != SEGCTL_KIND_ARENA)
		return false;
	v->vma = arena_vma(t->mn.mm, s);
	return v->vma && arena_span(v->vma, arena_pgoff(v->vma, addr),
				    &v->lo, &v->hi);
}

/**
 * segctl_arena_detach - segdetach of spans in arenas
 * @t: the caller's table, locked
 * @addrs: an address in each span, redzones included
 * @n: how many
 * @strict: all or nothing; else (undoing an attach) those still there
 *
 * Removes the spans and zaps their pages under one mmap_lock write: their
 * memory goes back at once.  -EINVAL when an address is in no span, or
 * two are in one; nothing is detached then.
 */
long segctl_arena_detach(struct segctl_table *t, const u64 *addrs,
			 unsigned long n, bool strict)
{
	struct mm_struct *mm = t->mn.mm;
	struct arena_victim one, *v = &one;
	struct segctl_arena_map *map;
	unsigned long i, j, k = 0;
	long err = 0;

	lockdep_assert_held(&t->lock);
	if (n > 1)
		v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	mmap_write_lock(mm);
	for (i = 0; i < n; i++) {
		if (arena_find(t, addrs[i], &v[k]))
			k++;
		else if (strict)
			goto inval;
	}
	sort(v, k, sizeof(*v), arena_victim_cmp, NULL);
	for (i = 1; i < k; i++)
		if (!arena_victim_cmp(&v[i - 1], &v[i]))
			goto inval;
	/* Unsharing changes no span: it may fail before anything goes. */
	for (i = 0; i < k; i++) {
		if (i && v[i].vma == v[i - 1].vma)
			continue;
		err = arena_unshare(v[i].vma);
		if (err)
			goto unlock;
	}
	/* Neighbours go in one zap: one page-table walk and TLB flush. */
	for (i = 0; i < k; i = j) {
		map = v[i].vma->vm_private_data;
		for (j = i; j < k && v[j].vma == v[i].vma &&
			    (j == i || v[j].lo == v[j - 1].hi + 1); j++) {
			mtree_erase(&map->spans, v[j].lo);
			map->nspans--;
			atomic_long_dec(&segctl_nr_spans);
		}
		segctl_zap(v[i].vma, arena_addr(v[i].vma, v[i].lo),
			   (v[j - 1].hi - v[i].lo + 1) << PAGE_SHIFT);
	}
	goto unlock;
inval:
	err = -EINVAL;
unlock:
	mmap_write_unlock(mm);
	if (v != &one)
		kvfree(v);
	return err;
}

/**
 * segctl_arena_piece - the redzone or body of the arena @s holding @addr
 * @mm: the table's mm
 * @s: the arena's entry
 * @addr: the address
 * @next: find the first piece starting at or above @addr instead
 * @p: out: the piece, as a guarded attach records it
 *
 * Returns 0, or -EINVAL when there is none (free space; the arena gone).
 */
int segctl_arena_piece(struct mm_struct *mm, const struct segctl_seg *s,
		       unsigned long addr, bool next, struct segctl_piece *p)
{
	struct segctl_piece pc[3];
	struct segctl_arena_map *map;
	struct vm_area_struct *vma;
	unsigned long pgoff;
	int i, n, round, err = -EINVAL;
	void *entry;

	mmap_read_lock(mm);
	vma = arena_vma(mm, s);
	if (!vma)
		goto unlock;
	map = vma->vm_private_data;
	pgoff = arena_pgoff(vma, max(addr, vma->vm_start));
	/* The span holding addr may have no piece left above it: then the next. */
	for (round = 0; round < 2 && err; round++) {
		MA_STATE(mas, &map->spans, pgoff, pgoff);

		rcu_read_lock();
		entry = next ? mas_find(&mas, ULONG_MAX) : mas_walk(&mas);
		rcu_read_unlock();
		if (!entry)
			break;
		n = arena_pieces(vma, mas.index, mas.last, entry, pc);
		for (i = 0; i < n && err; i++) {
			if (next ? pc[i].start >= addr :
				   addr >= pc[i].start && addr < pc[i].end) {
				*p = pc[i];
				err = 0;
			}
		}
		if (!next || mas.last == ULONG_MAX)
			break;
		pgoff = mas.last + 1;
	}
unlock:
	mmap_read_unlock(mm);
	return err;
}

/**
 * segctl_arena_free - segfree of [from, to) inside a body of the arena @s
 * @t: the caller's table, locked
 * @s: the arena's entry
 * @va: the address segfree was given: it must lie in a body
 * @from: the first whole page
 * @to: the end of the last whole page: at most the body's end
 *
 * The pages lose their contents and the body stays: they refault as zero.
 * -EINVAL for a redzone or free space, or a range past the body's end.
 */
long segctl_arena_free(struct segctl_table *t, const struct segctl_seg *s,
		       unsigned long va, unsigned long from, unsigned long to)
{
	struct mm_struct *mm = t->mn.mm;
	struct vm_area_struct *vma;
	struct segctl_piece p[3];
	unsigned long lo, hi;
	long err = -EINVAL;
	void *entry;

	mmap_read_lock(mm);
	vma = arena_vma(mm, s);
	if (!vma)
		goto unlock;
	entry = arena_span(vma, arena_pgoff(vma, va), &lo, &hi);
	if (!entry)
		goto unlock;
	arena_pieces(vma, lo, hi, entry, p);
	if (va < p[1].start || va >= p[1].end || to > p[1].end)
		goto unlock;
	if (from < to)
		segctl_zap(vma, from, to - from);
	err = 0;
unlock:
	mmap_read_unlock(mm);
	return err;
}

/* The spans in the arena @s now (debugfs). */
unsigned long segctl_arena_nspans(struct mm_struct *mm,
				  const struct segctl_seg *s)
{
	struct vm_area_struct *vma;
	unsigned long n = 0;

	mmap_read_lock(mm);
	vma = arena_vma(mm, s);
	if (vma)
		n = ((struct segctl_arena_map *)vma->vm_private_data)->nspans;
	mmap_read_unlock(mm);
	return n;
}

int segctl_arena_init(void)
{
	arena_zero = alloc_page(GFP_KERNEL | __GFP_ZERO);
	return arena_zero ? 0 : -ENOMEM;
}

/* No arena exists: each holds the module (segctl_arena_fops.owner). */
void segctl_arena_exit(void)
{
	put_page(arena_zero);
}
