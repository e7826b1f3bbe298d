package consensus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
)

// benchChain generates a synthetic chain block by block, as the replay
// consumes it, so that the input blocks never sit in memory all at once.
// The mix is realistic: a block of 40 operations holds 8 name preorders, 8
// registrations of names preordered in the block before, and 8 each of
// updates, transfers and renewals of registered names picked at random
// (state is read all over the name table, as on mainnet); every 8th block
// also carries three operations that are rejected (a repeated preorder, an
// update of a name that is only preordered, a registration without a
// preorder). Operations that need a recent consensus hash take the previous
// block's from the engine being measured (the chain is deterministic, so
// they are the hashes a dry run would give).
type benchChain struct {
	c       *testChain // c.e is the engine under measurement
	owners  []testKey
	rng     *rand.Rand
	pending []benchName // preordered in the previous block
	names   []benchName // registered
	touched map[int32]bool
	seq     int32
	total   int
	lastPre ops.Op
	lastNm  string
}

type benchName struct {
	seq   int32 // the name is n<seq>.bench
	owner int32 // index into owners
}

func newBenchChain(tb testing.TB, p *Params, nOwners int) *benchChain {
	owners := make([]testKey, nOwners)
	for i := range owners {
		owners[i] = newTestKey(p, fmt.Sprintf("owner-%d", i))
	}
	return &benchChain{c: &testChain{tb: tb, p: p}, owners: owners}
}

// start points the generator at a fresh engine.
func (g *benchChain) start(e *Engine) {
	g.c.e, g.c.next, g.c.txn = e, g.c.p.FirstBlock, 0
	g.rng = rand.New(rand.NewPCG(1, 2))
	g.pending, g.names, g.seq, g.total, g.lastNm = nil, nil, 0, 0, ""
}

// next returns the ops of block g.c.next (false once nOps ops were made).
func (g *benchChain) next(nOps int) (Block, bool) {
	c := g.c
	var list []ops.Op
	switch {
	case c.next < 330:
	case c.next == 330:
		list = []ops.Op{c.nsPreorder(newTestKey(c.p, "creator"), newTestKey(c.p, "revealer"), "bench", 40000000, nil)}
	case c.next == 331:
		list = []ops.Op{nsReveal(newTestKey(c.p, "creator"), newTestKey(c.p, "revealer"), "bench", 1, NamespaceLifeInfinite, 1, 2, flatBuckets, 1, 1)}
	case c.next == 332:
		list = []ops.Op{nsReady(newTestKey(c.p, "revealer"), "bench")}
	default:
		if g.total >= nOps {
			return Block{}, false
		}
		list = g.mix()
		g.total += len(list)
	}
	for i := range list {
		list[i].Vtxindex = i + 1
		list[i].BlockHeight = c.next
		c.txn++
		h := sha256.Sum256(fmt.Appendf(nil, "tx-%d-%d", c.next, c.txn))
		list[i].Txid = hex.EncodeToString(h[:])
		ownStrings(&list[i])
	}
	blk := Block{Height: c.next, Ops: list}
	c.next++
	return blk, true
}

// ownStrings gives every string field of op (and every string a field
// points to) its own copy. The operations a replay gets from package ops
// own their strings, written while their block was parsed, so they are in
// the CPU caches when the block is processed. The generator's operations
// would otherwise share them with its table of owner keys (an eighth of a
// key per operation, spread over tens of MB): every script, address and
// public key the engine compares, renders or hashes would cost a DRAM miss
// that no real replay pays.
func ownStrings(op *ops.Op) {
	v := reflect.ValueOf(op).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); {
		case f.Kind() == reflect.String:
			f.SetString(strings.Clone(f.String()))
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String:
			own := strings.Clone(f.Elem().String())
			f.Set(reflect.ValueOf(&own))
		}
	}
}

func benchNameOf(seq int32) string { return "n" + strconv.Itoa(int(seq)) + ".bench" }

func (g *benchChain) mix() []ops.Op {
	c := g.c
	list := make([]ops.Op, 0, 43)
	if c.next%8 == 0 && g.lastNm != "" {
		again := g.lastPre
		again.Txid = ""
		list = append(list,
			again, // ErrPreorderExists
			c.update(g.owners[0], g.lastNm, strings.Repeat("cd", 20)),                           // ErrNameNotFound: only preordered
			register(g.owners[1], g.owners[1], "nopreorder"+strconv.Itoa(int(c.next))+".bench")) // ErrNoPreorder
	}
	for _, pd := range g.pending {
		o := g.owners[pd.owner]
		list = append(list, register(o, o, benchNameOf(pd.seq)))
	}
	registered := len(g.pending)
	clear(g.touched)
	if g.touched == nil {
		g.touched = map[int32]bool{}
	}
	pick := func() *benchName {
		if len(g.names) < 64 {
			return nil
		}
		for {
			n := &g.names[g.rng.IntN(len(g.names))]
			if !g.touched[n.seq] {
				g.touched[n.seq] = true
				return n
			}
		}
	}
	for i := 0; i < 8; i++ {
		if n := pick(); n != nil {
			list = append(list, c.update(g.owners[n.owner], benchNameOf(n.seq), strings.Repeat("ab", 20)))
		}
		if n := pick(); n != nil {
			to := int32(g.rng.IntN(len(g.owners) - 1))
			if to >= n.owner {
				to++
			}
			list = append(list, c.transfer(g.owners[n.owner], g.owners[to], benchNameOf(n.seq), true))
			n.owner = to
		}
		if n := pick(); n != nil {
			o := g.owners[n.owner]
			list = append(list, c.renew(o, o, benchNameOf(n.seq), 1000))
		}
	}
	// Names registered in this block are invisible until the next one.
	g.names = append(g.names, g.pending[:registered]...)
	g.pending = append(g.pending[:0], g.pending[registered:]...)
	for len(list) < 40 || len(g.pending) < 8 {
		g.seq++
		pd := benchName{seq: g.seq, owner: int32(int(g.seq) % len(g.owners))}
		o := g.owners[pd.owner]
		list = append(list, c.preorder(o, o, benchNameOf(pd.seq), 1000))
		g.pending = append(g.pending, pd)
		g.lastPre, g.lastNm = list[len(list)-1], benchNameOf(pd.seq)
	}
	return list
}

// BenchmarkReplay replays a synthetic chain of 1M operations in memory and
// reports ops/s, peak heap, and the ratio to hashing the same records with
// the digest package alone (serialization + ops hash + consensus hash).
// Run with: GOMAXPROCS=1 go test ./consensus -run '^$' -bench Replay -benchtime 1x
// (SPVCHECK_BENCH_OPS overrides the operation count; SPVCHECK_BENCH_HEAPPROFILE
// names a file for a heap profile of the engine's state after the run).
//
// Only ProcessBlock is timed, in wall time (ops/s) and in the process's CPU
// time (cpu-ops/s, which other load on a shared machine disturbs less); generating a block is not. The heap is
// sampled (HeapInuse) every 16 blocks: peak-heap-MiB is the high-water
// mark of the whole process, engine-heap-MiB the part above the heap in use
// before the first block (the generator's keys), live-MiB the heap left
// live after the run once collected (the engine's state).
func BenchmarkReplay(b *testing.B) {
	nOps := 1_000_000
	if testing.Short() {
		nOps = 50_000
	}
	if v := os.Getenv("SPVCHECK_BENCH_OPS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			nOps = n
		}
	}
	p := Regtest()
	p.MaxNamesPerSender = 1 << 30
	g := newBenchChain(b, p, max(64, nOps/8))
	b.ResetTimer()
	var elapsed, base, cpu time.Duration
	var peak, before, live uint64
	count, accepted, rejected, blocks := 0, 0, 0, 0
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before = ms.HeapInuse
		e, err := NewEngine(p, NewMemStore())
		if err != nil {
			b.Fatal(err)
		}
		g.start(e)
		prev := map[uint64]string{}
		for {
			blk, ok := g.next(nOps)
			if !ok {
				break
			}
			cpu0 := processCPU()
			start := time.Now()
			res, err := e.ProcessBlock(context.Background(), blk)
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			cpu += processCPU() - cpu0
			// Baseline: digest-only hashing of the same committed records
			// (what a verifier that trusted the records would do).
			start = time.Now()
			oh := digest.OpsHash(res.Records)
			var prevs []string
			for _, ph := range digest.PrevHeights(blk.Height, p.FirstBlock) {
				prevs = append(prevs, prev[ph])
			}
			ch, _ := digest.ConsensusHash(oh, prevs)
			prev[blk.Height] = ch
			base += time.Since(start)
			if ch != res.ConsensusHash {
				b.Fatalf("baseline disagrees at %d", blk.Height)
			}
			count += len(blk.Ops)
			for _, r := range res.Ops {
				switch r.Outcome {
				case Accepted:
					accepted++
				case Rejected:
					rejected++
				}
			}
			if blocks%16 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			blocks++
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live = ms.HeapInuse - min(ms.HeapInuse, before)
		if path := os.Getenv("SPVCHECK_BENCH_HEAPPROFILE"); path != "" {
			// The engine's live state, for go tool pprof -sample_index=inuse_space.
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.WriteHeapProfile(f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		runtime.KeepAlive(e)
	}
	b.StopTimer()
	opsPerSec := float64(count) / elapsed.Seconds()
	b.ReportMetric(opsPerSec, "ops/s")
	b.ReportMetric(float64(count)/cpu.Seconds(), "cpu-ops/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, before))/(1<<20), "engine-heap-MiB")
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
	b.ReportMetric(elapsed.Seconds()/base.Seconds(), "x-digest-only")
	b.Logf("%d ops (%d accepted, %d rejected) in %d blocks, GOMAXPROCS=%d: %.0f ops/s (%.0f per CPU second), peak heap %.1f MiB (%.1f MiB before the first block), live after %.1f MiB, %.1fx the digest-only baseline (%v)",
		count/b.N, accepted/b.N, rejected/b.N, blocks/b.N, runtime.GOMAXPROCS(0), opsPerSec, float64(count)/cpu.Seconds(), float64(peak)/(1<<20), float64(before)/(1<<20), float64(live)/(1<<20), elapsed.Seconds()/base.Seconds(), base)
}

// BenchmarkEmptyBlock processes blocks without operations at heights past
// 40,000 (a mainnet replay is mostly such blocks: each still gets its
// consensus hash, which commits to ~16 earlier ones), and reports the
// time per block and its ratio to computing the same consensus hashes
// with the digest package alone, timed right after for as many blocks.
func BenchmarkEmptyBlock(b *testing.B) {
	p := Regtest()
	e, err := NewEngine(p, NewMemStore())
	if err != nil {
		b.Fatal(err)
	}
	var hashes []string // by height - p.FirstBlock
	process := func(h uint64) {
		res, err := e.ProcessBlock(context.Background(), Block{Height: h})
		if err != nil {
			b.Fatal(err)
		}
		hashes = append(hashes, res.ConsensusHash)
	}
	h := p.FirstBlock
	for ; h < p.FirstBlock+40_000; h++ {
		process(h)
	}
	from := h
	b.ResetTimer()
	for b.Loop() {
		process(h)
		h++
	}
	elapsed := b.Elapsed()
	start := time.Now()
	var prevs []string
	for x := from; x < h; x++ {
		prevs = prevs[:0]
		for _, ph := range digest.PrevHeights(x, p.FirstBlock) {
			prevs = append(prevs, hashes[ph-p.FirstBlock])
		}
		if ch, err := digest.ConsensusHash(digest.EmptyOpsHash, prevs); err != nil || ch != hashes[x-p.FirstBlock] {
			b.Fatalf("block %d: digest gives %s (%v), the engine %s", x, ch, err, hashes[x-p.FirstBlock])
		}
	}
	if base := time.Since(start); base > 0 {
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/block")
		b.ReportMetric(float64(elapsed)/float64(base), "x-digest-only")
	}
}

func TestOwnStringsCopiesEveryString(t *testing.T) {
	k := newTestKey(Regtest(), "owner")
	c := &testChain{tb: t, p: Regtest()}
	orig := c.renew(k, k, "a.bench", 1000)
	op := orig
	ownStrings(&op)
	if !reflect.DeepEqual(op, orig) {
		t.Fatalf("ownStrings changed a value: %+v", op)
	}
	for _, pair := range [][2]string{{op.Sender, orig.Sender}, {op.Address, orig.Address}, {op.Recipient, orig.Recipient}, {op.Name, orig.Name}, {*op.SenderPubkey, *orig.SenderPubkey}} {
		if unsafe.StringData(pair[0]) == unsafe.StringData(pair[1]) {
			t.Errorf("%q still shares its bytes with the generator's", pair[0])
		}
	}
	if op.SenderPubkey == orig.SenderPubkey {
		t.Error("SenderPubkey still points at the generator's string")
	}
}
