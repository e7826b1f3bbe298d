package consensus

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
)

// MemStore is the in-memory Store. It serves the vector judge, the demo's
// scenario runner and tests; it keeps only state, not the per-block records
// and inputs a persistent store archives, and no undo record.
//
// Records ([key length][value length][key][value], lengths as uvarints)
// are appended to large byte chunks. An open-addressing table of (key
// hash, record place) pairs, probed linearly and kept at most 3/4 full,
// finds them; the key itself is compared in the record. Neither the table
// nor the chunks hold pointers, so a large state costs the garbage
// collector almost nothing: a Go map of strings to byte slices, tried
// first, spent more time in the collector than the engine spent replaying
// (consensus/PERFORMANCE.md). An overwrite no longer than the old value
// whose length takes as many bytes is written over it in place (most of a
// name's rewrites keep its record's size); any other appends a new
// record. Once dead records outweigh live ones twice over, the live ones
// are copied to new chunks. Scans use the table's slots sorted by key,
// rebuilt after keys were added or removed.
//
// Values handed out by Get and Scan must not be modified, and are valid
// until the next CommitBlock, which may write over them.
type MemStore struct {
	seed   maphash.Seed
	mask   uint64 // all ones; tests clear it to make every key collide
	slots  []memSlot
	used   int // slots live or deleted
	live   int // slots live
	chunks [][]byte
	// total counts the bytes of all records, dead the bytes of those
	// overwritten or deleted (estimated: as many as their new values'
	// records, or as the key for a deletion, so no old record is read).
	total, dead int
	// sorted holds the live slots in key order, unless dirty.
	sorted []uint32
	dirty  bool
	tip    uint64
	hasTip bool
}

// memSlot is one slot of the table: a key's hash (memEmpty: none) and its
// record's place, chunk<<32 | offset (memGone: a deleted key's slot, which
// probes pass over).
type memSlot struct{ hash, loc uint64 }

const (
	memChunk = 1 << 20
	memEmpty = 0
	memGone  = ^uint64(0)
)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{seed: maphash.MakeSeed(), mask: ^uint64(0), slots: make([]memSlot, 1024)}
}

func (m *MemStore) hash(key []byte) uint64 {
	return maphash.Bytes(m.seed, key)&m.mask | 1 // never memEmpty
}

// record returns the key and value at loc.
func (m *MemStore) record(loc uint64) (key, value []byte) { return recordIn(m.chunks, loc) }

func recordIn(chunks [][]byte, loc uint64) (key, value []byte) {
	c := chunks[loc>>32][uint32(loc):]
	kl, n := binary.Uvarint(c)
	vl, n2 := binary.Uvarint(c[n:])
	c = c[n+n2:]
	return c[:kl:kl], c[kl : kl+vl : kl+vl]
}

// find returns the slot holding key (ok), or the slot where it would go.
func (m *MemStore) find(key []byte, h uint64) (slot int, ok bool) {
	mask := len(m.slots) - 1
	free := -1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := &m.slots[i]
		switch {
		case s.hash == memEmpty:
			if free < 0 {
				free = i
			}
			return free, false
		case s.loc == memGone:
			if free < 0 {
				free = i
			}
		case s.hash == h:
			if k, _ := m.record(s.loc); bytes.Equal(k, key) {
				return i, true
			}
		}
	}
}

// grow rebuilds the table, twice as large when the live keys need it,
// without the deleted slots.
func (m *MemStore) grow() {
	n := len(m.slots)
	if 2*(m.live+1) > n {
		n *= 2
	}
	old := m.slots
	m.slots, m.used, m.dirty = make([]memSlot, n), m.live, true
	for _, s := range old {
		if s.hash != memEmpty && s.loc != memGone {
			i := int(s.hash) & (n - 1)
			for m.slots[i].hash != memEmpty {
				i = (i + 1) & (n - 1)
			}
			m.slots[i] = s
		}
	}
}

func (m *MemStore) appendRecord(key, value []byte) uint64 {
	size := 2*binary.MaxVarintLen64 + len(key) + len(value)
	if len(m.chunks) == 0 || cap(m.chunks[len(m.chunks)-1])-len(m.chunks[len(m.chunks)-1]) < size {
		m.chunks = append(m.chunks, make([]byte, 0, max(memChunk, size)))
	}
	c := &m.chunks[len(m.chunks)-1]
	loc := uint64(len(m.chunks)-1)<<32 | uint64(len(*c))
	start := len(*c)
	*c = binary.AppendUvarint(*c, uint64(len(key)))
	*c = binary.AppendUvarint(*c, uint64(len(value)))
	*c = append(append(*c, key...), value...)
	m.total += len(*c) - start
	return loc
}

// overwrite writes value over the record at loc, if it fits: no longer
// than the old value, its length taking as many bytes.
func (m *MemStore) overwrite(loc uint64, value []byte) bool {
	c := m.chunks[loc>>32][uint32(loc):]
	kl, n := binary.Uvarint(c)
	vl, n2 := binary.Uvarint(c[n:])
	var lb [binary.MaxVarintLen64]byte
	if uint64(len(value)) > vl || binary.PutUvarint(lb[:], uint64(len(value))) != n2 {
		return false
	}
	copy(c[n:], lb[:n2])
	copy(c[n+n2+int(kl):], value)
	m.dead += int(vl) - len(value)
	return true
}

// Get implements Reader.
func (m *MemStore) Get(key []byte) ([]byte, error) {
	if i, ok := m.find(key, m.hash(key)); ok {
		_, v := m.record(m.slots[i].loc)
		return v, nil
	}
	return nil, ErrNotFound
}

// Scan implements Reader.
func (m *MemStore) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	if m.dirty {
		m.sorted = m.sorted[:0]
		for i, s := range m.slots {
			if s.hash != memEmpty && s.loc != memGone {
				m.sorted = append(m.sorted, uint32(i))
			}
		}
		slices.SortFunc(m.sorted, func(a, b uint32) int {
			ka, _ := m.record(m.slots[a].loc)
			kb, _ := m.record(m.slots[b].loc)
			return bytes.Compare(ka, kb)
		})
		m.dirty = false
	}
	i := sort.Search(len(m.sorted), func(i int) bool {
		k, _ := m.record(m.slots[m.sorted[i]].loc)
		return bytes.Compare(k, prefix) >= 0
	})
	for ; i < len(m.sorted); i++ {
		k, v := m.record(m.slots[m.sorted[i]].loc)
		if !bytes.HasPrefix(k, prefix) {
			break
		}
		if more, err := fn(k, v); err != nil || !more {
			return err
		}
	}
	return nil
}

// CommitBlock implements Store. The writes may come in any order, each key
// at most once; a block that breaks that is refused whole. Write.Prior is
// not consulted.
func (m *MemStore) CommitBlock(c *BlockCommit) error {
	if m.hasTip && c.Height != m.tip+1 {
		return fmt.Errorf("consensus: mem store at %d cannot commit block %d", m.tip, c.Height)
	}
	if k := repeatedKey(c.Writes); k != nil {
		return fmt.Errorf("consensus: block %d writes key %q more than once", c.Height, k)
	}
	for _, w := range c.Writes {
		h := m.hash(w.Key)
		i, found := m.find(w.Key, h)
		s := &m.slots[i]
		switch {
		case w.Value == nil && found:
			m.dead += len(w.Key) + 2
			m.live--
			m.dirty = true
			s.loc = memGone
		case w.Value == nil:
		case found && m.overwrite(s.loc, w.Value):
		case found:
			m.dead += len(w.Key) + len(w.Value) + 2
			s.loc = m.appendRecord(w.Key, w.Value)
		default:
			if s.hash == memEmpty {
				m.used++
			}
			m.live++
			m.dirty = true
			*s = memSlot{hash: h, loc: m.appendRecord(w.Key, w.Value)}
			if 4*m.used > 3*len(m.slots) {
				m.grow()
			}
		}
	}
	if m.total > 64<<20 && m.dead > 2*(m.total-m.dead) {
		m.compact()
	}
	m.tip, m.hasTip = c.Height, true
	return nil
}

// compact copies the live records to new chunks.
func (m *MemStore) compact() {
	old := m.chunks
	m.chunks, m.total, m.dead = nil, 0, 0
	for i, s := range m.slots {
		if s.hash != memEmpty && s.loc != memGone {
			k, v := recordIn(old, s.loc)
			m.slots[i].loc = m.appendRecord(k, v)
		}
	}
}

// repeatedKey returns a key that ws writes more than once, or nil. The
// engine hands writes over sorted, so one pass over neighbours usually
// settles it.
func repeatedKey(ws []Write) []byte {
	cmpKey := func(a, b Write) int { return bytes.Compare(a.Key, b.Key) }
	if !slices.IsSortedFunc(ws, cmpKey) {
		ws = slices.SortedFunc(slices.Values(ws), cmpKey)
	}
	for i := 1; i < len(ws); i++ {
		if bytes.Equal(ws[i-1].Key, ws[i].Key) {
			return ws[i].Key
		}
	}
	return nil
}

// Tip implements Store.
func (m *MemStore) Tip() (uint64, bool, error) { return m.tip, m.hasTip, nil }
