// Command source writes the profiles under testdata/source/ for the source
// view (pprof's -list): its own files stay in the repository unchanged, so
// `go tool pprof -list REGEX -source_path DIR` finds the very lines the
// profiles name. Made so that a listing has something to show on every rule:
//
//	source-cpu.pb.gz   ~1.5 s of CPU work: small functions the compiler
//	                   inlines (square, mix) into a function whose work is
//	                   spread over many lines (crunch), direct recursion
//	                   (fib), a closure, and a call into another package
//	                   (store) of this module
//	source-heap.pb.gz  every allocation sampled (MemProfileRate 1), from
//	                   several lines of one function and from store
//
// Standard library only. Run by testdata/gen/source.sh. Do not edit this
// file without regenerating the profiles and goldens (the line numbers are
// what the goldens record).
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"profdrop/testdata/gen/source/store"
)

var sink int

// live keeps heap objects reachable until the heap profile is written.
var live [][]byte

func square(x int) int { return x * x }

func mix(a, b int) int { return square(a) ^ (b >> 3) }

// crunch spreads its work over many lines, with inlined calls on some.
func crunch(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += mix(i, s)
	}
	for i := 0; i < n; i++ {
		s ^= square(i + s&7)
	}
	for i := 0; i < n/2; i++ {
		s += (s << 1) ^ i
	}
	t := make([]int, 64)
	for i := 0; i < n; i++ {
		t[i&63] += i ^ s
	}
	for _, v := range t {
		s += v
	}
	return s
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func work(until time.Time) {
	each := func(f func(int) int, n int) {
		sink += f(n)
	}
	for time.Now().Before(until) {
		each(crunch, 20000)
		sink += fib(18)
		sink += store.Sum(3000)
	}
}

func allocate() {
	for i := 0; i < 50; i++ {
		live = append(live, make([]byte, 1024))
	}
	for i := 0; i < 4; i++ {
		live = append(live, make([]byte, 64<<10))
	}
	big := make([]byte, 1<<20)
	live = append(live, big)
	s := store.New()
	for i := 0; i < 200; i++ {
		s.Put(i, 512)
	}
	live = append(live, s.Bytes())
}

func write(dir, name string, f func(*os.File) error) {
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		log.Fatal(err)
	}
	if err := f(out); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	dir := flag.String("out", "source", "output folder")
	cpu := flag.Duration("cpu", 1500*time.Millisecond, "CPU profile duration")
	flag.Parse()
	runtime.MemProfileRate = 1
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	allocate()
	runtime.GC()
	write(*dir, "source-heap.pb.gz", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	write(*dir, "source-cpu.pb.gz", func(f *os.File) error {
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		work(time.Now().Add(*cpu))
		pprof.StopCPUProfile()
		return nil
	})
}
