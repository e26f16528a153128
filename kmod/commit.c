// SPDX-License-Identifier: GPL-2.0-only
/*
 * commit.c: SG_COMMIT.  Committed memory is charged twice: to the mm's
 * RLIMIT_MEMLOCK, by the kernel, as for mlock (the mapping is VM_LOCKED);
 * and to a module-wide cap on pages, here, so that many processes cannot
 * together lock more than the administrator allows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "segctl.h"

atomic_long_t segctl_committed;
unsigned long segctl_commit_limit;

/* Take @pages from the module cap: EPERM if committing is off, else ENOMEM. */
int segctl_charge(unsigned long pages)
{
	unsigned long limit = READ_ONCE(segctl_commit_limit);

	if (!limit)
		return -EPERM;
	if (atomic_long_add_return(pages, &segctl_committed) > limit) {
		atomic_long_sub(pages, &segctl_committed);
		return -ENOMEM;
	}
	return 0;
}

void segctl_uncharge(unsigned long pages)
{
	WARN_ON_ONCE(atomic_long_sub_return(pages, &segctl_committed) < 0);
}

/* Fault in this many pages at a time, so that a kill is noticed. */
#define FAULT_BATCH	512

/**
 * segctl_fault_in - make every page of a committed range resident
 * @mm: current->mm
 * @start: start of the range, page aligned, mapped VM_LOCKED by the caller
 * @end: end of the range
 * @attr: the segment's attributes, to choose how to fault
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
