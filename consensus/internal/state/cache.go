package state

import (
	"encoding/hex"
	"fmt"
	"hash/fnv"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// cache keeps decoded committed values across blocks, so that hot records
// are not decoded again on every access. It holds only committed state: a
// block's own writes live in its write set until the store has committed
// the block. Values are never changed in place (callers copy before
// changing); deleted keys are dropped. It is direct-mapped: cacheSlots
// slots, a key's slot chosen by its hash, a new entry replacing whatever
// held its slot (see consensus/PERFORMANCE.md for the sizes measured).
type cache struct {
	slots []cacheSlot
}

// cacheSlots is the number of slots of the cache, a power of two.
const cacheSlots = 1 << 10

// cacheSlot is one slot: the entry of key, whose hash is hash, when used.
// A nil v records that the key is absent. raw is the stored encoding when
// priors are tracked; fp fingerprints the encoding of v under the
// invariants tag.
type cacheSlot struct {
	used bool
	hash uint64
	key  []byte // the slot's own copy, its memory reused by later keys
	v    any
	fam  *familyInfo
	raw  []byte
	fp   uint64
}

func newCache() cache { return cache{slots: make([]cacheSlot, cacheSlots)} }

func (c *cache) reset() {
	for i := range c.slots {
		c.evict(&c.slots[i])
	}
}

// lookup returns the slot of key, whose hash is h, and whether it holds
// key's entry.
func (c *cache) lookup(key []byte, h uint64) (*cacheSlot, bool) {
	s := &c.slots[h&(cacheSlots-1)]
	return s, s.used && s.hash == h && string(s.key) == string(key)
}

// fill makes s, the slot of key (whose hash is h), hold v (nil: absent).
func (c *cache) fill(s *cacheSlot, h uint64, key []byte, v any, fam *familyInfo, raw []byte) {
	c.evict(s)
	s.used, s.hash, s.key, s.v, s.fam, s.raw = true, h, append(s.key[:0], key...), v, fam, raw
	if Invariants && v != nil {
		s.fp = fingerprint(fam, v)
	}
}

// evict empties s, checking under the invariants tag that its value was
// not changed while cached.
func (c *cache) evict(s *cacheSlot) {
	if Invariants && s.used && s.v != nil && fingerprint(s.fam, s.v) != s.fp {
		panic(fmt.Sprintf("state: cached value of %q was changed in place", s.key))
	}
	s.used, s.v, s.fam, s.raw = false, nil, nil, nil
}

// drop forgets key, whose hash is h.
func (c *cache) drop(key []byte, h uint64) {
	if s, hit := c.lookup(key, h); hit {
		c.evict(s)
	}
}

func fingerprint(fam *familyInfo, v any) uint64 {
	raw, err := fam.encode(nil, v)
	if err != nil {
		panic(fmt.Sprintf("state: encoding a cached %s value: %v", fam.prefix, err))
	}
	h := fnv.New64a()
	h.Write(raw)
	return h.Sum64()
}

// hashChain holds the consensus hashes of the blocks the layer committed
// last: recent as strings, a ring indexed by height modulo its length (at
// least the consensus-hash window plus one, since every block reads the
// whole window and the nearest heights its hash commits to), and older as
// 16 raw bytes each, the hashes of the blocks olderFrom, olderFrom+1, ...
// committed one after another since the last reset (16 bytes a block, no
// pointers), which serve the far heights a consensus hash commits to.
type hashChain struct {
	tip       uint64
	tipCH     string
	hasTip    bool
	recent    []recentHash
	older     [][16]byte
	olderFrom uint64
}

type recentHash struct {
	h  uint64
	ch string
	ok bool
}

func newHashChain(window uint64) hashChain {
	n := 1024
	for uint64(n) <= window {
		n *= 2
	}
	return hashChain{recent: make([]recentHash, n)}
}

func (c *hashChain) reset() {
	c.hasTip = false
	clear(c.recent)
	c.older = c.older[:0]
}

// at returns the consensus hash of block h if the chain holds it.
func (c *hashChain) at(h uint64) (string, bool) {
	if !c.hasTip {
		return "", false
	}
	if r := c.recent[h%uint64(len(c.recent))]; r.ok && r.h == h {
		return r.ch, true
	}
	if h < c.olderFrom || h-c.olderFrom >= uint64(len(c.older)) {
		return "", false
	}
	return hex.EncodeToString(c.older[h-c.olderFrom][:]), true
}

// committed records block h's consensus hash.
func (c *hashChain) committed(h uint64, ch string) {
	c.tip, c.tipCH, c.hasTip = h, ch, true
	c.recent[h%uint64(len(c.recent))] = recentHash{h: h, ch: ch, ok: true}
	// A gap (a reset) starts the list again; a hash that is not 16 bytes
	// of lower-case hex (never one the engine computed) ends it.
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
