package state

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
)

// arena hands out byte slices for one block's keys and encoded values, cut
// from large chunks: one allocation for many small ones. The slices are
// valid until reset, when the block is committed (Store.CommitBlock keeps
// none of them): the chunks are then reused for the next block. To add a
// slice: reserve room, remember len(a.buf), append to a.buf, then cut.
type Arena struct {
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
func (a *Arena) reserve(n int) {
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
func (a *Arena) reset() {
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
func (a *Arena) cut(start int) []byte { return a.buf[start:len(a.buf):len(a.buf)] }

// bytes copies b into the arena.
func (a *Arena) bytes(b []byte) []byte { return arenaCopy(a, b) }

// value encodes v, a value of fam, into the arena.
func (a *Arena) value(fam *familyInfo, v any) ([]byte, error) {
	a.reserve(512)
	start := len(a.buf)
	raw, err := fam.encode(a.buf, v)
	if err != nil {
		return nil, err
	}
	a.buf = raw
	return a.cut(start), nil
}

func arenaCopy[S string | []byte](a *Arena, s S) []byte {
	a.reserve(len(s))
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return a.cut(start)
}

// Build appends to the arena with fn, which is given room for n bytes
// (it may append more), and returns what fn appended, valid until the
// block is committed.
func (a *Arena) Build(n int, fn func(dst []byte) []byte) []byte {
	a.reserve(n)
	start := len(a.buf)
	a.buf = fn(a.buf)
	return a.cut(start)
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
