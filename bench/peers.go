// SPDX-License-Identifier: MIT

// peers.go: the benchmarks' workloads in Go, for libthread9's tables
// (scripts/bench-questions puts them beside libthread9's rows).
//
//	spawn-exit	start a goroutine and let it run and exit, N times
//			(GOMAXPROCS=1: one proc, as libthread9's threadcreate)
//	spawn-alive	start N goroutines, let each run until all have
//			started, then let them all exit
//	gosched		two goroutines yielding to each other (GOMAXPROCS=1)
//	chan-1p		unbuffered channel round trip, GOMAXPROCS=1
//	chan-2p		the same with GOMAXPROCS=2
//	chan-2p-pinned	the same, the whole process on one CPU
//	chan-2p-locked	chan-2p with each goroutine locked to its own OS
//			thread (runtime.LockOSThread): a hand-off between two
//			kernel tasks, as between two procs.  Without the lock the
//			woken goroutine runs next on the waker's P, so chan-2p
//			mostly never leaves one thread.
//	pipe		a pipe round trip, one byte, to an echo goroutine
//			(os.Pipe: the runtime's netpoller), GOMAXPROCS=2
//
// Every measurement runs in a fresh process (this program with -w), which
// checks its own result: each goroutine ran and kept its stack, the two
// sides alternated, each message came back as sent.  The driver prints
// a table and then CSV between "@@csv peers" and "@@csv end".
//
//	peers [-n N,...] [-a N,...] [-r runs] [-d divisor]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "peers: "+format+"\n", a...)
	os.Exit(2)
}

// spawnExit: n goroutines one after the other, each run before the next starts.
func spawnExit(n int) float64 {
	var ran int
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() { ran++ }()
		runtime.Gosched() // it runs and exits (GOMAXPROCS=1)
	}
	d := time.Since(t0)
	if ran != n {
		fail("spawn-exit: %d goroutines of %d ran", ran, n)
	}
	return float64(d.Nanoseconds()) / float64(n)
}

// spawnAlive: n goroutines alive at once, each checking a marker on its stack.
func spawnAlive(n int) float64 {
	var started, ended int64
	var wg sync.WaitGroup
	release := make(chan struct{})
	wg.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			defer wg.Done()
			var mark [4]uint64
			me := uint64(atomic.AddInt64(&started, 1)) * 0x9e3779b97f4a7c15
			for j := range mark {
				mark[j] = me + uint64(j)
			}
			<-release
			for j := range mark {
				if mark[j] != me+uint64(j) {
					return
				}
			}
			atomic.AddInt64(&ended, 1)
		}()
	}
	for atomic.LoadInt64(&started) < int64(n) {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	d := time.Since(t0)
	if ended != int64(n) {
		fail("spawn-alive: %d goroutines of %d ended with their stack intact", ended, n)
	}
	return float64(d.Nanoseconds()) / float64(n)
}

// gosched: ns per runtime.Gosched between two goroutines taking turns.
// Go does not promise that a yield runs the other one next, so each side
// yields until it is its turn again; the figure is per Gosched call.
func gosched(n int) float64 {
	var turn int64
	var calls [2]int64
	var done sync.WaitGroup
	side := func(me int64) {
		for i := 0; i < n; i++ {
			for turn%2 != me {
				runtime.Gosched()
				calls[me]++
			}
			turn++
		}
		done.Done()
	}
	done.Add(2)
	t0 := time.Now()
	go side(1)
	go side(0)
	done.Wait()
	d := time.Since(t0)
	if turn != int64(2*n) || calls[0]+calls[1] < int64(n) {
		fail("gosched: %d turns of %d, %d yields", turn, 2*n, calls[0]+calls[1])
	}
	return float64(d.Nanoseconds()) / float64(calls[0]+calls[1])
}

// pingpong: ns per round trip over two unbuffered channels.
func pingpong(n int) float64 { return pingpongOn(n, false) }

// pingpongLocked: pingpong with each side on an OS thread of its own.
func pingpongLocked(n int) float64 { return pingpongOn(n, true) }

func pingpongOn(n int, locked bool) float64 {
	if locked {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	ping, pong := make(chan int), make(chan int)
	go func() {
		if locked {
			runtime.LockOSThread()
		}
		for i := 0; i < n; i++ {
			pong <- (<-ping) + 1
		}
	}()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		if got := <-pong; got != i+1 {
			fail("chan: round trip %d came back as %d", i, got)
		}
	}
	return float64(time.Since(t0).Nanoseconds()) / float64(n)
}

// pipe: ns per one-byte round trip through two pipes and an echo goroutine.
func pipe(n int) float64 {
	ar, aw, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
	}
	br, bw, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
	}
	go func() {
		b := make([]byte, 1)
		for {
			if k, err := ar.Read(b); k != 1 || err != nil {
				break
			}
			if k, err := bw.Write(b); k != 1 || err != nil {
				break
			}
		}
		ar.Close()
		bw.Close()
	}()
	b := make([]byte, 1)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		b[0] = byte(i)
		if k, err := aw.Write(b); k != 1 || err != nil {
			fail("pipe: write %d: %v", i, err)
		}
		if k, err := br.Read(b); k != 1 || err != nil || b[0] != byte(i) {
			fail("pipe: round trip %d failed (%v)", i, err)
		}
	}
	d := time.Since(t0)
	aw.Close() // the echo goroutine ends, closing its ends
	if k, _ := br.Read(b); k != 0 {
		fail("pipe: a byte too many")
	}
	br.Close()
	return float64(d.Nanoseconds()) / float64(n)
}

type work struct {
	name   string
	procs  int
	pinned bool
	per    string
	iters  int // loop count for the fixed-size ones; 0: takes N
	f      func(int) float64
}

var works = []work{
	{"spawn-exit", 1, false, "thread", 0, spawnExit},
	{"spawn-alive", 1, false, "thread", 0, spawnAlive},
	{"gosched", 1, false, "switch", 2000000, gosched},
	{"chan-1p", 1, false, "round trip", 200000, pingpong},
	{"chan-2p", 2, false, "round trip", 200000, pingpong},
	{"chan-2p-pinned", 2, true, "round trip", 200000, pingpong},
	{"chan-2p-locked", 2, false, "round trip", 20000, pingpongLocked},
	{"pipe", 2, false, "round trip", 20000, pipe},
}

func find(name string) *work {
	for i := range works {
		if works[i].name == name {
			return &works[i]
		}
	}
	fail("no workload %q", name)
	return nil
}

// The CPUs this thread may run on.
func cpus() []int {
	var mask [16]uint64
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(mask),
		uintptr(unsafe.Pointer(&mask)))
	if e != 0 {
		fail("sched_getaffinity: %v", e)
	}
	var c []int
	for i := 0; i < len(mask)*64; i++ {
		if mask[i/64]&(1<<(i%64)) != 0 {
			c = append(c, i)
		}
	}
	return c
}

func setcpus(c []int) {
	var mask [16]uint64
	for _, i := range c {
		mask[i/64] |= 1 << (i % 64)
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(mask),
		uintptr(unsafe.Pointer(&mask)))
	if e != 0 {
		fail("sched_setaffinity: %v", e)
	}
}

// measure, in the child: runs figures for w, one a line.
func measure(w *work, n, runs int) {
	runtime.GOMAXPROCS(w.procs)
	if w.pinned && len(cpus()) != 1 {
		fail("%s: not pinned to one CPU", w.name)
	}
	w.f(n / 10) // warm-up
	for r := 0; r < runs; r++ {
		runtime.GC()
		fmt.Printf("%.2f\n", w.f(n))
	}
}

// run, in the driver: a fresh process for w; its figures, sorted.  A
// pinned one starts from a thread pinned to one CPU, whose mask the
// child and all its threads inherit.
func run(w *work, n, runs int) []float64 {
	cmd := exec.Command("/proc/self/exe", "-w", w.name, "-n", strconv.Itoa(n),
		"-r", strconv.Itoa(runs))
	cmd.Stderr = os.Stderr
	var out []byte
	var err error
	if w.pinned {
		runtime.LockOSThread()
		all := cpus()
		setcpus(all[:1])
		out, err = cmd.Output()
		setcpus(all)
		runtime.UnlockOSThread()
	} else {
		out, err = cmd.Output()
	}
	if err != nil {
		fail("%s, N=%d: %v", w.name, n, err)
	}
	var v []float64
	for _, f := range strings.Fields(string(out)) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			fail("%s: bad figure %q", w.name, f)
		}
		v = append(v, x)
	}
	if len(v) != runs {
		fail("%s: %d figures, not %d", w.name, len(v), runs)
	}
	sort.Float64s(v)
	return v
}

func median(v []float64) float64 {
	k := len(v)
	if k%2 == 1 {
		return v[k/2]
	}
	return (v[k/2-1] + v[k/2]) / 2
}

func ints(s string) []int {
	var v []int
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.Atoi(f)
		if err != nil || x < 1 {
			fail("bad N %q", f)
		}
		v = append(v, x)
	}
	return v
}

func main() {
	nlist := flag.String("n", "1024,10000,100000", "N for spawn-exit and spawn-alive")
	alist := flag.String("a", "", "N for spawn-alive, if they differ")
	runs := flag.Int("r", 5, "runs per row")
	div := flag.Int("d", 1, "divide the loops' iteration counts by this")
	way := flag.String("w", "", "one workload, in this process (internal)")
	flag.Parse()
	if *runs < 1 || *div < 1 {
		fail("runs and divisor must be at least 1")
	}
	if *way != "" {
		n, _ := strconv.Atoi(flag.Lookup("n").Value.String())
		measure(find(*way), n, *runs)
		return
	}
	var u syscall.Utsname
	syscall.Uname(&u)
	rel := make([]byte, 0, len(u.Release))
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	env := runtime.Version() + " " + string(rel)

	type row struct {
		w           *work
		n, iters    int
		med, lo, hi float64
	}
	var rows []row
	fmt.Printf("peers (Go %s): ns per operation, %d runs\n", env, *runs)
	fmt.Printf("%-15s %-10s %9s %9s %9s %9s\n", "op", "per", "n", "median", "min", "max")
	for i := range works {
		w := &works[i]
		ns := []int{w.iters / *div}
		if w.iters == 0 {
			ns = ints(*nlist)
			if w.name == "spawn-alive" && *alist != "" {
				ns = ints(*alist)
			}
		}
		for _, n := range ns {
			if n < 1 {
				n = 1
			}
			v := run(w, n, *runs)
			r := row{w, n, n, median(v), v[0], v[len(v)-1]}
			rows = append(rows, r)
			fmt.Printf("%-15s %-10s %9d %9.1f %9.1f %9.1f\n", w.name, w.per, n, r.med, r.lo, r.hi)
		}
	}
	fmt.Printf("\n@@csv peers\n")
	fmt.Printf("bench,env,impl,op,per,n,runs,median_ns,min_ns,max_ns,status\n")
	for _, r := range rows {
		fmt.Printf("peers,%s,go,%s,%s,%d,%d,%.2f,%.2f,%.2f,ok\n", env, r.w.name, r.w.per, r.n,
			*runs, r.med, r.lo, r.hi)
	}
	fmt.Printf("@@csv end\n")
}
