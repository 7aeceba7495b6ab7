// Command cache simulates an unbounded response cache: every request stores
// a fresh 4 KiB response in a package-level map that is never pruned.
// Leaking function: main.cacheResponse.
package main

import (
	"flag"
	"strconv"
	"sync"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var (
	cacheMu       sync.Mutex
	responseCache = map[string][]byte{} // BUG: only ever grows
)

// cacheResponse renders a response into a fresh 4 KiB buffer and stores it
// in the unbounded cache.
//
//go:noinline
func cacheResponse(key string, id int) []byte {
	buf := make([]byte, 4096)
	copy(buf, key)
	buf[len(buf)-1] = byte(id)
	cacheMu.Lock()
	responseCache[key] = buf
	cacheMu.Unlock()
	return buf
}

func lookup(key string) ([]byte, bool) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	b, ok := responseCache[key]
	return b, ok
}

func handleRequest(id int) int {
	key := "/api/v1/items/" + strconv.Itoa(id)
	if b, ok := lookup(key); ok {
		return len(b)
	}
	return len(cacheResponse(key, id))
}

func serveTraffic() {
	for id := 0; ; id++ {
		handleRequest(id)
		time.Sleep(6 * time.Millisecond)
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/cache", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	go serveTraffic()
	snap.Series(*out, *n, *interval, false)
}
