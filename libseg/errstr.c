// SPDX-License-Identifier: MIT
/*
 * Error strings.  Plan 9 keeps the last error per process and hands it out
 * with errstr(2); threads here are kernel tasks, so the text is kept per
 * thread, next to errno, and always points to a string that lives forever.
 */
#include <errno.h>
#include "segimpl.h"

const char Ebadarg[]	= "bad arg in system call";
const char Esoverlap[]	= "segments overlap";
const char Enovmem[]	= "virtual memory allocation failed";
const char Einuse[]	= "device or object already in use";
const char Ecommit[]	= "commit limit exceeded";
const char Enoclass[]	= "unknown segment class";

static __thread const char *lasterr;

int
segerror(int errnum, const char *text)
{
	lasterr = text;
	errno = errnum;
	return -1;
}

void *
segerrorp(int errnum, const char *text)
{
	segerror(errnum, text);
	return (void *)-1;
}

const char *
segerrstr(void)
{
	return lasterr != NULL ? lasterr : "";
}
