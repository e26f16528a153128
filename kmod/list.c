// SPDX-License-Identifier: GPL-2.0-only
/*
 * list.c: reading /dev/segctl gives the caller's segment table, one line a
 * segment in 9front's /proc/n/segment layout (doc/contract.md §1.7), as
 * linux/segctl_rules.h formats it for both backends.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>

#include "segctl.h"

void segctl_show_seg(struct seq_file *m, const struct segctl_seg *s)
{
	char line[SEGCTL_LINE_MAX];
	int n;

	n = segctl_fmt_line(line, s->class, s->attr, s->start, s->end,
			    s->share ? refcount_read(&s->share->ref) : 1);
	seq_write(m, line, n);
}

/*
 * The seq_file position is an address: the next segment shown is the first
 * at or above it.  That keeps a long listing read in pieces O(n log n), and
 * correct if the table changes between reads.  The whole table is checked
 * against the mappings when a listing starts.
 */
static void *list_start(struct seq_file *m, loff_t *pos)
{
	struct segctl_table *t = segctl_table_get(current->mm, false);
	unsigned long idx = *pos;
	struct segctl_seg *s;

	if (IS_ERR_OR_NULL(t))
		return NULL;
	if (mutex_lock_killable(&t->lock)) {
		segctl_table_put(t);
		return ERR_PTR(-EINTR);
	}
	m->private = t;
	if (*pos == 0)
		segctl_table_validate(t);
	/* The first segment starting at or above pos, not one holding it. */
	do {
		s = mt_find(&t->segs, &idx, ULONG_MAX);
	} while (s && s->start < *pos);
	return s;
}

static void *list_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct segctl_table *t = m->private;
	struct segctl_seg *s = v;
	unsigned long idx = s->end;

	*pos = s->end;
	return mt_find(&t->segs, &idx, ULONG_MAX);
}

static void list_stop(struct seq_file *m, void *v)
{
	struct segctl_table *t = m->private;

	if (t) {
		mutex_unlock(&t->lock);
		segctl_table_put(t);
		m->private = NULL;
	}
}

static int list_show(struct seq_file *m, void *v)
{
	segctl_show_seg(m, v);
	return 0;
}

const struct seq_operations segctl_list_ops = {
	.start	= list_start,
	.next	= list_next,
	.stop	= list_stop,
	.show	= list_show,
};
