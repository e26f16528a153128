// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs.c: /sys/kernel/debug/segctl/tables, for root: the module's
 * counters, then every table (its tgid, segments, commit charge) with its
 * segments in the listing's format (list.c), one tab in.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

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
		segctl_show_seg(m, s);
	}
}

static int segctl_debugfs_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "tables %ld segments %ld committed %ld limit %lu\n",
		   atomic_long_read(&segctl_nr_tables),
		   atomic_long_read(&segctl_nr_segs),
		   atomic_long_read(&segctl_committed),
		   READ_ONCE(segctl_commit_limit));
	segctl_tables_each(show_table, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(segctl_debugfs);

void segctl_debugfs_init(void)
{
	segctl_debugfs_dir = debugfs_create_dir("segctl", NULL);
	debugfs_create_file("tables", 0400, segctl_debugfs_dir, NULL,
			    &segctl_debugfs_fops);
}

void segctl_debugfs_exit(void)
{
	debugfs_remove_recursive(segctl_debugfs_dir);
}
