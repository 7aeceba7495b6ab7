// Command tickers simulates tickers that are never stopped: the upstream
// poller creates a new time.Ticker for every poll and forgets it. The runtime
// keeps every active timer (and so every Ticker and its channel) reachable
// forever. Heap growth is allocated in time.NewTicker (and time.startTimer)
// called from the user function main.pollUpstream.
package main

import (
	"flag"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var polls int

func checkUpstream(t *time.Ticker, attempt int) {
	select {
	case <-t.C:
	default:
	}
	polls += attempt & 1
}

// pollUpstream polls an upstream forever, leaking one ticker per poll.
//
//go:noinline
func pollUpstream() {
	for attempt := 0; ; attempt++ {
		t := time.NewTicker(time.Hour) // BUG: t.Stop() is never called
		checkUpstream(t, attempt)
		time.Sleep(time.Millisecond)
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/tickers", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	go pollUpstream()
	snap.Series(*out, *n, *interval, false)
}
