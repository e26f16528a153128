# SPDX-License-Identifier: MIT
# Benchmarks: one program per question.  Each is built twice from the same
# source: build/bench/NAME for 'make bench' (native, user backend) and a
# static build/tests/vm/NAME that 'make run' runs in the guest (/tests/NAME).
BENCH_LIBS := $(B)/lib/libthread9.a $(B)/lib/libseg.a
BENCH_LDLIBS := -luring -lpthread

# $(call bench,NAME): bench/NAME.c with bench/util.c.
define bench
$(B)/bench/$(1): bench/$(1).c bench/util.c bench/bench.h include/thread.h include/seg.h libthread9/stackhook.h $(BENCH_LIBS)
	@mkdir -p $$(@D)
	$(CC) $(CFLAGS_BASE) -o $$@ bench/$(1).c bench/util.c $(BENCH_LIBS) $(BENCH_LDLIBS)
$(B)/tests/vm/$(1): bench/$(1).c bench/util.c bench/bench.h include/thread.h include/seg.h libthread9/stackhook.h $(BENCH_LIBS)
	@mkdir -p $$(@D)
	$(CC) $(CFLAGS_BASE) -static -o $$@ bench/$(1).c bench/util.c $(BENCH_LIBS) $(BENCH_LDLIBS)
BENCHES += $(B)/bench/$(1)
VM_TESTS += $(B)/tests/vm/$(1)
endef
$(eval $(call bench,threadcreate))
$(eval $(call bench,switch))

# ioproc: pipe round trips through ioread/iowrite, io_uring vs helper vs
# blocking procs (issue 6).  Self-contained: build/bench/ioproc.csv, or the
# file it is given; a static build for the guest too.
$(B)/bench/ioproc: bench/ioproc.c include/thread.h $(BENCH_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ bench/ioproc.c $(BENCH_LIBS) $(BENCH_LDLIBS)
$(B)/tests/vm/ioproc: bench/ioproc.c include/thread.h $(BENCH_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -static -o $@ bench/ioproc.c $(BENCH_LIBS) $(BENCH_LDLIBS)
BENCHES += $(B)/bench/ioproc
VM_TESTS += $(B)/tests/vm/ioproc

# The peers (issue 14): the same workloads in Go and with Boost.Context
# fibers, for the tables scripts/bench-questions prints.  Built by 'make
# bench' only: the libraries and tests need neither Go nor Boost.  Go
# builds offline (no module, nothing downloaded), its cache under build/.
GO_ENV := CGO_ENABLED=0 GOPROXY=off GOFLAGS= GOCACHE=$(abspath $(B))/go/cache \
	GOPATH=$(abspath $(B))/go/path
$(B)/bench/peers-go: bench/peers.go
	@mkdir -p $(@D)
	$(GO_ENV) go build -o $@ bench/peers.go
$(B)/bench/fibers: bench/fibers.cc
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra $(WERROR) -o $@ bench/fibers.cc -lboost_context
PEERS += $(B)/bench/peers-go $(B)/bench/fibers
