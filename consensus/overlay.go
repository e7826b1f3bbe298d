package consensus

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
)

// overlay buffers one block's writes over the committed state, so that a
// check sees the state as of the start of the block plus the block's earlier
// accepted operations, and nothing reaches the store until the block is done.
type overlay struct {
	base Reader
	// keys holds the block's writes (encoded, or decoded, see cachedPut)
	// and, when the store takes priors (PriorTaker), the value every key
	// read from the base or known to be new had at the start of the
	// block; blockWrites hands them over.
	keys        writeSet
	trackPriors bool
	// arena holds the keys (and the encoded values the block builds).
	arena *arena
	// blind holds writes of keys that nothing reads during a block (the
	// history entries, each key written once): they skip the set.
	blind []Write
}

// newOverlay returns an overlay over base whose key set hashes with seed
// (the engine's decoded cache shares it, so that a key is hashed once for
// both).
func newOverlay(base Reader, trackPriors bool, a *arena, seed maphash.Seed) *overlay {
	return &overlay{base: base, keys: newWriteSet(seed), trackPriors: trackPriors, arena: a}
}

// reset empties the overlay for the next block.
func (o *overlay) reset() {
	o.keys.reset()
	clear(o.blind)
	o.blind = o.blind[:0]
}

// putBlind writes a key that no read of the block asks for and that the
// block writes only once. priorKnown: the key cannot exist before the
// block (its prior is absent).
func (o *overlay) putBlind(key, value []byte, priorKnown bool) {
	w := Write{Key: key, Value: value}
	if priorKnown && o.trackPriors {
		w.PriorKnown = true
	}
	o.blind = append(o.blind, w)
}

// get returns key's encoded value as of now in the block.
func (o *overlay) get(key []byte) ([]byte, bool, error) {
	h := o.keys.hash(key)
	return o.getAt(key, h, o.keys.lookup(key, h))
}

// getAt is get for a key whose hash is h and whose position in o.keys is
// p (-1: absent).
func (o *overlay) getAt(key []byte, h uint64, p int) ([]byte, bool, error) {
	if p >= 0 {
		e := &o.keys.entries[p]
		switch {
		case e.written && e.isDecoded:
			if e.decoded == nil {
				return nil, false, nil
			}
			raw, err := o.arena.value(e.decoded)
			return raw, err == nil, err
		case e.written:
			return e.value, e.value != nil, nil
		case e.priorKnown:
			return e.prior, e.prior != nil, nil
		}
	}
	v, err := o.base.Get(key)
	if errors.Is(err, ErrNotFound) {
		o.notePriorAt(key, h, nil)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("consensus: reading state: %w", err)
	}
	if o.trackPriors {
		// A store's slice may be reused by its next read: keep a copy,
		// never nil, so that a present empty value stays present.
		prior := arenaCopy(o.arena, v)
		if prior == nil {
			prior = []byte{}
		}
		o.notePriorAt(key, h, prior)
	}
	return v, true, nil
}

// notePrior records v (nil: absent) as key's value at the start of the
// block, unless one is recorded already.
func (o *overlay) notePrior(key, v []byte) {
	if o.trackPriors {
		o.notePriorAt(key, o.keys.hash(key), v)
	}
}

// notePriorAt is notePrior for a key whose hash is h.
func (o *overlay) notePriorAt(key []byte, h uint64, v []byte) {
	if !o.trackPriors {
		return
	}
	if e := &o.keys.entries[o.keys.addHashed(key, h, o.arena)]; !e.priorKnown {
		e.prior, e.priorKnown = v, true
	}
}

// priorOf returns the noted value at the start of the block of key,
// whose hash is h (nil when absent or not noted).
func (o *overlay) priorOf(key []byte, h uint64) []byte {
	if !o.trackPriors {
		return nil
	}
	if p := o.keys.lookup(key, h); p >= 0 {
		return o.keys.entries[p].prior
	}
	return nil
}

// writtenAt returns the block's decoded write of key, whose hash is h: ok
// is false when the block has not written key as a decoded value; v is
// nil for a deletion. p is key's position in o.keys (-1: absent).
func (o *overlay) writtenAt(key []byte, h uint64) (v any, ok bool, p int) {
	p = o.keys.lookup(key, h)
	if p >= 0 {
		if e := &o.keys.entries[p]; e.written && e.isDecoded {
			return e.decoded, true, p
		}
	}
	return nil, false, p
}

// putNew writes a key that cannot exist before this block (one named by
// the block's own height).
func (o *overlay) putNew(key []byte, value []byte) {
	o.notePrior(key, nil)
	o.put(key, value)
}

func (o *overlay) getJSON(key []byte, v any) (bool, error) {
	b, ok, err := o.get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := decodeValue(b, v); err != nil {
		return false, fmt.Errorf("consensus: corrupt state at %q: %w", key, err)
	}
	return true, nil
}

// put writes key's encoded value (nil: deletes it); the key is copied.
func (o *overlay) put(key []byte, value []byte) {
	e := &o.keys.entries[o.keys.add(key, o.arena)]
	e.written, e.isDecoded, e.value, e.decoded = true, false, value, nil
}

// putDecoded writes key's value as a decoded object (nil: deletes it),
// encoded once when the block's writes are gathered; the key is copied.
func (o *overlay) putDecoded(key []byte, v any) {
	e := &o.keys.entries[o.keys.add(key, o.arena)]
	e.written, e.isDecoded, e.value, e.decoded = true, true, nil, v
}

func (o *overlay) putJSON(key []byte, v any) error {
	b, err := encodeValue(v)
	if err != nil {
		return err
	}
	o.put(key, b)
	return nil
}

func (o *overlay) del(key []byte) { o.put(key, nil) }

// arena hands out byte slices for one block's keys and encoded values, cut
// from large chunks: one allocation for many small ones. The slices are
// valid until reset, when the block is committed (Store.CommitBlock keeps
// none of them): the chunks are then reused for the next block. To add a
// slice: reserve room, remember len(a.buf), append to a.buf, then cut.
type arena struct {
	buf []byte
	// full holds this block's chunks other than buf; spare the chunks
	// reset handed back.
	full, spare [][]byte
}

const (
	arenaChunk = 32 << 10
	// arenaSpare is how many chunks reset keeps for the next block.
	arenaSpare = 16
)

// reserve makes room for n more bytes (appending more still works: the
// chunk is then copied, and the slices already cut keep the old one).
func (a *arena) reserve(n int) {
	if cap(a.buf)-len(a.buf) >= n {
		return
	}
	if a.buf != nil {
		a.full = append(a.full, a.buf)
	}
	if k := len(a.spare); k > 0 && cap(a.spare[k-1]) >= n {
		a.buf, a.spare = a.spare[k-1][:0], a.spare[:k-1]
		return
	}
	a.buf = make([]byte, 0, max(arenaChunk, n))
}

// reset makes every chunk free for reuse: the slices cut so far must no
// longer be in use.
func (a *arena) reset() {
	if a.buf != nil {
		a.full = append(a.full, a.buf)
	}
	for _, c := range a.full {
		if len(a.spare) < arenaSpare && cap(c) == arenaChunk {
			a.spare = append(a.spare, c[:0])
		}
	}
	clear(a.full)
	a.buf, a.full = nil, a.full[:0]
}

// cut returns what was appended since len(a.buf) was start.
func (a *arena) cut(start int) []byte { return a.buf[start:len(a.buf):len(a.buf)] }

// str copies s into the arena.
func (a *arena) str(s string) []byte { return arenaCopy(a, s) }

// bytes copies b into the arena.
func (a *arena) bytes(b []byte) []byte { return arenaCopy(a, b) }

// value encodes v (see appendValue) into the arena.
func (a *arena) value(v any) ([]byte, error) {
	a.reserve(512)
	start := len(a.buf)
	raw, err := appendValue(a.buf, v)
	if err != nil {
		return nil, err
	}
	a.buf = raw
	return a.cut(start), nil
}

func arenaCopy[S string | []byte](a *arena, s S) []byte {
	a.reserve(len(s))
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return a.cut(start)
}

// blockWrites returns the block's writes: the decoded ones encoded, in
// the order the block first touched their keys, then the blind ones,
// sorted by key unless the store takes them in any order. It records the
// decoded writes, with their encodings, in b.flushed for the cache.
func (b *blockCtx) blockWrites(sorted bool) ([]Write, error) {
	o := b.st
	out := b.writes[:0]
	b.flushed = b.flushed[:0]
	for i := range o.keys.entries {
		e := &o.keys.entries[i]
		if !e.written {
			continue
		}
		w := Write{Key: e.key, Value: e.value, Prior: e.prior, PriorKnown: e.priorKnown}
		if e.isDecoded {
			if e.decoded != nil {
				raw, err := b.arena.value(e.decoded)
				if err != nil {
					return nil, err
				}
				w.Value = raw
			}
			b.flushed = append(b.flushed, flushedWrite{key: e.key, hash: e.hash, v: e.decoded, raw: w.Value})
		}
		out = append(out, w)
	}
	out = append(out, o.blind...)
	b.writes = out
	if !sorted {
		return out, nil
	}
	b.sortedWrites = sortWrites(b.sortedWrites[:0], out, &b.sortScratch)
	return b.sortedWrites, nil
}

// writeOrder is a write's place in the sort: the first 16 bytes of its
// key (big-endian, zero-padded) decide most comparisons without reading the
// key. Eight were too few: many keys share them ("n/<namespace>/", "s/"
// and a script template), and the full compare then ran for most pairs.
type writeOrder struct {
	hi, lo uint64
	i      int
}

// sortWrites appends ws, sorted by key, to dst; scratch is reused
// space for the order.
func sortWrites(dst, ws []Write, scratch *[]writeOrder) []Write {
	ord := (*scratch)[:0]
	for i := range ws {
		var p [16]byte
		copy(p[:], ws[i].Key)
		ord = append(ord, writeOrder{hi: binary.BigEndian.Uint64(p[:8]), lo: binary.BigEndian.Uint64(p[8:]), i: i})
	}
	slices.SortFunc(ord, func(x, y writeOrder) int {
		if c := cmp.Compare(x.hi, y.hi); c != 0 {
			return c
		}
		if c := cmp.Compare(x.lo, y.lo); c != 0 {
			return c
		}
		return bytes.Compare(ws[x.i].Key, ws[y.i].Key)
	})
	for _, o := range ord {
		dst = append(dst, ws[o.i])
	}
	*scratch = ord
	return dst
}
