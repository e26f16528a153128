// SPDX-License-Identifier: MIT
/*
 * sockmain: a threaded program, linked with shared libthread9 and the
 * shared library sock.c, whose send and recv must be the socket calls:
 * from a thread and from a proc.
 */
#include <stdio.h>
#include <thread.h>

int	sockping(void);

static void
inproc(void *arg)
{
	Channel *c;

	c = arg;
	sendul(c, sockping() == 0);
}

void
threadmain(int argc, char *argv[])
{
	Channel *c;

	(void)argc;
	(void)argv;
	if(sockping() != 0)
		sysfatal("sockping from a thread failed");
	printf("sockso: thread ok\n");
	c = chancreate(sizeof(unsigned long), 0);
	proccreate(inproc, c, 64 * 1024);
	if(recvul(c) != 1)
		sysfatal("sockping from a proc failed");
	printf("sockso: proc ok\n");
	fflush(stdout);
	threadexitsall(nil);
}
