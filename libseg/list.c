// SPDX-License-Identifier: MIT
/*
 * The listing (doc/contract.md §1.7): the backend's text, written out.  The
 * user backend formats its lines with segctl_fmt_line
 * (linux/segctl_rules.h), as the module does.
 */
#include <errno.h>
#include <unistd.h>
#include "segimpl.h"
#include "seglist.h"

int
_segwriteall(int fd, const char *buf, size_t n)
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
	return _segops()->list(fd);
}
