// SPDX-License-Identifier: MIT
/*
 * iosendfd and iorecvfd (plan9port's): pass a file descriptor over a Unix
 * socket s (SCM_RIGHTS, with one byte of data), in the Ioproc's helper
 * like any iocall.  iosendfd returns 0, iorecvfd the new descriptor (close
 * on exec); both -1 with errno set, EBADMSG when no descriptor came.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "threadimpl.h"

/* One byte of data in b, and room for one descriptor's control message. */
typedef struct Fdmsg {
	struct msghdr	msg;
	struct iovec	iov;
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char		b;
} Fdmsg;

static void
fdmsg(Fdmsg *m)
{
	memset(m, 0, sizeof *m);
	m->iov.iov_base = &m->b;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->ctl.buf;
	m->msg.msg_controllen = sizeof m->ctl.buf;
}

static long
sendfdop(va_list *arg)
{
	struct cmsghdr *c;
	Fdmsg m;
	int s, fd;

	s = va_arg(*arg, int);
	fd = va_arg(*arg, int);
	fdmsg(&m);
	c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(s, &m.msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static long
recvfdop(va_list *arg)
{
	struct cmsghdr *c;
	Fdmsg m;
	int s, fd;

	s = va_arg(*arg, int);
	fdmsg(&m);
	if(recvmsg(s, &m.msg, MSG_CMSG_CLOEXEC) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&m.msg);
	if(c == nil || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	   c->cmsg_len != CMSG_LEN(sizeof(int))){
		errno = EBADMSG;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

int
iosendfd(Ioproc *io, int s, int fd)
{
	return (int)iocall(io, sendfdop, s, fd);
}

int
iorecvfd(Ioproc *io, int s)
{
	return (int)iocall(io, recvfdop, s);
}
