package state

import "hash/maphash"

// writeSet is one block's keys: those it wrote, with their new values, and,
// when the store takes priors, those it read, with the value each held at
// the start of the block. Keys are kept in the order the block first
// touched them, so that handing the writes over needs no map iteration,
// and each key is copied once, into the block's Arena, and found again by
// its bytes: no key string is built per access.
//
// It is an open-addressing table (linear probing) of positions in entries,
// kept at most half full; the block's few hundred keys fit in its first
// size.
type writeSet struct {
	seed maphash.Seed
	// index holds 1 + the position in entries of a key, 0 for an empty
	// slot; its length is a power of two.
	index   []int32
	entries []blockKey
}

// blockKey is one key of a block. A key the block read but did not write
// (only tracked with priors) has no value.
type blockKey struct {
	hash uint64
	key  []byte // in the block's Arena
	// written: the block wrote the key, as v (a *T of fam's type; nil:
	// deleted), encoded once when the block's writes are gathered.
	written bool
	v       any
	fam     *familyInfo
	raw     []byte // v's encoding, once Writes made it
	// prior is the key's value at the start of the block (nil: absent),
	// when priorKnown.
	prior      []byte
	priorKnown bool
}

const writeSetMinIndex = 1 << 10

// reset empties the set for the next block. Keys and values of the old
// entries are not kept (their Arena is reset too). An index that one
// large block (a genesis allocation, say) grew far beyond what this block
// needed is dropped rather than cleared, so that it costs the blocks after
// it nothing.
func (s *writeSet) reset() {
	if len(s.index) > writeSetMinIndex && 8*len(s.entries) < len(s.index) {
		s.index = make([]int32, writeSetMinIndex)
	} else {
		clear(s.index)
	}
	clear(s.entries)
	s.entries = s.entries[:0]
}

// hash is the hash of key that lookup and addHashed take.
func (s *writeSet) hash(key []byte) uint64 { return maphash.Bytes(s.seed, key) }

// lookup is find for a key whose hash is h.
func (s *writeSet) lookup(key []byte, h uint64) int {
	if len(s.index) == 0 {
		return -1
	}
	mask := uint64(len(s.index) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		p := s.index[i]
		if p == 0 {
			return -1
		}
		if e := &s.entries[p-1]; e.hash == h && string(e.key) == string(key) {
			return int(p - 1)
		}
	}
}

// addHashed is add for a key whose hash is h.
func (s *writeSet) addHashed(key []byte, h uint64, a *Arena) int {
	if p := s.lookup(key, h); p >= 0 {
		return p
	}
	if 2*(len(s.entries)+1) > len(s.index) {
		s.grow()
	}
	s.entries = append(s.entries, blockKey{hash: h, key: a.bytes(key)})
	s.place(h, int32(len(s.entries)))
	return len(s.entries) - 1
}

// place puts position+1 p into the first free slot from h.
func (s *writeSet) place(h uint64, p int32) {
	mask := uint64(len(s.index) - 1)
	i := h & mask
	for s.index[i] != 0 {
		i = (i + 1) & mask
	}
	s.index[i] = p
}

func (s *writeSet) grow() {
	s.index = make([]int32, max(writeSetMinIndex, 2*len(s.index)))
	for j := range s.entries {
		s.place(s.entries[j].hash, int32(j+1))
	}
}
