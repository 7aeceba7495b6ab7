// Command healthy is the control: only the healthy background service runs
// (allocation churn, a bounded pre-filled LRU cache, a fixed worker pool).
// Neither the heap nor the goroutine count grows beyond noise.
package main

import (
	"flag"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

func main() {
	snap.Init()
	out := flag.String("out", "leaks/healthy", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	snap.Series(*out, *n, *interval, true)
}
