// SPDX-License-Identifier: MIT
/*
 * Error strings.  Plan 9 keeps the last error per process and hands it out
 * with errstr(2); threads here are kernel tasks, so the text is kept per
 * thread, next to errno, and always points to a string that lives forever.
 */
#include <errno.h>
#include "segimpl.h"

const char _segEbadarg[]	= "bad arg in system call";
const char _segEsoverlap[]	= "segments overlap";
const char _segEnovmem[]	= "virtual memory allocation failed";
const char _segEinuse[]	= "device or object already in use";
const char _segEcommit[]	= "commit limit exceeded";
const char _segEnoclass[]	= "unknown segment class";

static __thread const char *lasterr;

int
_segerror(int errnum, const char *text)
{
	lasterr = text;
	errno = errnum;
	return -1;
}

void *
_segerrorp(int errnum, const char *text)
{
	_segerror(errnum, text);
	return (void *)-1;
}

const char *
segerrstr(void)
{
	return lasterr != NULL ? lasterr : "";
}
