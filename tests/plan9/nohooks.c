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

void
qlock(QLock *q)
{
	q->locked = 1;
}

int
canqlock(QLock *q)
{
	if(q->locked)
		return 0;
	q->locked = 1;
	return 1;
}

void
qunlock(QLock *q)
{
	q->locked = 0;
}

void
threadmain(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	printf("threadmain ran\n");
	threadexitsall(nil);
}
