// SPDX-License-Identifier: GPL-2.0-only
/*
 * list.c: reading /dev/segctl gives the caller's segment table, one line a
 * segment in 9front's /proc/n/segment layout (doc/contract.md §1.7), as
 * linux/segctl_rules.h formats it for both backends.  An arena is not a
 * line of its own: each of its bodies shows as a guarded attach does,
 * redzone, body, redzone; its free space not at all.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "arena.h"
#include "segctl.h"

void segctl_show_seg(struct seq_file *m, const struct segctl_seg *s)
{
	char line[SEGCTL_LINE_MAX];
	int n;

	n = segctl_fmt_line(line, s->class, s->attr, s->start, s->end,
			    s->share ? refcount_read(&s->share->ref) : 1);
	seq_write(m, line, n);
}

/* Where a listing is: its table, and the line to show next. */
struct list_cursor {
	struct segctl_table	*t;
	struct segctl_piece	line;
	unsigned int		nref;	/* the share's holders */
};

/*
 * The first line at or above pos: a segment starting there, or a piece of
 * an arena's body.  False when there is none.
 */
static bool cursor_seek(struct list_cursor *c, unsigned long pos)
{
	struct segctl_table *t = c->t;
	unsigned long idx = pos;
	struct segctl_seg *s;

	while ((s = mt_find(&t->segs, &idx, ULONG_MAX))) {
		if (s->kind == SEGCTL_KIND_ARENA) {
			if (!segctl_arena_piece(t->mn.mm, s, pos, true, &c->line)) {
				c->nref = 1;
				return true;
			}
		} else if (s->start >= pos) {
			c->line = (struct segctl_piece){ s->start, s->end,
							 s->attr, s->class };
			c->nref = s->share ? refcount_read(&s->share->ref) : 1;
			return true;
		}
	}
	return false;
}

/*
 * The seq_file position is an address: the next line shown is the first
 * at or above it.  That keeps a long listing read in pieces O(n log n), and
 * correct if the table changes between reads.  The whole table is checked
 * against the mappings when a listing starts.
 */
static void *list_start(struct seq_file *m, loff_t *pos)
{
	struct segctl_table *t = segctl_table_get(current->mm, false);
	struct list_cursor *c;

	if (IS_ERR_OR_NULL(t))
		return NULL;
	c = kmalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c) {
		segctl_table_put(t);
		return ERR_PTR(-ENOMEM);
	}
	c->t = t;
	m->private = c;
	if (mutex_lock_killable(&t->lock)) {
		c->t = NULL;
		segctl_table_put(t);
		return ERR_PTR(-EINTR);
	}
	if (*pos == 0)
		segctl_table_validate(t);
	return cursor_seek(c, *pos) ? c : NULL;
}

static void *list_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct list_cursor *c = v;

	*pos = c->line.end;
	return cursor_seek(c, c->line.end) ? c : NULL;
}

static void list_stop(struct seq_file *m, void *v)
{
	struct list_cursor *c = m->private;

	if (!c)
		return;
	if (c->t) {
		mutex_unlock(&c->t->lock);
		segctl_table_put(c->t);
	}
	kfree(c);
	m->private = NULL;
}

static int list_show(struct seq_file *m, void *v)
{
	struct list_cursor *c = v;
	char line[SEGCTL_LINE_MAX];
	int n;

	n = segctl_fmt_line(line, c->line.seg_class, c->line.attr,
			    c->line.start, c->line.end, c->nref);
	seq_write(m, line, n);
	return 0;
}

const struct seq_operations segctl_list_ops = {
	.start	= list_start,
	.next	= list_next,
	.stop	= list_stop,
	.show	= list_show,
};
