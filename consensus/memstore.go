package consensus

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"iter"
	"math/bits"
	"slices"
	"sort"
)

// MemStore is an in-memory Store, laid out so that a random Get of a
// present key costs about two cache misses and of an absent key about one,
// since lookups are most of what replaying a chain does.
//
// Each key and its value are one record, [key length][value length][key]
// [value] (lengths as uvarints), appended to byte chunks (a record is
// later written over only by its own key's next value, see below). A hash
// table finds the records. It is cut into
// groups of one cache line: a control word with a byte per slot (empty,
// deleted, or 7 low bits of a live key's hash) and seven 64-bit entries,
// each packing the top bits of its key's hash and its record's location.
// The top bits of the hash pick a key's home group, and a key lives in the
// first group from there with a free slot (linear probing by groups, at
// most 3/4 of the slots in use). A lookup matches the hash's low bits
// against the group's control bytes all at once and learns whether the
// group has an empty slot (where the search ends), without a branch per
// slot, so an absent key usually costs one line and a few instructions,
// and the processor can overlap the misses of lookups that follow. A
// matching slot's entry is checked against the hash's top bits (same
// line) before its record is read, and the key is then compared in full,
// so colliding hashes are told apart; the value sits right after the key.
// A deleted slot becomes empty if its group has an empty slot (no key was
// ever placed past that group) and a tombstone otherwise; tombstones are
// cleared when the table is rebuilt.
//
// Because an entry's stored bits are the top bits of the hash, they also
// name its home group: the table is rebuilt without reading a record, up to
// 1<<memHashBits groups (some 350M keys); past that, rebuilding rehashes
// the keys.
//
// Neither the table nor the chunks hold pointers, so a large state costs
// the garbage collector almost nothing to scan and leaves no per-key
// allocations behind. An overwrite whose record is no larger than the old
// one is written over it, in place: most of a name's rewrites keep its
// record's size, and a log that appended them all left long-lived records
// scattered among garbage, so that reclaiming space moved more bytes than
// the blocks wrote. A larger overwrite appends a new record and repoints
// the entry, leaving the old record as garbage. Records go to one of three
// streams of chunks by their key: preorders (P/), which live a block or a
// few, fill chunks of their own that die whole; history entries (h/),
// written once and never changed, fill chunks of their own too; and
// everything else, the records that blocks read and rewrite, packs densely
// in the third. A chunk left with no live record is dropped at once, and once
// garbage passes a quarter of the live bytes, the live records are moved
// out of the emptiest chunks until it is below an eighth (compact). Ordered scans use a key-sorted list of table
// slots rebuilt lazily after keys were added or removed, so iteration order
// is always byte order and never depends on the hash seed or Go's map order.
// The store keeps only state, not the per-block records and inputs a
// persistent store archives.
//
// Slices handed out by Get and Scan point into the chunks: they must not be
// modified, and are valid until the next CommitBlock, which may write over
// them. Chunks shared with a clone (Clone) are never written over by either
// store; evacuated chunks are dropped rather than reused.
type MemStore struct {
	seed maphash.Seed
	// hashMask is all ones; tests narrow it to force hash collisions.
	hashMask uint64
	// deriveBits is the largest gbits at which an entry's stored hash bits
	// give its home group (memHashBits; tests lower it to run the path that
	// rehashes keys).
	deriveBits uint
	// table is 1<<gbits groups of memGroup words: the control word, then
	// the entries of slots 0 to memSlots-1.
	table []uint64
	gbits uint
	tomb  int // deleted slots in table
	// chunks hold the records; nil: dropped, its index free for reuse.
	chunks [][]byte
	// chunkLive counts the bytes of live records in each chunk.
	chunkLive  []int
	freeChunks []uint32
	cur        [memStreams]int // chunk each stream is filling (-1: none)
	// shared marks the chunks that a clone shares (see Clone): neither
	// store writes over their records, nor reuses them once dropped.
	shared []bool
	// spare holds dropped chunks' memory for new chunks (at most
	// memSpareChunks): taking fresh memory for every chunk cost more in
	// clearing and page faults than copying the records into it.
	spare [][]byte
	live  int // bytes of live records
	total int // bytes in the chunks
	n     int // live keys
	// compactMin is the chunk total below which garbage is never
	// reclaimed (memCompactMin; tests lower it).
	compactMin int
	// sorted holds the table index of each key's entry, in key order,
	// unless dirty.
	sorted []uint32
	dirty  bool
	// writeHashes, seenHashes, seenUsed and writeOrder are CommitBlock's
	// scratch space: the hash of each write's key, an open-addressing set
	// of those hashes (with its occupied marks), and the writes ordered by
	// hash and key.
	writeHashes, seenHashes []uint64
	seenUsed                []bool
	writeOrder              []int32
	// warmHashes and warmFound are Warm's scratch space (the keys' hashes
	// and the entries found); warmSink keeps its loads from being
	// optimized away.
	warmHashes, warmFound []uint64
	warmSink              uint64
	tip                   uint64
	hasTip                bool
}

const (
	memChunkSize = 1 << 20
	// memSpareChunks is how many dropped chunks are kept for reuse.
	memSpareChunks = 8
	// memStreams is the number of streams of chunks records are appended
	// to (see streamOf).
	memStreams = 3
	// memCompactMin is the arena size below which garbage is never
	// reclaimed.
	memCompactMin = 8 << 20

	// An entry is hash>>memLocBits<<memLocBits | chunk<<memOffBits |
	// offset/memAlign: records start memAlign-aligned, so 18 bits address
	// a chunk, 20 bits number chunks and the top 26 bits of the hash are
	// kept.
	memAlign     = 4
	memOffBits   = 18
	memChunkBits = 20
	memLocBits   = memOffBits + memChunkBits
	memHashBits  = 64 - memLocBits
	memLocMask   = 1<<memLocBits - 1
	memOffMask   = 1<<memOffBits - 1
	memChunkMask = 1<<memChunkBits - 1
	// memMaxChunks is how many chunks an entry can number (1 TiB of small
	// records).
	memMaxChunks = 1 << memChunkBits

	// A group is memGroup words, a cache line: the control word and
	// memSlots entries. Control byte j (from the low end) belongs to slot
	// j: memEmpty, memDeleted, or the low 7 bits of the key's hash. Byte 7
	// has no slot and stays memDeleted (never empty, never matching).
	memGroup   = 8
	memSlots   = memGroup - 1
	memEmpty   = 0x80
	memDeleted = 0xfe
	memTagMask = 0x7f
	// memLSB and memMSB have the low and high bit of each slot's control
	// byte; memCtrlEmpty is an empty group's control word.
	memLSB       = 0x0001010101010101
	memMSB       = 0x0080808080808080
	memCtrlEmpty = memDeleted<<56 | memEmpty*memLSB
)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{
		seed:       maphash.MakeSeed(),
		hashMask:   ^uint64(0),
		deriveBits: memHashBits,
		cur:        [memStreams]int{-1, -1, -1},
		compactMin: memCompactMin,
	}
}

func (m *MemStore) hash(key []byte) uint64 { return maphash.Bytes(m.seed, key) & m.hashMask }

// memLen decodes the uvarint length at c[p:], returning it and the offset
// after it. record inlines the one-byte case (keys under 128 bytes).
func memLen(c []byte, p int) (int, int) {
	x, n := binary.Uvarint(c[p:])
	return int(x), p + n
}

// record returns the key and value of the record entry e points to, capped
// so that an append by the caller cannot write into the chunk.
func (m *MemStore) record(e uint64) (key, value []byte) {
	c := m.chunks[(e>>memOffBits)&memChunkMask]
	p := int(e&memOffMask) * memAlign
	kl := int(c[p])
	if kl < 0x80 {
		p++
	} else {
		kl, p = memLen(c, p)
	}
	vl := int(c[p])
	if vl < 0x80 {
		p++
	} else {
		vl, p = memLen(c, p)
	}
	q := p + kl
	return c[p:q:q], c[q : q+vl : q+vl]
}

// recordSize is the bytes a record of key and value takes in a chunk,
// padding included.
func recordSize(kl, vl int) int {
	n := uvarintLen(kl) + uvarintLen(vl) + kl + vl
	return (n + memAlign - 1) &^ (memAlign - 1)
}

func uvarintLen(x int) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// entrySize returns the chunk and the bytes of the record entry e points
// to.
func (m *MemStore) entrySize(e uint64) (chunk uint32, size int) {
	k, v := m.record(e)
	return uint32((e >> memOffBits) & memChunkMask), recordSize(len(k), len(v))
}

// matchTag returns the high bit of each control byte of ctrl equal to tag.
// A byte just after a true match may be reported too (a borrow), but only
// a live one: empty and deleted bytes have their high bit set, which the
// result never does.
func matchTag(ctrl, tag uint64) uint64 {
	v := ctrl ^ memLSB*tag
	return (v - memLSB) &^ v & memMSB
}

// matchEmpty returns the high bit of each empty control byte of ctrl
// (0x80: high bit set, bit 1 clear, unlike 0xfe).
func matchEmpty(ctrl uint64) uint64 { return ctrl &^ (ctrl << 6) & memMSB }

// matchFree returns the high bit of each empty or deleted control byte.
func matchFree(ctrl uint64) uint64 { return ctrl & memMSB }

// ctrlByte returns the control byte of table index i (an entry's).
func (m *MemStore) ctrlByte(i uint64) uint64 {
	return m.table[i&^(memGroup-1)] >> ((i&(memGroup-1) - 1) * 8) & 0xff
}

// setCtrl sets the control byte of table index i (an entry's) to b.
func (m *MemStore) setCtrl(i uint64, b uint64) {
	c := &m.table[i&^(memGroup-1)]
	shift := (i&(memGroup-1) - 1) * 8
	*c = *c&^(0xff<<shift) | b<<shift
}

// find returns the table index of the entry of key, whose hash is h.
func (m *MemStore) find(key []byte, h uint64) (i uint64, e uint64, found bool) {
	if len(m.table) == 0 {
		return 0, 0, false
	}
	tag := h & memTagMask
	gmask := uint64(1)<<m.gbits - 1
	for g := h >> (64 - m.gbits); ; g = (g + 1) & gmask {
		grp := (*[memGroup]uint64)(m.table[g*memGroup:])
		for match := matchTag(grp[0], tag); match != 0; match &= match - 1 {
			j := uint64(bits.TrailingZeros64(match)/8 + 1)
			if e := grp[j&(memGroup-1)]; (e^h)>>memLocBits == 0 {
				if k, _ := m.record(e); bytes.Equal(k, key) {
					return g*memGroup + j, e, true
				}
			}
		}
		if matchEmpty(grp[0]) != 0 {
			return 0, 0, false
		}
	}
}

// freeSlot returns the table index of the first empty or deleted slot from
// group g on.
func (m *MemStore) freeSlot(g uint64) uint64 {
	gmask := uint64(1)<<m.gbits - 1
	for ; ; g = (g + 1) & gmask {
		if free := matchFree(m.table[g*memGroup]); free != 0 {
			return g*memGroup + uint64(bits.TrailingZeros64(free)/8+1)
		}
	}
}

// entries yields the table index and entry of every key, in table order
// (which depends on the hash seed: callers must not let it show).
func (m *MemStore) entries() iter.Seq2[uint64, uint64] {
	return func(yield func(uint64, uint64) bool) {
		for g := 0; g < len(m.table); g += memGroup {
			for live := ^m.table[g] & memMSB; live != 0; live &= live - 1 {
				i := uint64(g + bits.TrailingZeros64(live)/8 + 1)
				if !yield(i, m.table[i]) {
					return
				}
			}
		}
	}
}

// home returns the group entry e's key hashes to in the current table.
func (m *MemStore) home(e uint64) uint64 {
	if m.gbits <= m.deriveBits {
		return e >> (64 - m.gbits)
	}
	k, _ := m.record(e)
	return m.hash(k) >> (64 - m.gbits)
}

// rehash rebuilds the table with 1<<gbits groups, without tombstones. Table
// indexes change, so the sorted list is stale.
func (m *MemStore) rehash(gbits uint) {
	old := m.table
	m.gbits = gbits
	m.table = make([]uint64, memGroup<<gbits)
	for g := 0; g < len(m.table); g += memGroup {
		m.table[g] = memCtrlEmpty
	}
	m.tomb = 0
	for g := 0; g < len(old); g += memGroup {
		ctrl := old[g]
		for live := ^ctrl & memMSB; live != 0; live &= live - 1 {
			b := bits.TrailingZeros64(live) / 8
			e := old[g+b+1]
			i := m.freeSlot(m.home(e))
			m.table[i] = e
			m.setCtrl(i, ctrl>>(8*b)&memTagMask)
		}
	}
	m.dirty = true
}

// makeRoom rebuilds the table if one more key would put over 3/4 of the
// slots in use (tombstones included): at twice the size if the live keys
// alone take over 3/8, else at the same size, clearing the tombstones.
func (m *MemStore) makeRoom() {
	switch slots := len(m.table) / memGroup * memSlots; {
	case slots == 0:
		m.rehash(1)
	case (m.n+m.tomb+1)*4 <= slots*3:
	case (m.n+1)*8 > slots*3:
		m.rehash(m.gbits + 1)
	default:
		m.rehash(m.gbits)
	}
}

// remove frees table index i: empty if its group has an empty slot (no key
// was placed past the group since the table was built, so no lookup needs
// to go on past it), else deleted.
func (m *MemStore) remove(i uint64) {
	m.table[i] = 0
	if matchEmpty(m.table[i&^(memGroup-1)]) != 0 {
		m.setCtrl(i, memEmpty)
	} else {
		m.setCtrl(i, memDeleted)
		m.tomb++
	}
}

// streamOf returns the stream of chunks a record of key is appended to:
// 1 for name and namespace preorders (P/, see keys.go), which are deleted
// within a block or a few of being written, so that their chunks die
// whole instead of pinning longer-lived records' garbage; 2 for history
// entries (h/), most of the keys and bytes of a long replay but never read
// by a block, so that the records blocks do read are not spread among them
// (BenchmarkReplay, 1M ops: +3%); 0 for the rest.
func streamOf(key []byte) int {
	switch {
	case hasKeyPrefix(key, prefixPreorder):
		return 1
	case hasKeyPrefix(key, prefixHistory):
		return 2
	}
	return 0
}

// hasKeyPrefix reports whether key starts with prefix, without converting
// key to a string.
func hasKeyPrefix(key []byte, prefix string) bool {
	return len(key) >= len(prefix) && string(key[:len(prefix)]) == prefix
}

// isCur reports whether chunk i is being filled by a stream.
func (m *MemStore) isCur(i int) bool {
	for _, c := range m.cur {
		if c == i {
			return true
		}
	}
	return false
}

// newChunk adds a chunk and returns its index.
func (m *MemStore) newChunk(c []byte) int {
	m.total += len(c)
	if n := len(m.freeChunks); n > 0 {
		i := m.freeChunks[n-1]
		m.freeChunks = m.freeChunks[:n-1]
		m.chunks[i], m.chunkLive[i], m.shared[i] = c, 0, false
		return int(i)
	}
	if len(m.chunks) >= memMaxChunks {
		// CommitBlock refuses a block that could get here.
		panic("consensus: mem store out of chunk numbers")
	}
	m.chunks = append(m.chunks, c)
	m.chunkLive = append(m.chunkLive, 0)
	m.shared = append(m.shared, false)
	return len(m.chunks) - 1
}

// dropChunk forgets chunk i, which holds no live record, keeping its
// memory for a new chunk unless a clone shares it.
func (m *MemStore) dropChunk(i int) {
	if c := m.chunks[i]; !m.shared[i] && cap(c) == memChunkSize && len(m.spare) < memSpareChunks {
		m.spare = append(m.spare, c[:0])
	}
	m.total -= len(m.chunks[i])
	m.chunks[i] = nil
	m.chunkLive[i] = 0
	m.shared[i] = false
	m.freeChunks = append(m.freeChunks, uint32(i))
}

// appendRecord copies key and value into the chunks as one record and
// returns its location bits for an entry.
func (m *MemStore) appendRecord(key, value []byte) uint64 {
	size := recordSize(len(key), len(value))
	var i, off int
	if size > memChunkSize/4 {
		// A large record gets a chunk of its own.
		c := make([]byte, 0, size)
		c = binary.AppendUvarint(c, uint64(len(key)))
		c = binary.AppendUvarint(c, uint64(len(value)))
		c = append(append(c, key...), value...)
		i = m.newChunk(c[:size])
	} else {
		st := streamOf(key)
		if cur := m.cur[st]; cur < 0 || len(m.chunks[cur])+size > cap(m.chunks[cur]) {
			if cur >= 0 && m.chunkLive[cur] == 0 {
				m.dropChunk(cur)
			}
			m.cur[st] = m.newChunk(m.chunkMemory())
		}
		i = m.cur[st]
		c := m.chunks[i]
		off = len(c)
		c = binary.AppendUvarint(c, uint64(len(key)))
		c = binary.AppendUvarint(c, uint64(len(value)))
		c = append(append(c, key...), value...)
		// The padding is the chunk's still-zero capacity.
		m.chunks[i] = c[:off+size]
		m.total += size
	}
	m.chunkLive[i] += size
	m.live += size
	return uint64(i)<<memOffBits | uint64(off/memAlign)
}

// chunkMemory returns an empty chunk of memChunkSize bytes: a dropped
// one's memory if there is any.
func (m *MemStore) chunkMemory() []byte {
	if k := len(m.spare); k > 0 {
		c := m.spare[k-1]
		m.spare[k-1], m.spare = nil, m.spare[:k-1]
		return c
	}
	return make([]byte, 0, memChunkSize)
}

// release marks the record of entry e as garbage, dropping its chunk once
// nothing in it is live (unless it is still being filled).
func (m *MemStore) release(e uint64) {
	c, size := m.entrySize(e)
	m.chunkLive[c] -= size
	m.live -= size
	if m.chunkLive[c] == 0 && !m.isCur(int(c)) {
		m.dropChunk(int(c))
	}
}

// overwrite writes value over the record of entry e, keeping its key, if
// the new record is no larger and its chunk is not shared with a clone; it
// reports whether it did. The bytes the record no longer takes become
// garbage.
func (m *MemStore) overwrite(e uint64, value []byte) bool {
	c := (e >> memOffBits) & memChunkMask
	k, old := m.record(e)
	kl := len(k)
	oldSize, size := recordSize(kl, len(old)), recordSize(kl, len(value))
	if size > oldSize || m.shared[c] {
		return false
	}
	ch := m.chunks[c]
	vlAt := int(e&memOffMask)*memAlign + uvarintLen(kl)
	// The key follows the value's length, which may take fewer bytes now.
	oldKeyAt, keyAt := vlAt+uvarintLen(len(old)), vlAt+uvarintLen(len(value))
	copy(ch[keyAt:keyAt+kl], ch[oldKeyAt:oldKeyAt+kl])
	binary.PutUvarint(ch[vlAt:], uint64(len(value)))
	copy(ch[keyAt+kl:], value)
	m.chunkLive[c] -= oldSize - size
	m.live -= oldSize - size
	return true
}

// compact moves the live records out of the emptiest chunks until at most
// an eighth of the chunks' bytes are garbage, and drops those chunks.
// Only entries' locations change, not their slots, so the sorted list
// stays valid.
func (m *MemStore) compact() {
	order := make([]int, 0, len(m.chunks))
	for i, c := range m.chunks {
		if c != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		// Emptiest first: live share, compared without division.
		return cmpInt(m.chunkLive[a]*len(m.chunks[b]), m.chunkLive[b]*len(m.chunks[a]))
	})
	evacuate := make([]bool, len(m.chunks))
	garbage := m.total - m.live
	for _, i := range order {
		if garbage*8 <= m.live {
			break
		}
		evacuate[i] = true
		garbage -= len(m.chunks[i]) - m.chunkLive[i]
		for st, cur := range m.cur {
			if i == cur {
				m.cur[st] = -1 // fill a fresh chunk instead
			}
		}
	}
	// New chunks come from freeChunks, which holds no evacuated chunk until
	// the end, or past len(evacuate): a moved record is never moved again.
	for i, e := range m.entries() {
		// The chunk is read off the entry: only moved records are read.
		if c := (e >> memOffBits) & memChunkMask; c >= uint64(len(evacuate)) || !evacuate[c] {
			continue
		}
		c, size := m.entrySize(e)
		k, v := m.record(e)
		m.chunkLive[c] -= size
		m.live -= size
		m.table[i] = e&^memLocMask | m.appendRecord(k, v)
	}
	for i, ev := range evacuate {
		if ev {
			m.dropChunk(i)
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
	if m.n == 0 {
		return nil, ErrNotFound
	}
	// find, spelled out: this is the replay's hottest loop.
	h := m.hash(key)
	tag := h & memTagMask
	gmask := uint64(1)<<m.gbits - 1
	for g := h >> (64 - m.gbits); ; g = (g + 1) & gmask {
		grp := (*[memGroup]uint64)(m.table[g*memGroup:])
		ctrl := grp[0]
		for match := matchTag(ctrl, tag); match != 0; match &= match - 1 {
			if e := grp[(bits.TrailingZeros64(match)/8+1)&(memGroup-1)]; (e^h)>>memLocBits == 0 {
				if k, v := m.record(e); bytes.Equal(k, key) {
					return v, nil
				}
			}
		}
		if matchEmpty(ctrl) != 0 {
			return nil, ErrNotFound
		}
	}
}

// sortKeys rebuilds the key-ordered list of slots if keys were added or
// removed or the table grew since it was built.
func (m *MemStore) sortKeys() {
	if !m.dirty {
		return
	}
	m.sorted = m.sorted[:0]
	for i := range m.entries() {
		m.sorted = append(m.sorted, uint32(i))
	}
	slices.SortFunc(m.sorted, func(a, b uint32) int {
		ka, _ := m.record(m.table[a])
		kb, _ := m.record(m.table[b])
		return bytes.Compare(ka, kb)
	})
	m.dirty = false
}

// Scan implements Reader.
func (m *MemStore) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	m.sortKeys()
	sorted := m.sorted
	i := sort.Search(len(sorted), func(i int) bool {
		k, _ := m.record(m.table[sorted[i]])
		return bytes.Compare(k, prefix) >= 0
	})
	for ; i < len(sorted); i++ {
		k, v := m.record(m.table[sorted[i]])
		if !bytes.HasPrefix(k, prefix) {
			break
		}
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// TakesUnorderedWrites implements UnorderedCommitter: a key's place in
// the table is its hash, so the order of a block's writes does not matter.
func (m *MemStore) TakesUnorderedWrites() bool { return true }

// CommitBlock implements Store. The writes may come in any order (see
// TakesUnorderedWrites), each key at most once. Write.Prior is not
// consulted: the store keeps no undo record.
func (m *MemStore) CommitBlock(c *BlockCommit) error {
	if m.hasTip && c.Height != m.tip+1 {
		return fmt.Errorf("consensus: mem store at %d cannot commit block %d", m.tip, c.Height)
	}
	hashes := m.writeHashes[:0]
	for _, w := range c.Writes {
		hashes = append(hashes, m.hash(w.Key))
	}
	m.writeHashes = hashes
	m.touchGroups(hashes)
	if k := m.repeatedKey(c.Writes); k != nil {
		return fmt.Errorf("consensus: block %d writes key %q more than once", c.Height, k)
	}
	// Each write adds at most one chunk, and compaction at most 4/3 of the
	// chunks it empties plus one (what it moves fills new chunks at least
	// 3/4 full): refuse up front a block that could run out of chunk
	// numbers, so that a block is applied whole or not at all.
	if inUse := len(m.chunks) - len(m.freeChunks) + len(c.Writes) + 1; inUse+(4*inUse+2)/3+1 > memMaxChunks {
		return fmt.Errorf("consensus: mem store cannot commit block %d: %d chunks in use, at most %d", c.Height, inUse, memMaxChunks)
	}
	for j, w := range c.Writes {
		h := hashes[j]
		i, e, found := m.find(w.Key, h)
		switch {
		case w.Value == nil:
			if found {
				m.release(e)
				m.remove(i)
				m.n--
				m.dirty = true
			}
		case found:
			if _, old := m.record(e); bytes.Equal(old, w.Value) {
				continue
			}
			if m.overwrite(e, w.Value) {
				continue
			}
			loc := m.appendRecord(w.Key, w.Value)
			m.release(e)
			m.table[i] = e&^memLocMask | loc
		default:
			m.makeRoom()
			i = m.freeSlot(h >> (64 - m.gbits))
			if m.ctrlByte(i) == memDeleted {
				m.tomb--
			}
			m.table[i] = h&^memLocMask | m.appendRecord(w.Key, w.Value)
			m.setCtrl(i, h&memTagMask)
			m.n++
			m.dirty = true
		}
	}
	if m.total > m.compactMin && (m.total-m.live)*4 > m.live {
		m.compact()
	}
	m.tip, m.hasTip = c.Height, true
	return nil
}

// repeatedKey returns a key that ws writes more than once, or nil;
// m.writeHashes holds the hashes of ws's keys. Distinct hashes settle it
// (a set of the hashes, filled in one pass); only when two are equal are
// the writes ordered by hash, then key, which puts a repeated key's writes
// next to each other.
func (m *MemStore) repeatedKey(ws []Write) []byte {
	hashes := m.writeHashes
	if m.hashesDistinct() {
		return nil
	}
	order := m.writeOrder[:0]
	for i := range ws {
		order = append(order, int32(i))
	}
	m.writeOrder = order
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(hashes[a], hashes[b]); c != 0 {
			return c
		}
		return bytes.Compare(ws[a].Key, ws[b].Key)
	})
	for j := 1; j < len(order); j++ {
		a, b := order[j-1], order[j]
		if hashes[a] == hashes[b] && bytes.Equal(ws[a].Key, ws[b].Key) {
			return ws[a].Key
		}
	}
	return nil
}

// hashesDistinct reports whether m.writeHashes holds no value twice, by
// inserting them into an open-addressing set at most half full. The slot
// comes from the hash's high bits after a multiplicative mix, so that hashes
// narrowed to a few low bits (as tests narrow them) still spread.
func (m *MemStore) hashesDistinct() bool {
	hashes := m.writeHashes
	if len(hashes) < 2 {
		return true
	}
	nbits := uint(max(4, bits.Len(uint(2*len(hashes)-1))))
	size := 1 << nbits
	if cap(m.seenHashes) < size {
		m.seenHashes, m.seenUsed = make([]uint64, size), make([]bool, size)
	}
	seen, used := m.seenHashes[:size], m.seenUsed[:size]
	clear(used)
	mask := uint64(size - 1)
	for _, h := range hashes {
		i := (h * 0x9e3779b97f4a7c15) >> (64 - nbits)
		for used[i] {
			if seen[i] == h {
				return false
			}
			i = (i + 1) & mask
		}
		seen[i], used[i] = h, true
	}
	return true
}

// Tip implements Store.
func (m *MemStore) Tip() (uint64, bool, error) { return m.tip, m.hasTip, nil }

// Clone returns an independent copy (a snapshot of the state). The copy
// shares the chunks' bytes: both stores mark them shared, so that neither
// writes over a record in them, and the chunks being filled are capped in
// the copy so that each store appends to chunks of its own.
func (m *MemStore) Clone() *MemStore {
	for i, ch := range m.chunks {
		if ch != nil {
			m.shared[i] = true
		}
	}
	c := *m
	c.table = slices.Clone(m.table)
	c.chunks = make([][]byte, len(m.chunks))
	for i, ch := range m.chunks {
		c.chunks[i] = ch[:len(ch):len(ch)]
	}
	c.chunkLive = slices.Clone(m.chunkLive)
	c.shared = slices.Clone(m.shared)
	c.freeChunks = slices.Clone(m.freeChunks)
	c.spare = nil // the memory of chunks m dropped is m's to reuse
	for st, cur := range m.cur {
		c.cur[st] = -1
		if cur >= 0 && c.chunkLive[cur] == 0 {
			c.dropChunk(cur)
		}
	}
	c.sorted = slices.Clone(m.sorted)
	return &c
}

// Len returns the number of keys.
func (m *MemStore) Len() int { return m.n }

// Equal reports whether two stores hold the same keys and values and tip.
func (m *MemStore) Equal(o *MemStore) bool {
	if m.n != o.n || m.tip != o.tip || m.hasTip != o.hasTip {
		return false
	}
	for _, e := range m.entries() {
		k, v := m.record(e)
		ov, err := o.Get(k)
		if err != nil || !bytes.Equal(v, ov) {
			return false
		}
	}
	return true
}
