package consensus

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
)

// syntheticChain builds a chain of about nOps operations with a realistic
// mix: each name is preordered, registered, then updated, transferred and
// renewed; token transfers run alongside from epoch 4. 40 operations a block.
// Consensus hashes needed by the operations are those of a dry run, so the
// operations are built once and replayed.
func syntheticChain(b *testing.B, nOps int) (*Params, []Block) {
	p := Regtest()
	p.MaxNamesPerSender = 1 << 30
	c := newTestChain(b, p)
	creator, revealer := newTestKey(p, "creator"), newTestKey(p, "revealer")
	owners := make([]testKey, max(64, nOps/8))
	for i := range owners {
		owners[i] = newTestKey(p, fmt.Sprintf("owner-%d", i))
	}
	var blocks []Block
	keep := func(list []ops.Op) {
		res := c.block(list...)
		blocks = append(blocks, Block{Height: res.Height, Ops: list})
	}
	for c.next < 330 {
		keep(nil)
	}
	keep([]ops.Op{c.nsPreorder(creator, revealer, "bench", 40000000, nil)})
	keep([]ops.Op{nsReveal(creator, revealer, "bench", 1, NamespaceLifeInfinite, 1, 2, flatBuckets, 1, 1)})
	keep([]ops.Op{nsReady(revealer, "bench")})
	total, seq := 0, 0
	type pending struct {
		name  string
		owner testKey
		stage int
	}
	var live []pending
	for total < nOps {
		var list []ops.Op
		for len(list) < 40 {
			if len(live) > 0 && (len(list)%2 == 0) {
				pd := &live[0]
				switch pd.stage {
				case 0:
					list = append(list, register(pd.owner, pd.owner, pd.name))
				case 1:
					list = append(list, c.update(pd.owner, pd.name, strings.Repeat("ab", 20)))
				case 2:
					next := owners[(seq+7)%len(owners)]
					list = append(list, c.transfer(pd.owner, next, pd.name, true))
					pd.owner = next
				default:
					list = append(list, c.renew(pd.owner, pd.owner, pd.name, 1000))
				}
				pd.stage++
				// One stage per block per name: rotate.
				if pd.stage > 3 {
					live = live[1:]
				} else {
					live = append(live[1:], *pd)
				}
				continue
			}
			seq++
			o := owners[seq%len(owners)]
			name := fmt.Sprintf("n%d.bench", seq)
			list = append(list, c.preorder(o, o, name, 1000))
			live = append(live, pending{name: name, owner: o})
		}
		keep(list)
		total += len(list)
	}
	return p, blocks
}

// BenchmarkReplay replays a synthetic chain of 1M operations in memory and
// reports ops/s, peak heap, and the ratio to hashing the same records with
// the digest package alone (serialization + ops hash + consensus hash).
// Run with: go test ./consensus -run '^$' -bench Replay -benchtime 1x
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
	p, blocks := syntheticChain(b, nOps)
	count := 0
	for _, blk := range blocks {
		count += len(blk.Ops)
	}
	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	inputHeap := ms0.HeapAlloc // the synthetic blocks themselves
	b.ResetTimer()
	var elapsed, base time.Duration
	var peak uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		e, err := NewEngine(p, NewMemStore())
		if err != nil {
			b.Fatal(err)
		}
		prev := map[uint64]string{}
		for j, blk := range blocks {
			start := time.Now()
			res, err := e.ProcessBlock(context.Background(), blk)
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
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
			if j%1000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}
	b.StopTimer()
	opsPerSec := float64(count*b.N) / elapsed.Seconds()
	b.ReportMetric(opsPerSec, "ops/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, inputHeap))/(1<<20), "engine-heap-MiB")
	b.ReportMetric(elapsed.Seconds()/base.Seconds(), "x-digest-only")
	b.Logf("%d ops in %d blocks: %.0f ops/s, peak heap %.1f MiB (%.1f MiB of it the input blocks), %.1fx the digest-only baseline (%v)",
		count, len(blocks), opsPerSec, float64(peak)/(1<<20), float64(inputHeap)/(1<<20), elapsed.Seconds()/base.Seconds(), base)
}
