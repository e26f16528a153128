# SPDX-License-Identifier: MIT
# The Debian packages, tried in a fresh Debian 12 root: 'make check-deb'
# (scripts/check runs it).  The root is made once (scripts/deb-root, a few
# minutes) and kept in build/deb-root.tar.
DEB_ROOT	:= $(B)/deb-root.tar
$(DEB_ROOT): scripts/deb-root
	scripts/deb-root $@
check-deb: deb $(DEB_ROOT)
	@tests/deb/check.sh $(B)/deb $(DEB_ROOT) $(VERSION)
