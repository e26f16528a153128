/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h: the differences between the kernels segctl builds on (6.1 and
 * 6.12) that the rest of the module must not see.
 */
#ifndef SEGCTL_COMPAT_H
#define SEGCTL_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/* 6.3 made vm_flags const behind accessors that also lock the VMA. */
static inline void segctl_vma_set_flags(struct vm_area_struct *vma,
					vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void segctl_vma_set_locked(struct vm_area_struct *vma)
{
	segctl_vma_set_flags(vma, VM_LOCKED);
}

/* 6.5 dropped get_user_pages()'s vmas argument. */
static inline long segctl_gup(unsigned long start, unsigned long nr,
			      unsigned int gup_flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return get_user_pages(start, nr, gup_flags, NULL);
#else
	return get_user_pages(start, nr, gup_flags, NULL, NULL);
#endif
}

/* Unmap the pages of [start, start + size) inside one VMA. */
static inline void segctl_zap(struct vm_area_struct *vma, unsigned long start,
			      unsigned long size)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	zap_page_range_single(vma, start, size, NULL);
#else
	zap_page_range(vma, start, size);
#endif
}

/*
 * mmap_assert_write_locked() without its DEBUG_VM half: that half calls
 * dump_mm(), which no kernel exports to modules, so a module using it does
 * not link against a CONFIG_DEBUG_VM kernel.  lockdep's check is the part
 * that matters under the debug kernels.
 */
static inline void segctl_assert_mmap_write_locked(struct mm_struct *mm)
{
	lockdep_assert_held_write(&mm->mmap_lock);
}

#endif /* SEGCTL_COMPAT_H */
