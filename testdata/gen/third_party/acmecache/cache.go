// Package cache is a stand-in for a third-party library under a dotted
// import path (example.com/acme/cache): a keyed store whose eviction only
// runs when a size limit is set. Constructed with New(0), it never evicts.
package cache

import "sync"

type entry struct {
	key string
	val []byte
}

// Cache maps keys to copies of the values stored under them.
type Cache struct {
	mu      sync.Mutex
	limit   int
	entries map[string]*entry
}

// New returns a cache that evicts once it holds more than limit entries;
// limit 0 means "no limit" (the bug the program below falls into).
func New(limit int) *Cache {
	return &Cache{limit: limit, entries: map[string]*entry{}}
}

// Put stores a private copy of val under key.
//
//go:noinline
func (c *Cache) Put(key string, val []byte) {
	e := &entry{key: key, val: append([]byte(nil), val...)}
	c.mu.Lock()
	c.entries[key] = e
	if c.limit > 0 && len(c.entries) > c.limit {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.mu.Unlock()
}

// Len is the number of entries held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
