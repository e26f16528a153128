// SPDX-License-Identifier: GPL-2.0-only
/*
 * segctl: Plan 9 memory segments (segattach(2)) for Linux.
 *
 * main.c: the misc device /dev/segctl, its ioctl dispatch and the module's
 * parameters.  Every request acts on the calling
 * task's mm; see include/uapi/linux/segctl.h for the ABI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "arena.h"
#include "segctl.h"
#include "selftest.h"

/*
 * The module-wide cap on committed memory, in pages.  0 at load means a
 * quarter of RAM; written as 0 later, it turns SG_COMMIT off (EPERM).
 */
static int set_commit_limit(const char *val, const struct kernel_param *kp)
{
	return param_set_ulong(val, kp);
}

static const struct kernel_param_ops commit_limit_ops = {
	.set	= set_commit_limit,
	.get	= param_get_ulong,
};
module_param_cb(commit_limit, &commit_limit_ops, &segctl_commit_limit, 0644);
MODULE_PARM_DESC(commit_limit,
		 "most pages SG_COMMIT segments may hold in all (default: a quarter of RAM)");

/* Live counts, read-only, for leak accounting. */
static int get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops counter_ops = {
	.get	= get_counter,
};
module_param_cb(committed, &counter_ops, &segctl_committed, 0444);
MODULE_PARM_DESC(committed, "pages now held by SG_COMMIT segments");
module_param_cb(tables, &counter_ops, &segctl_nr_tables, 0444);
MODULE_PARM_DESC(tables, "segment tables (address spaces) alive");
module_param_cb(segments, &counter_ops, &segctl_nr_segs, 0444);
MODULE_PARM_DESC(segments, "segments alive, in tables or awaiting a fork");
module_param_cb(arenas_alive, &counter_ops, &segctl_nr_arenas, 0444);
MODULE_PARM_DESC(arenas_alive, "stack arenas alive (mapped somewhere)");
module_param_cb(spans, &counter_ops, &segctl_nr_spans, 0444);
MODULE_PARM_DESC(spans, "bodies alive in stack arenas");

/* Stack arenas (doc/arenas.md): on by default; off is the old layout. */
module_param_named(arenas, segctl_arenas, bool, 0644);
MODULE_PARM_DESC(arenas,
		 "put guarded memory segments into stack arenas (default: on)");
module_param_named(arena_spans, segctl_arena_spans, ulong, 0644);
MODULE_PARM_DESC(arena_spans,
		 "most bodies the arenas of one address space may hold (default 1048576)");

static long segctl_version(void *arg)
{
	struct segctl_version *v = arg;

	if (v->api != SEGCTL_API)
		return -EINVAL;
	v->features = SEGCTL_FEAT_ALL;
	/* Only arena attaches batch. */
	if (!READ_ONCE(segctl_arenas))
		v->features &= ~(SEGCTL_FEAT_ARENA | SEGCTL_FEAT_BATCH);
	v->attrs = SEGCTL_ATTR_ALL;
	v->commit_limit = READ_ONCE(segctl_commit_limit);
	return 0;
}

/* One entry per command: sizes let old and new callers interoperate. */
struct segctl_ioctl {
	unsigned int	size;		/* the struct this module knows */
	unsigned int	min_size;	/* up to its last mandatory field */
	bool		out;		/* the struct carries results back */
	long		(*fn)(void *arg);
	void		(*undo)(void *arg);	/* result cannot go back */
};

#define SEGCTL_IOCTL(cmd, type, last, results, handler, undoer)		\
	[_IOC_NR(cmd)] = {						\
		.size = sizeof(type),					\
		.min_size = offsetofend(type, last),			\
		.out = results,						\
		.fn = handler,						\
		.undo = undoer,						\
	}

static const struct segctl_ioctl segctl_ioctls[] = {
	SEGCTL_IOCTL(SEGCTL_VERSION, struct segctl_version, api, true,
		     segctl_version, NULL),
	SEGCTL_IOCTL(SEGCTL_ATTACH, struct segctl_attach, len, true,
		     segctl_ioc_attach, segctl_ioc_attach_undo),
	SEGCTL_IOCTL(SEGCTL_DETACH, struct segctl_detach, addr, false,
		     segctl_ioc_detach, NULL),
	SEGCTL_IOCTL(SEGCTL_FREE, struct segctl_range, len, false,
		     segctl_ioc_free, NULL),
	SEGCTL_IOCTL(SEGCTL_BRK, struct segctl_brk, addr, true,
		     segctl_ioc_brk, NULL),
	SEGCTL_IOCTL(SEGCTL_FLUSH, struct segctl_range, len, false,
		     segctl_ioc_flush, NULL),
	SEGCTL_IOCTL(SEGCTL_ATTACHN, struct segctl_attachn, count, false,
		     segctl_ioc_attachn, NULL),
	SEGCTL_IOCTL(SEGCTL_DETACHN, struct segctl_detachn, count, false,
		     segctl_ioc_detachn, NULL),
};

union segctl_args {
	struct segctl_version	version;
	struct segctl_attach	attach;
	struct segctl_detach	detach;
	struct segctl_range	range;
	struct segctl_brk	brk;
	struct segctl_attachn	attachn;
	struct segctl_detachn	detachn;
};

static long segctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct segctl_ioctl *op;
	union segctl_args args;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize, len;
	long err;

	if (_IOC_TYPE(cmd) != SEGCTL_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) ||
	    nr >= ARRAY_SIZE(segctl_ioctls) || !segctl_ioctls[nr].fn)
		return -ENOTTY;
	op = &segctl_ioctls[nr];
	if (!current->mm)
		return -EINVAL;
	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	err = copy_struct_from_user(&args, op->size, uarg, usize);
	if (err)
		return err;
	len = min_t(u32, usize, op->size);
	if (!op->out)
		return op->fn(&args);
	/*
	 * Nothing may change for a caller that cannot be told the result:
	 * write the request back as it came first.  If another thread takes
	 * the page away in between, an attach is undone; a segbrk is not (the
	 * caller raced its own request).
	 */
	if (copy_to_user(uarg, &args, len))
		return -EFAULT;
	err = op->fn(&args);
	if (err)
		return err;
	/* The size field goes back as the caller wrote it. */
	if (copy_to_user(uarg, &args, len)) {
		if (op->undo)
			op->undo(&args);
		return -EFAULT;
	}
	return 0;
}

static int segctl_open(struct inode *inode, struct file *file)
{
	segctl_selftest_open();
	file->private_data = NULL;	/* misc_open's; the listing needs it */
	return seq_open(file, &segctl_list_ops);
}

static const struct file_operations segctl_fops = {
	.owner		= THIS_MODULE,
	.open		= segctl_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release,
	.unlocked_ioctl	= segctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice segctl_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "segctl",
	.fops	= &segctl_fops,
	.mode	= 0666,		/* it only ever acts on the caller's mm */
};

static int __init segctl_init(void)
{
	int err;

	if (!segctl_commit_limit)
		segctl_commit_limit = totalram_pages() / 4;
	err = segctl_arena_init();
	if (err)
		return err;
	err = segctl_tables_init();
	if (err)
		goto arena;
	err = segctl_fork_init();
	if (err)
		goto tables;
	err = segctl_global_init();
	if (err)
		goto fork;
	err = misc_register(&segctl_dev);
	if (err)
		goto global;
	segctl_debugfs_init();
	pr_info("loaded: commit limit %lu pages\n", segctl_commit_limit);
	return 0;

global:
	segctl_global_exit();
fork:
	segctl_fork_exit();
tables:
	segctl_tables_exit();
arena:
	segctl_arena_exit();
	return err;
}

static void __exit segctl_exit(void)
{
	segctl_debugfs_exit();
	misc_deregister(&segctl_dev);
	segctl_global_exit();
	segctl_fork_exit();
	segctl_exec_exit();
	segctl_tables_exit();
	segctl_arena_exit();
}

module_init(segctl_init);
module_exit(segctl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Plan 9 memory segments");
MODULE_AUTHOR("the segctl developers");
#ifdef SEGCTL_MODVERSION
MODULE_VERSION(SEGCTL_MODVERSION);
#endif
