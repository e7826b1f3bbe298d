package consensus

import (
	"fmt"
	"hash/maphash"
	"testing"
)

// The block's key set finds every key it was given, in the order first
// given, copies keys (the caller's buffer may change), grows past its
// first size, and shrinks back when a later block needs far less.
func TestWriteSet(t *testing.T) {
	var a arena
	s := newWriteSet(maphash.MakeSeed())
	if s.find([]byte("k0")) != -1 || len(s.index) != 0 {
		t.Fatal("an empty set finds a key or holds an index")
	}
	const n = 5 * writeSetMinIndex
	buf := make([]byte, 0, 16)
	for i := range n {
		buf = fmt.Appendf(buf[:0], "k%d", i)
		if p := s.add(buf, &a); p != i {
			t.Fatalf("key %d added at %d", i, p)
		}
	}
	for i := range n {
		k := fmt.Appendf(nil, "k%d", i)
		if p := s.find(k); p != i || string(s.entries[p].key) != string(k) {
			t.Fatalf("key %s found at %d", k, p)
		}
		if p := s.add(k, &a); p != i {
			t.Fatalf("key %s added again at %d", k, p)
		}
	}
	if s.find([]byte("absent")) != -1 {
		t.Fatal("an absent key was found")
	}
	if len(s.index) < 2*n {
		t.Fatalf("index of %d slots for %d keys", len(s.index), n)
	}
	s.reset() // after the large block: cleared, still large
	if len(s.index) < 2*n || len(s.entries) != 0 || s.find([]byte("k1")) != -1 {
		t.Fatalf("reset after a large block: %d slots, %d entries", len(s.index), len(s.entries))
	}
	s.add([]byte("small"), &a)
	s.reset() // after a small block: back to the first size
	if len(s.index) != writeSetMinIndex || s.find([]byte("small")) != -1 {
		t.Fatalf("reset after a small block: %d slots", len(s.index))
	}
}
