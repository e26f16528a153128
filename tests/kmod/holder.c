// SPDX-License-Identifier: MIT
/*
 * holder.c: lifecycle.sh's helper (/tests/kmod-holder), not a TAP program.
 *
 *	kmod-holder use		attach every kind of segment, fork, check, exit
 *	kmod-holder hold READY GO
 *				attach and fill segments, close the device,
 *				create READY, wait for GO to exist (the module
 *				is unloaded meanwhile), then check the memory is
 *				still there and usable.  Exit 0 when all is well.
 *				Its guarded segment is at a given va: the old
 *				layout, which the module can leave behind.
 *	kmod-holder arena READY GO
 *				the same with a guarded segment in an arena
 *				(va 0), which holds the module: rmmod is
 *				refused until this exits.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "common.h"

static int fail(const char *what)
{
	printf("kmod-holder: %s\n", what);
	return 1;
}

static int use(void)
{
	unsigned long m = attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG);
	unsigned long s = attach(0, SHR, 0, 2 * PG), g = attachg(0, MEM, 0, PG, PG);
	pid_t pid;
	int st;

	if (m == FAILED || s == FAILED || g == FAILED)
		return fail("attach");
	memset((void *)m, 1, 4 * PG);
	pid = fork();
	if (pid == 0)
		_exit(nsegs() == 5 && detach(g) == 0 && nsegs() == 2 ? 0 : 1);
	st = wait_for(pid);
	if (st != 0)
		return fail("fork child");
	if (nsegs() != 5 || detach(s) != 0 || nsegs() != 4)
		return fail("table");
	return 0;	/* exit with the rest attached */
}

/* Create ready, then wait for go to exist. */
static int handshake(const char *ready, const char *go)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;
	int i, f;

	f = open(ready, O_CREAT | O_WRONLY, 0644);
	if (f < 0)
		return fail("ready file");
	close(f);
	for (i = 0; stat(go, &st) != 0; i++) {
		if (i > 6000)
			return fail("no go");
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int hold(const char *ready, const char *go)
{
	unsigned long m = attach(SEGCTL_ATTR_COMMIT, MEM, 0, 4 * PG);
	unsigned long s = attach(0, SHR, 0, 2 * PG);
	unsigned long g = attachg(0, MEM, free_range(3 * PG) + PG, PG, PG);
	int i;

	if (m == FAILED || s == FAILED || g == FAILED)
		return fail("attach");
	memset((void *)m, 'm', 4 * PG);
	memset((void *)s, 's', 2 * PG);
	close(segfd());		/* or rmmod is refused */
	if (handshake(ready, go))
		return 1;
	/* The module is gone: the memory is ordinary memory now. */
	for (i = 0; i < (int)(4 * PG); i++)
		if (((volatile char *)m)[i] != 'm')
			return fail("memory contents");
	if (((volatile char *)s)[2 * PG - 1] != 's')
		return fail("shared contents");
	memset((void *)m, 'n', 4 * PG);
	((volatile char *)s)[0] = 't';
	((volatile char *)g)[0] = 'g';
	if (((volatile char *)m)[4 * PG - 1] != 'n' || ((volatile char *)s)[0] != 't')
		return fail("writes");
	if (read_faults(g - 1) != SIGSEGV)
		return fail("redzone no longer faults");
	if (!mapped_as(m, m + 4 * PG, "rwxp") || !mapped_as(s, s + 2 * PG, "rwxs"))
		return fail("mappings changed");
	return 0;
}

/* A body in an arena: the module stays while it is mapped. */
static int arena(const char *ready, const char *go)
{
	unsigned long g = attachg(0, MEM, 0, PG, PG);
	struct map m;

	if (g == FAILED)
		return fail("attach");
	if (!map_at(g, &m) || m.start != g - PG || m.end - m.start < (1UL << 30))
		return fail("not in an arena");
	memset((void *)g, 'a', PG);
	close(segfd());		/* only the arena holds the module */
	if (handshake(ready, go))
		return 1;
	if (((volatile char *)g)[PG - 1] != 'a')
		return fail("arena contents");
	if (read_faults(g - 1) != SIGSEGV || read_faults(g + PG) != SIGSEGV)
		return fail("redzone no longer faults");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "use") == 0)
		return use();
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "arena") == 0)
		return arena(argv[2], argv[3]);
	fprintf(stderr, "usage: kmod-holder use | hold READY GO | arena READY GO\n");
	return 2;
}
