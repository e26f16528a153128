// SPDX-License-Identifier: GPL-2.0-only
/*
 * arena.c: stack arenas, the prototype of doc/arenas.md.
 *
 * An arena is one private mapping of an anonymous-inode file of ours.  Its
 * ->fault hands out a zeroed page for an address inside a live body, and
 * SIGSEGV for a redzone or for space no body holds; the private mapping's
 * copy-on-write turns what is written into ordinary anonymous memory.  So
 * a body costs an entry in a maple tree, not a VMA.
 *
 * Lifetimes: the file holds the arena (its zero page and geometry) and a
 * reference to this module, so rmmod is refused while any arena is mapped;
 * every VMA of the arena holds the file.  The spans (bodies with their
 * redzones) are per VMA, in a map the VMA holds a reference to: fork's copy
 * shares it until either side changes its spans, which first makes its own
 * copy (arena_unshare).
 *
 * Locking: ->fault runs under mmap_lock read on both kernels (6.12 retries
 * a ->fault without ->map_pages under mmap_lock: mm/memory.c
 * vmf_can_call_fault), and reads the spans under RCU.  ALLOC adds a span
 * under mmap_lock read and the map's mutex; FREE removes one and zaps its
 * pages under mmap_lock write, so no fault that saw the span alive can map
 * a page into it after the zap.  Replacing a VMA's map also takes
 * mmap_lock write.
 *
 * What a caller makes (arena, maps, maple nodes) is charged to its memory
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
#include <linux/version.h>

#include "arena.h"
#include "compat.h"
#include "segctl.h"

/* The file: what every copy of the arena has in common. */
struct segctl_arena_file {
	struct page	*zero;		/* read faults in bodies map this */
	unsigned long	guard;		/* pages of redzone on each side */
	bool		mapped;		/* mmap only once, by us */
};

/* One VMA's spans, shared copy-on-write with fork's copies. */
struct segctl_arena_map {
	refcount_t	ref;		/* VMAs using it */
	struct mutex	lock;		/* ALLOCs, under mmap_lock read */
	unsigned long	nspans;
	struct maple_tree spans;	/* [lo, hi] file pages -> a value */
};

/* Any non-NULL entry; a span is all the tree needs to say. */
#define ARENA_SPAN	xa_mk_value(1)

/* 6.3 made vm_flags const behind accessors that also lock the VMA. */
static void arena_vma_set_flags(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

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
	mtree_destroy(&map->spans);
	mutex_destroy(&map->lock);
	kfree(map);
}

/* The span holding pgoff in the VMA's map: false if there is none. */
static bool arena_span(struct vm_area_struct *vma, unsigned long pgoff,
		       unsigned long *lo, unsigned long *hi)
{
	struct segctl_arena_map *map = vma->vm_private_data;
	MA_STATE(mas, &map->spans, pgoff, pgoff);
	bool found;

	rcu_read_lock();
	found = mas_walk(&mas);
	*lo = mas.index;
	*hi = mas.last;
	rcu_read_unlock();
	return found;
}

static vm_fault_t arena_fault(struct vm_fault *vmf)
{
	struct segctl_arena_file *af = vmf->vma->vm_file->private_data;
	unsigned long lo, hi;

	if (!arena_span(vmf->vma, vmf->pgoff, &lo, &hi) ||
	    vmf->pgoff < lo + af->guard || vmf->pgoff + af->guard > hi)
		return VM_FAULT_SIGSEGV;
	/* A write copies it (do_cow_fault); a read maps it read-only. */
	get_page(af->zero);
	vmf->page = af->zero;
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
	arena_vma_set_flags(vma, VM_DONTEXPAND);
	return 0;
}

static int arena_release(struct inode *inode, struct file *file)
{
	struct segctl_arena_file *af = file->private_data;

	put_page(af->zero);
	kfree(af);
	return 0;
}

static const struct file_operations segctl_arena_fops = {
	.owner		= THIS_MODULE,	/* anon_inode_getfile takes a reference */
	.mmap		= arena_mmap,
	.release	= arena_release,
};

/* The arena VMA holding addr in the caller's mm, under its mmap_lock. */
static struct vm_area_struct *arena_vma(unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, addr);

	if (!vma || vma->vm_ops != &segctl_arena_vm_ops)
		return NULL;
	return vma;
}

static unsigned long arena_pgoff(struct vm_area_struct *vma, unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

static unsigned long arena_addr(struct vm_area_struct *vma, unsigned long pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/* Copy up to max of map's spans into lohi as [lo, hi] pairs; their count. */
static unsigned long arena_snapshot(struct segctl_arena_map *map,
				    unsigned long *lohi, unsigned long max)
{
	MA_STATE(mas, &map->spans, 0, 0);
	unsigned long n = 0;
	void *entry;

	rcu_read_lock();
	mas_for_each(&mas, entry, ULONG_MAX) {
		if (n == max)
			break;
		lohi[2 * n] = mas.index;
		lohi[2 * n + 1] = mas.last;
		n++;
	}
	rcu_read_unlock();
	return n;
}

/*
 * Give the VMA spans of its own before they change, if fork shares them:
 * under mmap_lock write, since ->fault reads vm_private_data.  Nobody
 * changes a shared map, so it can be read without its lock.
 */
static int arena_unshare(struct vm_area_struct *vma)
{
	struct segctl_arena_map *old = vma->vm_private_data, *map;
	unsigned long *lohi, n, i;
	int err = -ENOMEM;

	segctl_assert_mmap_write_locked(vma->vm_mm);
	if (refcount_read(&old->ref) == 1)
		return 0;
	map = arena_map_alloc();
	if (!map)
		return -ENOMEM;
	lohi = kvmalloc_array(old->nspans + 1, 2 * sizeof(*lohi), GFP_KERNEL);
	if (!lohi)
		goto map;
	n = arena_snapshot(old, lohi, old->nspans);
	for (i = 0; i < n; i++) {
		err = mtree_insert_range(&map->spans, lohi[2 * i], lohi[2 * i + 1],
					 ARENA_SPAN, GFP_KERNEL_ACCOUNT);
		if (err)
			goto lohi;
	}
	map->nspans = n;
	vma->vm_private_data = map;
	kvfree(lohi);
	arena_map_put(old);
	return 0;

lohi:
	kvfree(lohi);
map:
	arena_map_put(map);
	return err;
}

static long arena_create(struct segctl_arena *r)
{
	unsigned long len = PAGE_ALIGN(r->len), guard = PAGE_ALIGN(r->guard);
	struct segctl_arena_file *af;
	struct file *file;
	unsigned long va;
	long err;

	if (r->addr || !r->len || !r->guard || len < r->len || guard < r->guard)
		return -EINVAL;
	/* Room for one body of a page between its redzones. */
	if (guard > len / 2 || len - 2 * guard < PAGE_SIZE)
		return -EINVAL;
	if (len > segctl_top())
		return -ENOMEM;
	af = kzalloc(sizeof(*af), GFP_KERNEL_ACCOUNT);
	if (!af)
		return -ENOMEM;
	af->zero = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!af->zero) {
		err = -ENOMEM;
		goto af;
	}
	af->guard = guard >> PAGE_SHIFT;
	file = anon_inode_getfile("[segctl-arena]", &segctl_arena_fops, af, O_RDWR);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto zero;
	}
	/* From here the file owns af.  NORESERVE: bodies are charged as used. */
	va = vm_mmap(file, 0, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_NORESERVE, 0);
	fput(file);
	if (IS_ERR_VALUE(va))
		return (long)va;
	r->addr = va;
	r->len = len;
	r->guard = guard;
	return 0;

zero:
	put_page(af->zero);
af:
	kfree(af);
	return err;
}

/*
 * Take the lowest run of pages free pages in the VMA's map: mtree_alloc_range
 * is not used, since 6.1's returns junk on an empty tree (lib/maple_tree.c
 * mas_alloc); mas_empty_area is what 6.1's mmap relies on.
 */
static int arena_insert(struct vm_area_struct *vma, unsigned long pages,
			unsigned long *lo)
{
	struct segctl_arena_map *map = vma->vm_private_data;
	unsigned long min = vma->vm_pgoff, max = min + vma_pages(vma) - 1;
	MA_STATE(mas, &map->spans, 0, 0);
	int err;

	if (pages > vma_pages(vma))
		return -ENOMEM;
	mutex_lock(&map->lock);
	rcu_read_lock();
	err = mas_empty_area(&mas, min, max, pages);
	rcu_read_unlock();
	if (err || mas.index < min || mas.index > max - pages + 1) {
		err = -ENOMEM;
		goto unlock;
	}
	*lo = mas.index;
	err = mtree_insert_range(&map->spans, *lo, *lo + pages - 1, ARENA_SPAN,
				 GFP_KERNEL_ACCOUNT);
	if (!err)
		map->nspans++;
	else if (err == -EEXIST)
		err = -ENOMEM;
unlock:
	mutex_unlock(&map->lock);
	return err;
}

static long arena_alloc(struct segctl_arena *r)
{
	struct mm_struct *mm = current->mm;
	unsigned long len = PAGE_ALIGN(r->len), lo, guard;
	struct segctl_arena_map *map;
	struct vm_area_struct *vma;
	bool write = false;
	long err;

	if (r->guard || !r->len || len < r->len)
		return -EINVAL;
	mmap_read_lock(mm);
again:
	err = -EINVAL;
	vma = arena_vma(r->addr);
	if (!vma)
		goto unlock;
	map = vma->vm_private_data;
	if (refcount_read(&map->ref) != 1) {
		if (!write) {
			mmap_read_unlock(mm);
			mmap_write_lock(mm);
			write = true;
			goto again;
		}
		err = arena_unshare(vma);
		if (err)
			goto unlock;
	}
	guard = ((struct segctl_arena_file *)vma->vm_file->private_data)->guard;
	err = arena_insert(vma, (len >> PAGE_SHIFT) + 2 * guard, &lo);
	if (err)
		goto unlock;
	r->addr = arena_addr(vma, lo + guard);
	r->len = len;
unlock:
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return err;
}

static long arena_free(struct segctl_arena *r)
{
	struct mm_struct *mm = current->mm;
	struct segctl_arena_map *map;
	struct vm_area_struct *vma;
	unsigned long lo, hi;
	long err;

	if (r->len || r->guard)
		return -EINVAL;
	mmap_write_lock(mm);
	err = -EINVAL;
	vma = arena_vma(r->addr);
	if (!vma || !arena_span(vma, arena_pgoff(vma, r->addr), &lo, &hi))
		goto unlock;
	err = arena_unshare(vma);
	if (err)
		goto unlock;
	map = vma->vm_private_data;
	mtree_erase(&map->spans, lo);
	map->nspans--;
	segctl_zap(vma, arena_addr(vma, lo), (hi - lo + 1) << PAGE_SHIFT);
unlock:
	mmap_write_unlock(mm);
	return err;
}

long segctl_arena(void *arg)
{
	struct segctl_arena *r = arg;

	switch (r->op) {
	case SEGCTL_ARENA_CREATE:
		return arena_create(r);
	case SEGCTL_ARENA_ALLOC:
		return arena_alloc(r);
	case SEGCTL_ARENA_FREE:
		return arena_free(r);
	}
	return -EINVAL;
}

void segctl_arena_undo(void *arg)
{
	struct segctl_arena *r = arg;
	struct segctl_arena f = { .size = sizeof(f), .op = SEGCTL_ARENA_FREE,
				  .addr = r->addr };

	if (r->op == SEGCTL_ARENA_CREATE)
		vm_munmap(r->addr, r->len);
	else if (r->op == SEGCTL_ARENA_ALLOC)
		arena_free(&f);
}
