/* SPDX-License-Identifier: MIT */
/*
 * seglist.h: the calling process's segment table as text (doc/contract.md §1.7), the
 * layout of 9front's /proc/n/segment:
 *
 *	class  RNCSX         base          top  ref
 *
 * one line per segment in ascending base order.  Not a Plan 9 call, hence
 * not in seg.h.  Link with -lseg.
 */
#ifndef SEGCTL_SEGLIST_H
#define SEGCTL_SEGLIST_H

#ifdef __cplusplus
extern "C" {
#endif

/* Write the table to fd; 0, or -1 with errno and segerrstr() set. */
int	seglist(int fd);

#ifdef __cplusplus
}
#endif

#endif /* SEGCTL_SEGLIST_H */
