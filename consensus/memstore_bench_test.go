package consensus

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The MemStore micro benchmarks measure the store against a plain Go
// map[string][]byte holding the same keys and values, timed in the same run
// (map-ns/op, and x-map: the store's time over the map's), so that the ratio
// survives a noisy machine better than the absolute figures.
//
// Keys are shaped like the engine's (keys.go): a quarter name records
// "n/<ns>/<name>" with ~200-byte values, half history entries
// "h/<name>/<height><vtx><seq>" with ~150-byte values, a quarter hash128
// entries "x/<32 hex>" holding the name.

// benchKeyOf appends the j-th synthetic engine key to dst, and returns it
// and the length of its value.
func benchKeyOf(dst []byte, j uint64) ([]byte, int) {
	name := func(dst []byte, id uint64) []byte {
		ns := [...]string{"id", "btc", "app", "podcast", "helloworld"}[id%5]
		dst = append(dst, 'u')
		dst = strconv.AppendUint(dst, id*2654435761%1_000_000_007, 10)
		return append(append(dst, '.'), ns...)
	}
	switch j % 4 {
	case 0:
		dst = append(dst, prefixName...)
		start := len(dst)
		dst = name(dst, j)
		ns := dst[bytes.LastIndexByte(dst[start:], '.')+start+1:]
		// "n/<ns>/<name>": the namespace goes before the name.
		n := append([]byte(nil), dst[start:]...)
		dst = append(append(append(dst[:start], ns...), '/'), n...)
		return dst, 200
	case 3:
		var h [16]byte
		binary.BigEndian.PutUint64(h[:8], j*0x9e3779b97f4a7c15)
		binary.BigEndian.PutUint64(h[8:], (j^0x5555)*0xbf58476d1ce4e5b9)
		dst = append(dst, prefixNameHash128...)
		return hex.AppendEncode(dst, h[:]), 24
	default:
		dst = append(dst, prefixHistory...)
		dst = append(name(dst, j/4), '/')
		var b [14]byte
		binary.BigEndian.PutUint64(b[:8], 600_000+j%1_000_000)
		binary.BigEndian.PutUint32(b[8:12], uint32(j%97))
		binary.BigEndian.PutUint16(b[12:], uint16(j%2))
		return append(dst, b[:]...), 150
	}
}

// benchValues is a pool of value bytes; values are slices of it at varied
// offsets (both stores copy what they are given).
func benchValues() []byte {
	r := rand.New(rand.NewPCG(7, 7))
	v := make([]byte, 1<<16)
	for i := range v {
		v[i] = byte(r.Uint32())
	}
	return v
}

// benchFillStore commits keys [0, n) to a new store in blocks of sorted
// writes, in random order.
func benchFillStore(tb testing.TB, n uint64, pool []byte) *MemStore {
	m := NewMemStore()
	order := make([]uint64, n)
	for i := range order {
		order[i] = uint64(i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	const block = 4096
	var h uint64
	var buf []byte
	for len(order) > 0 {
		chunk := order[:min(block, len(order))]
		order = order[len(chunk):]
		ws := make([]Write, 0, len(chunk))
		for _, j := range chunk {
			var vl int
			buf, vl = benchKeyOf(buf[:0], j)
			ws = append(ws, Write{Key: bytes.Clone(buf), Value: pool[j%1000 : j%1000+uint64(vl)]})
		}
		slices.SortFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) })
		h++
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			tb.Fatal(err)
		}
	}
	return m
}

// benchFillMap puts keys [0, n) and their values in a map, each value
// allocated apart as a plain map would hold it.
func benchFillMap(n uint64, pool []byte) map[string][]byte {
	mp := make(map[string][]byte)
	var buf []byte
	for j := range n {
		var vl int
		buf, vl = benchKeyOf(buf[:0], j)
		mp[string(buf)] = bytes.Clone(pool[j%1000 : j%1000+uint64(vl)])
	}
	return mp
}

// benchQueries lays out the keys of ids end to end in one buffer, in query
// order, so that reading the query itself is sequential and the misses
// measured are the store's.
func benchQueries(ids []uint64) [][]byte {
	var buf []byte
	ends := make([]int, len(ids))
	for i, j := range ids {
		buf, _ = benchKeyOf(buf, j)
		ends[i] = len(buf)
	}
	q := make([][]byte, len(ids))
	start := 0
	for i, e := range ends {
		q[i] = buf[start:e:e]
		start = e
	}
	return q
}

// BenchmarkMemStoreGet looks up random present and absent keys in a store
// of 2M engine-shaped keys (about what the replay benchmark ends with).
// Each lookup reads the first byte of the value, as a caller decoding it
// would. The heap is collected before each timed loop (neither allocates),
// so that collecting what setting up left behind does not land on one side.
func BenchmarkMemStoreGet(b *testing.B) {
	const n = 2_000_000
	pool := benchValues()
	m := benchFillStore(b, n, pool)
	mp := benchFillMap(n, pool)
	r := rand.New(rand.NewPCG(3, 4))
	const nq = 1 << 20
	present := make([]uint64, nq)
	absent := make([]uint64, nq)
	for i := range present {
		present[i] = r.Uint64N(n)
		absent[i] = n + r.Uint64N(n)
	}
	for _, c := range []struct {
		name    string
		ids     []uint64
		present bool
	}{{"present", present, true}, {"absent", absent, false}} {
		q := benchQueries(c.ids)
		b.Run(c.name, func(b *testing.B) {
			sink, found, mapFound := 0, 0, 0
			runtime.GC()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				v, err := m.Get(q[i&(nq-1)])
				if err == nil {
					sink += int(v[0])
					found++
				} else if err != ErrNotFound { // not errors.Is: time the store, not reflection
					b.Fatal(err)
				}
			}
			store := time.Since(start)
			b.StopTimer()
			runtime.GC()
			start = time.Now()
			for i := 0; i < b.N; i++ {
				if v, ok := mp[string(q[i&(nq-1)])]; ok {
					sink += int(v[0])
					mapFound++
				}
			}
			base := time.Since(start)
			want := 0
			if c.present {
				want = b.N
			}
			if found != want || mapFound != want {
				b.Fatalf("store found %d keys, map %d, of %d", found, mapFound, want)
			}
			b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "map-ns/op")
			b.ReportMetric(float64(store)/float64(base), "x-map")
			if sink == -1 {
				b.Log(sink)
			}
		})
	}
}

// benchBlocks generates blocks of ~130 sorted writes past a prefill of
// keys [0, next): 85% new keys, 12% overwrites of earlier keys, 3% deletes.
// Two generators with the same seed give the same blocks.
type benchBlocks struct {
	r    *rand.Rand
	next uint64
	tip  uint64
	pool []byte
}

func (g *benchBlocks) block() *BlockCommit {
	const perBlock = 130
	seen := map[uint64]bool{}
	ws := make([]Write, 0, perBlock)
	for range perBlock {
		var j uint64
		kind := g.r.IntN(100)
		if kind < 85 {
			j = g.next
			g.next++
		} else {
			j = g.r.Uint64N(g.next)
		}
		if seen[j] {
			continue
		}
		seen[j] = true
		k, vl := benchKeyOf(nil, j)
		w := Write{Key: k}
		if kind < 97 {
			off := g.r.IntN(1000)
			w.Value = g.pool[off : off+vl]
		}
		ws = append(ws, w)
	}
	slices.SortFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) })
	g.tip++
	return &BlockCommit{Height: g.tip, Writes: ws}
}

// BenchmarkMemStoreCommit commits b.N blocks from benchBlocks to a store
// that already holds 1M keys; one op is one block. The baseline then
// applies the same blocks to a map[string][]byte holding the same 1M keys,
// copying each value as the store does, after the store is dropped, so
// that each pays for its own garbage collection and not the other's.
// Blocks are generated 64 at a time with the timer stopped.
func BenchmarkMemStoreCommit(b *testing.B) {
	const prefill = 1_000_000
	pool := benchValues()
	m := benchFillStore(b, prefill, pool)
	tip, _, _ := m.Tip()
	runtime.GC()
	b.ResetTimer()
	var store, base time.Duration
	writes := 0
	g := &benchBlocks{r: rand.New(rand.NewPCG(5, 6)), next: prefill, tip: tip, pool: pool}
	for done := 0; done < b.N; {
		b.StopTimer()
		batch := make([]*BlockCommit, min(64, b.N-done))
		for i := range batch {
			batch[i] = g.block()
			writes += len(batch[i].Writes)
		}
		b.StartTimer()
		start := time.Now()
		for _, c := range batch {
			if err := m.CommitBlock(c); err != nil {
				b.Fatal(err)
			}
		}
		store += time.Since(start)
		done += len(batch)
	}
	b.StopTimer()
	keys := m.Len()
	m = nil
	runtime.GC()
	mp := benchFillMap(prefill, pool)
	runtime.GC()
	g = &benchBlocks{r: rand.New(rand.NewPCG(5, 6)), next: prefill, tip: tip, pool: pool}
	for done := 0; done < b.N; {
		batch := make([]*BlockCommit, min(64, b.N-done))
		for i := range batch {
			batch[i] = g.block()
		}
		start := time.Now()
		for _, c := range batch {
			for _, w := range c.Writes {
				if w.Value == nil {
					delete(mp, string(w.Key))
				} else {
					mp[string(w.Key)] = bytes.Clone(w.Value)
				}
			}
		}
		base += time.Since(start)
		done += len(batch)
	}
	b.ReportMetric(float64(store.Nanoseconds())/float64(writes), "ns/write")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "map-ns/op")
	b.ReportMetric(float64(store)/float64(base), "x-map")
	if keys != len(mp) {
		b.Fatalf("store had %d keys, map %d", keys, len(mp))
	}
}
