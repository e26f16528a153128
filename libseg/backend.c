// SPDX-License-Identifier: MIT
/*
 * Which backend serves the calls: chosen once per process, at the first
 * call.  The kernel's when /dev/segctl opens and speaks our API, else the
 * user-space emulation.  SEGCTL_BACKEND=kernel|user forces one; a forced
 * backend that cannot be had makes every call fail with the reason, so a
 * program never runs on semantics it did not ask for.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "segimpl.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const Segops *ops;
static char why[192];	/* written once, before ops is published */

static void *
noneattach(const Segreq *r)
{
	(void)r;
	return _segerrorp(ENODEV, why);
}

static int
nonedetach(uintptr_t addr)
{
	(void)addr;
	return _segerror(ENODEV, why);
}

static int
noneattachn(const Segreq *r, int n, void **out)
{
	(void)r;
	(void)n;
	(void)out;
	return _segerror(ENODEV, why);
}

static int
nonedetachn(void *const *addrs, int n)
{
	(void)addrs;
	(void)n;
	return _segerror(ENODEV, why);
}

static int
nonerange(uintptr_t va, unsigned long len)
{
	(void)va;
	(void)len;
	return _segerror(ENODEV, why);
}

static void *
nonebrk(uintptr_t saddr, uintptr_t addr)
{
	(void)saddr;
	(void)addr;
	return _segerrorp(ENODEV, why);
}

static int
nonelist(int fd)
{
	(void)fd;
	return _segerror(ENODEV, why);
}

static const Segops noneops = {
	.name = "none",
	.id = SEG_BACKEND_NONE,
	.attach = noneattach,
	.attachn = noneattachn,
	.detach = nonedetach,
	.detachn = nonedetachn,
	.free = nonerange,
	.brk = nonebrk,
	.flush = nonerange,
	.list = nonelist,
};

static void
choose(void)
{
	const char *want;
	char reason[128];

	want = getenv("SEGCTL_BACKEND");
	if (want == NULL || *want == 0) {
		ops = _segkernelopen(reason, sizeof reason) == 0 ? &_segkernelops : &_seguserops;
	} else if (strcmp(want, "user") == 0) {
		ops = &_seguserops;
	} else if (strcmp(want, "kernel") == 0) {
		if (_segkernelopen(reason, sizeof reason) == 0) {
			ops = &_segkernelops;
		} else {
			snprintf(why, sizeof why, "segctl: /dev/segctl: %s (SEGCTL_BACKEND=kernel)",
				 reason);
			ops = &noneops;
		}
	} else {
		snprintf(why, sizeof why, "segctl: SEGCTL_BACKEND=%.64s: not kernel or user", want);
		ops = &noneops;
	}
}

const Segops *
_segops(void)
{
	pthread_once(&once, choose);
	return ops;
}

int
segbackend(void)
{
	return _segops()->id;
}

const char *
segbackendname(void)
{
	return _segops()->name;
}
