// Command libcache leaks inside a library: it keeps sessions in a cache from
// example.com/acme/cache (testdata/gen/third_party/acmecache, a module of its
// own with a dotted import path, wired in by go.mod's replace directive),
// built with New(0), which never evicts. The memory is allocated by the
// library's (*Cache).Put; the user's call site is main.rememberSession.
// Leaking function: example.com/acme/cache.(*Cache).Put, called from
// main.rememberSession.
package main

import (
	"flag"
	"strconv"
	"time"

	"example.com/acme/cache"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var sessions = cache.New(0) // BUG: 0 means "never evict"

// rememberSession stores a 1 KiB session record for a login.
//
//go:noinline
func rememberSession(id int) {
	rec := make([]byte, 1024)
	rec[0] = byte(id)
	sessions.Put("session-"+strconv.Itoa(id), rec)
}

func serveLogins() {
	for id := 0; ; id++ {
		rememberSession(id)
		time.Sleep(3 * time.Millisecond)
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/libcache", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	go serveLogins()
	snap.Series(*out, *n, *interval, false)
}
