// SPDX-License-Identifier: MIT
/*
 * lockonly: a lock(2) program without threads, Plan 9 style: it has a main
 * (p9main, as libc.h renames it) and lib9's main runs it, whatever the
 * order lib9 and libthread9 are linked in.  Lock, QLock and a Ref work in
 * the one kernel task.
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

Lock	l;
QLock	q;
Ref	r;

void
main(int argc, char *argv[])
{
	ARGBEGIN{
	}ARGEND
	USED(argc);
	lock(&l);
	if(canlock(&l))
		sysfatal("canlock: got a Lock that is held");
	unlock(&l);
	qlock(&q);
	if(canqlock(&q))
		sysfatal("canqlock: got a QLock that is held");
	qunlock(&q);
	if(!canqlock(&q))
		sysfatal("canqlock: refused a free QLock");
	qunlock(&q);
	if(incref(&r) != 1 || incref(&r) != 2)
		sysfatal("incref: not the new count");
	if(decref(&r) != 1)
		sysfatal("decref: not 1");
	print("lockonly: %s\n", argv0);
	exits(nil);
}
