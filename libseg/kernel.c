// SPDX-License-Identifier: MIT
/*
 * The kernel backend: each call is one ioctl on /dev/segctl, which acts on
 * the caller's address space and keeps the segment table itself.  The
 * device is opened once (backend.c's pthread_once publishes segfd); a
 * fork child inherits the descriptor, and since every request acts on the
 * mm of the task that makes it, the child's calls act on the child.  There
 * is no other process-local state to go stale, and nothing is allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "segimpl.h"

static int segfd = -1;
static int batch;	/* the module has SEGCTL_ATTACHN and SEGCTL_DETACHN */

/* The batch calls pass the caller's pointer arrays as the __u64 arrays. */
_Static_assert(sizeof(void *) == sizeof(__u64), "void * is not __u64");

/* Every feature and attribute libseg passes on must be the module's. */
#define NEEDFEAT	(SEGCTL_FEAT_GUARDED | SEGCTL_FEAT_FORK)

int
_segkernelopen(char *why, int nwhy)
{
	struct segctl_version v;
	int fd, nfd;

	fd = open("/dev/segctl", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, nwhy, "%s", strerrordesc_np(errno));
		return -1;
	}
	/* Never sit on 0, 1 or 2: a program that closed them would read us. */
	if (fd < 3) {
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		if (nfd < 0) {
			snprintf(why, nwhy, "%s", strerrordesc_np(errno));
			return -1;
		}
		fd = nfd;
	}
	memset(&v, 0, sizeof v);
	v.size = sizeof v;
	v.api = SEGCTL_API;
	if (ioctl(fd, SEGCTL_VERSION, &v) < 0) {
		snprintf(why, nwhy, "SEGCTL_VERSION: %s", strerrordesc_np(errno));
		goto bad;
	}
	if (v.api != SEGCTL_API) {
		snprintf(why, nwhy, "module speaks API %u, libseg %u", v.api, SEGCTL_API);
		goto bad;
	}
	if ((v.features & NEEDFEAT) != NEEDFEAT || (v.attrs & SEGCTL_ATTR_ALL) != SEGCTL_ATTR_ALL) {
		snprintf(why, nwhy, "module lacks features %#llx, attributes %#llo",
			 (unsigned long long)(NEEDFEAT & ~v.features),
			 (unsigned long long)(SEGCTL_ATTR_ALL & ~v.attrs));
		goto bad;
	}
	batch = (v.features & SEGCTL_FEAT_BATCH) != 0;
	segfd = fd;
	return 0;
bad:
	close(fd);
	return -1;
}

/*
 * The module answers with errno; give it Plan 9's words.  ENOMEM from a
 * committing request is the commit limit: the address space itself is
 * rarely what runs out.
 */
static const char *
errtext(int e, int commit)
{
	const char *s;

	switch (e) {
	case EINVAL:
		return _segEbadarg;
	case EEXIST:
		return _segEsoverlap;
	case ENOMEM:
		return commit ? _segEcommit : _segEnovmem;
	case EBUSY:
		return _segEinuse;
	case EPERM:
		return _segEcommit;
	}
	s = strerrordesc_np(e);
	return s != NULL ? s : "unknown error";
}

static int
kerror(int commit)
{
	int e;

	e = errno;
	return _segerror(e, errtext(e, commit));
}

static void *
kattach(const Segreq *r)
{
	struct segctl_attach a;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.attr = r->attr;
	a.seg_class = r->class;
	a.va = r->span.va;
	a.len = r->span.len;
	a.guard = r->span.guard;
	if (r->class == SEGCTL_CLASS_GLOBAL)
		a.name = (uintptr_t)r->name;
	if (ioctl(segfd, SEGCTL_ATTACH, &a) < 0) {
		/* For a name, EINVAL means no such global segment. */
		if (errno == EINVAL && r->class == SEGCTL_CLASS_GLOBAL)
			_segerror(EINVAL, _segEnoclass);
		else
			kerror(r->attr & SG_COMMIT);
		return (void *)-1;
	}
	return (void *)(uintptr_t)a.va;
}

/*
 * Arena attaches in one ioctl.  EINVAL after seg.c's checks means the
 * module's arenas were turned off since: then one by one, as without the
 * ioctl.
 */
static int
kattachn(const Segreq *r, int n, void **out)
{
	struct segctl_attachn a;

	if (!batch || !segctl_arena_fits(r->attr, r->class, r->span.va, r->span.guard))
		return _segattacheach(r, n, out);
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.attr = r->attr;
	a.seg_class = r->class;
	a.len = r->span.len;
	a.guard = r->span.guard;
	a.addrs = (uintptr_t)out;
	a.count = n;
	if (ioctl(segfd, SEGCTL_ATTACHN, &a) == 0)
		return 0;
	if (errno == EINVAL)
		return _segattacheach(r, n, out);
	return kerror(0);
}

/* The base of the segment holding addr, or 0: segbrk with no new end. */
static uintptr_t
kbase(uintptr_t addr)
{
	struct segctl_brk b;

	memset(&b, 0, sizeof b);
	b.size = sizeof b;
	b.saddr = addr;
	return ioctl(segfd, SEGCTL_BRK, &b) == 0 ? b.base : 0;
}

static int
cmpaddr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Arena segments in one ioctl, all or nothing.  EINVAL: one is not an
 * arena's (made while the arenas were off), no segment at all, or named
 * twice.  Then one by one, once every address is seen to be in a segment
 * and no segment named twice, so that a bad one still detaches none.
 */
static int
kdetachn(void *const *addrs, int n)
{
	struct segctl_detachn d;
	uintptr_t *base;
	int i, bad;

	if (batch) {
		memset(&d, 0, sizeof d);
		d.size = sizeof d;
		d.addrs = (uintptr_t)addrs;
		d.count = n;
		if (ioctl(segfd, SEGCTL_DETACHN, &d) == 0)
			return 0;
		if (errno != EINVAL)
			return kerror(0);
	}
	base = malloc(n * sizeof *base);
	if (base == NULL)
		return _segerror(ENOMEM, _segEnovmem);
	bad = 0;
	for (i = 0; i < n && !bad; i++)
		bad = (base[i] = kbase((uintptr_t)addrs[i])) == 0;
	if (!bad) {
		qsort(base, n, sizeof *base, cmpaddr);
		for (i = 1; i < n && !bad; i++)
			bad = base[i] == base[i - 1];
	}
	free(base);
	if (bad)
		return _segerror(EINVAL, _segEbadarg);
	return _segdetacheach(addrs, n);
}

static int
kdetach(uintptr_t addr)
{
	struct segctl_detach d;

	memset(&d, 0, sizeof d);
	d.size = sizeof d;
	d.addr = addr;
	if (ioctl(segfd, SEGCTL_DETACH, &d) < 0)
		return kerror(0);
	return 0;
}

static int
krange(unsigned long cmd, uintptr_t va, unsigned long len)
{
	struct segctl_range g;

	memset(&g, 0, sizeof g);
	g.size = sizeof g;
	g.va = va;
	g.len = len;
	if (ioctl(segfd, cmd, &g) < 0)
		return kerror(cmd == SEGCTL_FREE);
	return 0;
}

static int
kfree(uintptr_t va, unsigned long len)
{
	return krange(SEGCTL_FREE, va, len);
}

static int
kflush(uintptr_t va, unsigned long len)
{
	return krange(SEGCTL_FLUSH, va, len);
}

static void *
kbrk(uintptr_t saddr, uintptr_t addr)
{
	struct segctl_brk b;

	memset(&b, 0, sizeof b);
	b.size = sizeof b;
	b.saddr = saddr;
	b.addr = addr;
	if (ioctl(segfd, SEGCTL_BRK, &b) < 0) {
		kerror(0);
		return (void *)-1;
	}
	return addr == 0 ? (void *)(uintptr_t)b.base : NULL;
}

/*
 * The table is the device's text.  A descriptor of our own keeps the read
 * offset away from other threads.
 */
static int
klist(int fd)
{
	char buf[4096];
	ssize_t n;
	int dev, e;

	dev = open("/dev/segctl", O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return kerror(0);
	while ((n = read(dev, buf, sizeof buf)) > 0) {
		if (_segwriteall(fd, buf, n) < 0)
			break;
	}
	e = errno;
	close(dev);
	if (n != 0) {
		errno = e;
		return kerror(0);
	}
	return 0;
}

const Segops _segkernelops = {
	.name = "kernel",
	.id = SEG_BACKEND_KERNEL,
	.attach = kattach,
	.attachn = kattachn,
	.detach = kdetach,
	.detachn = kdetachn,
	.free = kfree,
	.brk = kbrk,
	.flush = kflush,
	.list = klist,
};
