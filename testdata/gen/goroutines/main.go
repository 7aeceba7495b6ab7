// Command goroutines simulates a goroutine leak: every request starts a
// worker that waits for a reply on its own channel, but nobody ever sends
// on it, so the goroutine (and the 4 KiB request context it holds) lives
// forever. Goroutine count grows under main.waitForever (created by
// main.startWorker); heap growth is allocated in main.startWorker.
package main

import (
	"flag"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

type reply struct {
	status int
	body   []byte
}

// waitForever parks on a channel that nobody will ever send to.
//
//go:noinline
func waitForever(ch <-chan reply, reqCtx []byte) int {
	r := <-ch // BUG: blocks forever, no sender and no timeout
	return r.status + len(r.body) + int(reqCtx[0])
}

// startWorker allocates a per-request context and reply channel and spawns
// a goroutine that waits for the reply.
//
//go:noinline
func startWorker(id int) {
	ch := make(chan reply)
	reqCtx := make([]byte, 4096)
	reqCtx[0] = byte(id)
	go waitForever(ch, reqCtx)
}

func serveRequests() {
	for id := 0; ; id++ {
		startWorker(id)
		time.Sleep(30 * time.Millisecond)
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/goroutines", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	go serveRequests()
	snap.Series(*out, *n, *interval, true)
}
