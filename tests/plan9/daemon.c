// SPDX-License-Identifier: MIT
/*
 * daemon: threadmaybackground says 1, so the process the shell started
 * only waits for the program, which runs in a child.  With -d the program
 * calls threaddaemonize and then fails: the waiting parent has already
 * exited 0.  Without, the parent ends with the program's status (1).
 * With -k the program dies of SIGKILL, and so does the parent.
 */
#include <u.h>
#include <signal.h>
#include <libc.h>
#include <thread.h>

int
threadmaybackground(void)
{
	return 1;
}

void
threadmain(int argc, char *argv[])
{
	int daemon, die;

	daemon = die = 0;
	ARGBEGIN{
	case 'd':
		daemon = 1;
		break;
	case 'k':
		die = 1;
		break;
	}ARGEND
	USED(argc);
	if(daemon)
		threaddaemonize();
	if(die)
		kill(getpid(), SIGKILL);
	threadexitsall("late");
}
