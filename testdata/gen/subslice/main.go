// Command subslice simulates a sub-slice pinning its backing array: each
// upload is read into a fresh 64 KiB buffer, and only the 16-byte header is
// kept in a package-level slice -- which keeps the whole 64 KiB alive.
// Leaking function: main.readHeader.
package main

import (
	"bytes"
	"flag"
	"io"
	"log"
	"sync"
	"time"

	"profdrop/testdata/gen/internal/snap"
	"profdrop/testdata/gen/internal/svc"
)

var (
	headersMu sync.Mutex
	headers   [][]byte // BUG: each element pins a 64 KiB backing array
)

// readHeader reads a whole 64 KiB block and remembers its 16-byte header.
//
//go:noinline
func readHeader(r io.Reader) ([]byte, error) {
	buf := make([]byte, 64<<10)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	hdr := buf[:16] // should have been: append([]byte(nil), buf[:16]...)
	headersMu.Lock()
	headers = append(headers, hdr)
	headersMu.Unlock()
	return hdr, nil
}

func handleUpload(payload []byte) int {
	hdr, err := readHeader(bytes.NewReader(payload))
	if err != nil {
		log.Fatal(err)
	}
	return int(hdr[0])
}

func serveUploads() {
	payload := make([]byte, 64<<10)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	for id := 0; ; id++ {
		payload[0] = byte(id)
		handleUpload(payload)
		time.Sleep(30 * time.Millisecond)
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "leaks/subslice", "output directory")
	n := flag.Int("n", 6, "number of snapshots")
	interval := flag.Duration("interval", 300*time.Millisecond, "time between snapshots")
	flag.Parse()

	svc.Start()
	go serveUploads()
	snap.Series(*out, *n, *interval, false)
}
