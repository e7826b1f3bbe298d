package consensus

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/maphash"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// decodedCache keeps decoded state objects across blocks so that hot
// records (names, namespaces, preorders, accounts, owner indexes) are not
// decoded again on every access. It holds only committed state: a block's
// own writes live in its overlay until the store has committed the
// block, then they are stored here. Values are never mutated in place
// (readers copy before changing); deleted keys are dropped. The cache is
// dropped whenever the store's tip is not the block the engine last
// committed, or its consensus hash differs (someone else wrote to the
// store, e.g. a reorg rewind and replay), and when a block fails.
//
// The cache is small and direct-mapped: cacheSlots slots, a key's slot
// chosen by its hash, a new entry replacing whatever held its slot. A
// block's working set is a few hundred keys; beyond that, a large cache of
// decoded records (pointer-rich, ~1 KB each) cost more in GC, memory and
// probing than decoding a cold record from the store again. Compared with
// the two-generation Go maps it replaced, a miss costs one slot check
// instead of two map probes, and storing an entry reuses the slot's key
// buffer instead of allocating a key and assigning into a map.
// BenchmarkReplay (1M ops) measured 512 to 16k slots: 1k ran at ~167k
// ops/s against ~155k for the maps it replaced; 8k and 16k were slower
// than the maps (a larger cache keeps more cold records alive and fits the
// CPU caches worse). The sync path into Pebble measured the same with 1k
// slots as with the maps.
type decodedCache struct {
	seed   maphash.Seed
	slots  []cacheSlot
	tip    uint64
	tipCH  string // consensus hash of tip, to notice a store rewound and re-extended
	hasTip bool
	// recent holds the consensus hashes of the blocks the engine committed
	// last, as strings, a ring indexed by height modulo its length (which
	// is at least the consensus-hash window plus one): every block reads
	// the whole window and the nearest heights its consensus hash commits
	// to (2^i-1 back), which would otherwise cost a string each.
	recent []recentHash
	// older holds, as 16 raw bytes each, the consensus hashes of the
	// blocks olderFrom, olderFrom+1, ... that the engine committed one
	// after another since the cache was last reset, the ring's among
	// them: it serves the heights a consensus hash commits to beyond the
	// ring (2^11-1 back and more), a new one every block, without a store
	// read. It takes no pointers and 16 bytes a block (~5 MB for
	// Blockstack's ~300k mainnet blocks).
	older     [][16]byte
	olderFrom uint64
}

// cacheSlots is the number of slots of the decoded cache, a power of two.
const cacheSlots = 1 << 10

// cacheEntry is one cached committed value: decoded, and its stored bytes
// when the engine tracks priors (see overlay.priors), nil otherwise. A nil
// v records that the key is absent.
type cacheEntry struct {
	v   any
	raw []byte
}

// cacheSlot is one slot of the decoded cache: the entry of key, whose
// hash is hash, when used.
type cacheSlot struct {
	used  bool
	hash  uint64
	key   []byte // the slot's own copy, its memory reused by later keys
	entry cacheEntry
}

func newDecodedCache() decodedCache {
	return decodedCache{seed: maphash.MakeSeed(), slots: make([]cacheSlot, cacheSlots)}
}

func (c *decodedCache) reset() {
	for i := range c.slots {
		c.slots[i].used, c.slots[i].entry = false, cacheEntry{}
	}
	c.hasTip = false
	clear(c.recent)
	c.older = c.older[:0]
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

// olderHashAt returns the consensus hash of block h if it is in older.
func (c *decodedCache) olderHashAt(h uint64) (string, bool) {
	if h < c.olderFrom || h-c.olderFrom >= uint64(len(c.older)) {
		return "", false
	}
	return hex.EncodeToString(c.older[h-c.olderFrom][:]), true
}

// committed records block h's consensus hash (in the slot of the one that
// falls out of the kept range).
func (c *decodedCache) committed(h uint64, ch string) {
	c.tip, c.tipCH, c.hasTip = h, ch, true
	if len(c.recent) > 0 {
		c.recent[h%uint64(len(c.recent))] = recentHash{h: h, ch: ch, ok: true}
	}
	// A gap (a reset cache) starts the list again; a hash that is not
	// 16 bytes of lower-case hex (never one the engine computed) ends it.
	if len(c.older) == 0 || h != c.olderFrom+uint64(len(c.older)) {
		c.older, c.olderFrom = c.older[:0], h
	}
	var raw [16]byte
	if !digest.DecodeLowerHex(raw[:], ch) {
		c.older = c.older[:0]
		return
	}
	c.older = append(c.older, raw)
}

// slotOf returns the slot of a key whose hash is h.
func (c *decodedCache) slotOf(h uint64) *cacheSlot { return &c.slots[h&(cacheSlots-1)] }

// lookupHashed returns the slot of key, whose hash (with c.seed, the
// block key set's seed too) is h, and whether the slot holds key's entry.
func (c *decodedCache) lookupHashed(key []byte, h uint64) (*cacheSlot, bool) {
	s := c.slotOf(h)
	return s, s.used && s.hash == h && string(s.key) == string(key)
}

// fillSlot makes s, the slot of key (whose hash is h), hold key's entry e.
func fillSlot(s *cacheSlot, h uint64, key []byte, e cacheEntry) {
	s.used, s.hash, s.key, s.entry = true, h, append(s.key[:0], key...), e
}

// store caches e under key, whose hash is h.
func (c *decodedCache) store(key []byte, h uint64, e cacheEntry) {
	fillSlot(c.slotOf(h), h, key, e)
}

// drop forgets key, whose hash is h.
func (c *decodedCache) drop(key []byte, h uint64) {
	if s, hit := c.lookupHashed(key, h); hit {
		s.used, s.entry = false, cacheEntry{}
	}
}

// cachedGet returns the decoded value of key (nil for an absent key).
// The key may be scratch space (see blockCtx.scratchKey): it is copied
// only when the value is cached.
func cachedGet[T any](b *blockCtx, key []byte) (*T, error) {
	// One hash serves the block's key set and the cache (same seed).
	hash := b.st.keys.hash(key)
	v, ok, pos := b.st.writtenAt(key, hash)
	if ok {
		if v == nil {
			return nil, nil
		}
		return v.(*T), nil
	}
	var slot *cacheSlot
	if b.cache != nil {
		var hit bool
		if slot, hit = b.cache.lookupHashed(key, hash); hit {
			if slot.entry.v == nil { // a known absence
				b.st.notePriorAt(key, hash, nil)
				return nil, nil
			}
			if slot.entry.raw != nil {
				b.st.notePriorAt(key, hash, slot.entry.raw)
			}
			return slot.entry.v.(*T), nil
		}
	}
	raw, ok, err := b.st.getAt(key, hash, pos)
	if err != nil {
		return nil, err
	}
	if !ok {
		// Absences are cached too: a block asks again for most keys it
		// found missing (a new name, preorder or owner is read by the
		// check and again by the effect that creates it).
		if slot != nil {
			fillSlot(slot, hash, key, cacheEntry{})
		}
		return nil, nil
	}
	t, err := decodeNew[T](raw)
	if err != nil {
		return nil, fmt.Errorf("consensus: corrupt state at %q: %w", key, err)
	}
	if slot != nil {
		// With priors tracked, the read just noted the stored bytes, in
		// the block's arena: the cache keeps its own copy.
		var raw []byte
		if b.st.trackPriors {
			raw = bytes.Clone(b.st.priorOf(key, hash))
		}
		fillSlot(slot, hash, key, cacheEntry{v: t, raw: raw})
	}
	return t, nil
}

// cachedPut writes v (which the caller must not change afterwards). The
// value is encoded once, when the block's writes are gathered
// (blockWrites), however often the block rewrites the key.
func cachedPut[T any](b *blockCtx, key []byte, v *T) error {
	b.st.putDecoded(key, v)
	return nil
}

func cachedDel(b *blockCtx, key []byte) { b.st.putDecoded(key, nil) }

// flushedWrite is one of the block's decoded writes (v nil: a deletion)
// with its encoding.
type flushedWrite struct {
	key  []byte
	hash uint64 // from the block's key set, whose seed the cache shares
	v    any
	raw  []byte
}
