// SPDX-License-Identifier: MIT
/*
 * sysfatal, argv0 and threadexitsall: the Plan 9 libc calls every part of
 * the library may end in, apart from main.c, so that using any of them
 * does not bring in the library's main.
 *
 * argv0 and sysfatal are weak: a Plan 9 libc linked beside the library
 * (plan9port's lib9) has its own, with its own formats (%r); the library's
 * own errors go through _t9fatal, which takes printf's formats whichever
 * sysfatal the program has.
 */
#include <stdio.h>
#include <stdlib.h>

#include "threadimpl.h"

__attribute__((weak)) char *argv0;

#pragma weak sysfatal = _t9fatal

void
_t9fatal(char *fmt, ...)
{
	char buf[512];
	va_list arg;

	va_start(arg, fmt);
	vsnprintf(buf, sizeof buf, fmt, arg);
	va_end(arg);
	fprintf(stderr, "%s: %s\n", argv0 ? argv0 : "libthread9", buf);
	threadexitsall(buf);
}

void
threadexitsall(char *status)
{
	exit(status != nil && *status != '\0');
}
