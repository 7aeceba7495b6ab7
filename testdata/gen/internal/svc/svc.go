// Package svc is the "healthy" background activity shared by every leak
// scenario: steady allocation churn (temporary buffers that are dropped
// right away), a bounded LRU cache with a fixed capacity (pre-filled before
// the first snapshot) and a fixed pool of worker goroutines (started before
// the first snapshot). None of it grows over time; it only adds realistic
// noise around the leak under test.
package svc

import (
	"bytes"
	"container/list"
	"encoding/json"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LRU is a bounded least-recently-used cache of byte slices.
type LRU struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[uint64]*list.Element
}

type lruEntry struct {
	key uint64
	val []byte
}

// NewLRU returns an empty cache holding at most capacity entries.
func NewLRU(capacity int) *LRU {
	return &LRU{cap: capacity, ll: list.New(), items: make(map[uint64]*list.Element, capacity)}
}

// Put stores a copy of val under key, evicting the least recently used
// entry when the cache is full.
func (c *LRU) Put(key uint64, val []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		copy(el.Value.(*lruEntry).val, val)
		return
	}
	if c.ll.Len() >= c.cap {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*lruEntry).key)
	}
	e := &lruEntry{key: key, val: make([]byte, len(val))}
	copy(e.val, val)
	c.items[key] = c.ll.PushFront(e)
}

// Get returns the cached value for key, if any.
func (c *LRU) Get(key uint64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*lruEntry).val, true
}

// Len reports the number of cached entries.
func (c *LRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

type job struct {
	id      int
	payload []byte
}

type page struct {
	ID    int      `json:"id"`
	Title string   `json:"title"`
	Tags  []string `json:"tags"`
}

// Service is the healthy background workload.
type Service struct {
	Cache *LRU
	jobs  chan job
	sink  uint32 // keeps results observable so nothing is optimised away
	mu    sync.Mutex
}

const (
	lruCapacity = 128
	lruValue    = 1024
	numWorkers  = 4
)

// Start pre-fills the bounded cache, starts a fixed pool of workers, a job
// feeder and an allocation-churn loop, and returns once all of it is running.
func Start() *Service {
	s := &Service{Cache: NewLRU(lruCapacity), jobs: make(chan job)}
	val := make([]byte, lruValue)
	for k := 0; k < lruCapacity; k++ {
		s.Cache.Put(uint64(k), val)
	}
	var ready sync.WaitGroup
	ready.Add(numWorkers + 2)
	for w := 0; w < numWorkers; w++ {
		go s.worker(&ready)
	}
	go s.feedJobs(&ready)
	go s.churn(&ready)
	ready.Wait()
	return s
}

// worker handles jobs forever; the pool size never changes.
func (s *Service) worker(ready *sync.WaitGroup) {
	ready.Done()
	for j := range s.jobs {
		s.handleJob(j)
	}
}

func (s *Service) handleJob(j job) {
	// Temporary working buffer, dropped when the job is done.
	tmp := make([]byte, 0, 2*len(j.payload))
	tmp = append(tmp, j.payload...)
	tmp = append(tmp, j.payload...)
	sum := crc32.ChecksumIEEE(tmp)
	s.mu.Lock()
	s.sink += sum
	s.mu.Unlock()
}

// feedJobs submits a small job every couple of milliseconds.
func (s *Service) feedJobs(ready *sync.WaitGroup) {
	ready.Done()
	for id := 0; ; id++ {
		payload := make([]byte, 512)
		payload[0] = byte(id)
		s.jobs <- job{id: id, payload: payload}
		time.Sleep(2 * time.Millisecond)
	}
}

// churn renders short-lived pages and cycles keys through the bounded
// cache; everything it allocates is garbage (or evicted) soon after.
func (s *Service) churn(ready *sync.WaitGroup) {
	ready.Done()
	val := make([]byte, lruValue)
	for i := lruCapacity; ; i++ {
		body := renderPage(i)
		copy(val, body)
		s.Cache.Put(uint64(i), val)
		if _, ok := s.Cache.Get(uint64(i - 7)); ok {
			s.mu.Lock()
			s.sink++
			s.mu.Unlock()
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func renderPage(i int) []byte {
	p := page{ID: i, Title: formatTitle(i), Tags: []string{"a", "b", strconv.Itoa(i % 10)}}
	js, _ := json.Marshal(&p)
	var buf bytes.Buffer
	buf.WriteString("<html><body><pre>")
	buf.Write(js)
	for k := 0; k < 8; k++ {
		buf.WriteString("<p>lorem ipsum dolor sit amet</p>")
	}
	buf.WriteString("</pre></body></html>")
	return buf.Bytes()
}

func formatTitle(i int) string {
	var sb strings.Builder
	sb.WriteString("page #")
	sb.WriteString(strconv.Itoa(i))
	sb.WriteString(" of the healthy background service")
	return sb.String()
}
