/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * selftest.h: bugs planted on purpose, to prove that the debug-kernel run
 * (make check-debug) catches them.  Built only with SEGCTL_SELFTEST=1
 * (scripts/kbuild --selftest); in any other build the hook is empty.
 */
#ifndef SEGCTL_SELFTEST_H
#define SEGCTL_SELFTEST_H

#ifdef SEGCTL_SELFTEST
void segctl_selftest_open(void);
#else
static inline void segctl_selftest_open(void) { }
#endif

#endif
