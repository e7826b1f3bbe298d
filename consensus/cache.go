package consensus

import "fmt"

// decodedCache keeps decoded state objects across blocks so that hot
// records (names, namespaces, preorders, accounts, owner indexes) are not
// decoded from JSON on every access. It holds only committed state: a
// block's own writes live in blockCtx.local until the store has committed
// the block, then they are merged in. Values are never mutated in place
// (readers copy before changing); deleted keys are dropped. The cache is dropped whenever the store's tip is not the block
// the engine last committed, or its consensus hash differs (someone else
// wrote to the store, e.g. a reorg rewind and replay), when a block
// fails.
//
// The cache is bounded, so that the engine's heap follows the state it
// works on rather than every record it ever touched: it has two
// generations of at most cacheGeneration entries each. Entries go into the
// young one; when it is full it becomes the old one (the previous old one
// is dropped). A hit in the old generation moves the entry back into the
// young one.
type decodedCache struct {
	m      map[string]cacheEntry // young generation
	old    map[string]cacheEntry
	tip    uint64
	tipCH  string // consensus hash of tip, to notice a store rewound and re-extended
	hasTip bool
	// recent holds the consensus hashes of the blocks the engine committed
	// last, a ring indexed by height modulo its length (which is at least
	// the consensus-hash window plus one): every block reads the whole
	// window, and the heights its consensus hash commits to reach back
	// 2^i-1 blocks, which would otherwise cost a store read per height.
	recent []recentHash
}

// cacheGeneration is small on purpose: a block's working set is a few
// hundred keys, and beyond that a large cache of decoded records (pointer-
// rich, ~1 KB each) cost more in GC, memory and map probing than decoding
// a cold record from the store again (BenchmarkReplay: 64k per generation
// ran slower than 16k or 4k and held 100 MiB more; at 1M ops 1k ran at
// 137.9k cpu-ops/s against 130.7k for 8k, with 16 MiB less live heap; 512
// and 2k measured within noise of 1k at 300k ops).
const cacheGeneration = 1 << 10

// cacheEntry is one cached committed value: decoded, and its stored bytes
// when the engine tracks priors (see overlay.priors), nil otherwise.
type cacheEntry struct {
	v   any
	raw []byte
}

func (c *decodedCache) reset() {
	c.m, c.old = map[string]cacheEntry{}, nil
	c.hasTip = false
	clear(c.recent)
}

// recentHash is one slot of decodedCache.recent.
type recentHash struct {
	h  uint64
	ch string
	ok bool
}

// recentRing is the length of decodedCache.recent for a consensus-hash
// window: enough for the window and the ten nearest heights a consensus
// hash commits to (2^i-1 back, i <= 10), a few dozen KiB.
func recentRing(window uint64) int {
	n := 1024
	for uint64(n) <= window {
		n *= 2
	}
	return n
}

// recentHashAt returns the consensus hash of block h if it is in recent.
func (c *decodedCache) recentHashAt(h uint64) (string, bool) {
	if len(c.recent) == 0 {
		return "", false
	}
	if r := c.recent[h%uint64(len(c.recent))]; r.ok && r.h == h {
		return r.ch, true
	}
	return "", false
}

// committed records block h's consensus hash (in the slot of the one that
// falls out of the kept range).
func (c *decodedCache) committed(h uint64, ch string) {
	c.tip, c.tipCH, c.hasTip = h, ch, true
	if len(c.recent) > 0 {
		c.recent[h%uint64(len(c.recent))] = recentHash{h: h, ch: ch, ok: true}
	}
}

// lookup returns the cached value of key (nil for a deleted key). The
// key is only copied when the entry moves to the young generation.
func (c *decodedCache) lookup(key []byte) (cacheEntry, bool) {
	if v, ok := c.m[string(key)]; ok {
		return v, true
	}
	if v, ok := c.old[string(key)]; ok {
		delete(c.old, string(key))
		c.store(string(key), v)
		return v, true
	}
	return cacheEntry{}, false
}

// store caches v (whose value must not be nil) under k.
func (c *decodedCache) store(k string, v cacheEntry) {
	if len(c.m) >= cacheGeneration {
		c.old, c.m = c.m, make(map[string]cacheEntry, cacheGeneration)
	}
	c.m[k] = v
}

// drop forgets k.
func (c *decodedCache) drop(k string) {
	delete(c.m, k)
	delete(c.old, k)
}

// get returns the decoded value of key (nil, true for a known absence).
// The key may be scratch space (see blockCtx.scratchKey): it is copied
// only when the value is cached.
func cachedGet[T any](b *blockCtx, key []byte) (*T, error) {
	if v, ok := b.local[string(key)]; ok {
		if v == nil {
			return nil, nil
		}
		return v.(*T), nil
	}
	if b.cache != nil {
		if e, ok := b.cache.lookup(key); ok {
			if e.raw != nil {
				b.st.notePrior(key, e.raw)
			}
			return e.v.(*T), nil
		}
	}
	raw, ok, err := b.st.get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil // absences are not cached: most are never asked again
	}
	t, err := decodeNew[T](raw)
	if err != nil {
		return nil, fmt.Errorf("consensus: corrupt state at %q: %w", key, err)
	}
	if b.cache != nil {
		// With priors tracked, the read just noted the stored bytes.
		b.cache.store(string(key), cacheEntry{v: t, raw: b.st.priors[string(key)]})
	}
	return t, nil
}

// cachedPut writes v (which the caller must not change afterwards). The
// value is encoded once, when the block's writes are gathered
// (blockWrites), however often the block rewrites the key.
// The key is a string, built once (a []byte key would be copied again
// into the map).
func cachedPut[T any](b *blockCtx, key string, v *T) error {
	if b.local == nil {
		b.local = map[string]any{}
	}
	b.local[key] = v
	return nil
}

func cachedDel(b *blockCtx, key string) {
	if b.local == nil {
		b.local = map[string]any{}
	}
	b.local[key] = nil
}

// flushedWrite is one of the block's decoded writes (v nil: a deletion)
// with its encoding.
type flushedWrite struct {
	key string
	v   any
	raw []byte
}
