package consensus

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
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

// benchFill commits keys [0, n) to a new store in blocks of sorted writes,
// and puts the same keys and values in a map, each value allocated apart as
// a plain map would hold it.
func benchFill(tb testing.TB, n uint64, pool []byte) (*MemStore, map[string][]byte) {
	m := NewMemStore()
	mp := make(map[string][]byte)
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
			k := bytes.Clone(buf)
			v := pool[j%1000 : j%1000+uint64(vl)]
			ws = append(ws, Write{Key: k, Value: v})
			mp[string(k)] = bytes.Clone(v)
		}
		slices.SortFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) })
		h++
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			tb.Fatal(err)
		}
	}
	return m, mp
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
// of 2M engine-shaped keys (SPVCHECK_BENCH_KEYS is not consulted: the size
// is what the replay reaches). Each lookup reads the first byte of the
// value, as a caller decoding it would.
func BenchmarkMemStoreGet(b *testing.B) {
	const n = 2_000_000
	pool := benchValues()
	m, mp := benchFill(b, n, pool)
	r := rand.New(rand.NewPCG(3, 4))
	const nq = 1 << 20
	present := make([]uint64, nq)
	absent := make([]uint64, nq)
	for i := range present {
		present[i] = r.Uint64N(n)
		absent[i] = n + r.Uint64N(n)
	}
	for _, c := range []struct {
		name string
		ids  []uint64
		want error
	}{{"present", present, nil}, {"absent", absent, ErrNotFound}} {
		q := benchQueries(c.ids)
		b.Run(c.name, func(b *testing.B) {
			sink := 0
			start := time.Now()
			for i := 0; i < b.N; i++ {
				v, err := m.Get(q[i&(nq-1)])
				if err != nil {
					if !errors.Is(err, c.want) {
						b.Fatal(err)
					}
					continue
				}
				sink += int(v[0])
			}
			store := time.Since(start)
			b.StopTimer()
			start = time.Now()
			for i := 0; i < b.N; i++ {
				if v, ok := mp[string(q[i&(nq-1)])]; ok {
					sink += int(v[0])
				}
			}
			base := time.Since(start)
			b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "map-ns/op")
			b.ReportMetric(float64(store)/float64(base), "x-map")
			if sink == -1 {
				b.Log(sink)
			}
		})
	}
}

// BenchmarkMemStoreCommit commits blocks of ~130 sorted writes (85% new
// keys, 12% overwrites of existing keys, 3% deletes) to a store that
// already holds 1M keys; one op is one block. The baseline applies the same
// writes to a map[string][]byte, copying each value as the store does.
// Blocks are generated 64 at a time with the timer stopped.
func BenchmarkMemStoreCommit(b *testing.B) {
	const prefill = 1_000_000
	const perBlock = 130
	pool := benchValues()
	m, mp := benchFill(b, prefill, pool)
	tip, _, _ := m.Tip()
	r := rand.New(rand.NewPCG(5, 6))
	next := uint64(prefill)
	var store, base time.Duration
	writes := 0
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		batch := make([]*BlockCommit, min(64, b.N-done))
		for i := range batch {
			seen := map[uint64]bool{}
			ws := make([]Write, 0, perBlock)
			for range perBlock {
				var j uint64
				kind := r.IntN(100)
				if kind < 85 {
					j = next
					next++
				} else {
					j = r.Uint64N(next)
				}
				if seen[j] {
					continue
				}
				seen[j] = true
				k, vl := benchKeyOf(nil, j)
				w := Write{Key: k}
				if kind < 97 {
					off := r.IntN(1000)
					w.Value = pool[off : off+vl]
				}
				ws = append(ws, w)
			}
			slices.SortFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) })
			tip++
			batch[i] = &BlockCommit{Height: tip, Writes: ws}
			writes += len(ws)
		}
		b.StartTimer()
		start := time.Now()
		for _, c := range batch {
			if err := m.CommitBlock(c); err != nil {
				b.Fatal(err)
			}
		}
		store += time.Since(start)
		b.StopTimer()
		start = time.Now()
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
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(store.Nanoseconds())/float64(writes), "ns/write")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "map-ns/op")
	b.ReportMetric(float64(store)/float64(base), "x-map")
	if m.Len() != len(mp) {
		b.Fatalf("store has %d keys, map %d", m.Len(), len(mp))
	}
}
