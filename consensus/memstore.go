package consensus

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// MemStore is the in-memory Store: a Go map of keys to values, and a
// sorted list of the keys, rebuilt when a scan follows a block that added
// or removed keys. It serves the vector judge, the demo's scenario runner
// and tests; it keeps only state, not the per-block records and inputs a
// persistent store archives, and no undo record.
//
// Values handed out by Get and Scan must not be modified. A commit never
// changes a value in place (it stores a copy of the new one), so they stay
// valid for as long as the caller keeps them.
type MemStore struct {
	m map[string][]byte
	// keys holds every key in byte order unless dirty.
	keys   []string
	dirty  bool
	tip    uint64
	hasTip bool
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore { return &MemStore{m: map[string][]byte{}} }

// Get implements Reader.
func (m *MemStore) Get(key []byte) ([]byte, error) {
	if v, ok := m.m[string(key)]; ok {
		return v, nil
	}
	return nil, ErrNotFound
}

// Scan implements Reader.
func (m *MemStore) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	if m.dirty {
		m.keys = slices.Sorted(maps.Keys(m.m))
		m.dirty = false
	}
	p := string(prefix)
	for i := sort.SearchStrings(m.keys, p); i < len(m.keys) && strings.HasPrefix(m.keys[i], p); i++ {
		more, err := fn([]byte(m.keys[i]), m.m[m.keys[i]])
		if err != nil || !more {
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
		_, had := m.m[string(w.Key)]
		if w.Value == nil {
			delete(m.m, string(w.Key))
		} else {
			m.m[string(w.Key)] = bytes.Clone(w.Value)
		}
		if had != (w.Value != nil) {
			m.dirty = true
		}
	}
	m.tip, m.hasTip = c.Height, true
	return nil
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

// Clone returns an independent copy (a snapshot of the state). Values are
// shared: neither store changes one in place.
func (m *MemStore) Clone() *MemStore {
	c := *m
	c.m = maps.Clone(m.m)
	c.keys = slices.Clone(m.keys)
	return &c
}

// Len returns the number of keys.
func (m *MemStore) Len() int { return len(m.m) }

// Equal reports whether two stores hold the same keys and values and tip.
func (m *MemStore) Equal(o *MemStore) bool {
	return m.tip == o.tip && m.hasTip == o.hasTip && maps.EqualFunc(m.m, o.m, bytes.Equal)
}
