// SPDX-License-Identifier: MIT
/*
 * nohooks: a program whose qlock is another library's, one without the
 * hook pointers plan9port's lib9 has for a thread library (here the
 * program's own, as an old lib9 would provide it).  Such a qlock would
 * block the whole proc; libthread9 stops the program at start instead,
 * naming the call, before threadmain runs.
 */
#include <stdio.h>
#include <thread.h>

/* An old lib9's QLock: its own layout, lock state far from libthread9's. */
typedef struct Oldqlock {
	int	init;
	char	mutex[44];
	int	held;
} Oldqlock;

void
qlock(QLock *q)
{
	((Oldqlock *)q)->held = 1;
}

int
canqlock(QLock *q)
{
	Oldqlock *o;

	o = (Oldqlock *)q;
	if(o->held)
		return 0;
	o->held = 1;
	return 1;
}

void
qunlock(QLock *q)
{
	((Oldqlock *)q)->held = 0;
}

void
threadmain(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	printf("threadmain ran\n");
	threadexitsall(nil);
}
