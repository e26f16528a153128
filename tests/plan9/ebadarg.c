// SPDX-License-Identifier: MIT
/*
 * ebadarg: a program whose own globals bear names libseg and libthread9
 * could have used inside (Ebadarg, segfind, procs) links statically with
 * libseg.a and libthread9.a, and its names are its own: every internal
 * name of the libraries is prefixed.
 */
#include <stdio.h>
#include <seg.h>
#include <thread.h>

char	*Ebadarg = "the program's own Ebadarg";
int	procs = 7;

int
segfind(int x)
{
	return x + 1;
}

void
threadmain(int argc, char *argv[])
{
	char *p;

	(void)argc;
	(void)argv;
	p = segattach(0, "memory", nil, 4096);
	if(p == (char *)-1)
		sysfatal("segattach: %s", segerrstr());
	p[0] = 1;
	if(segdetach(p) < 0)
		sysfatal("segdetach: %s", segerrstr());
	printf("ebadarg: %s, segfind %d, procs %d\n", Ebadarg, segfind(1), procs);
	fflush(stdout);
	threadexitsall(nil);
}
