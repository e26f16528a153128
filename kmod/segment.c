// SPDX-License-Identifier: GPL-2.0-only
/*
 * segment.c: segattach, segdetach, segfree, segbrk and segflush as VMA
 * operations on the caller's mm (doc/contract.md §1).
 *
 * A module has vm_mmap and vm_munmap but no mprotect or madvise, so every
 * segment is made by mapping: MAP_FIXED_NOREPLACE gives Plan 9's overlap
 * rule for free.  The table only records ranges; it never assumes that one
 * segment is one VMA (anonymous neighbours merge).  User space may unmap,
 * remap or mprotect a segment behind our back: every call checks the
 * segments it touches against the mappings first and forgets stale ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>

#include "compat.h"
#include "segctl.h"

unsigned long segctl_seg_prot(u32 attr)
{
	unsigned long prot = PROT_READ | PROT_WRITE | PROT_EXEC;

	if (attr & SEGCTL_ATTR_NONE)
		return PROT_NONE;
	if (attr & SEGCTL_ATTR_RONLY)
		prot &= ~PROT_WRITE;
	if (attr & SEGCTL_ATTR_NOEXEC)
		prot &= ~PROT_EXEC;
	return prot;
}

static unsigned long seg_mmap_flags(u32 attr, u32 class)
{
	if (attr & SEGCTL_ATTR_NONE)
		return MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	if (attr & SEGCTL_ATTR_COMMIT)
		return (class == SEGCTL_CLASS_SHARED ? MAP_SHARED : MAP_PRIVATE) |
		       MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE;
	return (class == SEGCTL_CLASS_SHARED ? MAP_SHARED : MAP_PRIVATE) |
	       MAP_ANONYMOUS;
}

/* vm_mmap()'s errors in doc/contract.md §1.1's terms. */
static long map_error(long err, u32 attr)
{
	switch (err) {
	case -EAGAIN:		/* over RLIMIT_MEMLOCK */
		return attr & SEGCTL_ATTR_COMMIT ? -ENOMEM : err;
	case -EPERM:		/* below mmap_min_addr */
		return -EINVAL;
	default:
		return err;
	}
}

/*
 * Does the mapping of [s->start, s->end) still look like what we made?
 * One unbroken run of VMAs, anonymous or shmem as the class says, with the
 * protection we gave; committed ones locked, unless @inherited (fork clears
 * VM_LOCKED in the child).  Caller holds mmap_lock.
 */
static bool seg_matches(struct mm_struct *mm, const struct segctl_seg *s,
			bool inherited)
{
	unsigned long prot = segctl_seg_prot(s->attr), want = 0, mask;
	struct vm_area_struct *vma;
	unsigned long addr;

	mask = VM_READ | VM_WRITE | VM_SHARED;
	if (prot & PROT_READ)
		want |= VM_READ;
	if (prot & PROT_WRITE)
		want |= VM_WRITE;
	if (segctl_seg_is_shared(s))
		want |= VM_SHARED;
	if ((s->attr & SEGCTL_ATTR_COMMIT) && !inherited) {
		mask |= VM_LOCKED;
		want |= VM_LOCKED;
	}
	for (addr = s->start; addr < s->end; addr = vma->vm_end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			return false;
		if ((vma->vm_flags & mask) != want)
			return false;
		if (segctl_seg_is_shared(s) ? !shmem_file(vma->vm_file) :
					      !vma_is_anonymous(vma))
			return false;
	}
	return true;
}

bool segctl_seg_valid(struct mm_struct *mm, const struct segctl_seg *s)
{
	return seg_matches(mm, s, false);
}

bool segctl_seg_inherited(struct mm_struct *mm, const struct segctl_seg *s)
{
	return seg_matches(mm, s, true);
}

/* Check one segment; forget it if stale.  Returns whether it was valid. */
static bool seg_check(struct segctl_table *t, struct segctl_seg *s)
{
	bool ok;

	mmap_read_lock(t->mn.mm);
	ok = segctl_seg_valid(t->mn.mm, s);
	mmap_read_unlock(t->mn.mm);
	if (!ok)
		segctl_seg_drop_stale(t, s, s->end, s->end);
	return ok;
}

/* Check the whole table (before a listing).  Under t->lock. */
void segctl_table_validate(struct segctl_table *t)
{
	struct segctl_seg *s;
	unsigned long idx = 0;

	mt_for_each(&t->segs, s, idx, ULONG_MAX)
		seg_check(t, s);
	segctl_stale_reclaim(t);
}

/* The table of the caller's mm, locked; NULL (EINVAL) when it has none. */
static struct segctl_table *table_lock(bool create, long *err)
{
	struct segctl_table *t = segctl_table_get(current->mm, create);

	if (IS_ERR_OR_NULL(t)) {
		*err = t ? PTR_ERR(t) : -EINVAL;
		return NULL;
	}
	if (mutex_lock_killable(&t->lock)) {
		segctl_table_put(t);
		*err = -EINTR;
		return NULL;
	}
	return t;
}

static void table_unlock(struct segctl_table *t)
{
	mutex_unlock(&t->lock);
	segctl_table_put(t);
}

/*
 * Map redzone + body + redzone.  The whole span is reserved PROT_NONE first
 * and the body mapped over its middle, so no other thread's mmap can land
 * in the span in between.
 */
static unsigned long map_guarded(unsigned long lo, bool fixed,
				 unsigned long len, unsigned long guard,
				 u32 attr, u32 class)
{
	unsigned long total = len + 2 * guard, span, body;

	span = vm_mmap(NULL, lo, total, PROT_NONE,
		       seg_mmap_flags(SEGCTL_ATTR_NONE, SEGCTL_CLASS_MEMORY) |
		       (fixed ? MAP_FIXED_NOREPLACE : 0), 0);
	if (IS_ERR_VALUE(span))
		return span;
	body = vm_mmap(NULL, span + guard, len, segctl_seg_prot(attr),
		       seg_mmap_flags(attr, class) | MAP_FIXED, 0);
	if (IS_ERR_VALUE(body))
		vm_munmap(span, total);
	return body;
}

static void seg_set(struct segctl_seg *s, unsigned long start,
		    unsigned long end, u32 attr, u32 class)
{
	s->start = start;
	s->end = end;
	s->span_start = start;
	s->span_end = end;
	s->attr = attr;
	s->class = class;
}

/* segattach(attr, "NAME", 0, 0) of a global segment (global.c). */
static long attach_global(struct segctl_attach *a)
{
	char name[SEGCTL_NAME_MAX];
	struct segctl_seg *s;
	struct segctl_table *t;
	unsigned long va, len;
	long err;

	if (!a->name || a->va || a->len || a->guard ||
	    (a->attr & ~(SEGCTL_ATTR_RONLY | SEGCTL_ATTR_CEXEC | SEGCTL_ATTR_SAS)))
		return -EINVAL;
	err = strncpy_from_user(name, u64_to_user_ptr(a->name), sizeof(name));
	if (err < 0)
		return err;
	if (err == 0 || err == sizeof(name))
		return -EINVAL;
	s = segctl_seg_alloc();
	if (!s)
		return -ENOMEM;
	t = table_lock(true, &err);
	if (!t)
		goto free;
	err = segctl_global_map(name, a->attr, &va, &len, &s->share);
	if (err)
		goto unlock;
	seg_set(s, va, va + len, a->attr | SEGCTL_ATTR_NOEXEC, SEGCTL_CLASS_GLOBAL);
	err = segctl_seg_insert(t, s);
	if (err) {
		vm_munmap(va, len);
		goto unlock;
	}
	table_unlock(t);
	a->va = va;
	a->len = len;
	return 0;

unlock:
	table_unlock(t);
free:
	segctl_seg_free(s);
	return err;
}

long segctl_attach(void *arg)
{
	struct segctl_attach *a = arg;
	struct mm_struct *mm = current->mm;
	struct segctl_seg *segs[3] = { NULL, NULL, NULL };
	unsigned long va = a->va, len, guard, lo = 0, addr, pages;
	u32 attr = a->attr, class = a->seg_class, zone;
	int i, nsegs = a->guard ? 3 : 1, inserted = 0;
	struct segctl_table *t;
	long err = 0;

	if (a->__reserved || (attr & ~SEGCTL_ATTR_ALL))
		return -EINVAL;
	if (class == SEGCTL_CLASS_GLOBAL)
		return attach_global(a);
	if (a->name)
		return -EINVAL;
	if ((attr & SEGCTL_ATTR_NONE) && (attr & SEGCTL_ATTR_COMMIT))
		return -EINVAL;
	if (class != SEGCTL_CLASS_MEMORY && class != SEGCTL_CLASS_SHARED)
		return -EINVAL;
	/* Plan 9 rounding: va down, len up after adding va's offset. */
	if (a->len == 0 || a->len > segctl_top() || a->guard > segctl_top() ||
	    va >= segctl_top())
		return -EINVAL;
	len = PAGE_ALIGN(a->len + offset_in_page(va));
	va &= PAGE_MASK;
	guard = PAGE_ALIGN(a->guard);
	if (len + 2 * guard > segctl_top())
		return -EINVAL;
	if (va) {
		if (va < guard || va + len + guard > segctl_top())
			return -EINVAL;
		lo = va - guard;
	}
	if ((attr & SEGCTL_ATTR_COMMIT) && !can_do_mlock())
		return -EPERM;
	pages = len >> PAGE_SHIFT;

	for (i = 0; i < nsegs; i++) {
		segs[i] = segctl_seg_alloc();
		if (!segs[i]) {
			err = -ENOMEM;
			goto free;
		}
	}
	if (class == SEGCTL_CLASS_SHARED && !(attr & SEGCTL_ATTR_NONE)) {
		segs[0]->share = kzalloc(sizeof(*segs[0]->share), GFP_KERNEL);
		if (!segs[0]->share) {
			err = -ENOMEM;
			goto free;
		}
		refcount_set(&segs[0]->share->ref, 1);
	}
	t = table_lock(true, &err);
	if (!t)
		goto free;
	if (attr & SEGCTL_ATTR_COMMIT) {
		segctl_stale_reclaim(t);
		err = segctl_charge(pages);
		if (err)
			goto unlock;
	}
	if (guard)
		addr = map_guarded(lo, va != 0, len, guard, attr, class);
	else
		addr = vm_mmap(NULL, va, len, segctl_seg_prot(attr),
			       seg_mmap_flags(attr, class) |
			       (va ? MAP_FIXED_NOREPLACE : 0), 0);
	if (IS_ERR_VALUE(addr)) {
		err = map_error((long)addr, attr);
		goto uncharge;
	}
	if (attr & SEGCTL_ATTR_COMMIT) {
		err = segctl_fault_in(mm, addr, addr + len, attr, class);
		if (err)
			goto unmap;
		segs[0]->commit = pages;
	}

	seg_set(segs[0], addr, addr + len, attr, class);
	if (guard) {
		zone = SEGCTL_ATTR_NONE | (attr & (SEGCTL_ATTR_CEXEC | SEGCTL_ATTR_SAS));
		seg_set(segs[1], addr - guard, addr, zone, SEGCTL_CLASS_MEMORY);
		seg_set(segs[2], addr + len, addr + len + guard, zone,
			SEGCTL_CLASS_MEMORY);
		for (i = 0; i < 3; i++) {
			segs[i]->span_start = addr - guard;
			segs[i]->span_end = addr + len + guard;
		}
	}
	for (; inserted < nsegs; inserted++) {
		err = segctl_seg_insert(t, segs[inserted]);
		if (err)
			goto remove;
	}
	t->commit += segs[0]->commit;
	table_unlock(t);
	a->va = addr;
	a->len = len;
	a->guard = guard;
	return 0;

remove:
	while (inserted--) {
		segs[inserted]->commit = 0;	/* uncharged below */
		segctl_seg_remove(t, segs[inserted]);
		segs[inserted] = NULL;
	}
unmap:
	vm_munmap(addr - guard, len + 2 * guard);
uncharge:
	if (attr & SEGCTL_ATTR_COMMIT)
		segctl_uncharge(pages);
unlock:
	table_unlock(t);
free:
	for (i = 0; i < nsegs; i++)
		if (segs[i])
			segctl_seg_free(segs[i]);
	return err;
}

/*
 * segdetach: the whole segment holding addr goes, and with a guarded one
 * its redzones (or its body and other redzone) too.
 */
long segctl_detach(void *arg)
{
	struct segctl_detach *d = arg;
	struct segctl_seg *s, *m, *group[3];
	struct segctl_table *t;
	unsigned long idx, start, end;
	int i, n = 0;
	long err = 0;

	if (d->flags)
		return -EINVAL;
	t = table_lock(false, &err);
	if (!t)
		return err;
	s = mtree_load(&t->segs, d->addr);
	if (!s || !seg_check(t, s)) {
		err = -EINVAL;
		goto out;
	}
	start = s->span_start;
	end = s->span_end;
	idx = start;
	mt_for_each(&t->segs, m, idx, end - 1) {
		if (m->span_start == start && m->span_end == end &&
		    !WARN_ON_ONCE(n == ARRAY_SIZE(group)))
			group[n++] = m;
	}
	/* Unmap only what still is ours: one call when the span is whole. */
	for (i = 0; i < n; i++) {
		if (group[i] != s && !seg_check(t, group[i]))
			group[i] = NULL;
	}
	for (i = 0; i < n; i++) {
		if (!group[i])
			break;
	}
	if (i == n) {
		err = vm_munmap(start, end - start);
	} else {
		for (i = 0; i < n && !err; i++)
			if (group[i])
				err = vm_munmap(group[i]->start,
						group[i]->end - group[i]->start);
	}
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		if (group[i])
			segctl_seg_remove(t, group[i]);
out:
	table_unlock(t);
	return err;
}

/*
 * Give back the pages of [*from, to) in segment @s: zap private pages;
 * punch shared ones out of their shmem objects, for every address space
 * that maps them.  The segment is checked against the mappings under the
 * same mmap_lock hold that finds the VMAs, so nothing but the segment's
 * own memory is touched.  fallocate may take locks that rank above
 * mmap_lock, so it runs afterwards on the files found, a few VMAs a round:
 * *from says how far this round got.  -ESTALE: the segment is not there.
 */
static int free_round(struct mm_struct *mm, struct segctl_seg *s,
		      unsigned long *from, unsigned long to)
{
	struct file *files[8];
	loff_t off[8], len[8];
	struct vm_area_struct *vma;
	unsigned long addr, end;
	int i, n = 0, err = 0;

	mmap_read_lock(mm);
	if (!segctl_seg_valid(mm, s)) {
		mmap_read_unlock(mm);
		return -ESTALE;
	}
	for (addr = *from; addr < to && n < ARRAY_SIZE(files); addr = end) {
		vma = find_vma(mm, addr);
		end = min(vma->vm_end, to);
		if (!segctl_seg_is_shared(s)) {
			segctl_zap(vma, addr, end - addr);
			continue;
		}
		files[n] = get_file(vma->vm_file);
		off[n] = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + addr - vma->vm_start;
		len[n++] = end - addr;
	}
	mmap_read_unlock(mm);
	*from = addr;
	for (i = 0; i < n; i++) {
		if (!err)
			err = vfs_fallocate(files[i], FALLOC_FL_PUNCH_HOLE |
					    FALLOC_FL_KEEP_SIZE, off[i], len[i]);
		fput(files[i]);
	}
	return err;
}

/*
 * segfree: whole pages inside [va, va + len) lose their contents but stay
 * mapped.  Committed pages come straight back, zeroed and locked.
 */
long segctl_free(void *arg)
{
	struct segctl_range *r = arg;
	struct mm_struct *mm = current->mm;
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long from, to, addr;
	long ret = 0;

	if (r->flags || r->va >= segctl_top() || r->len > segctl_top())
		return -EINVAL;
	from = PAGE_ALIGN(r->va);
	to = (r->va + r->len) & PAGE_MASK;
	t = table_lock(false, &ret);
	if (!t)
		return ret;
	s = mtree_load(&t->segs, r->va);
	if (!s || to > s->end) {
		ret = -EINVAL;
		goto out;
	}
	if (from >= to || (s->attr & SEGCTL_ATTR_NONE)) {
		if (!seg_check(t, s))
			ret = -EINVAL;
		goto out;
	}
	for (addr = from; addr < to && !ret; )
		ret = free_round(mm, s, &addr, to);
	if (ret == -ESTALE) {
		segctl_seg_drop_stale(t, s, s->end, s->end);
		ret = -EINVAL;
		goto out;
	}
	if (!ret && (s->attr & SEGCTL_ATTR_COMMIT))
		ret = segctl_fault_in(mm, from, to, s->attr, s->class);
out:
	table_unlock(t);
	return ret;
}

static long brk_grow(struct segctl_table *t, struct segctl_seg *s,
		     unsigned long top)
{
	unsigned long len = top - s->end, pages = len >> PAGE_SHIFT, addr;
	struct segctl_seg *old;
	unsigned long idx;
	long err;

	if (s->attr & SEGCTL_ATTR_COMMIT) {
		segctl_stale_reclaim(t);
		err = segctl_charge(pages);
		if (err)
			return err;
	}
	addr = vm_mmap(NULL, s->end, len, segctl_seg_prot(s->attr),
		       seg_mmap_flags(s->attr, s->class) | MAP_FIXED_NOREPLACE, 0);
	if (IS_ERR_VALUE(addr)) {
		err = map_error((long)addr, s->attr);
		goto uncharge;
	}
	if (s->attr & SEGCTL_ATTR_COMMIT) {
		err = segctl_fault_in(t->mn.mm, addr, top, s->attr, s->class);
		if (err)
			goto unmap;
	}
	/* Whatever the table still had there was unmapped behind our back. */
	idx = s->end;
	while ((old = mt_find(&t->segs, &idx, top - 1))) {
		segctl_seg_drop_stale(t, old, s->end, top);
		idx = s->end;
	}
	err = mtree_store_range(&t->segs, s->start, top - 1, s, GFP_KERNEL);
	if (err)
		goto unmap;
	s->end = top;
	s->span_end = top;
	if (s->attr & SEGCTL_ATTR_COMMIT) {
		s->commit += pages;
		t->commit += pages;
	}
	return 0;

unmap:
	vm_munmap(addr, len);
uncharge:
	if (s->attr & SEGCTL_ATTR_COMMIT)
		segctl_uncharge(pages);
	return err;
}

static long brk_shrink(struct segctl_table *t, struct segctl_seg *s,
		       unsigned long top)
{
	unsigned long pages = (s->end - top) >> PAGE_SHIFT;
	long err;

	/*
	 * Plan 9 will not shrink a segment another address space shares: the
	 * other side may be using the pages about to go.  A child whose fork
	 * is still being adopted shares every shared segment already.
	 */
	if (s->share && (refcount_read(&s->share->ref) > 1 ||
			 atomic_read(&t->forks) > 0))
		return -EBUSY;
	err = vm_munmap(top, s->end - top);
	if (err)
		return err;
	err = mtree_store_range(&t->segs, top, s->end - 1, NULL, GFP_KERNEL);
	if (err) {
		/* The tail is unmapped but still recorded: drop the segment. */
		segctl_seg_drop_stale(t, s, s->end, s->end);
		return err;
	}
	s->end = top;
	s->span_end = top;
	if (s->commit) {
		pages = min(pages, s->commit);
		segctl_uncharge(pages);
		s->commit -= pages;
		t->commit -= pages;
	}
	return 0;
}

/* segbrk: move the end of the segment holding saddr; addr 0 asks its base. */
long segctl_brk(void *arg)
{
	struct segctl_brk *b = arg;
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long top;
	long err = 0;

	if (b->flags)
		return -EINVAL;
	t = table_lock(false, &err);
	if (!t)
		return err;
	s = mtree_load(&t->segs, b->saddr);
	if (!s || !seg_check(t, s)) {
		err = -EINVAL;
		goto out;
	}
	if (b->addr) {
		/*
		 * A guarded segment's body is pinned between its redzones; a
		 * global segment's size is its name's, not ours to change.
		 */
		if (s->span_start != s->start || s->span_end != s->end ||
		    s->class == SEGCTL_CLASS_GLOBAL ||
		    b->addr > segctl_top()) {
			err = -EINVAL;
			goto out;
		}
		top = PAGE_ALIGN(b->addr);
		if (top <= s->start)
			err = -ENOMEM;
		else if (top > s->end)
			err = brk_grow(t, s, top);
		else if (top < s->end)
			err = brk_shrink(t, s, top);
	}
	b->base = s->start;
	b->top = s->end;
out:
	table_unlock(t);
	return err;
}

/*
 * segflush: x86-64 caches are coherent, so there is nothing to flush; Plan 9
 * still checks that every page of the range lies in a segment.
 */
long segctl_flush(void *arg)
{
	struct segctl_range *r = arg;
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long addr, end;
	long err = 0;

	if (r->flags || r->va >= segctl_top() || r->len > segctl_top() - r->va)
		return -EINVAL;
	addr = r->va & PAGE_MASK;
	end = PAGE_ALIGN(r->va + r->len);
	t = table_lock(false, &err);
	if (!t)
		return err;
	do {
		s = mtree_load(&t->segs, addr);
		if (!s || !seg_check(t, s)) {
			err = -EINVAL;
			break;
		}
		addr = s->end;
	} while (addr < end);
	table_unlock(t);
	return err;
}
