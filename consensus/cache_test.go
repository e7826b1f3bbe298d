package consensus

import (
	"context"
	"fmt"
	"hash/maphash"
	"testing"

	"github.com/spvcheck/spvcheck/consensus/digest"
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

// A consensus hash commits to the hashes 2^i-1 blocks back, far past the
// engine's ring of recent hashes. Replaying a long chain of empty blocks
// through one engine, then a second engine on the same store (whose lists
// start empty, so its far reads go to the store), then the first again
// (whose cache must notice the gap), must give every block the hash the
// digest package computes from the hashes recorded here, whichever way
// the engine found the earlier ones.
func TestConsensusHashesPastTheRing(t *testing.T) {
	p := Regtest()
	store := NewMemStore()
	byHeight := map[uint64]string{}
	newEngine := func() *Engine {
		e, err := NewEngine(p, store)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	run := func(e *Engine, from, to uint64) {
		for h := from; h < to; h++ {
			res, err := e.ProcessBlock(context.Background(), Block{Height: h})
			if err != nil {
				t.Fatal(err)
			}
			var prevs []string
			for _, ph := range digest.PrevHeights(h, p.FirstBlock) {
				prevs = append(prevs, byHeight[ph])
			}
			want, err := digest.ConsensusHash(res.OpsHash, prevs)
			if err != nil {
				t.Fatal(err)
			}
			if res.ConsensusHash != want {
				t.Fatalf("block %d: consensus hash %s, want %s", h, res.ConsensusHash, want)
			}
			byHeight[h] = res.ConsensusHash
		}
	}
	first := p.FirstBlock
	mid := first + 3*uint64(recentRing(p.ConsensusHashWindow))
	a, b := newEngine(), newEngine()
	run(a, first, mid)
	if n := len(a.cache.older); n != int(mid-first) {
		t.Fatalf("first engine kept %d hashes, want %d", n, mid-first)
	}
	run(b, mid, mid+5000)
	if n := len(b.cache.older); n != 5000 {
		t.Fatalf("second engine kept %d hashes, want 5000", n)
	}
	// The first engine again: the store moved on without it, so its list
	// starts over at the block it commits next.
	run(a, mid+5000, mid+7000)
	if n, from := len(a.cache.older), a.cache.olderFrom; n != 2000 || from != mid+5000 {
		t.Fatalf("first engine kept %d hashes from %d, want 2000 from %d", n, from, mid+5000)
	}
}
