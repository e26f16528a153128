# SPDX-License-Identifier: MIT
# Every public name has a manual page (native, TAP): the test is run with
# this build's directory and the Makefile's VERSION.
$(B)/tests/native/manpages: tests/man/manpages.sh tests/lib/tap.sh scripts/install-man \
		Makefile $(filter %.so,$(LIBS))
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s\n' '$(CURDIR)/$<' '$(CURDIR)/$(B)' '$(VERSION)' >$@
	chmod 755 $@
NATIVE_TESTS += $(B)/tests/native/manpages
