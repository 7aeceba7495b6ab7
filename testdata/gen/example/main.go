// Command example is a small, plausible request-handling service used to
// produce the example profiles shown in profdrop's UI:
//
//	heap.pb.gz       in-use heap after a batch of requests (cache, index,
//	                 log ring, JSON decoding, bytes.Buffer/strings.Builder)
//	goroutine.pb.gz  a handful of goroutines in different states
//	cpu.pb.gz        ~2 s of CPU work (variant 1)
//
// With -variant=2 -cpu=cpu2.pb.gz -heap=false it only writes a second CPU
// profile with a different work mix (checksums twice as expensive, no
// compression, cheaper sorting), so cpu.pb.gz vs cpu2.pb.gz is a useful diff.
package main

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"profdrop/testdata/gen/internal/snap"
)

// Request is the decoded body of an incoming API request.
type Request struct {
	ID      int               `json:"id"`
	User    string            `json:"user"`
	Path    string            `json:"path"`
	Tags    []string          `json:"tags"`
	Attrs   map[string]string `json:"attrs"`
	Payload string            `json:"payload"`
}

// Cache is a response cache keyed by request path.
type Cache struct {
	mu    sync.Mutex
	items map[string]*cacheItem
}

type cacheItem struct {
	body    []byte
	created time.Time
}

// Put stores body under key (the cache takes ownership of body).
func (c *Cache) Put(key string, body []byte) {
	item := &cacheItem{body: body, created: time.Unix(1700000000, 0)}
	c.mu.Lock()
	c.items[key] = item
	c.mu.Unlock()
}

// Index maps tags to the request ids that carry them.
type Index struct {
	byTag map[string][]int
}

var (
	cache   = &Cache{items: make(map[string]*cacheItem)}
	index   *Index
	logRing [256]string
	logPos  int
	recent  [128]*Request // most recently decoded requests
	nreq    int
	sink    int
)

func decodeJSON(data []byte) (*Request, error) {
	var r Request
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func buildIndex(reqs []*Request) *Index {
	idx := &Index{byTag: make(map[string][]int)}
	for _, r := range reqs {
		for _, t := range r.Tags {
			idx.byTag[t] = append(idx.byTag[t], r.ID)
		}
	}
	return idx
}

func renderResponse(r *Request) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"ok":true,"id":`)
	buf.WriteString(strconv.Itoa(r.ID))
	buf.WriteString(`,"items":[`)
	for i := 0; i < 24; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"n":%d,"user":%q,"path":%q}`, i, r.User, r.Path)
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

func formatLogLine(r *Request, status int) string {
	var sb strings.Builder
	sb.WriteString(time.Unix(1700000000, 0).UTC().Format(time.RFC3339))
	sb.WriteString(" user=")
	sb.WriteString(r.User)
	sb.WriteString(" path=")
	sb.WriteString(r.Path)
	sb.WriteString(" status=")
	sb.WriteString(strconv.Itoa(status))
	sb.WriteString(" tags=")
	sb.WriteString(strings.Join(r.Tags, ","))
	return sb.String()
}

func handleRequest(raw []byte) (*Request, error) {
	req, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	body := renderResponse(req)
	cache.Put(req.Path, body)
	logRing[logPos%len(logRing)] = formatLogLine(req, 200)
	logPos++
	recent[nreq%len(recent)] = req
	nreq++
	return req, nil
}

func makeRequest(i int) []byte {
	r := Request{
		ID:      i,
		User:    "user" + strconv.Itoa(i%37),
		Path:    "/api/v1/orders/" + strconv.Itoa(i%200),
		Tags:    []string{"tag" + strconv.Itoa(i%13), "region-" + strconv.Itoa(i%5)},
		Attrs:   map[string]string{"client": "web", "trace": strconv.Itoa(i * 7919)},
		Payload: strings.Repeat("x", 64+i%128),
	}
	b, err := json.Marshal(&r)
	if err != nil {
		log.Fatal(err)
	}
	return b
}

func serveBatch(n int) {
	reqs := make([]*Request, 0, n)
	for i := 0; i < n; i++ {
		req, err := handleRequest(makeRequest(i))
		if err != nil {
			log.Fatal(err)
		}
		reqs = append(reqs, req)
	}
	index = buildIndex(reqs)
}

// Background goroutines for the goroutine profile.

func worker(jobs <-chan []byte, wg *sync.WaitGroup) {
	defer wg.Done()
	for raw := range jobs {
		if _, err := handleRequest(raw); err != nil {
			log.Print(err)
		}
	}
}

func acceptLoop(conns <-chan int, quit <-chan struct{}) {
	for {
		select {
		case c := <-conns:
			sink += c
		case <-quit:
			return
		}
	}
}

func flushMetrics(quit <-chan struct{}) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			sink++
		case <-quit:
			return
		}
	}
}

func waitForShutdown(mu *sync.Mutex) {
	mu.Lock() // held by main until exit
	mu.Unlock()
}

// CPU work.

func computeChecksum(data []byte, rounds int) [32]byte {
	h := sha256.New()
	for i := 0; i < rounds; i++ {
		h.Write(data)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

func compressPayload(data []byte) int {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Len()
}

func sortResults(n int, seed int) int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = (i*7919 + seed*104729) % 100003
	}
	sort.Ints(xs)
	return xs[n/2]
}

func parseRecords(raw [][]byte) int {
	total := 0
	for _, b := range raw {
		r, err := decodeJSON(b)
		if err != nil {
			log.Fatal(err)
		}
		total += len(r.Payload)
	}
	return total
}

func busyWork(variant int, d time.Duration) {
	raw := make([][]byte, 64)
	for i := range raw {
		raw[i] = makeRequest(i)
	}
	blob := bytes.Repeat([]byte("profdrop example payload "), 2048)
	deadline := time.Now().Add(d)
	for i := 0; time.Now().Before(deadline); i++ {
		switch variant {
		case 1:
			sum := computeChecksum(blob, 3)
			sink += int(sum[0])
			sink += compressPayload(blob[:16384])
			sink += sortResults(8000, i)
			sink += parseRecords(raw)
		default:
			sum := computeChecksum(blob, 6)
			sink += int(sum[0])
			sink += sortResults(2000, i)
			sink += parseRecords(raw)
		}
	}
}

func main() {
	snap.Init()
	out := flag.String("out", "example", "output directory")
	variant := flag.Int("variant", 1, "CPU work mix (1 or 2)")
	cpuFile := flag.String("cpu", "cpu.pb.gz", "CPU profile file name (empty: none)")
	cpuDur := flag.Duration("cpu_duration", 2*time.Second, "CPU profile duration")
	heap := flag.Bool("heap", true, "also write heap.pb.gz and goroutine.pb.gz")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}

	if *heap {
		var shutdown sync.Mutex
		shutdown.Lock()
		quit := make(chan struct{})
		jobs := make(chan []byte)
		conns := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go worker(jobs, &wg)
		}
		go acceptLoop(conns, quit)
		go flushMetrics(quit)
		go waitForShutdown(&shutdown)

		serveBatch(1500)
		for i := 0; i < 30; i++ {
			jobs <- makeRequest(10000 + i)
		}
		time.Sleep(100 * time.Millisecond)

		snap.Heap(filepath.Join(*out, "heap.pb.gz"))
		snap.Goroutine(filepath.Join(*out, "goroutine"))
		close(quit)
		close(jobs)
		wg.Wait()
		shutdown.Unlock()
	}

	if *cpuFile != "" {
		// Back to the runtime's default sampling rate for the CPU phase:
		// with MemProfileRate=1 every allocation unwinds its stack and the
		// CPU profile would be dominated by runtime.gentraceback instead of
		// the workload.
		runtime.MemProfileRate = 512 * 1024
		f, err := os.Create(filepath.Join(*out, *cpuFile))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		busyWork(*variant, *cpuDur)
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
