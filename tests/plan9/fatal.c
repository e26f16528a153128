// SPDX-License-Identifier: MIT
/*
 * fatal: sysfatal with %r, from a thread, is lib9's: the error string of
 * the failed open (or one the program sets with werrstr) follows argv0;
 * the process exits with a failure status.
 *
 *	p9-fatal [-w msg] file
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

void
threadmain(int argc, char *argv[])
{
	char *msg;

	msg = nil;
	ARGBEGIN{
	case 'w':
		msg = EARGF(sysfatal("usage"));
		break;
	}ARGEND
	if(argc != 1)
		sysfatal("usage: p9-fatal [-w msg] file");
	if(msg != nil){
		werrstr("%s", msg);
		sysfatal("%s: %r", argv[0]);
	}
	if(open(argv[0], OREAD) < 0)
		sysfatal("open %s: %r", argv[0]);
	print("opened %s\n", argv[0]);
	threadexitsall(nil);
}
