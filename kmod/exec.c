// SPDX-License-Identifier: GPL-2.0-only
/*
 * exec.c: Plan 9 keeps a process's segments across exec, all but those
 * marked SG_CEXEC.  Linux replaces the whole mm, so private memory cannot
 * survive; shared memory can, as it lives in a shmem file.  When the mm of
 * a task in execve goes, its "shared" and global segments without
 * SG_CEXEC are noted with their files, and a task_work maps them again at
 * the same addresses before the new image runs its first instruction.  A
 * segment whose place the new image already uses is released, as Plan 9's
 * exec(2) says of a segment that overlaps the new binary.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/wait.h>

#include "segctl.h"

/* A segment on its way to the new image. */
struct carried {
	struct list_head	link;
	unsigned long		start;
	unsigned long		end;
	loff_t			off;	/* of start, in the file */
	struct file		*file;
	u32			attr;
	u32			class;
	struct segctl_share	*share;
};

struct carry {
	struct callback_head	work;
	struct list_head	segs;
};

static atomic_t pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(pending_wq);

static void carried_free(struct carried *c)
{
	fput(c->file);
	segctl_share_put(c->share);
	kfree(c);
}

/* Map one segment again in the caller's new mm, and record it. */
static void reattach(struct segctl_table *t, struct carried *c)
{
	struct segctl_piece p = { c->start, c->end, c->attr, c->class };
	unsigned long len = c->end - c->start, pages = len >> PAGE_SHIFT, addr;
	struct segctl_seg *s = NULL;
	int err;

	if ((c->attr & SEGCTL_ATTR_COMMIT) && !can_do_mlock())
		return;
	if (segctl_commit_begin(t, c->attr, pages))
		return;
	addr = vm_mmap(c->file, c->start, len, segctl_attr_prot(c->attr),
		       MAP_SHARED | MAP_FIXED_NOREPLACE |
		       segctl_commit_map_flags(c->attr), c->off);
	if (IS_ERR_VALUE(addr)) {
		segctl_commit_end(t, NULL, c->attr, pages,
				  segctl_map_error((long)addr, c->attr));
		return;
	}
	err = segctl_fault_in(current->mm, addr, addr + len, c->attr, c->class);
	if (!err) {
		s = segctl_seg_new(&p, p.start, p.end, c->share);
		if (s) {
			c->share = NULL;	/* the descriptor's now */
			err = segctl_seg_insert(t, s);
		} else {
			err = -ENOMEM;
		}
		if (err && s) {
			segctl_seg_free(s);
			s = NULL;
		}
	}
	if (segctl_commit_end(t, s, c->attr, pages, err))
		vm_munmap(c->start, len);
}

static void carry_work(struct callback_head *work)
{
	struct carry *cy = container_of(work, struct carry, work);
	struct carried *c, *n;
	struct segctl_table *t = NULL;

	if (current->mm && !(current->flags & PF_EXITING))
		t = segctl_table_get(current->mm, true);
	if (!IS_ERR_OR_NULL(t)) {
		mutex_lock(&t->lock);
		list_for_each_entry(c, &cy->segs, link)
			reattach(t, c);
		mutex_unlock(&t->lock);
		segctl_table_put(t);
	}
	list_for_each_entry_safe(c, n, &cy->segs, link)
		carried_free(c);
	kfree(cy);
	if (atomic_dec_and_test(&pending))
		wake_up(&pending_wq);
	/* Only the return remains; see fork.c. */
	module_put(THIS_MODULE);
}

/* Note one segment if it can go to the new image: one shmem VMA, whole. */
static struct carried *carry_one(struct mm_struct *mm, struct segctl_seg *s)
{
	struct vm_area_struct *vma = find_vma(mm, s->start);
	struct carried *c;

	if (!vma || vma->vm_start > s->start || vma->vm_end < s->end ||
	    !vma->vm_file || !(vma->vm_flags & VM_SHARED))
		return NULL;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return NULL;
	c->start = s->start;
	c->end = s->end;
	c->off = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + s->start - vma->vm_start;
	c->file = get_file(vma->vm_file);
	c->attr = s->attr;
	c->class = s->class;
	c->share = segctl_share_get(s->share);
	return c;
}

/**
 * segctl_exec_carry - keep a table's shared segments for the new image
 * @t: the table of @mm, whose last user has gone
 * @mm: the old mm
 *
 * Called from the mm's release, before the table is emptied.  Does nothing
 * unless the current task is replacing @mm by exec.
 */
void segctl_exec_carry(struct segctl_table *t, struct mm_struct *mm)
{
	struct segctl_seg *s;
	struct carried *c;
	struct carry *cy;
	unsigned long idx = 0;

	if (!current->in_execve || !current->mm || current->mm == mm)
		return;
	cy = kzalloc(sizeof(*cy), GFP_KERNEL_ACCOUNT);
	if (!cy)
		return;
	INIT_LIST_HEAD(&cy->segs);
	mutex_lock(&t->lock);
	mmap_read_lock(mm);
	mt_for_each(&t->segs, s, idx, ULONG_MAX) {
		if (!segctl_seg_is_shared(s) || (s->attr & SEGCTL_ATTR_CEXEC))
			continue;
		c = carry_one(mm, s);
		if (c)
			list_add_tail(&c->link, &cy->segs);
	}
	mmap_read_unlock(mm);
	mutex_unlock(&t->lock);
	if (list_empty(&cy->segs)) {
		kfree(cy);
		return;
	}
	__module_get(THIS_MODULE);
	atomic_inc(&pending);
	init_task_work(&cy->work, carry_work);
	if (task_work_add(current, &cy->work, TWA_RESUME))
		carry_work(&cy->work);	/* exiting: just let go */
}

void segctl_exec_exit(void)
{
	wait_event(pending_wq, atomic_read(&pending) == 0);
}
