/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * segctl.h: the module's own types.
 *
 * Locking, outermost first:
 *   tables_lock (mutex, table.c)	the hash of tables, debugfs, module exit
 *   table->lock (mutex)		one mm's segments; held across vm_mmap
 *   mmap_lock				taken by vm_mmap/vm_munmap or by us
 *   arena map->lock (mutex, arena.c)	one arena VMA's spans, under mmap_lock read
 * Nothing called under mmap_lock takes a segctl lock, and no user memory is
 * copied while a segctl lock is held.  A parent's table->lock nests outside
 * its child's when a fork is adopted (fork.c).
 */
#ifndef SEGCTL_H
#define SEGCTL_H

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/maple_tree.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/segctl.h>
#include <linux/segctl_rules.h>
#include <linux/types.h>

/* What a "shared" segment's copies in several address spaces have in common. */
struct segctl_share {
	refcount_t	ref;		/* tables holding the segment */
};

/* What a table entry stands for. */
#define SEGCTL_KIND_SEG		0	/* a segment: a body or a redzone */
#define SEGCTL_KIND_ARENA	1	/* an arena, its bodies inside (arena.c) */

struct segctl_seg {
	unsigned long	start;		/* [start, end), page aligned */
	unsigned long	end;
	unsigned long	span_start;	/* the guarded attach it belongs to, */
	unsigned long	span_end;	/* or [start, end) */
	u32		attr;		/* SEGCTL_ATTR_* */
	u32		class;		/* SEGCTL_CLASS_*; GLOBAL is SHARED */
	unsigned long	commit;		/* pages charged to the module cap */
	struct segctl_share *share;	/* "shared" class only */
	u64		born;		/* table generation at attach */
	u64		died;		/* generation at removal, in limbo */
	struct list_head limbo;		/* on table->limbo once removed */
	u32		kind;		/* SEGCTL_KIND_* */
	unsigned long	guard;		/* an arena's redzone bytes per side */
	struct list_head arena;		/* an arena's link in table->arenas */
};

/* Part of a stale segment's commit charge, for memory still locked. */
struct segctl_stale {
	struct list_head link;
	unsigned long	start;
	unsigned long	end;
	unsigned long	pages;
};

/* One per mm that has used segctl: its segment table. */
struct segctl_table {
	struct mmu_notifier mn;		/* mn.mm is the address space */
	refcount_t	ref;		/* the mm's, and one per pending fork */
	struct mutex	lock;
	struct maple_tree segs;		/* [start, end - 1] -> segctl_seg */
	unsigned long	nsegs;
	unsigned long	commit;		/* pages of the cap this mm holds */
	struct list_head stale;		/* segctl_stale pieces, in commit */
	u64		gen;		/* bumped by every attach and removal */
	atomic_t	forks;		/* children not yet adopted (fork.c) */
	struct list_head limbo;		/* segments removed while forks > 0 */
	struct list_head arenas;	/* the arena entries of segs */
	bool		dead;		/* the mm has gone */
	pid_t		pid;		/* tgid of the task that made it */
	struct hlist_node hnode;	/* in the hash of tables */
	struct list_head exit;		/* on module exit's list */
	struct rcu_head	rcu;
};

/*
 * The top of segment space: SEGCTL_TOP, the default mmap window, even
 * where 5-level paging allows more, so that segments lie where Plan 9's do
 * and where libseg's user backend can check them; a 32-bit task's is lower.
 */
static inline unsigned long segctl_top(void)
{
	return min_t(unsigned long, TASK_SIZE, SEGCTL_TOP);
}

/* How a committed segment is mapped: locked and populated (commit.c). */
static inline unsigned long segctl_commit_map_flags(u32 attr)
{
	return attr & SEGCTL_ATTR_COMMIT ? MAP_LOCKED | MAP_POPULATE : 0;
}

/* Module-wide counters, for the leak accounting in sysfs and debugfs. */
extern atomic_long_t segctl_nr_tables;
extern atomic_long_t segctl_nr_segs;
extern atomic_long_t segctl_committed;	/* pages */
extern unsigned long segctl_commit_limit; /* pages */

/* table.c */
int segctl_tables_init(void);
void segctl_tables_exit(void);
struct segctl_table *segctl_table_get(struct mm_struct *mm, bool create);
void segctl_table_put(struct segctl_table *t);
struct segctl_share *segctl_share_new(void);
struct segctl_share *segctl_share_get(struct segctl_share *sh);
void segctl_share_put(struct segctl_share *sh);
struct segctl_seg *segctl_seg_new(const struct segctl_piece *p,
				  unsigned long span_start,
				  unsigned long span_end,
				  struct segctl_share *share);
void segctl_seg_free(struct segctl_seg *s);
int segctl_seg_insert(struct segctl_table *t, struct segctl_seg *s);
void segctl_seg_remove(struct segctl_table *t, struct segctl_seg *s);
void segctl_seg_drop_stale(struct segctl_table *t, struct segctl_seg *s,
			   unsigned long keep_start, unsigned long keep_end);
void segctl_table_free_limbo(struct segctl_table *t);
void segctl_stale_reclaim(struct segctl_table *t);
void segctl_table_validate(struct segctl_table *t);
void segctl_tables_each(void (*fn)(struct segctl_table *t, void *arg),
			void *arg);

/* segment.c: the ioctl handlers, and what they share with the others */
long segctl_ioc_attach(void *arg);	/* struct segctl_attach */
void segctl_ioc_attach_undo(void *arg);	/* result cannot go back */
long segctl_ioc_detach(void *arg);	/* struct segctl_detach */
long segctl_ioc_free(void *arg);	/* struct segctl_range */
long segctl_ioc_brk(void *arg);		/* struct segctl_brk */
long segctl_ioc_flush(void *arg);	/* struct segctl_range */
long segctl_ioc_attachn(void *arg);	/* struct segctl_attachn */
long segctl_ioc_detachn(void *arg);	/* struct segctl_detachn */
long segctl_map_error(long err, u32 attr);
bool segctl_seg_valid(struct mm_struct *mm, const struct segctl_seg *s);
bool segctl_seg_inherited(struct mm_struct *mm, const struct segctl_seg *s);
bool segctl_seg_check(struct segctl_table *t, struct segctl_seg *s);

/* commit.c */
void segctl_uncharge(unsigned long pages);
int segctl_commit_begin(struct segctl_table *t, u32 attr, unsigned long pages);
int segctl_commit_end(struct segctl_table *t, struct segctl_seg *s, u32 attr,
		      unsigned long pages, int err);
int segctl_fault_in(struct mm_struct *mm, unsigned long start,
		    unsigned long end, u32 attr, u32 class);

/* list.c */
void segctl_show_seg(struct seq_file *m, const struct segctl_seg *s);
extern const struct seq_operations segctl_list_ops;

static inline bool segctl_seg_is_shared(const struct segctl_seg *s)
{
	return s->class == SEGCTL_CLASS_GLOBAL ||
	       (s->class == SEGCTL_CLASS_SHARED && !(s->attr & SEGCTL_ATTR_NONE));
}

/* debugfs.c */
void segctl_debugfs_init(void);
void segctl_debugfs_exit(void);

/* exec.c */
void segctl_exec_carry(struct segctl_table *t, struct mm_struct *mm);
void segctl_exec_exit(void);

/* global.c */
int segctl_global_init(void);
void segctl_global_exit(void);
int segctl_global_map(const char *name, u32 attr, unsigned long *va,
		      unsigned long *len, struct segctl_share **share);

/* fork.c */
int segctl_fork_init(void);
void segctl_fork_exit(void);

#endif /* SEGCTL_H */
