package consensus

import (
	"bytes"
	"slices"
)

// Clone, Len and Equal serve the tests that compare stores.

// Clone returns an independent copy (a snapshot of the state), its live
// records copied to chunks of its own.
func (m *MemStore) Clone() *MemStore {
	c := *m
	c.slots = slices.Clone(m.slots)
	c.sorted = slices.Clone(m.sorted)
	c.compact()
	return &c
}

// Len returns the number of keys.
func (m *MemStore) Len() int { return m.live }

// Equal reports whether two stores hold the same keys and values and tip.
func (m *MemStore) Equal(o *MemStore) bool {
	if m.tip != o.tip || m.hasTip != o.hasTip || m.live != o.live {
		return false
	}
	for _, s := range m.slots {
		if s.hash != memEmpty && s.loc != memGone {
			k, v := m.record(s.loc)
			if ov, err := o.Get(k); err != nil || !bytes.Equal(v, ov) {
				return false
			}
		}
	}
	return true
}
