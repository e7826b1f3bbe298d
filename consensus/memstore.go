package consensus

import (
	"bytes"
	"fmt"
	"sort"
)

// MemStore is an in-memory Store: a map of keys plus a sorted key list that
// is rebuilt lazily before an ordered scan, so iteration order is always
// byte order and never Go's map order. It keeps only state, not the
// per-block records and inputs a persistent store archives.
type MemStore struct {
	kv     map[string][]byte
	sorted []string
	dirty  bool
	tip    uint64
	hasTip bool
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore { return &MemStore{kv: map[string][]byte{}} }

// Get implements Reader.
func (m *MemStore) Get(key []byte) ([]byte, error) {
	v, ok := m.kv[string(key)]
	if !ok {
		return nil, ErrNotFound
	}
	return v, nil
}

// Scan implements Reader.
func (m *MemStore) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	if m.dirty {
		m.sorted = m.sorted[:0]
		for k := range m.kv {
			m.sorted = append(m.sorted, k)
		}
		sort.Strings(m.sorted)
		m.dirty = false
	}
	p := string(prefix)
	i := sort.SearchStrings(m.sorted, p)
	for ; i < len(m.sorted); i++ {
		k := m.sorted[i]
		if len(k) < len(p) || k[:len(p)] != p {
			break
		}
		more, err := fn([]byte(k), m.kv[k])
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// CommitBlock implements Store.
func (m *MemStore) CommitBlock(c *BlockCommit) error {
	if m.hasTip && c.Height != m.tip+1 {
		return fmt.Errorf("consensus: mem store at %d cannot commit block %d", m.tip, c.Height)
	}
	for i, w := range c.Writes {
		if i > 0 && bytes.Compare(c.Writes[i-1].Key, w.Key) >= 0 {
			return fmt.Errorf("consensus: block %d writes are not sorted", c.Height)
		}
	}
	for _, w := range c.Writes {
		k := string(w.Key)
		if w.Value == nil {
			if _, ok := m.kv[k]; ok {
				delete(m.kv, k)
				m.dirty = true
			}
			continue
		}
		if _, ok := m.kv[k]; !ok {
			m.dirty = true
		}
		m.kv[k] = append([]byte(nil), w.Value...)
	}
	m.tip, m.hasTip = c.Height, true
	return nil
}

// Tip implements Store.
func (m *MemStore) Tip() (uint64, bool, error) { return m.tip, m.hasTip, nil }

// Clone returns an independent copy (a snapshot of the state).
func (m *MemStore) Clone() *MemStore {
	c := &MemStore{kv: make(map[string][]byte, len(m.kv)), dirty: true, tip: m.tip, hasTip: m.hasTip}
	for k, v := range m.kv {
		c.kv[k] = v // values are never mutated in place
	}
	return c
}

// Len returns the number of keys.
func (m *MemStore) Len() int { return len(m.kv) }

// Equal reports whether two stores hold the same keys and values and tip.
func (m *MemStore) Equal(o *MemStore) bool {
	if len(m.kv) != len(o.kv) || m.tip != o.tip || m.hasTip != o.hasTip {
		return false
	}
	for k, v := range m.kv {
		w, ok := o.kv[k]
		if !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}
