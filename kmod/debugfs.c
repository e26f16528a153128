// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs.c: /sys/kernel/debug/segctl/tables, for root: the module's
 * counters, then every table (its tgid, segments, commit charge) with its
 * segments in the listing's format (list.c), one tab in; an arena as
 * "arena BASE TOP guard BYTES spans N".  /sys/kernel/debug/segctl/arenas
 * and .../spans: the arenas and spans alive in the module.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "arena.h"
#include "segctl.h"

static struct dentry *segctl_debugfs_dir;

static void show_table(struct segctl_table *t, void *arg)
{
	struct seq_file *m = arg;
	struct segctl_seg *s;
	unsigned long idx = 0;

	seq_printf(m, "pid %d segments %lu commit %lu\n", t->pid, t->nsegs,
		   t->commit);
	mt_for_each(&t->segs, s, idx, ULONG_MAX) {
		seq_putc(m, '\t');
		if (s->kind == SEGCTL_KIND_ARENA)
			seq_printf(m, "arena %08lx %08lx guard %lu spans %lu\n",
				   s->start, s->end, s->guard,
				   segctl_arena_nspans(t->mn.mm, s));
		else
			segctl_show_seg(m, s);
	}
}

static int segctl_debugfs_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "tables %ld segments %ld committed %ld limit %lu arenas %ld spans %ld\n",
		   atomic_long_read(&segctl_nr_tables),
		   atomic_long_read(&segctl_nr_segs),
		   atomic_long_read(&segctl_committed),
		   READ_ONCE(segctl_commit_limit),
		   atomic_long_read(&segctl_nr_arenas),
		   atomic_long_read(&segctl_nr_spans));
	segctl_tables_each(show_table, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(segctl_debugfs);

/* One of the module's atomic_long_t counters, as a number. */
static int counter_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%ld\n", atomic_long_read(m->private));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counter);

void segctl_debugfs_init(void)
{
	segctl_debugfs_dir = debugfs_create_dir("segctl", NULL);
	debugfs_create_file("tables", 0400, segctl_debugfs_dir, NULL,
			    &segctl_debugfs_fops);
	debugfs_create_file("arenas", 0400, segctl_debugfs_dir,
			    &segctl_nr_arenas, &counter_fops);
	debugfs_create_file("spans", 0400, segctl_debugfs_dir,
			    &segctl_nr_spans, &counter_fops);
}

void segctl_debugfs_exit(void)
{
	debugfs_remove_recursive(segctl_debugfs_dir);
}
