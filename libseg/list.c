// SPDX-License-Identifier: MIT
/*
 * The listing (doc/contract.md §1.7): one line per segment, the 9front
 * /proc/n/segment layout with segctl's five flag letters.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "segimpl.h"
#include "seglist.h"

int
segfmtline(char *buf, int class, int attr, uintptr_t base, uintptr_t top, int ref)
{
	return snprintf(buf, SEGLINE, "%-6s %c%c%c%c%c %12lx %12lx %4d\n",
			class == SEGCTL_CLASS_SHARED ? "shared" : "memory",
			attr & SG_RONLY ? 'R' : ' ',
			attr & SG_NONE ? 'N' : ' ',
			attr & SG_COMMIT ? 'C' : ' ',
			attr & SG_SAS ? 'S' : ' ',
			attr & SG_CEXEC ? 'X' : ' ',
			(unsigned long)base, (unsigned long)top, ref);
}

int
segwriteall(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= w;
	}
	return 0;
}

int
seglist(int fd)
{
	return segops()->list(fd);
}
