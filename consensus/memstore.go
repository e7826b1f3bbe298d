package consensus

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
)

// MemStore is an in-memory Store. Keys and values live in append-only
// byte chunks, found through a map from a 64-bit hash of the key to a slot
// (a key whose hash another key already holds goes into a small map by
// key). Neither the chunks nor the slots nor the hash map hold pointers, so
// a large state costs the garbage collector almost nothing to scan and
// leaves no per-value allocations behind. Bytes of overwritten and deleted
// values are reclaimed once they pass a quarter of the live bytes, by moving
// the live entries out of the emptiest chunks until the garbage is below an
// eighth. Ordered scans use a key-sorted list of slots
// rebuilt lazily after keys were added or removed, so iteration order is
// always byte order and never Go's map order. The store keeps only state,
// not the per-block records and inputs a persistent store archives.
//
// Slices handed out by Get and Scan point into the chunks, which are never
// written again once filled: they stay valid, and must not be modified.
type MemStore struct {
	seed   maphash.Seed
	index  map[uint64]uint32 // hash of key → slot
	spill  map[string]uint32 // keys whose hash another live key holds in index
	slots  []memSlot
	free   []uint32 // unused slots
	chunks [][]byte // nil: evacuated, its index free for reuse
	// chunkLive counts the live bytes of each chunk.
	chunkLive  []int
	freeChunks []uint32
	cur        int // chunk being filled (-1: none)
	live       int // bytes of live keys and values
	total      int // bytes in the chunks
	n          int // live keys
	// compactMin is the chunk total below which garbage is never
	// reclaimed (memCompactMin; tests lower it).
	compactMin int
	sorted     []uint32
	dirty      bool
	tip        uint64
	hasTip     bool
}

// memSlot locates one key and its value in the chunks.
type memSlot struct {
	kc, ko, kl uint32 // key: chunk, offset, length
	vc, vo, vl uint32 // value
	used       bool
}

const (
	memChunkSize = 1 << 20
	// memCompactMin is the arena size below which garbage is never
	// reclaimed.
	memCompactMin = 8 << 20
)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{seed: maphash.MakeSeed(), index: map[uint64]uint32{}, cur: -1, compactMin: memCompactMin}
}

func (m *MemStore) key(s *memSlot) []byte {
	return m.chunks[s.kc][s.ko : s.ko+s.kl : s.ko+s.kl]
}

func (m *MemStore) value(s *memSlot) []byte {
	return m.chunks[s.vc][s.vo : s.vo+s.vl : s.vo+s.vl]
}

// find returns the slot of key.
func (m *MemStore) find(key []byte) (uint32, bool) {
	if len(m.spill) > 0 {
		if id, ok := m.spill[string(key)]; ok {
			return id, true
		}
	}
	id, ok := m.index[maphash.Bytes(m.seed, key)]
	if ok && bytes.Equal(m.key(&m.slots[id]), key) {
		return id, true
	}
	return 0, false
}

// newChunk adds a chunk and returns its index.
func (m *MemStore) newChunk(c []byte) int {
	if n := len(m.freeChunks); n > 0 {
		i := m.freeChunks[n-1]
		m.freeChunks = m.freeChunks[:n-1]
		m.chunks[i], m.chunkLive[i] = c, 0
		return int(i)
	}
	m.chunks = append(m.chunks, c)
	m.chunkLive = append(m.chunkLive, 0)
	return len(m.chunks) - 1
}

// appendBytes copies b, a live key or value, into the chunks and returns
// where it went.
func (m *MemStore) appendBytes(b []byte) (chunk, off uint32) {
	m.live += len(b)
	m.total += len(b)
	if len(b) > memChunkSize/4 {
		// A large value gets a chunk of its own.
		i := m.newChunk(append([]byte(nil), b...))
		m.chunkLive[i] = len(b)
		return uint32(i), 0
	}
	if m.cur < 0 || len(m.chunks[m.cur])+len(b) > cap(m.chunks[m.cur]) {
		m.cur = m.newChunk(make([]byte, 0, memChunkSize))
	}
	c := m.chunks[m.cur]
	off = uint32(len(c))
	m.chunks[m.cur] = append(c, b...)
	m.chunkLive[m.cur] += len(b)
	return uint32(m.cur), off
}

// dead marks n bytes of chunk c as garbage.
func (m *MemStore) dead(c uint32, n uint32) {
	m.chunkLive[c] -= int(n)
	m.live -= int(n)
}

func (m *MemStore) setValue(s *memSlot, value []byte) {
	s.vc, s.vo = m.appendBytes(value)
	s.vl = uint32(len(value))
}

// insert adds a key that is not in the store.
func (m *MemStore) insert(key, value []byte) {
	var id uint32
	if n := len(m.free); n > 0 {
		id, m.free = m.free[n-1], m.free[:n-1]
	} else {
		m.slots = append(m.slots, memSlot{})
		id = uint32(len(m.slots) - 1)
	}
	s := &m.slots[id]
	s.kc, s.ko = m.appendBytes(key)
	s.kl, s.used = uint32(len(key)), true
	m.setValue(s, value)
	h := maphash.Bytes(m.seed, key)
	if _, taken := m.index[h]; taken {
		if m.spill == nil {
			m.spill = map[string]uint32{}
		}
		m.spill[string(key)] = id
	} else {
		m.index[h] = id
	}
	m.n++
	m.dirty = true
}

// remove deletes the key of slot id.
func (m *MemStore) remove(id uint32) {
	s := &m.slots[id]
	key := m.key(s)
	if sid, ok := m.spill[string(key)]; ok && sid == id {
		delete(m.spill, string(key))
	} else {
		delete(m.index, maphash.Bytes(m.seed, key))
	}
	m.dead(s.kc, s.kl)
	m.dead(s.vc, s.vl)
	*s = memSlot{}
	m.free = append(m.free, id)
	m.n--
	m.dirty = true
}

// compact moves the live keys and values out of the emptiest chunks until
// at most an eighth of the chunks' bytes are garbage, and drops those
// chunks. Slices handed out before keep pointing into the dropped chunks,
// which are not modified.
func (m *MemStore) compact() {
	order := make([]int, 0, len(m.chunks))
	for i, c := range m.chunks {
		if c != nil {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		// Emptiest first: live share, compared without division.
		return cmpInt(m.chunkLive[a]*cap(m.chunks[b]), m.chunkLive[b]*cap(m.chunks[a]))
	})
	evacuate := make([]bool, len(m.chunks))
	garbage := m.total - m.live
	for _, i := range order {
		if garbage*8 <= m.live {
			break
		}
		evacuate[i] = true
		garbage -= len(m.chunks[i]) - m.chunkLive[i]
		if i == m.cur {
			m.cur = -1 // fill a fresh chunk instead
		}
	}
	for i := range m.slots {
		s := &m.slots[i]
		if !s.used {
			continue
		}
		if int(s.kc) < len(evacuate) && evacuate[s.kc] {
			k := m.chunks[s.kc][s.ko : s.ko+s.kl]
			m.dead(s.kc, s.kl)
			s.kc, s.ko = m.appendBytes(k)
		}
		if int(s.vc) < len(evacuate) && evacuate[s.vc] {
			v := m.chunks[s.vc][s.vo : s.vo+s.vl]
			m.dead(s.vc, s.vl)
			s.vc, s.vo = m.appendBytes(v)
		}
	}
	for i, ev := range evacuate {
		if ev {
			m.total -= len(m.chunks[i])
			m.chunks[i] = nil
			m.freeChunks = append(m.freeChunks, uint32(i))
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Get implements Reader.
func (m *MemStore) Get(key []byte) ([]byte, error) {
	id, ok := m.find(key)
	if !ok {
		return nil, ErrNotFound
	}
	return m.value(&m.slots[id]), nil
}

// Scan implements Reader.
func (m *MemStore) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	if m.dirty {
		m.sorted = m.sorted[:0]
		for i := range m.slots {
			if m.slots[i].used {
				m.sorted = append(m.sorted, uint32(i))
			}
		}
		slices.SortFunc(m.sorted, func(a, b uint32) int {
			return bytes.Compare(m.key(&m.slots[a]), m.key(&m.slots[b]))
		})
		m.dirty = false
	}
	sorted := m.sorted
	i := sort.Search(len(sorted), func(i int) bool {
		return bytes.Compare(m.key(&m.slots[sorted[i]]), prefix) >= 0
	})
	for ; i < len(sorted); i++ {
		s := &m.slots[sorted[i]]
		k := m.key(s)
		if !bytes.HasPrefix(k, prefix) {
			break
		}
		more, err := fn(k, m.value(s))
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
		id, ok := m.find(w.Key)
		switch {
		case w.Value == nil:
			if ok {
				m.remove(id)
			}
		case ok:
			s := &m.slots[id]
			m.dead(s.vc, s.vl)
			m.setValue(s, w.Value)
		default:
			m.insert(w.Key, w.Value)
		}
	}
	if m.total > m.compactMin && (m.total-m.live)*4 > m.live {
		m.compact()
	}
	m.tip, m.hasTip = c.Height, true
	return nil
}

// Tip implements Store.
func (m *MemStore) Tip() (uint64, bool, error) { return m.tip, m.hasTip, nil }

// Clone returns an independent copy (a snapshot of the state).
func (m *MemStore) Clone() *MemStore {
	c := NewMemStore()
	c.tip, c.hasTip = m.tip, m.hasTip
	for i := range m.slots {
		if s := &m.slots[i]; s.used {
			c.insert(m.key(s), m.value(s))
		}
	}
	return c
}

// Len returns the number of keys.
func (m *MemStore) Len() int { return m.n }

// Equal reports whether two stores hold the same keys and values and tip.
func (m *MemStore) Equal(o *MemStore) bool {
	if m.n != o.n || m.tip != o.tip || m.hasTip != o.hasTip {
		return false
	}
	for i := range m.slots {
		s := &m.slots[i]
		if !s.used {
			continue
		}
		id, ok := o.find(m.key(s))
		if !ok || !bytes.Equal(m.value(s), o.value(&o.slots[id])) {
			return false
		}
	}
	return true
}
