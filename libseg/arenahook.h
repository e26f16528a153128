/* SPDX-License-Identifier: MIT */
/*
 * arenahook.h: for libseg's tests only, which check the user backend's
 * older paths on a kernel that has guard markers.  Not part of the
 * library's ABI (hidden in the shared library; the tests compile libseg
 * in or link the static one).  Set before the attaches it should affect;
 * segments made before keep their kind.  Unset (0), the default: arenas
 * on Linux 6.13+, mappings elsewhere.
 *
 *	_segnoarena	guarded attaches take mappings of their own, a body
 *			between guard markers (libseg/user.c:mapguarded)
 *	_segnoguards	as on a kernel without MADV_GUARD_INSTALL: PROT_NONE
 *			redzone mappings, and no arenas
 */
#ifndef LIBSEG_ARENAHOOK_H
#define LIBSEG_ARENAHOOK_H

extern int _segnoarena;
extern int _segnoguards;

#endif /* LIBSEG_ARENAHOOK_H */
