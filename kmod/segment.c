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
#include <linux/uaccess.h>

#include "arena.h"
#include "compat.h"
#include "segctl.h"

/* The rules' own constants are the kernel's (linux/segctl_rules.h). */
static_assert(SEGCTL_PAGE_SIZE == PAGE_SIZE);
static_assert(SEGCTL_TOP == DEFAULT_MAP_WINDOW);
static_assert(SEGCTL_PROT_NONE == PROT_NONE && SEGCTL_PROT_READ == PROT_READ &&
	      SEGCTL_PROT_WRITE == PROT_WRITE && SEGCTL_PROT_EXEC == PROT_EXEC);
static_assert(SEGCTL_MAP_SHARED == MAP_SHARED &&
	      SEGCTL_MAP_PRIVATE == MAP_PRIVATE &&
	      SEGCTL_MAP_ANONYMOUS == MAP_ANONYMOUS &&
	      SEGCTL_MAP_NORESERVE == MAP_NORESERVE);
static_assert(SEGCTL_EPERM == EPERM && SEGCTL_ENOMEM == ENOMEM &&
	      SEGCTL_EINVAL == EINVAL);

/* The shared rule's mapping; a committed one is locked and populated too. */
static unsigned long seg_mmap_flags(u32 attr, u32 class)
{
	return segctl_map_flags(attr, class) | segctl_commit_map_flags(attr);
}

/* vm_mmap()'s errors in doc/contract.md §1.1's terms, for every caller. */
long segctl_map_error(long err, u32 attr)
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
	unsigned long prot = segctl_attr_prot(s->attr), want = 0, mask;
	struct vm_area_struct *vma;
	unsigned long addr;

	if (s->kind == SEGCTL_KIND_ARENA)
		return segctl_arena_matches(mm, s);
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
bool segctl_seg_check(struct segctl_table *t, struct segctl_seg *s)
{
	bool ok;

	mmap_read_lock(t->mn.mm);
	ok = segctl_seg_valid(t->mn.mm, s);
	mmap_read_unlock(t->mn.mm);
	if (!ok)
		segctl_seg_drop_stale(t, s, s->end, s->end);
	return ok;
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

/* segattach(attr, "NAME", 0, 0) of a global segment (global.c). */
static long attach_global(struct segctl_attach *a)
{
	char name[SEGCTL_NAME_MAX];
	struct segctl_piece p;
	struct segctl_share *share;
	struct segctl_seg *s;
	struct segctl_table *t;
	unsigned long va, len;
	long err;

	if (!a->name || a->va || a->len || a->guard ||
	    !segctl_attr_global_valid(a->attr))
		return -EINVAL;
	err = strncpy_from_user(name, u64_to_user_ptr(a->name), sizeof(name));
	if (err < 0)
		return err;
	if (err == 0 || err == sizeof(name))
		return -EINVAL;
	t = table_lock(true, &err);
	if (!t)
		return err;
	err = segctl_global_map(name, a->attr, &va, &len, &share);
	if (err)
		goto unlock;
	p = (struct segctl_piece){ va, va + len, a->attr | SEGCTL_ATTR_NOEXEC,
				   SEGCTL_CLASS_GLOBAL };
	s = segctl_seg_new(&p, p.start, p.end, share);
	err = s ? segctl_seg_insert(t, s) : -ENOMEM;
	if (err) {
		if (s)
			segctl_seg_free(s);
		else
			segctl_share_put(share);
		vm_munmap(va, len);
		goto unlock;
	}
	a->va = va;
	a->len = len;
unlock:
	table_unlock(t);
	return err;
}

/*
 * A "memory" or "shared" attach after the shared rules (its attributes
 * are checked already): the step before anything changes.
 */
static long attach_normalise(const struct segctl_attach *a,
			     struct segctl_span *sp)
{
	long err;

	if (a->name || (a->seg_class != SEGCTL_CLASS_MEMORY &&
			a->seg_class != SEGCTL_CLASS_SHARED))
		return -EINVAL;
	err = segctl_span_round(sp, a->va, a->len, a->guard, segctl_top());
	if (err)
		return err;
	if ((a->attr & SEGCTL_ATTR_COMMIT) && !can_do_mlock())
		return -EPERM;
	return 0;
}

/*
 * Map the span: the body alone, or redzone + body + redzone.  The whole
 * span is reserved PROT_NONE first and the body mapped over its middle,
 * so no other thread's mmap can land in it in between.  Returns the
 * body's address or an error value.
 */
static unsigned long attach_map(const struct segctl_span *sp, u32 attr,
				u32 class)
{
	unsigned long fixed = sp->va ? MAP_FIXED_NOREPLACE : 0, span, body;
	unsigned long total = sp->len + 2 * sp->guard;

	if (!sp->guard)
		return vm_mmap(NULL, sp->va, sp->len, segctl_attr_prot(attr),
			       seg_mmap_flags(attr, class) | fixed, 0);
	span = vm_mmap(NULL, sp->va ? sp->va - sp->guard : 0, total, PROT_NONE,
		       seg_mmap_flags(SEGCTL_ATTR_NONE, SEGCTL_CLASS_MEMORY) |
		       fixed, 0);
	if (IS_ERR_VALUE(span))
		return span;
	body = vm_mmap(NULL, span + sp->guard, sp->len, segctl_attr_prot(attr),
		       seg_mmap_flags(attr, class) | MAP_FIXED, 0);
	if (IS_ERR_VALUE(body))
		vm_munmap(span, total);
	return body;
}

/*
 * Record the pieces of an attach whose body is mapped at @body: one
 * segment each, all with the span of the attach; the body gets the share
 * of a "shared" segment.  On failure nothing stays in the table.
 */
static long attach_record(struct segctl_table *t, const struct segctl_span *sp,
			  unsigned long body, u32 attr, u32 class,
			  struct segctl_seg **bodyseg)
{
	struct segctl_seg *segs[3] = { NULL, NULL, NULL };
	struct segctl_piece p[3];
	struct segctl_share *share;
	int i, n, b = segctl_body_index(sp->guard);
	long err = 0;

	n = segctl_pieces(p, body, sp->len, sp->guard, attr, class);
	for (i = 0; i < n && !err; i++) {
		share = NULL;
		if (i == b && class == SEGCTL_CLASS_SHARED &&
		    !(attr & SEGCTL_ATTR_NONE)) {
			share = segctl_share_new();
			if (!share) {
				err = -ENOMEM;
				break;
			}
		}
		segs[i] = segctl_seg_new(&p[i], p[0].start, p[n - 1].end, share);
		if (!segs[i]) {
			segctl_share_put(share);
			err = -ENOMEM;
			break;
		}
		err = segctl_seg_insert(t, segs[i]);
		if (err) {
			segctl_seg_free(segs[i]);
			segs[i] = NULL;
		}
	}
	if (err) {
		while (i--)
			if (segs[i])
				segctl_seg_remove(t, segs[i]);
		return err;
	}
	*bodyseg = segs[b];
	return 0;
}

/* segattach: normalise, map the span, record it, committed if asked. */
long segctl_ioc_attach(void *arg)
{
	struct segctl_attach *a = arg;
	u32 attr = a->attr, class = a->seg_class;
	struct segctl_span sp;
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long addr;
	u64 body;
	long err;

	if (a->__reserved || !segctl_attr_valid(attr))
		return -EINVAL;
	if (class == SEGCTL_CLASS_GLOBAL)
		return attach_global(a);
	err = attach_normalise(a, &sp);
	if (err)
		return err;
	t = table_lock(true, &err);
	if (!t)
		return err;
	if (segctl_arena_wants(&sp, attr, class)) {
		err = segctl_arena_attach(t, &sp, attr, 1, &body);
		if (err)
			goto unlock;
		addr = body;
		goto done;
	}
	err = segctl_commit_begin(t, attr, sp.len >> PAGE_SHIFT);
	if (err)
		goto unlock;
	addr = attach_map(&sp, attr, class);
	if (IS_ERR_VALUE(addr)) {
		err = segctl_commit_end(t, NULL, attr, sp.len >> PAGE_SHIFT,
					segctl_map_error((long)addr, attr));
		goto unlock;
	}
	s = NULL;
	err = segctl_fault_in(t->mn.mm, addr, addr + sp.len, attr, class);
	if (!err)
		err = attach_record(t, &sp, addr, attr, class, &s);
	err = segctl_commit_end(t, s, attr, sp.len >> PAGE_SHIFT, err);
	if (err) {
		vm_munmap(addr - sp.guard, sp.len + 2 * sp.guard);
		goto unlock;
	}
done:
	a->va = addr;
	a->len = sp.len;
	a->guard = sp.guard;
unlock:
	table_unlock(t);
	return err;
}

/*
 * The segments of @s's attach (those with its span) into group[]; returns
 * how many.  A plain segment is its own span; a guarded one has three.
 */
static int span_members(struct segctl_table *t, struct segctl_seg *s,
			struct segctl_seg *group[3])
{
	unsigned long idx = s->span_start;
	struct segctl_seg *m;
	int n = 0;

	mt_for_each(&t->segs, m, idx, s->span_end - 1) {
		if (m->span_start != s->span_start || m->span_end != s->span_end)
			continue;
		if (WARN_ON_ONCE(n == 3))
			break;
		group[n++] = m;
	}
	return n;
}

/*
 * Unmap and forget @s and the other segments of its attach.  @s has been
 * checked; the others are checked now, and a stale one is forgotten
 * without unmapping what now lies there.  When every piece is still ours
 * the span goes in one call.  Under t->lock.
 */
static long detach_span(struct segctl_table *t, struct segctl_seg *s)
{
	unsigned long start = s->span_start, end = s->span_end;
	struct segctl_seg *group[3];
	int i, n, live = 0;
	long err = 0;

	n = span_members(t, s, group);
	for (i = 0; i < n; i++) {
		if (group[i] == s || segctl_seg_check(t, group[i]))
			group[live++] = group[i];
	}
	if (live == n) {
		err = vm_munmap(start, end - start);
	} else {
		for (i = 0; i < live && !err; i++)
			err = vm_munmap(group[i]->start,
					group[i]->end - group[i]->start);
	}
	if (err)
		return err;
	for (i = 0; i < live; i++)
		segctl_seg_remove(t, group[i]);
	return 0;
}

/* Detach the segment holding @addr, with the rest of its attach. */
static long detach_at(unsigned long addr)
{
	struct segctl_table *t;
	struct segctl_seg *s;
	u64 a = addr;
	long err = 0;

	t = table_lock(false, &err);
	if (!t)
		return err;
	s = mtree_load(&t->segs, addr);
	if (!s || !segctl_seg_check(t, s))
		err = -EINVAL;
	else if (s->kind == SEGCTL_KIND_ARENA)
		err = segctl_arena_detach(t, &a, 1, true);
	else
		err = detach_span(t, s);
	table_unlock(t);
	return err;
}

/*
 * segdetach: the whole segment holding addr goes, and with a guarded one
 * its redzones (or its body and other redzone) too.
 */
long segctl_ioc_detach(void *arg)
{
	struct segctl_detach *d = arg;

	if (d->flags)
		return -EINVAL;
	return detach_at(d->addr);
}

/*
 * An attach whose result cannot be written back changes nothing: the
 * dispatcher (main.c) undoes it.
 */
void segctl_ioc_attach_undo(void *arg)
{
	struct segctl_attach *a = arg;

	detach_at(a->va);
}

/*
 * Detach what a batch attach made, as far as it is still there: the
 * caller could not be told the addresses.
 */
static void attachn_undo(const u64 *body, u32 count)
{
	struct segctl_table *t;
	long err;

	t = table_lock(false, &err);
	if (!t)
		return;
	segctl_arena_detach(t, body, count, false);
	table_unlock(t);
}

/*
 * segattachguardedn: count arena attaches of one kind under one hold of
 * the table lock.  The addresses go out once no segctl lock is held.
 */
long segctl_ioc_attachn(void *arg)
{
	struct segctl_attachn *a = arg;
	struct segctl_span sp;
	struct segctl_table *t;
	u64 *body;
	long err;

	if (a->flags || a->__reserved || !segctl_batch_count_valid(a->count) ||
	    !segctl_attr_valid(a->attr) || a->seg_class != SEGCTL_CLASS_MEMORY)
		return -EINVAL;
	err = segctl_span_round(&sp, 0, a->len, a->guard, segctl_top());
	if (err)
		return err;
	if (!segctl_arena_wants(&sp, a->attr, a->seg_class))
		return -EINVAL;
	body = kvmalloc_array(a->count, sizeof(*body), GFP_KERNEL_ACCOUNT);
	if (!body)
		return -ENOMEM;
	t = table_lock(true, &err);
	if (!t)
		goto free;
	err = segctl_arena_attach(t, &sp, a->attr, a->count, body);
	table_unlock(t);
	if (err)
		goto free;
	if (copy_to_user(u64_to_user_ptr(a->addrs), body,
			 array_size(a->count, sizeof(*body)))) {
		attachn_undo(body, a->count);
		err = -EFAULT;
	}
free:
	kvfree(body);
	return err;
}

/* segdetachn: count arena segments under one mmap_lock write, or none. */
long segctl_ioc_detachn(void *arg)
{
	struct segctl_detachn *d = arg;
	struct segctl_table *t;
	u64 *addrs;
	long err;

	if (d->flags || d->__reserved || !segctl_batch_count_valid(d->count))
		return -EINVAL;
	addrs = kvmalloc_array(d->count, sizeof(*addrs), GFP_KERNEL_ACCOUNT);
	if (!addrs)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(addrs, u64_to_user_ptr(d->addrs),
			   array_size(d->count, sizeof(*addrs))))
		goto free;
	t = table_lock(false, &err);
	if (!t)
		goto free;
	err = segctl_arena_detach(t, addrs, d->count, true);
	table_unlock(t);
free:
	kvfree(addrs);
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
long segctl_ioc_free(void *arg)
{
	struct segctl_range *r = arg;
	struct mm_struct *mm = current->mm;
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long from, to, addr;
	long ret = 0;

	if (r->flags)
		return -EINVAL;
	ret = segctl_free_span(r->va, r->len, segctl_top(), &from, &to);
	if (ret)
		return ret;
	t = table_lock(false, &ret);
	if (!t)
		return ret;
	s = mtree_load(&t->segs, r->va);
	if (!s || to > s->end) {
		ret = -EINVAL;
		goto out;
	}
	if (s->kind == SEGCTL_KIND_ARENA) {
		ret = segctl_arena_free(t, s, r->va, from, to);
		goto out;
	}
	if (from >= to || (s->attr & SEGCTL_ATTR_NONE)) {
		if (!segctl_seg_check(t, s))
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
	if (!ret)
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

	err = segctl_commit_begin(t, s->attr, pages);
	if (err)
		return err;
	addr = vm_mmap(NULL, s->end, len, segctl_attr_prot(s->attr),
		       seg_mmap_flags(s->attr, s->class) | MAP_FIXED_NOREPLACE, 0);
	if (IS_ERR_VALUE(addr))
		return segctl_commit_end(t, NULL, s->attr, pages,
					 segctl_map_error((long)addr, s->attr));
	err = segctl_fault_in(t->mn.mm, addr, top, s->attr, s->class);
	if (!err) {
		/* What the table still had there was unmapped behind us. */
		idx = s->end;
		while ((old = mt_find(&t->segs, &idx, top - 1))) {
			segctl_seg_drop_stale(t, old, s->end, top);
			idx = s->end;
		}
		err = mtree_store_range(&t->segs, s->start, top - 1, s,
					GFP_KERNEL_ACCOUNT);
	}
	err = segctl_commit_end(t, err ? NULL : s, s->attr, pages, err);
	if (err) {
		vm_munmap(addr, len);
		return err;
	}
	s->end = top;
	s->span_end = top;
	return 0;
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
	err = mtree_store_range(&t->segs, top, s->end - 1, NULL,
				GFP_KERNEL_ACCOUNT);
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
long segctl_ioc_brk(void *arg)
{
	struct segctl_brk *b = arg;
	struct segctl_piece p;
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
	if (!s || !segctl_seg_check(t, s)) {
		err = -EINVAL;
		goto out;
	}
	if (s->kind == SEGCTL_KIND_ARENA) {
		/* An arena's body is pinned between its redzones too. */
		err = b->addr ? -EINVAL :
			segctl_arena_piece(t->mn.mm, s, b->saddr, false, &p);
		if (!err) {
			b->base = p.start;
			b->top = p.end;
		}
		goto out;
	}
	if (b->addr) {
		/*
		 * A guarded segment's body is pinned between its redzones; a
		 * global segment's size is its name's, not ours to change.
		 */
		if (s->span_start != s->start || s->span_end != s->end ||
		    s->class == SEGCTL_CLASS_GLOBAL) {
			err = -EINVAL;
			goto out;
		}
		err = segctl_brk_end(b->addr, s->start, segctl_top(), &top);
		if (err)
			goto out;
		if (top > s->end)
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
long segctl_ioc_flush(void *arg)
{
	struct segctl_range *r = arg;
	struct segctl_piece p;
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long addr, end, next;
	long err = 0;

	if (r->flags)
		return -EINVAL;
	err = segctl_flush_span(r->va, r->len, segctl_top(), &addr, &end);
	if (err)
		return err;
	t = table_lock(false, &err);
	if (!t)
		return err;
	for (; addr < end; addr = next) {
		s = mtree_load(&t->segs, addr);
		if (!s || !segctl_seg_check(t, s)) {
			err = -EINVAL;
			break;
		}
		next = s->end;
		if (s->kind != SEGCTL_KIND_ARENA)
			continue;
		/* In an arena, only its bodies and their redzones. */
		err = segctl_arena_piece(t->mn.mm, s, addr, false, &p);
		if (err)
			break;
		next = p.end;
	}
	table_unlock(t);
	return err;
}
