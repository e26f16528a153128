// SPDX-License-Identifier: GPL-2.0-only
/*
 * commit.c: SG_COMMIT.  Committed memory is charged twice: to the mm's
 * RLIMIT_MEMLOCK, by the kernel, as for mlock (the mapping is VM_LOCKED);
 * and to a module-wide cap on pages, here, so that many processes cannot
 * together lock more than the administrator allows.
 *
 * Every way a segment's pages get committed (attach, segbrk growing it,
 * exec mapping it again, fork locking the child's copy) goes the same way:
 * segctl_commit_begin() charges the cap, the caller maps the pages locked,
 * segctl_fault_in() makes them resident, and segctl_commit_end() accounts
 * them to the segment, or gives the charge back if anything failed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "segctl.h"

atomic_long_t segctl_committed;
unsigned long segctl_commit_limit;

/*
 * Take @pages from the module cap: EPERM if committing is off, else ENOMEM.
 * The total never goes past the cap, not even for a moment: adding and
 * then taking back would show a reader of "committed" more than the cap,
 * and refuse a racing charge that fits once the overshoot is undone.
 */
static int segctl_charge(unsigned long pages)
{
	unsigned long limit = READ_ONCE(segctl_commit_limit);
	long old;

	if (!limit)
		return -EPERM;
	old = atomic_long_read(&segctl_committed);
	do {
		if (pages > limit || (unsigned long)old > limit - pages)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&segctl_committed, &old, old + pages));
	return 0;
}

void segctl_uncharge(unsigned long pages)
{
	WARN_ON_ONCE(atomic_long_sub_return(pages, &segctl_committed) < 0);
}

/**
 * segctl_commit_begin - charge the pages a committed segment is about to get
 * @t: the table of the mm, locked
 * @attr: the segment's attributes: nothing happens without SG_COMMIT
 * @pages: how many
 *
 * Stale pieces give back what they no longer hold first, so that a process
 * cannot pile up charges for memory it has unmapped.  0 or an error; every
 * success is followed by one segctl_commit_end().
 */
int segctl_commit_begin(struct segctl_table *t, u32 attr, unsigned long pages)
{
	if (!(attr & SEGCTL_ATTR_COMMIT))
		return 0;
	segctl_stale_reclaim(t);
	return segctl_charge(pages);
}

/**
 * segctl_commit_end - account what segctl_commit_begin() charged, or undo it
 * @t: the table of the mm, locked
 * @s: the segment the pages now belong to; NULL when @err is set
 * @attr: as given to segctl_commit_begin()
 * @pages: as given to segctl_commit_begin()
 * @err: the caller's failure since, or 0
 *
 * Returns @err: the charge goes back if it is set.
 */
int segctl_commit_end(struct segctl_table *t, struct segctl_seg *s, u32 attr,
		      unsigned long pages, int err)
{
	if (!(attr & SEGCTL_ATTR_COMMIT))
		return err;
	if (err) {
		segctl_uncharge(pages);
		return err;
	}
	s->commit += pages;
	t->commit += pages;
	return 0;
}

/* Fault in this many pages at a time, so that a kill is noticed. */
#define FAULT_BATCH	512

/**
 * segctl_fault_in - make every page of a committed range resident
 * @mm: current->mm
 * @start: start of the range, page aligned, mapped VM_LOCKED by the caller
 * @end: end of the range
 * @attr: the segment's attributes: nothing to do without SG_COMMIT; and
 *	how to fault
 * @class: the segment's class
 *
 * vm_mmap()'s MAP_POPULATE ignores failures, so check rather than assume:
 * the range must still be one run of locked mappings, and every page must
 * fault in.  A write fault for writable private memory, or the shared zero
 * page would stand in for it; a read fault allocates shmem pages already.
 * Pages faulted into a VM_LOCKED mapping are mlocked as they arrive.
 */
int segctl_fault_in(struct mm_struct *mm, unsigned long start,
		    unsigned long end, u32 attr, u32 class)
{
	unsigned int gup_flags = 0;
	struct vm_area_struct *vma;
	unsigned long addr, nr;
	long got;
	int err = 0;

	if (!(attr & SEGCTL_ATTR_COMMIT))
		return 0;
	if (class == SEGCTL_CLASS_MEMORY && !(attr & SEGCTL_ATTR_RONLY))
		gup_flags |= FOLL_WRITE;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr || !(vma->vm_flags & VM_LOCKED)) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (addr = start; addr < end; addr += got << PAGE_SHIFT) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto out;
		}
		nr = min_t(unsigned long, (end - addr) >> PAGE_SHIFT, FAULT_BATCH);
		got = segctl_gup(addr, nr, gup_flags);
		if (got <= 0) {
			err = got == -EINTR ? -EINTR : -ENOMEM;
			goto out;
		}
	}
out:
	mmap_read_unlock(mm);
	return err;
}
