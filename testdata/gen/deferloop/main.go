// Command deferloop simulates `defer` inside a loop of a long-running
// function: each iteration "opens" a file with an 8 KiB read buffer and
// defers its release, but deferred calls only run when the function returns,
// so every buffer stays reachable from the pending defer chain until then.
// processFiles runs across all snapshots and returns only at exit.
// Leaking function: main.processFiles.
package main

import (
	"flag"
	"fmt"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var released int

func releaseBuffer(name string, buf []byte) {
	if len(name) > 0 && len(buf) > 0 {
		released++
	}
}

// processFiles handles every file name it receives until names is closed.
//
//go:noinline
func processFiles(names <-chan string) int {
	total := 0
	for name := range names {
		buf := make([]byte, 8192) // "open" the file with a read buffer
		// BUG: defer in a loop -- runs only when processFiles returns.
		defer func() { releaseBuffer(name, buf) }()
		for i := range buf {
			buf[i] = name[i%len(name)]
		}
		total += int(buf[len(buf)-1])
	}
	return total
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/deferloop", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	names := make(chan string)
	stop := make(chan struct{})
	done := make(chan int)
	go func() { done <- processFiles(names) }()
	go func() {
		for i := 0; ; i++ {
			select {
			case names <- fmt.Sprintf("/var/spool/in/%06d.dat", i):
			case <-stop:
				close(names)
				return
			}
			time.Sleep(15 * time.Millisecond)
		}
	}()
	snap.Series(*out, *n, *interval, false)
	close(stop)
	<-done
}
