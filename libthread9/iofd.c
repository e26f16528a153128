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

static long
sendfdop(va_list *arg)
{
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg;
	struct cmsghdr *c;
	struct iovec iov;
	int s, fd;
	char b;

	s = va_arg(*arg, int);
	fd = va_arg(*arg, int);
	b = 0;
	iov.iov_base = &b;
	iov.iov_len = 1;
	memset(&msg, 0, sizeof msg);
	memset(&ctl, 0, sizeof ctl);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof ctl.buf;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(s, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static long
recvfdop(va_list *arg)
{
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg;
	struct cmsghdr *c;
	struct iovec iov;
	int s, fd;
	char b;

	s = va_arg(*arg, int);
	iov.iov_base = &b;
	iov.iov_len = 1;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof ctl.buf;
	if(recvmsg(s, &msg, MSG_CMSG_CLOEXEC) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
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
