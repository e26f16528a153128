// SPDX-License-Identifier: MIT
/*
 * args: ARGBEGIN, ARGF, EARGF and argv0 as lib9 has them, in a threaded
 * program: each flag is printed in order, then the remaining arguments.
 *
 *	p9-args [-abc] [-o word] [arg ...]
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

void
usage(void)
{
	fprint(2, "usage: %s [-abc] [-o word] [arg ...]\n", argv0);
	threadexitsall("usage");
}

void
threadmain(int argc, char *argv[])
{
	int i;

	ARGBEGIN{
	case 'a':
	case 'b':
	case 'c':
		print("flag %c\n", ARGC());
		break;
	case 'o':
		print("flag o %s\n", EARGF(usage()));
		break;
	default:
		usage();
	}ARGEND
	print("argv0 %s\n", argv0);
	for(i = 0; i < argc; i++)
		print("arg %s\n", argv[i]);
	threadexitsall(nil);
}
