// Command refine writes the profiles under testdata/refine/ (names unlike
// example/'s, since tests look fixtures up by file name), made so that every
// refinement of profdrop (pprof's -focus, -ignore, -hide, -show, -show_from,
// -prune_from, -tagfocus, -tagignore, -tagshow, -taghide, the granularities
// and -noinlines) has something to act on:
//
//	refine-cpu.pb.gz        ~2 s of CPU work under pprof labels
//	                        (handler=/api/users, /api/orders, /healthz;
//	                        tenant=a, b), with direct and indirect recursion,
//	                        small functions the compiler inlines and functions
//	                        whose work is spread over several lines
//	refine-heap.pb.gz       every allocation sampled (MemProfileRate 1): objects
//	                        of 16 B, 1 KiB, 64 KiB and 2 MiB from different
//	                        functions (heap samples carry the numeric label bytes)
//	refine-goroutine.pb.gz  goroutines parked under labels (pool=io, pool=cpu)
//
// Standard library only. Run by testdata/gen/refine.sh.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// sink keeps results alive so the compiler cannot drop the work.
var sink int

// live keeps heap objects reachable until the heap profile is written.
var live [][]byte

// square is small enough to be inlined into its callers.
func square(x int) int { return x * x }

// mix is small enough to be inlined, and calls square (inlined too).
func mix(a, b int) int { return square(a) ^ (b >> 3) }

// checksum spreads its work over several lines, so -lines has rows to tell apart.
func checksum(n int) int {
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
	return s
}

// walk recurses directly.
func walk(depth, n int) int {
	if depth == 0 {
		return checksum(n)
	}
	return walk(depth-1, n) + 1
}

// ping and pong recurse through each other.
func ping(depth, n int) int {
	if depth == 0 {
		return checksum(n)
	}
	return pong(depth-1, n) + 1
}

func pong(depth, n int) int {
	if depth == 0 {
		return checksum(n / 2)
	}
	return ping(depth-1, n) + 2
}

func handleUsers(n int) {
	sink += walk(4, n)
	sink += checksum(n)
}

func handleOrders(n int) {
	sink += ping(5, n)
}

func handleHealth(n int) {
	sink += checksum(n / 2)
}

func serve(until time.Time) {
	ctx := context.Background()
	type route struct {
		handler, tenant string
		f               func(int)
	}
	routes := []route{
		{"/api/users", "a", handleUsers},
		{"/api/orders", "b", handleOrders},
		{"/api/users", "b", handleUsers},
		{"/healthz", "a", handleHealth},
	}
	for time.Now().Before(until) {
		for _, r := range routes {
			pprof.Do(ctx, pprof.Labels("handler", r.handler, "tenant", r.tenant), func(context.Context) {
				r.f(20000)
			})
		}
	}
}

func allocSmall() {
	for i := 0; i < 64; i++ {
		live = append(live, make([]byte, 16))
	}
}

func allocKB() {
	for i := 0; i < 16; i++ {
		live = append(live, make([]byte, 1024))
	}
}

func allocBig() {
	for i := 0; i < 4; i++ {
		live = append(live, make([]byte, 64<<10))
	}
	live = append(live, make([]byte, 2<<20))
}

func buildIndex() {
	allocSmall()
	allocKB()
}

func park(ctx context.Context, wg *sync.WaitGroup, stop chan struct{}, pool string, n int) {
	for i := 0; i < n; i++ {
		wg.Add(1)
		pprof.Do(ctx, pprof.Labels("pool", pool), func(context.Context) {
			go func() {
				wg.Done()
				<-stop
			}()
		})
	}
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
	dir := flag.String("out", "refine", "output folder")
	cpu := flag.Duration("cpu", 2*time.Second, "CPU profile duration")
	flag.Parse()
	runtime.MemProfileRate = 1
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}

	// Heap: a few allocation sites of known sizes.
	buildIndex()
	allocBig()
	runtime.GC()
	write(*dir, "refine-heap.pb.gz", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	runtime.MemProfileRate = 512 * 1024

	// Goroutines parked under labels.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	park(context.Background(), &wg, stop, "io", 3)
	park(context.Background(), &wg, stop, "cpu", 2)
	wg.Wait()
	write(*dir, "refine-goroutine.pb.gz", func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 0) })
	close(stop)

	// CPU under labels.
	write(*dir, "refine-cpu.pb.gz", func(f *os.File) error {
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		serve(time.Now().Add(*cpu))
		pprof.StopCPUProfile()
		return nil
	})
	runtime.KeepAlive(live)
}
