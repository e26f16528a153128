// SPDX-License-Identifier: MIT
/*
 * iodial: Plan 9 dial strings on Linux sockets.
 *
 *	[net!]host!service	net: tcp, udp, or net (Plan 9's "any
 *				network": tcp here); host: an IPv4 or IPv6
 *				address, or a name; service: a port number
 *				or a name from /etc/services
 *	unix!path		a Unix-domain stream socket
 *
 * The connect goes through the Ioproc, so it blocks only the calling
 * thread and iointerrupt ends it.  Names are looked up with getaddrinfo,
 * which blocks, in the Ioproc's helper (iocall); numbers are not looked up.
 * local, if not nil, is a dial string the socket is bound to first ("*" is
 * any address).  Linux has no connection directory or ctl file: dir, if
 * not nil, is set to "" and *cdfp to -1.  Each address a name has is tried
 * in turn; the error is the last one's (a malformed string is EINVAL, a
 * name that does not resolve ENOENT).  The fd is not close-on-exec, as on
 * Plan 9.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#define IO_SOCKETS
#include "ioimpl.h"

typedef struct Dialaddr Dialaddr;
struct Dialaddr {
	int	isunix;		/* unix!path */
	int	socktype;
	char	host[256];
	char	serv[108];	/* the path, for unix */
};

/* 0, or -1 if s is not a dial string we can use. */
static int
parse(const char *s, Dialaddr *a)
{
	const char *f[3], *e;
	size_t n[3];
	int nf;

	memset(a, 0, sizeof *a);
	for(nf = 0; nf < 3; nf++){
		f[nf] = s;
		e = strchr(s, '!');
		n[nf] = e != nil ? (size_t)(e - s) : strlen(s);
		if(e == nil)
			break;
		s = e + 1;
	}
	if(nf == 3)
		return -1;	/* a fourth field */
	nf++;
	if(nf == 2 && n[0] == 4 && strncmp(f[0], "unix", 4) == 0){
		a->isunix = 1;
		if(n[1] == 0 || n[1] >= sizeof a->serv)
			return -1;
		memcpy(a->serv, f[1], n[1]);
		return 0;
	}
	if(nf == 2){		/* host!service */
		f[2] = f[1], n[2] = n[1];
		f[1] = f[0], n[1] = n[0];
		f[0] = "net", n[0] = 3;
	}else if(nf != 3)
		return -1;
	if((n[0] == 3 && strncmp(f[0], "tcp", 3) == 0) ||
	   (n[0] == 3 && strncmp(f[0], "net", 3) == 0))
		a->socktype = SOCK_STREAM;
	else if(n[0] == 3 && strncmp(f[0], "udp", 3) == 0)
		a->socktype = SOCK_DGRAM;
	else
		return -1;
	if(n[1] == 0 || n[1] >= sizeof a->host || n[2] == 0 || n[2] >= sizeof a->serv)
		return -1;
	memcpy(a->host, f[1], n[1]);
	memcpy(a->serv, f[2], n[2]);
	return 0;
}

/* iocall op: getaddrinfo(host, serv, hints, res, &err); 0 or -1. */
static long
lookup(va_list *arg)
{
	const char *host, *serv;
	const struct addrinfo *hints;
	struct addrinfo **res;
	int *err;

	host = va_arg(*arg, const char *);
	serv = va_arg(*arg, const char *);
	hints = va_arg(*arg, const struct addrinfo *);
	res = va_arg(*arg, struct addrinfo **);
	err = va_arg(*arg, int *);
	*err = getaddrinfo(host, serv, hints, res);
	return *err == 0 ? 0 : -1;
}

/* a's addresses; nil with errno set on failure. */
static struct addrinfo *
resolve(Ioproc *io, Dialaddr *a, int passive)
{
	struct addrinfo hints, *res;
	const char *host;
	int e, saved;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = a->socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	host = strcmp(a->host, "*") == 0 ? nil : a->host;
	res = nil;
	e = getaddrinfo(host, a->serv, &hints, &res);
	if(e == EAI_NONAME){
		hints.ai_flags &= ~(AI_NUMERICHOST | AI_NUMERICSERV);
		e = 0;
		if(iocall(io, lookup, host, a->serv, &hints, &res, &e) < 0 && e == 0)
			return nil;	/* errno from iocall: EINTR, EBADF */
	}
	if(e == 0)
		return res;
	saved = errno;
	switch(e){
	case EAI_SYSTEM:
		errno = saved;
		break;
	case EAI_MEMORY:
		errno = ENOMEM;
		break;
	case EAI_SERVICE:
	case EAI_SOCKTYPE:
	case EAI_FAMILY:
	case EAI_BADFLAGS:
		errno = EINVAL;
		break;
	default:
		errno = ENOENT;
		break;
	}
	return nil;
}

static int
bindlocal(Ioproc *io, int fd, const char *local, int family, int socktype)
{
	struct addrinfo *res, *ai;
	Dialaddr l;
	int r;

	if(parse(local, &l) < 0 || l.isunix || l.socktype != socktype){
		errno = EINVAL;
		return -1;
	}
	res = resolve(io, &l, 1);
	if(res == nil)
		return -1;
	r = -1;
	errno = EAFNOSUPPORT;
	for(ai = res; ai != nil && r < 0; ai = ai->ai_next)
		if(ai->ai_family == family)
			r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return r;
}

static int
dialunix(Ioproc *io, Dialaddr *a)
{
	struct sockaddr_un un;
	int fd, e;

	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	memcpy(un.sun_path, a->serv, strlen(a->serv));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if(fd < 0)
		return -1;
	if(_t9ioconnect(io, fd, &un, sizeof un) < 0){
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
iodial(Ioproc *io, char *addr, char *local, char *dir, int *cdfp)
{
	struct addrinfo *res, *ai;
	Dialaddr a;
	int fd, e;

	if(dir != nil)
		dir[0] = '\0';
	if(cdfp != nil)
		*cdfp = -1;
	if(addr == nil || parse(addr, &a) < 0 || (a.isunix && local != nil)){
		errno = EINVAL;
		return -1;
	}
	if(a.isunix)
		return dialunix(io, &a);
	res = resolve(io, &a, 0);
	if(res == nil)
		return -1;
	fd = -1;
	e = ECONNREFUSED;
	for(ai = res; ai != nil; ai = ai->ai_next){
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if(fd < 0){
			e = errno;
			continue;
		}
		if((local == nil || bindlocal(io, fd, local, ai->ai_family, a.socktype) == 0) &&
		   _t9ioconnect(io, fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
		if(e == EINTR || e == EBADF)
			break;	/* interrupted, or the Ioproc is closed */
	}
	freeaddrinfo(res);
	if(fd < 0)
		errno = e;
	return fd;
}
