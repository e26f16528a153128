// SPDX-License-Identifier: MIT
/*
 * sockmain: a threaded program, linked with shared libthread9 and the
 * shared library sock.c, whose send and recv must be the socket calls:
 * from a thread and from a proc.  Built without PIE and taking lock(2)
 * calls' addresses (which are then its own PLT entries), it must not be
 * taken for a program whose lock(2) is another library's.
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
	void (*volatile takeq)(QLock *) = qlock;
	void (*volatile takel)(Lock *) = lock;
	void (*volatile taker)(RWLock *) = rlock;
	static QLock q;
	static Lock l;
	static RWLock rw;
	Channel *c;

	(void)argc;
	(void)argv;
	takeq(&q);
	takel(&l);
	taker(&rw);
	if(canqlock(&q) || canlock(&l) || canwlock(&rw))
		sysfatal("lock(2) through the calls' addresses did not lock");
	qunlock(&q);
	unlock(&l);
	runlock(&rw);
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
