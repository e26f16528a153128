// SPDX-License-Identifier: MIT
/*
 * How many address spaces hold a "shared" segment, for the user backend.
 * Plan 9 counts references in the segment; here each process is its own
 * world, and a count kept in shared memory would go wrong the first time
 * a child died without detaching.  Instead every address space holding the
 * segment holds an open-file-description lock on one byte of a small
 * memfd: the kernel drops the lock when the last descriptor goes, at exit
 * however it happens, so the count is exact for the processes libseg saw
 * fork.
 *
 * A segment gets a lock region when it first crosses a fork, so a process
 * that never forks pays nothing.  Segment id owns [id << 32, (id+1) << 32);
 * in it, the address space with holder number h holds byte h.  Segment ids
 * and holder numbers come from counters in a MAP_SHARED page, so every
 * process of one fork tree draws distinct ones.
 *
 * The parent takes the child's locks before fork, through a description
 * of its own that only the child keeps: so the child counts from the
 * moment fork returns, in either process.
 *
 * What this cannot see: children made without fork(3) (raw clone without
 * CLONE_VM skips the fork handlers), and children forked while /proc is not
 * mounted (no description of their own: parent and child count as one).
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user.h"

#define HOLDERBITS	32
#define MAXID		(((uint64_t)1 << (62 - HOLDERBITS)) - 1)
#define MAXHOLDER	(((uint64_t)1 << HOLDERBITS) - 1)

struct counters {
	_Atomic uint64_t	lastid;
	_Atomic uint64_t	lastholder;
};

static int lockfd = -1;		/* inherited by fork: one file per fork tree */
static struct counters *ctr;	/* MAP_SHARED, inherited likewise */
static uint64_t me;		/* our holder number */
static int childfd = -1;	/* between fork's prepare and parent/child */
static uint64_t childme;

static int
setup(void)
{
	void *p;
	int fd;

	if (lockfd >= 0)
		return 0;
	p = mmap(NULL, sizeof *ctr, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	fd = memfd_create("segctl-share", MFD_CLOEXEC);
	if (fd < 0) {
		munmap(p, sizeof *ctr);
		return -1;
	}
	ctr = p;
	lockfd = fd;
	me = atomic_fetch_add(&ctr->lastholder, 1) + 1;
	return 0;
}

static int
lockbyte(int fd, int64_t off, short type)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = off,
		.l_len = 1,
	};

	return fcntl(fd, F_OFD_SETLK, &fl);
}

/*
 * Before fork: a description and a holder number for the child.  Without
 * them the child shares ours.
 */
void
_segshrefprepare(void)
{
	char path[32];

	childfd = -1;
	if (setup() < 0)
		return;
	childme = atomic_fetch_add(&ctr->lastholder, 1) + 1;
	if (childme > MAXHOLDER)
		return;
	snprintf(path, sizeof path, "/proc/self/fd/%d", lockfd);
	childfd = open(path, O_RDWR | O_CLOEXEC);
}

/* Before fork, for each shared segment: ours and the child's hold. */
void
_segshrefprepare1(Seg *s)
{
	uint64_t id;

	if (lockfd < 0)
		return;
	if (s->shoff == 0) {
		id = atomic_fetch_add(&ctr->lastid, 1) + 1;
		if (id > MAXID || lockbyte(lockfd, (int64_t)(id << HOLDERBITS) | me, F_WRLCK) < 0)
			return;
		s->shoff = id << HOLDERBITS;
	}
	if (childfd >= 0)
		lockbyte(childfd, s->shoff | childme, F_WRLCK);
}

void
_segshrefparent(void)
{
	if (childfd >= 0)
		close(childfd);
	childfd = -1;
}

void
_segshrefchild(void)
{
	if (childfd < 0) {
		me = 0;		/* the parent's locks are ours too: never drop them */
		return;
	}
	dup3(childfd, lockfd, O_CLOEXEC);
	close(childfd);
	childfd = -1;
	me = childme;
}

void
_segshrefrelease(Seg *s)
{
	if (s->shoff != 0 && me != 0)
		lockbyte(lockfd, s->shoff | me, F_UNLCK);
	s->shoff = 0;
}

/*
 * Other holders of [lo, hi): each F_OFD_GETLK names one lock held through
 * another description (ours never conflict), which splits the range.
 */
static int
countlocks(int64_t lo, int64_t hi, int count)
{
	struct flock fl;
	int n;

	n = 0;
	while (lo < hi) {
		fl = (struct flock){
			.l_type = F_WRLCK,
			.l_whence = SEEK_SET,
			.l_start = lo,
			.l_len = hi - lo,
		};
		if (fcntl(lockfd, F_OFD_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
			break;
		n++;
		if (!count)
			break;
		n += countlocks(lo, fl.l_start, 1);
		lo = fl.l_start + (fl.l_len > 0 ? fl.l_len : hi - fl.l_start);
	}
	return n;
}

/*
 * The number of other address spaces holding s; with count 0, only
 * whether there is one (one system call).
 */
int
_segshrefothers(Seg *s, int count)
{
	if (s->shoff == 0)
		return 0;
	return countlocks(s->shoff, s->shoff + ((int64_t)1 << HOLDERBITS), count);
}
