package consensus

import (
	"math/bits"

	"github.com/spvcheck/spvcheck/ops"
)

// The engine's reads of a block are one after another, and each that
// misses the CPU caches waits ~100 ns for DRAM. Before checking a block,
// the engine hands a Warmer store the keys its operations will read, so
// that the store can load them with their misses overlapping: first the
// keys the operations name directly, then the name records found through
// those (an updater's names, a transfer's name).

// keyList collects keys built onto one buffer.
type keyList struct {
	buf  []byte
	ends []int
	keys [][]byte
}

func (l *keyList) reset() {
	l.buf, l.ends = l.buf[:0], l.ends[:0]
}

// add records the key that one of keys.go's append forms just appended
// onto l.buf: call it as l.add(appendNameKey(l.buf, name)).
func (l *keyList) add(buf []byte) {
	l.buf = buf
	l.ends = append(l.ends, len(buf))
}

// list returns the keys added since reset, valid until the next reset.
func (l *keyList) list() [][]byte {
	l.keys = l.keys[:0]
	start := 0
	for _, end := range l.ends {
		l.keys = append(l.keys, l.buf[start:end:end])
		start = end
	}
	return l.keys
}

// addDirectKeys adds the keys that list's operations will read and that
// their own fields name: preorders' hashes (and senders), the names of registrations
// and renewals, the owner indexes of senders and recipients, transfers'
// name hashes.
func (l *keyList) addDirectKeys(list []ops.Op) {
	for i := range list {
		op := &list[i]
		switch op.Kind {
		case ops.KindNamePreorder:
			l.add(appendIDKey(l.buf, prefixPreorder, op.PreorderHash))
			l.add(appendIDKey(l.buf, prefixOwner, op.Sender))
		case ops.KindNameRegistration, ops.KindNameRenewal:
			l.add(appendNameKey(l.buf, op.Name))
			l.add(appendIDKey(l.buf, prefixOwner, op.Recipient))
			l.add(appendIDKey(l.buf, prefixOwner, op.Sender))
		case ops.KindNameUpdate:
			l.add(appendIDKey(l.buf, prefixOwner, op.Sender))
		case ops.KindNameTransfer:
			l.add(appendIDKey(l.buf, prefixNameHash128, op.NameHash128))
			l.add(appendIDKey(l.buf, prefixOwner, op.Sender))
			l.add(appendIDKey(l.buf, prefixOwner, op.Recipient))
		}
	}
}

// addNamedKeys adds the name records that list's updates and transfers
// will read, found through the state as of the start of the block: the
// names each updater owns, the name each transfer's hash stands for.
// Reads that fail are left out (the operation's own read reports them).
func (l *keyList) addNamedKeys(b *blockCtx, list []ops.Op) {
	for i := range list {
		op := &list[i]
		switch op.Kind {
		case ops.KindNameUpdate:
			names, err := b.owned(op.Sender)
			if err != nil {
				continue
			}
			for _, nm := range names {
				l.add(appendNameKey(l.buf, nm))
			}
		case ops.KindNameTransfer:
			nm, ok, err := b.nameWithHash128(op.NameHash128)
			if err != nil || !ok {
				continue
			}
			l.add(appendNameKey(l.buf, string(nm)))
		}
	}
}

// warm hands a Warmer store the keys blk will read, in two rounds (see
// above). The reads of the second round see the state as of the start of
// the block, like every read before the block's first write.
func (e *Engine) warm(b *blockCtx, blk Block) {
	if e.warmer == nil {
		return
	}
	e.warmKeys.reset()
	e.warmKeys.addDirectKeys(blk.Ops)
	e.warmer.Warm(e.warmKeys.list())
	e.warmKeys.reset()
	e.warmKeys.addNamedKeys(b, blk.Ops)
	e.warmer.Warm(e.warmKeys.list())
}

// touchGroups loads the home group of each hash, in one loop of
// independent loads whose misses overlap; Warm and CommitBlock call it
// before walking the groups one key at a time. CommitBlock needs it for the
// keys nothing read before (a block's new history entries, preorders and
// names): their groups are cold.
func (m *MemStore) touchGroups(hashes []uint64) {
	if m.n == 0 {
		return
	}
	var sink uint64
	for _, h := range hashes {
		sink += m.table[(h>>(64-m.gbits))*memGroup]
	}
	m.warmSink += sink
}

// Warm implements Warmer in three passes, each a loop of independent loads
// whose misses overlap: the table groups of all keys, then the first line
// of each record found, then the record's other cache lines. A read copies
// its whole record (a name record spans some seven lines), and with only
// the first line loaded ahead that copy still waited on DRAM line by line
// (BenchmarkReplay, 1M ops: +1.7%).
func (m *MemStore) Warm(keys [][]byte) {
	if m.n == 0 {
		return
	}
	hashes := m.warmHashes[:0]
	for _, k := range keys {
		hashes = append(hashes, m.hash(k))
	}
	m.warmHashes = hashes
	m.touchGroups(hashes)
	var sink uint64
	found := m.warmFound[:0]
	for _, h := range hashes {
		grp := (*[memGroup]uint64)(m.table[(h>>(64-m.gbits))*memGroup:])
		for match := matchTag(grp[0], h&memTagMask); match != 0; match &= match - 1 {
			if e := grp[(bits.TrailingZeros64(match)/8+1)&(memGroup-1)]; (e^h)>>memLocBits == 0 {
				sink += uint64(m.chunks[(e>>memOffBits)&memChunkMask][int(e&memOffMask)*memAlign])
				found = append(found, e)
				break
			}
		}
	}
	m.warmFound = found
	for _, e := range found {
		key, value := m.record(e)
		for _, part := range [2][]byte{key, value} {
			for off := warmLine; off < len(part); off += warmLine {
				sink += uint64(part[off])
			}
		}
		if len(value) > 0 {
			sink += uint64(value[len(value)-1])
		}
	}
	m.warmSink += sink
}

// warmLine is the stride at which Warm touches a record: a cache line.
const warmLine = 64
