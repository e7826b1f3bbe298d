package consensus

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// overlay buffers one block's writes over the committed state, so that a
// check sees the state as of the start of the block plus the block's earlier
// accepted operations, and nothing reaches the store until the block is done.
type overlay struct {
	base   Reader
	writes map[string][]byte // nil value = deleted
	// priors, when the store takes them (PriorTaker), holds the value each
	// key had at the start of the block (nil: absent), for every key read
	// from the base or known to be new; blockWrites hands them over.
	priors map[string][]byte
	// blind holds writes of keys that nothing reads during a block (the
	// history entries, each key written once): they skip the map.
	blind []Write
}

func newOverlay(base Reader, trackPriors bool) *overlay {
	o := &overlay{base: base, writes: map[string][]byte{}}
	if trackPriors {
		o.priors = map[string][]byte{}
	}
	return o
}

// reset empties the overlay for the next block.
func (o *overlay) reset() {
	clear(o.writes)
	clear(o.priors)
	clear(o.blind)
	o.blind = o.blind[:0]
}

// putBlind writes a key that no read of the block asks for and that the
// block writes only once. priorKnown: the key cannot exist before the
// block (its prior is absent).
func (o *overlay) putBlind(key, value []byte, priorKnown bool) {
	w := Write{Key: key, Value: value}
	if priorKnown && o.priors != nil {
		w.PriorKnown = true
	}
	o.blind = append(o.blind, w)
}

func (o *overlay) get(key []byte) ([]byte, bool, error) {
	if v, ok := o.writes[string(key)]; ok {
		return v, v != nil, nil
	}
	v, err := o.base.Get(key)
	if errors.Is(err, ErrNotFound) {
		o.notePrior(key, nil)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("consensus: reading state: %w", err)
	}
	if o.priors != nil {
		// A store's slice may be reused by its next read: keep a copy
		// (never nil, so that a present empty value stays present).
		o.notePrior(key, append(make([]byte, 0, len(v)), v...))
	}
	return v, true, nil
}

// notePrior records v (nil: absent) as key's value at the start of the
// block, unless one is recorded already.
func (o *overlay) notePrior(key, v []byte) {
	if o.priors == nil {
		return
	}
	if _, ok := o.priors[string(key)]; !ok {
		o.priors[string(key)] = v
	}
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

func (o *overlay) put(key []byte, value []byte) {
	o.writes[string(key)] = value
}

// putString is put with a string key (built once, not copied again).
func (o *overlay) putString(key string, value []byte) {
	o.writes[key] = value
}

func (o *overlay) putJSON(key []byte, v any) error {
	b, err := encodeValue(v)
	if err != nil {
		return err
	}
	o.writes[string(key)] = b
	return nil
}

func (o *overlay) del(key []byte) { o.writes[string(key)] = nil }

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
func (a *arena) str(s string) []byte {
	a.reserve(len(s))
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return a.cut(start)
}

// blockWrites returns the block's writes in key order: b.local's decoded
// values, encoded, and the overlay's raw ones. It records the encoded
// local writes in b.flushed, for the cache.
func (b *blockCtx) blockWrites() ([]Write, error) {
	o := b.st
	out := make([]Write, 0, len(b.local)+len(o.writes)+len(o.blind))
	b.flushed = b.flushed[:0]
	for k, v := range b.local {
		w := Write{Key: b.arena.str(k)}
		if v != nil {
			b.arena.reserve(512)
			start := len(b.arena.buf)
			raw, err := appendValue(b.arena.buf, v)
			if err != nil {
				return nil, err
			}
			b.arena.buf = raw
			w.Value = b.arena.cut(start)
		}
		if p, ok := o.priors[k]; ok {
			w.Prior, w.PriorKnown = p, true
		}
		out = append(out, w)
		b.flushed = append(b.flushed, flushedWrite{key: k, v: v, raw: w.Value})
	}
	for k, v := range o.writes {
		if _, ok := b.local[k]; ok {
			continue
		}
		w := Write{Key: b.arena.str(k), Value: v}
		if p, ok := o.priors[k]; ok {
			w.Prior, w.PriorKnown = p, true
		}
		out = append(out, w)
	}
	out = append(out, o.blind...)
	return sortWrites(out, &b.sortScratch), nil
}

// writeOrder is a write's place in the sort: the first 16 bytes of its
// key (big-endian, zero-padded) decide most comparisons without reading the
// key. Eight were too few: many keys share them ("n/<namespace>/", "s/"
// and a script template), and the full compare then ran for most pairs.
type writeOrder struct {
	hi, lo uint64
	i      int
}

// sortWrites returns ws sorted by key (in a new slice); scratch is reused
// space for the order.
func sortWrites(ws []Write, scratch *[]writeOrder) []Write {
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
	out := make([]Write, len(ws))
	for j, o := range ord {
		out[j] = ws[o.i]
	}
	*scratch = ord
	return out
}
