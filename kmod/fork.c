// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork.c: a forked child starts with a copy of its parent's segment table
 * (doc/contract.md §1.6), and its SG_COMMIT segments are committed and
 * charged again, since fork clears VM_LOCKED in the child.
 *
 * The sched_process_fork tracepoint fires in the parent after the child's
 * mm is copied and before the child runs.  It cannot sleep, so it only
 * queues a task_work on the child, which runs in the child's own context
 * before its first instruction in user space.  That work copies the parent's
 * segments as they were at the fork: those attached since are skipped by
 * generation, those removed since wait in the parent's limbo list until
 * every pending child has been adopted.  Each copy is checked against the
 * child's own mappings before it is recorded.
 *
 * A child whose committed segments cannot be committed again (memory, the
 * module cap or its RLIMIT_MEMLOCK) is killed: the fork cannot keep the
 * promise SG_COMMIT made, as Plan 9's fork fails when it cannot copy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <linux/wait.h>

#include "compat.h"
#include "segctl.h"

struct adoption {
	struct callback_head	work;
	struct segctl_table	*parent;
	u64			gen;	/* the parent's generation at fork */
	bool			shared;	/* the probe took the share refs */
};

static struct tracepoint *fork_tp;
static atomic_t pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(pending_wq);

static bool was_alive(const struct segctl_seg *s, u64 gen)
{
	return s->born <= gen && (!s->died || s->died > gen);
}

/* @share_ref: take a reference on the share (else the probe took it). */
static struct segctl_seg *seg_copy(const struct segctl_seg *s, bool share_ref)
{
	struct segctl_piece p = { s->start, s->end, s->attr, s->class };
	struct segctl_seg *c;

	c = segctl_seg_new(&p, s->span_start, s->span_end, s->share);
	if (c) {
		/* An arena's spans come with its VMA (arena.c). */
		c->kind = s->kind;
		c->guard = s->guard;
	}
	if (c && share_ref)
		segctl_share_get(c->share);
	return c;
}

/*
 * Copy @s onto @list if it was alive at the fork.  After a failure only the
 * share reference the probe took for it is given back: the parent still
 * holds another, so it cannot be the last.
 */
static void copy_one(struct adoption *a, struct segctl_seg *s,
		     struct list_head *list, int *err)
{
	struct segctl_seg *c;

	if (!was_alive(s, a->gen))
		return;
	c = *err ? NULL : seg_copy(s, !a->shared);
	if (c) {
		list_add_tail(&c->limbo, list);
		return;
	}
	*err = -ENOMEM;
	if (a->shared)
		segctl_share_put(s->share);
}

/* The parent's segments as they were at the fork, on @list (via ->limbo). */
static int snapshot(struct adoption *a, struct list_head *list)
{
	struct segctl_table *parent = a->parent;
	struct segctl_seg *s;
	unsigned long idx = 0;
	int err = 0;

	mutex_lock(&parent->lock);
	mt_for_each(&parent->segs, s, idx, ULONG_MAX)
		copy_one(a, s, list, &err);
	list_for_each_entry(s, &parent->limbo, limbo)
		copy_one(a, s, list, &err);
	mutex_unlock(&parent->lock);
	return err;
}

/*
 * Lock the child's copy of a committed segment again: mark its VMAs locked,
 * charge RLIMIT_MEMLOCK (mm->locked_vm, as mlock would) and the module cap,
 * then fault every page in.
 */
static int recommit(struct segctl_table *t, struct segctl_seg *s)
{
	struct mm_struct *mm = t->mn.mm;
	unsigned long pages = (s->end - s->start) >> PAGE_SHIFT, locked = 0;
	struct vm_area_struct *vma;
	unsigned long addr;
	int err;

	err = segctl_commit_begin(t, s->attr, pages);
	if (err)
		return err;
	if (mmap_write_lock_killable(mm))
		return segctl_commit_end(t, NULL, s->attr, pages, -EINTR);
	/* Checked by segctl_seg_inherited(); nothing else runs in the mm. */
	for (addr = s->start; addr < s->end; addr = vma->vm_end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			err = -ENOMEM;
			break;
		}
		if (!(vma->vm_flags & VM_LOCKED))
			locked += vma_pages(vma);
	}
	if (!err)
		err = __account_locked_vm(mm, locked, true, current,
					  capable(CAP_IPC_LOCK));
	if (!err) {
		for (addr = s->start; addr < s->end; addr = vma->vm_end) {
			vma = find_vma(mm, addr);
			segctl_vma_set_locked(vma);
		}
	}
	mmap_write_unlock(mm);
	if (!err)
		err = segctl_fault_in(mm, s->start, s->end, s->attr, s->class);
	return segctl_commit_end(t, err ? NULL : s, s->attr, pages, err);
}

/* Record in the child's table the copies its mappings confirm. */
static int adopt(struct segctl_table *t, struct list_head *list)
{
	struct mm_struct *mm = t->mn.mm;
	struct segctl_seg *s, *n;
	bool ok;
	int err = 0;

	mutex_lock(&t->lock);
	list_for_each_entry_safe(s, n, list, limbo) {
		mmap_read_lock(mm);
		ok = segctl_seg_inherited(mm, s);
		mmap_read_unlock(mm);
		if (!ok)
			continue;
		list_del_init(&s->limbo);
		err = segctl_seg_insert(t, s);
		if (err) {
			segctl_seg_free(s);
			break;
		}
		if (s->attr & SEGCTL_ATTR_COMMIT) {
			err = recommit(t, s);
			if (err) {
				pr_notice_ratelimited("pid %d: cannot commit inherited segment %lx-%lx (error %d); killing it\n",
						      task_tgid_nr(current), s->start,
						      s->end, err);
				break;
			}
		}
	}
	mutex_unlock(&t->lock);
	return err;
}

static void adopt_work(struct callback_head *work)
{
	struct adoption *a = container_of(work, struct adoption, work);
	struct segctl_table *parent = a->parent, *t;
	struct mm_struct *mm = current->mm;
	struct segctl_seg *s, *n;
	LIST_HEAD(list);
	int err = 0;

	/*
	 * At exit (the child died first) there is nothing to adopt, but the
	 * snapshot still collects the share references the probe took.
	 */
	err = snapshot(a, &list);
	if (mm && !(current->flags & PF_EXITING)) {
		if (!err && !list_empty(&list)) {
			t = segctl_table_get(mm, true);
			if (IS_ERR(t)) {
				err = PTR_ERR(t);
			} else {
				err = adopt(t, &list);
				segctl_table_put(t);
			}
		}
		if (err)
			send_sig(SIGKILL, current, 1);
	}
	list_for_each_entry_safe(s, n, &list, limbo) {
		list_del(&s->limbo);
		segctl_seg_free(s);
	}

	mutex_lock(&parent->lock);
	if (atomic_dec_and_test(&parent->forks))
		segctl_table_free_limbo(parent);
	mutex_unlock(&parent->lock);
	segctl_table_put(parent);
	kfree(a);
	if (atomic_dec_and_test(&pending))
		wake_up(&pending_wq);
	/*
	 * The reference taken in fork_probe() kept rmmod away until here;
	 * only the return to task_work_run() remains.
	 */
	module_put(THIS_MODULE);
}

static void take_shares(struct segctl_table *t)
{
	struct segctl_seg *s;
	unsigned long idx = 0;

	mt_for_each(&t->segs, s, idx, ULONG_MAX)
		segctl_share_get(s->share);
}

/* Tracepoint probe, in the parent, atomic context. */
static void fork_probe(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	struct mm_struct *mm = parent->mm;
	struct segctl_table *t;
	struct adoption *a;

	if (!mm || !child->mm || child->mm == mm || (child->flags & PF_KTHREAD))
		return;
	t = segctl_table_get(mm, false);	/* a lookup: never sleeps */
	if (!t)
		return;
	a = kmalloc(sizeof(*a), GFP_NOWAIT | __GFP_NOWARN);
	if (!a) {
		pr_notice_ratelimited("pid %d: no memory to copy the segment table at fork; killing the child\n",
				      task_tgid_nr(parent));
		send_sig(SIGKILL, child, 1);
		segctl_table_put(t);
		return;
	}
	/* The child cannot run (and so the work not start) before we return. */
	init_task_work(&a->work, adopt_work);
	if (task_work_add(child, &a->work, TWA_RESUME)) {
		segctl_table_put(t);	/* the child is exiting already */
		kfree(a);
		return;
	}
	a->parent = t;
	__module_get(THIS_MODULE);
	atomic_inc(&pending);
	/*
	 * If no other task of the parent is inside segctl, take the child's
	 * references to the shared segments now, so that fork() returns with
	 * the reference counts (listing, EBUSY) already right.  Otherwise the
	 * child takes them when it adopts the table.
	 */
	a->shared = mutex_trylock(&t->lock);
	if (a->shared) {
		take_shares(t);
		a->gen = t->gen;
		atomic_inc(&t->forks);
		mutex_unlock(&t->lock);
	} else {
		a->gen = READ_ONCE(t->gen);
		atomic_inc(&t->forks);
	}
}

static void find_fork_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		fork_tp = tp;
}

int segctl_fork_init(void)
{
	for_each_kernel_tracepoint(find_fork_tp, NULL);
	if (!fork_tp) {
		pr_err("no sched_process_fork tracepoint: cannot copy tables at fork\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(fork_tp, fork_probe, NULL);
}

void segctl_fork_exit(void)
{
	tracepoint_probe_unregister(fork_tp, fork_probe, NULL);
	tracepoint_synchronize_unregister();
	wait_event(pending_wq, atomic_read(&pending) == 0);
}
