// Command growbuf keeps one in-memory log that grows forever: every request
// appends a 2 KiB record to a single package-level slice. The memory grows
// steadily, but as one object that append reallocates (never more objects),
// and through no frame that names a known leak pattern: the leak finder must
// rank it and call its pattern unknown rather than guess.
// Leaking function: main.appendLog.
package main

import (
	"flag"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var journal []byte // BUG: never truncated

// appendLog appends a record to the journal.
//
//go:noinline
func appendLog(id int) {
	var rec [2048]byte
	rec[0] = byte(id)
	journal = append(journal, rec[:]...)
}

func serveRequests() {
	for id := 0; ; id++ {
		appendLog(id)
		time.Sleep(2 * time.Millisecond)
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/growbuf", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	go serveRequests()
	snap.Series(*out, *n, *interval, false)
}
