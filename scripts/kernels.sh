# SPDX-License-Identifier: MIT
# Shared by the Makefile and scripts/vm: which Debian cloud kernels segctl
# builds and tests against, and where their pieces live.  Source it.

# The kernels segctl supports, by short name.
SEGCTL_KERNELS="6.1 6.12"

# kernel_release NAME: the installed release (uname -r) for 6.1 or 6.12,
# newest first; prints nothing if no headers for it are installed.
kernel_release() {
	local d
	d=$(ls -d /usr/src/linux-headers-"$1".*-cloud-amd64 2>/dev/null |
		sort -V | tail -n 1)
	[ -n "$d" ] && basename "$d" | sed 's/^linux-headers-//'
}

# kernel_check NAME: fail with one line saying what is missing and how to
# get it; print the release when everything is there.
kernel_check() {
	local rel pkg
	case "$1" in
	6.1) pkg="linux-image-cloud-amd64 linux-headers-cloud-amd64" ;;
	6.12) pkg="linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64" ;;
	*) echo "unknown kernel '$1': KERNELS takes 6.1, 6.12 or both" >&2
	   return 2 ;;
	esac
	rel=$(kernel_release "$1")
	if [ -z "$rel" ]; then
		echo "no headers for kernel $1: run 'make deps' (installs $pkg)" >&2
		return 1
	fi
	if [ ! -r "/boot/vmlinuz-$rel" ]; then
		echo "kernel image /boot/vmlinuz-$rel missing: run 'make deps' (installs $pkg)" >&2
		return 1
	fi
	echo "$rel"
}

# kernels_installed: the short names whose headers and image are installed.
kernels_installed() {
	local k out=
	for k in $SEGCTL_KERNELS; do
		kernel_check "$k" >/dev/null 2>&1 && out="$out $k"
	done
	echo $out
}

# kernel_tree_release DIR: the release of a kernel build tree (such as
# scripts/debug-kernel's); fails if DIR is not one.
kernel_tree_release() {
	[ -f "$1/include/config/kernel.release" ] && [ -f "$1/Makefile" ] &&
		cat "$1/include/config/kernel.release"
}

# running_release: the running kernel's release when its headers (any
# distribution's) are installed, and it is not one of the kernels above.
running_release() {
	local rel k
	rel=$(uname -r)
	[ -f "/lib/modules/$rel/build/Makefile" ] || return 0
	for k in $SEGCTL_KERNELS; do
		[ "$(kernel_release "$k")" = "$rel" ] && return 0
	done
	echo "$rel"
}
