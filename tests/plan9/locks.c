// SPDX-License-Identifier: MIT
/*
 * locks: lib9's qlock, rlock, wlock, rsleep and rwakeup, in a threaded
 * program, block only the calling thread (libthread9 has set lib9's
 * hooks), and exclude across procs.
 *
 * 1. One proc: a thread holds a QLock and yields; a second thread's
 *    canqlock fails and its qlock waits while the holder runs on.
 * 2. Nproc procs, Nthread threads each, add to a counter under a QLock,
 *    yielding inside the critical section; each thread, done, counts itself
 *    under the lock and rwakeups threadmain, which rsleeps until all are.
 * 3. Two readers hold an RWLock together; canwlock fails; a writer's wlock
 *    waits until both runlock.
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

enum { Nproc = 4, Nthread = 3, Nadd = 200 };

QLock	q;
Rendez	alldone;
int	counter, done;
int	step;

void
taker(void *v)
{
	USED(v);
	if(canqlock(&q))
		sysfatal("canqlock: got a QLock another thread holds");
	step = 1;
	qlock(&q);		/* blocks this thread only */
	if(step != 2)
		sysfatal("qlock returned before the holder let go (step %d)", step);
	step = 3;
	qunlock(&q);
}

void
oneproc(void)
{
	qlock(&q);
	threadcreate(taker, nil, 32*1024);
	while(step == 0)
		yield();
	yield();		/* taker is waiting in qlock, this thread runs */
	step = 2;
	qunlock(&q);
	while(step != 3)
		yield();
	print("one proc: qlock blocks the thread only\n");
}

void
adder(void *v)
{
	int i, x;

	USED(v);
	for(i = 0; i < Nadd; i++){
		qlock(&q);
		x = counter;
		yield();
		counter = x + 1;
		qunlock(&q);
	}
	qlock(&q);
	done++;
	rwakeup(&alldone);
	qunlock(&q);
}

void
addproc(void *v)
{
	int i;

	USED(v);
	for(i = 1; i < Nthread; i++)
		threadcreate(adder, nil, 32*1024);
	adder(nil);
}

void
procs(void)
{
	int i;

	alldone.l = &q;
	for(i = 0; i < Nproc; i++)
		proccreate(addproc, nil, 64*1024);
	qlock(&q);
	while(done < Nproc*Nthread)
		rsleep(&alldone);
	print("procs: counter %d of %d\n", counter, Nproc*Nthread*Nadd);
	qunlock(&q);
}

RWLock	rw;
int	rstep;

void
writer(void *v)
{
	USED(v);
	rstep = 1;
	wlock(&rw);		/* waits for both readers */
	if(rstep != 2)
		sysfatal("wlock returned while readers held the RWLock");
	rstep = 3;
	wunlock(&rw);
}

void
rwlocks(void)
{
	rlock(&rw);
	if(!canrlock(&rw))
		sysfatal("canrlock: a second reader was refused");
	if(canwlock(&rw))
		sysfatal("canwlock: got an RWLock readers hold");
	threadcreate(writer, nil, 32*1024);
	while(rstep == 0)
		yield();
	yield();
	runlock(&rw);
	yield();
	rstep = 2;
	runlock(&rw);
	while(rstep != 3)
		yield();
	print("rwlock: readers share, the writer waits\n");
}

void
threadmain(int argc, char *argv[])
{
	USED(argc);
	USED(argv);
	oneproc();
	procs();
	rwlocks();
	threadexitsall(nil);
}
