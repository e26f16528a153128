// SPDX-License-Identifier: MIT
/*
 * cxx: libthread9's and libseg's headers in a C++ program, after the socket
 * headers (thread.h's send and recv are chansend and chanrecv): nil
 * initialises a char*, channels work, and the socket calls are usable
 * before thread.h renames the channel calls.  The calls keep Plan 9's
 * char * parameters: a string literal needs a cast in C++.
 */
#include <sys/socket.h>
#include <netdb.h>
#include <liburing.h>
#include <unistd.h>
#include <string.h>
#include <stdio.h>

/* The socket calls, by their own names, before thread.h's macros. */
static ssize_t
sockwrite(int s, const void *buf, size_t n)
{
	return send(s, buf, n, 0);
}

static ssize_t
sockread(int s, void *buf, size_t n)
{
	return recv(s, buf, n, 0);
}

#include <seg.h>
#include <seglist.h>
#include <thread.h>

static void
echo(void *arg)
{
	Channel *c = static_cast<Channel *>(arg);
	unsigned long v = recvul(c);

	sendul(c, v + 1);
}

void
threadmain(int argc, char *argv[])
{
	char *s = nil;
	char buf[8];
	int sv[2];
	Channel *c;

	(void)argc;
	(void)argv;
	if(s != nil)
		sysfatal(const_cast<char *>("nil is not a null pointer"));
	c = chancreate(sizeof(unsigned long), 0);
	threadcreate(echo, c, 64 * 1024);
	sendul(c, 41);
	if(recvul(c) != 42)
		sysfatal(const_cast<char *>("channel: wrong value"));
	if(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || sockwrite(sv[0], "hi", 2) != 2 ||
	   sockread(sv[1], buf, sizeof buf) != 2 || memcmp(buf, "hi", 2) != 0)
		sysfatal(const_cast<char *>("socketpair: the socket calls failed"));
	printf("cxx: nil, channels, a socketpair\n");
	fflush(stdout);
	threadexitsall(nil);
}
