// Command deferloop simulates `defer` inside a loop of a long-running
// function: each iteration opens a file, wraps it in an 8 KiB buffered
// writer, and defers the Flush and the Close, but deferred calls only run when the function
// returns, so every file and its buffer stay reachable from the pending defer
// chain until then. processFiles runs across all snapshots and returns only at
// exit.
// Leaking function: main.processFiles.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var written int

// processFiles appends a record to every file it is sent until names is closed.
//
//go:noinline
func processFiles(names <-chan string) int {
	total := 0
	for name := range names {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			log.Fatal(err)
		}
		// BUG: defer in a loop -- both run only when processFiles returns.
		defer f.Close()
		w := bufio.NewWriterSize(f, 8192)
		defer w.Flush()
		n, _ := w.WriteString("record\n")
		written += n
		total += n
	}
	return total
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/deferloop", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	// The files it opens: a few small ones, opened again and again.
	dir, err := os.MkdirTemp("", "deferloop")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for i := 0; i < 8; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d.dat", i)), []byte("spooled record header"), 0o600); err != nil {
			log.Fatal(err)
		}
	}

	svc.Start()
	names := make(chan string)
	stop := make(chan struct{})
	done := make(chan int)
	go func() { done <- processFiles(names) }()
	go func() {
		for i := 0; ; i++ {
			select {
			case names <- filepath.Join(dir, fmt.Sprintf("%06d.dat", i%8)):
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
