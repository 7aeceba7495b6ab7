// Package store is a second file (and package) of the source fixture, so
// that a listing matches more than one file of the module by path suffix.
package store

// Store keeps values by key.
type Store struct {
	m map[int][]byte
}

// New makes an empty store.
func New() *Store {
	return &Store{m: make(map[int][]byte)}
}

// Put stores a fresh buffer of n bytes under k.
func (s *Store) Put(k, n int) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(k + i)
	}
	s.m[k] = b
}

// Bytes copies every value into one buffer.
func (s *Store) Bytes() []byte {
	var out []byte
	for k := 0; k < len(s.m); k++ {
		out = append(out, s.m[k]...)
	}
	return out
}

// Sum does some arithmetic, so that CPU profiles have frames here.
func Sum(n int) int {
	t := 0
	for i := 0; i < n; i++ {
		t += i * i % 7
		if t > 1<<30 {
			t = 0
		}
	}
	return t
}
