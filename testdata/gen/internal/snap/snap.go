// Package snap writes heap and goroutine profile snapshots in the layout
// used by profdrop's testdata: NN.heap.pb.gz, NN.goroutine.pb.gz,
// NN.goroutine.debug1.txt and NN.goroutine.debug2.txt.
package snap

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// Init must be called first thing in main: it makes the heap profiler
// record every single allocation (no sampling).
func Init() {
	runtime.MemProfileRate = 1
}

// WriteProfile writes pprof.Lookup(name).WriteTo(f, debug) to path.
func WriteProfile(path, name string, debug int) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup(name).WriteTo(f, debug); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// Heap forces a GC (so the heap profile is up to date) and writes the heap
// profile as gzipped protobuf.
func Heap(path string) {
	runtime.GC()
	WriteProfile(path, "heap", 0)
}

// Goroutine writes the goroutine profile as gzipped protobuf
// (<prefix>.pb.gz) and as debug=1 / debug=2 text dumps
// (<prefix>.debug1.txt, <prefix>.debug2.txt).
func Goroutine(prefix string) {
	WriteProfile(prefix+".pb.gz", "goroutine", 0)
	WriteProfile(prefix+".debug1.txt", "goroutine", 1)
	WriteProfile(prefix+".debug2.txt", "goroutine", 2)
}

// Series takes n numbered snapshots in dir, sleeping interval before each
// one (so the first snapshot already sees some activity). If goroutines is
// set, a goroutine snapshot is written right after each heap snapshot.
func Series(dir string, n int, interval time.Duration, goroutines bool) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		time.Sleep(interval)
		base := filepath.Join(dir, fmt.Sprintf("%02d", i))
		Heap(base + ".heap.pb.gz")
		if goroutines {
			Goroutine(base + ".goroutine")
		}
	}
}
