// SPDX-License-Identifier: MIT
/*
 * A program from outside the tree, built in the Debian root with
 * pkg-config against the installed packages: a thread and a channel round
 * trip (libthread9), and a segment attached and listed (libseg, on its
 * user backend: the root has no module loaded).
 */
#include <stdio.h>
#include <string.h>
#include <thread.h>
#include <seg.h>
#include <linux/segctl.h>

static void
echo(void *arg)
{
	Channel *c = arg;

	sendul(c, recvul(c) + 1);
}

void
threadmain(int argc, char **argv)
{
	Channel *c;
	unsigned long v;
	char *p;

	(void)argc;
	(void)argv;
	c = chancreate(sizeof(unsigned long), 0);
	threadcreate(echo, c, 32768);
	sendul(c, 41);
	v = recvul(c);
	p = segattach(0, "memory", 0, 1 << 16);
	if (p == (char *)-1)
		sysfatal("segattach: %s", segerrstr());
	strcpy(p, "segment");
	printf("round trip %lu, %s, segctl API %d\n", v, p, SEGCTL_API);
	threadexitsall(v == 42 && segdetach(p) == 0 ? nil : "failed");
}
