// SPDX-License-Identifier: GPL-2.0-only
/*
 * selftest.c: planted bugs for the debug-kernel self-test, compiled only
 * into a SEGCTL_SELFTEST=1 build, never into the module 'make' builds.
 *
 *   selftest_leak=1       every open of /dev/segctl leaks one allocation
 *                         (kmemleak must report it)
 *   selftest_lockorder=1  the first open takes two locks in one order and
 *                         then in the other (lockdep must report it)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "selftest.h"

static bool selftest_leak;
module_param(selftest_leak, bool, 0444);
MODULE_PARM_DESC(selftest_leak, "self-test only: leak an allocation per open");

static bool selftest_lockorder;
module_param(selftest_lockorder, bool, 0444);
MODULE_PARM_DESC(selftest_lockorder, "self-test only: take two locks in both orders once");

static DEFINE_MUTEX(selftest_a);
static DEFINE_MUTEX(selftest_b);

void segctl_selftest_open(void)
{
	static atomic_t inverted = ATOMIC_INIT(0);

	if (selftest_leak && !kmalloc(64, GFP_KERNEL))
		pr_warn("selftest: the allocation to leak failed\n");
	if (selftest_lockorder && !atomic_xchg(&inverted, 1)) {
		mutex_lock(&selftest_a);
		mutex_lock(&selftest_b);
		mutex_unlock(&selftest_b);
		mutex_unlock(&selftest_a);
		mutex_lock(&selftest_b);
		mutex_lock(&selftest_a);
		mutex_unlock(&selftest_a);
		mutex_unlock(&selftest_b);
	}
}
