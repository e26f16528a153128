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

/* A new share, held once (by the segment or global name it is made for). */
struct segctl_share *segctl_share_new(void)
{
	struct segctl_share *sh = kzalloc(sizeof(*sh), GFP_KERNEL_ACCOUNT);

	if (sh)
		refcount_set(&sh->ref, 1);
	return sh;
}

/* One more holder of @sh.  Never the first: that is segctl_share_new(). */
struct segctl_share *segctl_share_get(struct segctl_share *sh)
{
	if (sh)
		refcount_inc(&sh->ref);
	return sh;
}

/* One holder fewer; the last one frees it.  @sh may be NULL. */
void segctl_share_put(struct segctl_share *sh)
{
	if (sh && refcount_dec_and_test(&sh->ref))
		kfree(sh);
}

/**
 * segctl_seg_new - the one constructor of a segment descriptor
 * @p: its range, attributes and class
 * @span_start: start of the attach it belongs to (p->start for a plain one)
 * @span_end: end of that attach
 * @share: the share reference the descriptor takes over, or NULL
 *
 * Returns the descriptor, not yet in a table, or NULL (and @share still
 * the caller's) when there is no memory.
 */
struct segctl_seg *segctl_seg_new(const struct segctl_piece *p,
				  unsigned long span_start,
				  unsigned long span_end,
				  struct segctl_share *share)
{
	struct segctl_seg *s = kmem_cache_zalloc(seg_cache, GFP_KERNEL_ACCOUNT);

	if (!s)
		return NULL;
	s->start = p->start;
	s->end = p->end;
	s->span_start = span_start;
	s->span_end = span_end;
	s->attr = p->attr;
	s->class = p->seg_class;
	s->share = share;
	INIT_LIST_HEAD(&s->limbo);
	INIT_LIST_HEAD(&s->arena);
	atomic_long_inc(&segctl_nr_segs);
	return s;
}

/* Free a descriptor (in no table) and drop its share reference. */
void segctl_seg_free(struct segctl_seg *s)
{
	segctl_share_put(s->share);
	kmem_cache_free(seg_cache, s);
	atomic_long_dec(&segctl_nr_segs);
}

/*
 * Take @s out of the table and give back its commit charge (a stale
 * segment's callers keep what must stay charged first).  While a fork is
 * being adopted the descriptor waits in limbo, as the child may need it.
 */
void segctl_seg_remove(struct segctl_table *t, struct segctl_seg *s)
{
	lockdep_assert_held(&t->lock);
	mtree_erase(&t->segs, s->start);
	list_del_init(&s->arena);
	t->nsegs--;
	if (s->commit) {
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

/* Pages of [start, end) mapped VM_LOCKED.  Caller holds mmap_lock. */
static unsigned long locked_pages(struct mm_struct *mm, unsigned long start,
				  unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long n = 0;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		if (vma->vm_flags & VM_LOCKED)
			n += (min(end, vma->vm_end) - max(start, vma->vm_start)) >>
			     PAGE_SHIFT;
	}
	return n;
}

/*
 * Keep the part of a stale segment's commit charge that still stands for
 * locked memory in [start, end): the pieces the caller found still mapped.
 * Returns the pages kept.  Caller holds mmap_lock and t->lock.
 */
static unsigned long stale_keep(struct segctl_table *t, unsigned long start,
				unsigned long end, unsigned long most)
{
	struct segctl_stale *st;
	unsigned long n = min(locked_pages(t->mn.mm, start, end), most);

	if (!n)
		return 0;
	st = kmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return 0;	/* then the charge goes back early, not late */
	st->start = start;
	st->end = end;
	st->pages = n;
	list_add_tail(&st->link, &t->stale);
	return n;
}

/*
 * Forget a segment that no longer matches the mappings.  What of its commit
 * charge still stands for locked memory in its range, outside
 * [keep_start, keep_end) (a range the caller has just mapped for itself),
 * stays charged as a stale piece, until segctl_stale_reclaim() sees that
 * memory go or the mm goes; the rest returns now.
 */
void segctl_seg_drop_stale(struct segctl_table *t, struct segctl_seg *s,
			   unsigned long keep_start, unsigned long keep_end)
{
	struct mm_struct *mm = t->mn.mm;
	unsigned long kept = 0;

	if (s->commit) {
		mmap_read_lock(mm);
		if (s->start < min(s->end, keep_start))
			kept += stale_keep(t, s->start, min(s->end, keep_start),
					   s->commit);
		if (max(s->start, keep_end) < s->end)
			kept += stale_keep(t, max(s->start, keep_end), s->end,
					   s->commit - kept);
		mmap_read_unlock(mm);
		s->commit -= kept;	/* the rest returns below */
	}
	segctl_seg_remove(t, s);
}

/*
 * Give back what stale pieces hold beyond the memory still locked in them.
 * Run before every new charge, so that a process cannot pile up charges
 * for memory it has unmapped.  Under t->lock.
 */
void segctl_stale_reclaim(struct segctl_table *t)
{
	struct segctl_stale *st, *n;
	unsigned long now;

	if (list_empty(&t->stale))
		return;
	mmap_read_lock(t->mn.mm);
	list_for_each_entry_safe(st, n, &t->stale, link) {
		now = min(locked_pages(t->mn.mm, st->start, st->end), st->pages);
		segctl_uncharge(st->pages - now);
		t->commit -= st->pages - now;
		st->pages = now;
		if (!now) {
			list_del(&st->link);
			kfree(st);
		}
	}
	mmap_read_unlock(t->mn.mm);
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
					 GFP_KERNEL_ACCOUNT);
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
	if (s->kind == SEGCTL_KIND_ARENA)
		list_add_tail(&s->arena, &t->arenas);
	return 0;
}

/* Check the whole table against the mappings (before a listing). */
void segctl_table_validate(struct segctl_table *t)
{
	struct segctl_seg *s;
	unsigned long idx = 0;

	lockdep_assert_held(&t->lock);
	mt_for_each(&t->segs, s, idx, ULONG_MAX)
		segctl_seg_check(t, s);
	segctl_stale_reclaim(t);
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
	struct segctl_table *t = kmem_cache_zalloc(table_cache, GFP_KERNEL_ACCOUNT);

	if (!t)
		return ERR_PTR(-ENOMEM);
	refcount_set(&t->ref, 1);
	mutex_init(&t->lock);
	mt_init(&t->segs);
	INIT_LIST_HEAD(&t->limbo);
	INIT_LIST_HEAD(&t->stale);
	INIT_LIST_HEAD(&t->arenas);
	INIT_HLIST_NODE(&t->hnode);
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
	struct segctl_stale *st, *n;
	struct segctl_seg *s;
	unsigned long idx = 0;

	mutex_lock(&t->lock);
	mt_for_each(&t->segs, s, idx, ULONG_MAX)
		segctl_seg_remove(t, s);
	mtree_destroy(&t->segs);
	segctl_uncharge(t->commit);	/* what stale pieces held */
	t->commit = 0;
	list_for_each_entry_safe(st, n, &t->stale, link)
		kfree(st);
	INIT_LIST_HEAD(&t->stale);
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
		/*
		 * Counted once published: a registration that fails (a signal
		 * in mm_take_all_locks) frees the table without a teardown.
		 */
		atomic_long_inc(&segctl_nr_tables);
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
	struct create_work cw;

	if (t || !create)
		return t;
	if (current->mm == mm && !signal_pending(current)) {
		t = table_create(mm, task_tgid_nr(current));
		return PTR_ERR_OR_ZERO(t) == -EINTR ? ERR_PTR(-ERESTARTNOINTR) : t;
	}
	cw.mm = mm;
	cw.pid = task_tgid_nr(current);
	cw.t = NULL;
	INIT_WORK_ONSTACK(&cw.work, create_worker);
	queue_work(system_unbound_wq, &cw.work);
	flush_work(&cw.work);
	destroy_work_on_stack(&cw.work);
	return cw.t;
}

/* @fn on every table, each locked, under tables_lock (debugfs.c). */
void segctl_tables_each(void (*fn)(struct segctl_table *t, void *arg),
			void *arg)
{
	struct segctl_table *t;
	int bkt;

	mutex_lock(&tables_lock);
	hash_for_each(tables, bkt, t, hnode) {
		mutex_lock(&t->lock);
		fn(t, arg);
		mutex_unlock(&t->lock);
	}
	mutex_unlock(&tables_lock);
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
