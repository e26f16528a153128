// SPDX-License-Identifier: MIT
/*
 * plan9port's extras: ioread9pmsg, iosendfd/iorecvfd, threadspawn's bad
 * input.  The socket, netdb, liburing and unistd headers come before
 * thread.h, whose send and recv are macros for chansend and chanrecv.
 */
#include <sys/socket.h>
#include <netdb.h>
#include <liburing.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "t9.h"

/* A 9P-framed message: size[4] (little-endian, itself included), body. */
static int
frame(unsigned char *buf, const char *body)
{
	int n;

	n = 4 + (int)strlen(body);
	buf[0] = n;
	buf[1] = n >> 8;
	buf[2] = n >> 16;
	buf[3] = n >> 24;
	memcpy(buf + 4, body, n - 4);
	return n;
}

START_TEST(read9pmsg)
{
	unsigned char msg[64], buf[64];
	Ioproc *io;
	int p[2], n;

	io = ioproc();
	ck_assert_int_eq(pipe(p), 0);
	n = frame(msg, "Tversion");
	ck_assert_int_eq(write(p[1], msg, n), n);
	ck_assert_int_eq(write(p[1], msg, 2), 2);	/* then a cut-short one */
	close(p[1]);
	ck_assert_int_eq(ioread9pmsg(io, p[0], buf, sizeof buf), n);
	ck_assert_mem_eq(buf, msg, n);
	ck_assert_int_eq(ioread9pmsg(io, p[0], buf, sizeof buf), 0);
	close(p[0]);

	/* A size that does not fit, or is below the size field's own. */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], msg, n), n);
	errno = 0;
	ck_assert_int_eq(ioread9pmsg(io, p[0], buf, n - 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(pipe(p), 0);
	memset(msg, 0, 4);
	msg[0] = 3;
	ck_assert_int_eq(write(p[1], msg, 4), 4);
	ck_assert_int_eq(ioread9pmsg(io, p[0], buf, sizeof buf), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	errno = 0;
	ck_assert_int_eq(ioread9pmsg(io, p[0], buf, 3), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	close(p[0]);
	close(p[1]);
	closeioproc(io);
}
END_TEST

START_TEST(pass_fd)
{
	Ioproc *io;
	int sv[2], p[2], fd;
	char c;

	io = ioproc();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(iosendfd(io, sv[0], p[1]), 0);
	fd = iorecvfd(io, sv[1]);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fd, p[1]);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(fd, "z", 1), 1);	/* the same pipe */
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	close(fd);

	/* Plain data, no descriptor: EBADMSG; a bad socket: EBADF. */
	ck_assert_int_eq(write(sv[0], "x", 1), 1);
	ck_assert_int_eq(iorecvfd(io, sv[1]), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(iosendfd(io, -1, p[1]), -1);
	ck_assert_int_eq(errno, EBADF);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	closeioproc(io);
}
END_TEST

START_TEST(spawn_bad_input)
{
	char *args[] = { "true", nil };
	int fd[3], p[2];

	ck_assert_int_eq(pipe(p), 0);
	fd[0] = p[0];
	fd[1] = fd[2] = p[1];
	errno = 0;
	ck_assert_int_eq(threadspawn(nil, "true", args), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(threadspawn(fd, nil, args), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(threadspawn(fd, "true", nil), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(threadspawnd(fd, "true", args, "/nonexistent/dir"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_ge(fcntl(p[0], F_GETFD), 0);	/* nothing closed */
	ck_assert_int_ge(fcntl(p[1], F_GETFD), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* Not asked: threaddaemonize has no parent to let go, and returns. */
START_TEST(daemonize_alone)
{
	threaddaemonize();
	ck_assert_int_eq(threadmaybackground(), 0);
}
END_TEST

T9SUITE("plan9port")
{
	T9CASE(s, "plan9port", 60, read9pmsg, pass_fd, spawn_bad_input, daemonize_alone);
}
