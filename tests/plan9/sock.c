// SPDX-License-Identifier: MIT
/*
 * sock: a shared library that knows nothing of libthread9 and uses the
 * socket API's send and recv.  Loaded by a threaded program linked with
 * shared libthread9, its calls must reach libc's (libthread9 exports
 * chansend and chanrecv, under its version, not send and recv).
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int	sockping(void);

/* 0 if "ping" went through a socketpair both ways. */
int
sockping(void)
{
	char buf[8];
	int sv[2], ok;

	if(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	ok = send(sv[0], "ping", 4, 0) == 4 && recv(sv[1], buf, sizeof buf, 0) == 4 &&
	     memcmp(buf, "ping", 4) == 0 && send(sv[1], "pong", 4, 0) == 4 &&
	     recv(sv[0], buf, sizeof buf, 0) == 4 && memcmp(buf, "pong", 4) == 0;
	close(sv[0]);
	close(sv[1]);
	return ok ? 0 : -1;
}
