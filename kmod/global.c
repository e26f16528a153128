// SPDX-License-Identifier: GPL-2.0-only
/*
 * global.c: global segments, Plan 9's segment(3) (#g), in configfs.
 *
 *	mkdir /sys/kernel/config/segment/NAME		make one (root)
 *	echo 'va 0x10000000 0x100000' > NAME/ctl	give it a place, once
 *	cat NAME/ctl					va 0x10000000 0x100000
 *	NAME/data					its contents, as a file
 *	segattach(0, "NAME", 0, 0)			map it at that place
 *	rmdir NAME					no new attaches
 *
 * The memory is a shmem file made when the address is set.  Every mapping
 * holds the file, so it outlives the name until the last detach.  Who may
 * attach follows the data file's mode (0660 root:root until changed).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/namei.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "segctl.h"

/* The data file shows at most this much of a segment. */
#define DATA_MAX	(16 << 20)

struct segctl_global {
	struct config_item	item;
	struct mutex		lock;
	unsigned long		va;	/* 0 until ctl sets it */
	unsigned long		len;
	struct file		*shm;
	struct segctl_share	*share;	/* the name's reference + attaches */
	struct list_head	link;	/* in globals, while named */
};

static LIST_HEAD(globals);
static DEFINE_MUTEX(globals_lock);

static struct segctl_global *to_global(struct config_item *item)
{
	return container_of(item, struct segctl_global, item);
}

static ssize_t global_ctl_show(struct config_item *item, char *page)
{
	struct segctl_global *g = to_global(item);
	ssize_t n;

	mutex_lock(&g->lock);
	n = g->va ? sysfs_emit(page, "va %#lx %#lx\n", g->va, g->len) : 0;
	mutex_unlock(&g->lock);
	return n;
}

/* "va ADDR LEN": once, as on Plan 9; the address rounds down, the end up. */
static ssize_t global_ctl_store(struct config_item *item, const char *page,
				size_t count)
{
	struct segctl_global *g = to_global(item);
	unsigned long va, len, top;
	struct segctl_share *share;
	struct file *shm;
	char name[SEGCTL_NAME_MAX + 8];

	if (sscanf(page, "va %li %li", (long *)&va, (long *)&len) != 2)
		return -EINVAL;
	top = va + len;
	if (!va || top <= va || top > TASK_SIZE)
		return -EINVAL;
	va &= PAGE_MASK;
	len = PAGE_ALIGN(top) - va;

	share = segctl_share_new();
	if (!share)
		return -ENOMEM;
	snprintf(name, sizeof(name), "segment:%s", config_item_name(item));
	/* Demand-zero like Plan 9's: memory is charged as it is touched. */
	shm = shmem_file_setup(name, len, VM_NORESERVE);
	if (IS_ERR(shm)) {
		segctl_share_put(share);
		return PTR_ERR(shm);
	}
	mutex_lock(&g->lock);
	if (g->va) {
		mutex_unlock(&g->lock);
		fput(shm);
		segctl_share_put(share);
		return -EEXIST;		/* "already has a virtual address" */
	}
	g->va = va;
	g->len = len;
	g->shm = shm;
	g->share = share;
	mutex_unlock(&g->lock);
	return count;
}

/* 0660, as Plan 9 makes ctl and data; the owner may chmod/chown them. */
static struct configfs_attribute global_attr_ctl = {
	.ca_owner	= THIS_MODULE,
	.ca_name	= "ctl",
	.ca_mode	= 0660,
	.show		= global_ctl_show,
	.store		= global_ctl_store,
};

static ssize_t global_data_read(struct config_item *item, void *buf,
				size_t max)
{
	struct segctl_global *g = to_global(item);
	loff_t pos = 0;
	ssize_t n;

	mutex_lock(&g->lock);
	if (!g->va)
		n = -ENXIO;		/* "segment not yet allocated" */
	else if (!buf)
		n = min_t(unsigned long, g->len, DATA_MAX);
	else
		n = kernel_read(g->shm, buf, min_t(size_t, max, g->len), &pos);
	mutex_unlock(&g->lock);
	return n;
}

static ssize_t global_data_write(struct config_item *item, const void *buf,
				 size_t count)
{
	struct segctl_global *g = to_global(item);
	loff_t pos = 0;
	ssize_t n;

	mutex_lock(&g->lock);
	if (!g->va)
		n = -ENXIO;
	else if (count > g->len)
		n = -EFBIG;
	else
		n = kernel_write(g->shm, buf, count, &pos);
	mutex_unlock(&g->lock);
	return n;
}

static struct configfs_bin_attribute global_attr_data = {
	.cb_attr = {
		.ca_owner	= THIS_MODULE,
		.ca_name	= "data",
		.ca_mode	= 0660,
	},
	.cb_max_size	= DATA_MAX,
	.read		= global_data_read,
	.write		= global_data_write,
};

static struct configfs_attribute *global_attrs[] = {
	&global_attr_ctl,
	NULL,
};

static struct configfs_bin_attribute *global_bin_attrs[] = {
	&global_attr_data,
	NULL,
};

static void global_release(struct config_item *item)
{
	struct segctl_global *g = to_global(item);

	if (g->shm)
		fput(g->shm);
	segctl_share_put(g->share);
	kfree(g);
}

static struct configfs_item_operations global_item_ops = {
	.release	= global_release,
};

static const struct config_item_type global_type = {
	.ct_item_ops	= &global_item_ops,
	.ct_attrs	= global_attrs,
	.ct_bin_attrs	= global_bin_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_item *global_make(struct config_group *group,
				       const char *name)
{
	struct segctl_global *g;

	if (strlen(name) >= SEGCTL_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return ERR_PTR(-ENOMEM);
	mutex_init(&g->lock);
	config_item_init_type_name(&g->item, name, &global_type);
	mutex_lock(&globals_lock);
	list_add_tail(&g->link, &globals);
	mutex_unlock(&globals_lock);
	return &g->item;
}

static void global_drop(struct config_group *group, struct config_item *item)
{
	struct segctl_global *g = to_global(item);

	mutex_lock(&globals_lock);
	list_del(&g->link);
	mutex_unlock(&globals_lock);
	config_item_put(item);
}

static struct configfs_group_operations globals_ops = {
	.make_item	= global_make,
	.drop_item	= global_drop,
};

static const struct config_item_type globals_type = {
	.ct_group_ops	= &globals_ops,
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem globals_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "segment",
			.ci_type = &globals_type,
		},
	},
};

/* May the caller attach @name with @attr?  As for opening its data file. */
static int global_permission(const char *name, u32 attr)
{
	int mask = MAY_READ | (attr & SEGCTL_ATTR_RONLY ? 0 : MAY_WRITE);
	char *path;
	struct path p;
	int err;

	path = kasprintf(GFP_KERNEL, "/sys/kernel/config/segment/%s/data", name);
	if (!path)
		return -ENOMEM;
	err = kern_path(path, LOOKUP_FOLLOW, &p);
	kfree(path);
	if (err) {
		/* configfs not mounted: the file's default, 0660 root:root. */
		return uid_eq(current_fsuid(), GLOBAL_ROOT_UID) ||
		       capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	err = path_permission(&p, mask);
	path_put(&p);
	return err;
}

/**
 * segctl_global_map - map a global segment into the caller's mm
 * @name: its name
 * @attr: SEGCTL_ATTR_RONLY or 0 (others are checked by the caller)
 * @va: out: where it is
 * @len: out: its length
 * @share: out: a new reference to its share, for the table
 *
 * Returns 0 or a negative errno: EINVAL for no such name or no address
 * yet, EEXIST if the place overlaps a mapping, EACCES without permission.
 */
int segctl_global_map(const char *name, u32 attr, unsigned long *va,
		      unsigned long *len, struct segctl_share **share)
{
	unsigned long prot = segctl_attr_prot(attr | SEGCTL_ATTR_NOEXEC);
	struct segctl_global *g = NULL, *it;
	unsigned long addr;
	int err;

	mutex_lock(&globals_lock);
	list_for_each_entry(it, &globals, link) {
		if (!strcmp(config_item_name(&it->item), name)) {
			g = it;
			config_item_get(&g->item);
			break;
		}
	}
	mutex_unlock(&globals_lock);
	if (!g)
		return -EINVAL;
	err = global_permission(name, attr);
	if (err)
		goto out;
	mutex_lock(&g->lock);
	if (!g->va) {
		err = -EINVAL;	/* "not assigned a virtual address" */
	} else {
		addr = vm_mmap(g->shm, g->va, g->len, prot,
			       MAP_SHARED | MAP_FIXED_NOREPLACE, 0);
		if (IS_ERR_VALUE(addr)) {
			err = segctl_map_error((long)addr, attr);
		} else {
			*va = addr;
			*len = g->len;
			*share = segctl_share_get(g->share);
		}
	}
	mutex_unlock(&g->lock);
out:
	config_item_put(&g->item);
	return err;
}

int segctl_global_init(void)
{
	config_group_init(&globals_subsys.su_group);
	mutex_init(&globals_subsys.su_mutex);
	return configfs_register_subsystem(&globals_subsys);
}

void segctl_global_exit(void)
{
	configfs_unregister_subsystem(&globals_subsys);
}
