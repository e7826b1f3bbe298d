package consensus

import (
	"fmt"
	"hash/maphash"
	"testing"
)

// lookup is lookupHashed with the key hashed as the block's key set
// hashes it.
func (c *decodedCache) lookup(key []byte) (*cacheSlot, uint64, bool) {
	h := maphash.Bytes(c.seed, key)
	s, hit := c.lookupHashed(key, h)
	return s, h, hit
}

// The decoded cache is direct-mapped: an entry is found under its own key
// only, a key whose hash picks the same slot replaces it, drop forgets
// only the key it names, and reset forgets everything.
func TestDecodedCacheSlots(t *testing.T) {
	c := newDecodedCache()
	fill := func(key string, v int) {
		s, h, _ := c.lookup([]byte(key))
		fillSlot(s, h, []byte(key), cacheEntry{v: v})
	}
	get := func(key string) (any, bool) {
		s, _, hit := c.lookup([]byte(key))
		if !hit {
			return nil, false
		}
		return s.entry.v, true
	}
	fill("a", 1)
	if v, ok := get("a"); !ok || v != 1 {
		t.Fatalf("a: %v %v, want 1", v, ok)
	}
	if _, ok := get("b"); ok {
		t.Fatal("b found before it was stored")
	}
	// Find a key sharing a's slot: storing it replaces a.
	sa, _, _ := c.lookup([]byte("a"))
	other := ""
	for i := 0; other == ""; i++ {
		k := fmt.Sprint("k", i)
		if s, _, _ := c.lookup([]byte(k)); s == sa {
			other = k
		}
	}
	hashOf := func(k string) uint64 { _, h, _ := c.lookup([]byte(k)); return h }
	c.store([]byte(other), hashOf(other), cacheEntry{v: 2})
	if _, ok := get("a"); ok {
		t.Fatal("a survived a key stored in its slot")
	}
	if v, ok := get(other); !ok || v != 2 {
		t.Fatalf("%s: %v %v, want 2", other, v, ok)
	}
	c.drop([]byte("a"), hashOf("a")) // names a key the slot no longer holds
	if _, ok := get(other); !ok {
		t.Fatal("dropping a key the slot does not hold dropped its entry")
	}
	c.drop([]byte(other), hashOf(other))
	if _, ok := get(other); ok {
		t.Fatal("a dropped key is still found")
	}
	// The slot's key is its own copy: changing the caller's bytes after
	// the fill changes nothing.
	key := []byte("mutable")
	s, h, _ := c.lookup(key)
	fillSlot(s, h, key, cacheEntry{v: 3})
	key[0] = 'M'
	if v, ok := get("mutable"); !ok || v != 3 {
		t.Fatalf("mutable: %v %v after the caller's buffer changed", v, ok)
	}
	c.reset()
	if _, ok := get("mutable"); ok {
		t.Fatal("an entry survived reset")
	}
}
