/* SPDX-License-Identifier: MIT */
/*
 * maps.h: what the module, libseg and fuzz tests read back: the caller's
 * /proc/self/maps, and a segment listing (doc/contract.md §1.7) parsed by
 * one strict parser.  No test framework here: each caller asserts in its
 * own (TAP, Check, the fuzzer's reasons).
 *
 * The line format is written out here from the contract, not taken from
 * linux/segctl_rules.h, so that the tests and the code under test check
 * each other.
 */
#ifndef TESTS_MAPS_H
#define TESTS_MAPS_H

#include <stdbool.h>
#include <stddef.h>

/* The whole of a file, NUL-terminated, malloc'd; NULL with errno. */
char	*readall(const char *path, size_t *len);
char	*readall_fd(int fd, size_t *len);

/* One line of /proc/self/maps. */
struct map {
	unsigned long	start, end;
	char		perms[5];	/* "rwxp" style */
};

/* Every VMA, ascending, into *v (malloc'd): their number, or -1 with errno. */
int	maps_read(struct map **v);
/* The first VMA overlapping [lo, hi) into *m (if m): 1, 0 if none, -1. */
int	maps_overlap(unsigned long lo, unsigned long hi, struct map *m);

/* One line of the listing. */
struct seg {
	char		class[8];	/* "memory" or "shared" */
	char		flags[6];	/* columns R N C S X, blank when unset */
	unsigned long	base, top;
	unsigned	ref;
};

/*
 * The line the listing must have for a segment, with its newline.  flags
 * are the columns from the left; a shorter string is padded with blanks.
 */
void	seg_format(char *buf, size_t n, const char *class, const char *flags,
		   unsigned long base, unsigned long top, unsigned ref);

/*
 * One line, without its newline, into *s: true, or false with the reason
 * in why.  The line must be exactly what seg_format gives for what it
 * says (so no extra blanks, no leading zeros), with a reference count of
 * at least 1.
 */
bool	seg_parse(const char *line, struct seg *s, char *why, size_t whylen);

/*
 * A whole listing into *v (malloc'd): every line parsed, newline-ended,
 * the segments page aligned, non-empty, below top, ascending and disjoint.
 * Returns how many, or -1 with the reason in why (*v then NULL).
 */
int	segs_parse(const char *text, unsigned long top, struct seg **v,
		   char *why, size_t whylen);

#endif /* TESTS_MAPS_H */
