// SPDX-License-Identifier: GPL-2.0-only
/*
 * table.c: one segment table per mm.
 *
 * A table is an mmu_notifier subscription on its mm, so the kernel tells us
 * when the mm goes (last exit, or exec) and we can return every charge.  A
 * hash keyed by the mm finds it again from any task of that mm without
 * taking mmap_lock.  Segments live in a maple tree keyed by address range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "segctl.h"

static DEFINE_HASHTABLE(tables, 8);
static DEFINE_MUTEX(tables_lock);
static struct kmem_cache *table_cache, *seg_cache;

atomic_long_t segctl_nr_tables;
atomic_long_t segctl_nr_segs;

static void table_release(struct mmu_notifier *mn, struct mm_struct *mm);
static struct mmu_notifier *table_alloc(struct mm_struct *mm);
static void table_free_notifier(struct mmu_notifier *mn);

static const struct mmu_notifier_ops table_ops = {
	.release	= table_release,
	.alloc_notifier	= table_alloc,
	.free_notifier	= table_free_notifier,
};

struct segctl_seg *segctl_seg_alloc(void)
{
	struct segctl_seg *s = kmem_cache_zalloc(seg_cache, GFP_KERNEL);

	if (s) {
		INIT_LIST_HEAD(&s->limbo);
		atomic_long_inc(&segctl_nr_segs);
	}
	return s;
}

void segctl_seg_free(struct segctl_seg *s)
{
	if (s->share && refcount_dec_and_test(&s->share->ref))
		kfree(s->share);
	kmem_cache_free(seg_cache, s);
	atomic_long_dec(&segctl_nr_segs);
}

/* Is nothing at all mapped in [start, end)?  Caller holds mmap_lock. */
static bool range_empty(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	return start >= end || !find_vma_intersection(mm, start, end);
}

/*
 * Take @s out of the table.  @gone says its memory is known to be unmapped,
 * so its commit charge can go back to the module cap; otherwise (a segment
 * changed behind our back, parts of which may still be mapped and locked)
 * the charge stays with the table until the mm goes.  While a fork is being
 * adopted the descriptor waits in limbo, as the child may still need it.
 */
void segctl_seg_remove(struct segctl_table *t, struct segctl_seg *s, bool gone)
{
	lockdep_assert_held(&t->lock);
	mtree_erase(&t->segs, s->start);
	t->nsegs--;
	if (s->commit && gone) {
		segctl_uncharge(s->commit);
		t->commit -= s->commit;
	}
	s->commit = 0;
	s->died = ++t->gen;
	if (atomic_read(&t->forks) > 0)
		list_add_tail(&s->limbo, &t->limbo);
	else
		segctl_seg_free(s);
}

/*
 * Forget a segment that no longer matches the mappings.  Its charge returns
 * only if nothing is left mapped in its range outside [keep_start, keep_end),
 * a range the caller has just mapped for itself.
 */
void segctl_seg_drop_stale(struct segctl_table *t, struct segctl_seg *s,
			   unsigned long keep_start, unsigned long keep_end)
{
	struct mm_struct *mm = t->mn.mm;
	bool gone;

	mmap_read_lock(mm);
	gone = range_empty(mm, s->start, min(s->end, keep_start)) &&
	       range_empty(mm, max(s->start, keep_end), s->end);
	mmap_read_unlock(mm);
	segctl_seg_remove(t, s, gone);
}

/*
 * Insert a segment whose range the caller has just mapped.  Any segment
 * still recorded in that range was unmapped behind our back (the kernel
 * could not have given us the range otherwise): drop it first.
 */
int segctl_seg_insert(struct segctl_table *t, struct segctl_seg *s)
{
	unsigned long idx;
	struct segctl_seg *old;
	int err;

	lockdep_assert_held(&t->lock);
	for (;;) {
		err = mtree_insert_range(&t->segs, s->start, s->end - 1, s,
					 GFP_KERNEL);
		if (err != -EEXIST)
			break;
		idx = s->start;
		old = mt_find(&t->segs, &idx, s->end - 1);
		if (WARN_ON_ONCE(!old))
			return -EEXIST;
		segctl_seg_drop_stale(t, old, s->start, s->end);
	}
	if (err)
		return err;
	s->born = ++t->gen;
	t->nsegs++;
	return 0;
}

/* Free what removals left in limbo once no fork needs it.  Under t->lock. */
void segctl_table_free_limbo(struct segctl_table *t)
{
	struct segctl_seg *s, *n;

	list_for_each_entry_safe(s, n, &t->limbo, limbo) {
		list_del(&s->limbo);
		segctl_seg_free(s);
	}
}

static struct mmu_notifier *table_alloc(struct mm_struct *mm)
{
	struct segctl_table *t = kmem_cache_zalloc(table_cache, GFP_KERNEL);

	if (!t)
		return ERR_PTR(-ENOMEM);
	refcount_set(&t->ref, 1);
	mutex_init(&t->lock);
	mt_init(&t->segs);
	INIT_LIST_HEAD(&t->limbo);
	INIT_HLIST_NODE(&t->hnode);
	atomic_long_inc(&segctl_nr_tables);
	return &t->mn;
}

static void table_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(table_cache, container_of(rcu, struct segctl_table, rcu));
}

void segctl_table_put(struct segctl_table *t)
{
	if (refcount_dec_and_test(&t->ref))
		call_rcu(&t->rcu, table_free_rcu);
}

static void table_free_notifier(struct mmu_notifier *mn)
{
	segctl_table_put(container_of(mn, struct segctl_table, mn));
}

/* Empty a table whose mm is going (or the module is): return every charge. */
static void table_teardown(struct segctl_table *t)
{
	struct segctl_seg *s;
	unsigned long idx = 0;

	mutex_lock(&t->lock);
	mt_for_each(&t->segs, s, idx, ULONG_MAX)
		segctl_seg_remove(t, s, true);
	mtree_destroy(&t->segs);
	segctl_uncharge(t->commit);
	t->commit = 0;
	t->dead = true;
	if (atomic_read(&t->forks) == 0)
		segctl_table_free_limbo(t);
	mutex_unlock(&t->lock);
	atomic_long_dec(&segctl_nr_tables);
}

/* Called once, without mmap_lock, when the mm's last user goes. */
static void table_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct segctl_table *t = container_of(mn, struct segctl_table, mn);
	bool ours;

	mutex_lock(&tables_lock);
	ours = !hlist_unhashed(&t->hnode);
	if (ours)
		hash_del_rcu(&t->hnode);
	mutex_unlock(&tables_lock);
	if (!ours)		/* module exit has it */
		return;
	segctl_exec_carry(t, mm);
	table_teardown(t);
	mmu_notifier_put(mn);
}

static struct segctl_table *table_lookup(struct mm_struct *mm)
{
	struct segctl_table *t, *found = NULL;

	rcu_read_lock();
	hash_for_each_possible_rcu(tables, t, hnode, (unsigned long)mm) {
		if (t->mn.mm == mm && refcount_inc_not_zero(&t->ref)) {
			found = t;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Subscribe to @mm and publish the table.  Needs no signal pending. */
static struct segctl_table *table_create(struct mm_struct *mm, pid_t pid)
{
	struct mmu_notifier *mn;
	struct segctl_table *t;
	bool extra;

	mn = mmu_notifier_get(&table_ops, mm);
	if (IS_ERR(mn))
		return ERR_CAST(mn);
	t = container_of(mn, struct segctl_table, mn);
	mutex_lock(&tables_lock);
	/* Two tasks of one mm may race here; both got the same table. */
	extra = !hlist_unhashed(&t->hnode);
	if (!extra) {
		t->pid = pid;
		hash_add_rcu(tables, &t->hnode, (unsigned long)mm);
	}
	refcount_inc(&t->ref);
	mutex_unlock(&tables_lock);
	if (extra)
		mmu_notifier_put(mn);
	return t;
}

struct create_work {
	struct work_struct work;
	struct mm_struct *mm;
	pid_t pid;
	struct segctl_table *t;
};

static void create_worker(struct work_struct *work)
{
	struct create_work *cw = container_of(work, struct create_work, work);

	cw->t = table_create(cw->mm, cw->pid);
}

/**
 * segctl_table_get - find (and make) the segment table of an mm
 * @mm: the caller's mm, or a child's being adopted
 * @create: make the table if there is none
 *
 * Returns a referenced table, NULL if there is none and @create is false,
 * or an ERR_PTR.  Subscribing to an mm takes every lock in it and gives up
 * when a signal is pending; the ioctl path restarts the call then, and
 * other callers subscribe from a worker, which gets no signals.
 */
struct segctl_table *segctl_table_get(struct mm_struct *mm, bool create)
{
	struct segctl_table *t = table_lookup(mm);
	struct create_work cw = { .mm = mm, .pid = task_tgid_nr(current) };

	if (t || !create)
		return t;
	if (current->mm == mm && !signal_pending(current)) {
		t = table_create(mm, cw.pid);
		return PTR_ERR_OR_ZERO(t) == -EINTR ? ERR_PTR(-ERESTARTNOINTR) : t;
	}
	INIT_WORK_ONSTACK(&cw.work, create_worker);
	queue_work(system_unbound_wq, &cw.work);
	flush_work(&cw.work);
	destroy_work_on_stack(&cw.work);
	return cw.t;
}

int segctl_debugfs_show(struct seq_file *m, void *unused)
{
	struct segctl_table *t;
	struct segctl_seg *s;
	unsigned long idx;
	int bkt;

	seq_printf(m, "tables %ld segments %ld committed %ld limit %lu\n",
		   atomic_long_read(&segctl_nr_tables),
		   atomic_long_read(&segctl_nr_segs),
		   atomic_long_read(&segctl_committed),
		   READ_ONCE(segctl_commit_limit));
	mutex_lock(&tables_lock);
	hash_for_each(tables, bkt, t, hnode) {
		mutex_lock(&t->lock);
		seq_printf(m, "pid %d segments %lu commit %lu\n",
			   t->pid, t->nsegs, t->commit);
		idx = 0;
		mt_for_each(&t->segs, s, idx, ULONG_MAX) {
			seq_puts(m, "\t");
			segctl_show_seg(m, s);
		}
		mutex_unlock(&t->lock);
	}
	mutex_unlock(&tables_lock);
	return 0;
}

int segctl_tables_init(void)
{
	table_cache = KMEM_CACHE(segctl_table, 0);
	seg_cache = KMEM_CACHE(segctl_seg, 0);
	if (!table_cache || !seg_cache) {
		kmem_cache_destroy(table_cache);
		kmem_cache_destroy(seg_cache);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Module exit (no device open, no fork pending): empty every table, leave
 * the mappings as ordinary mappings, and wait until the mmu_notifier core
 * and RCU are done with our tables before the caches go.
 */
void segctl_tables_exit(void)
{
	struct segctl_table *t;
	struct segctl_table *n;
	struct hlist_node *tmp;
	LIST_HEAD(list);
	int bkt;

	/* Unhashed, a table is ours: a racing release leaves it alone. */
	mutex_lock(&tables_lock);
	hash_for_each_safe(tables, bkt, tmp, t, hnode) {
		hash_del_rcu(&t->hnode);
		list_add_tail(&t->exit, &list);
	}
	mutex_unlock(&tables_lock);
	list_for_each_entry_safe(t, n, &list, exit) {
		list_del(&t->exit);
		table_teardown(t);
		mmu_notifier_put(&t->mn);
	}
	mmu_notifier_synchronize();
	rcu_barrier();
	kmem_cache_destroy(seg_cache);
	kmem_cache_destroy(table_cache);
}
