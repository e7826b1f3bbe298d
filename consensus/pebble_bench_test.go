package consensus_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
)

// BenchmarkReplayIntoPebble replays the replay benchmark's synthetic chain
// (1M operations, the realistic mix of BenchmarkReplay) through the engine
// into a snapshot store on disk with its default, bounded cache, the way
// `spvcheck sync` does (one batch per block, synced every 1,000), and
// reports ops/s, the peak resident set and the peak Go heap. The same-run
// baseline is the same chain replayed into the in-memory store. Run with:
// go test ./consensus -run '^$' -bench ReplayIntoPebble -benchtime 1x
// (SPVCHECK_BENCH_OPS overrides the operation count; -short, as CI's
// smoke run of every benchmark uses, takes 50k; SPVCHECK_BENCH_VERIFY_PRIORS
// set to true or false overrides snapshot.Options.VerifyPriors).
func BenchmarkReplayIntoPebble(b *testing.B) {
	nOps := 1_000_000
	if testing.Short() {
		nOps = 50_000
	}
	if v, err := strconv.Atoi(os.Getenv("SPVCHECK_BENCH_OPS")); err == nil && v > 0 {
		nOps = v
	}
	p := consensus.Regtest()
	p.MaxNamesPerSender = 1 << 30
	chain := consensus.NewBenchChain(b, p, nOps)
	replay := func(st consensus.Store) (time.Duration, int) {
		e, err := consensus.NewEngine(p, st)
		if err != nil {
			b.Fatal(err)
		}
		chain.Start(e)
		var elapsed time.Duration
		count := 0
		for {
			blk, ok := chain.Next(nOps)
			if !ok {
				break
			}
			start := time.Now()
			if _, err := e.ProcessBlock(context.Background(), blk); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			count += len(blk.Ops)
		}
		return elapsed, count
	}
	b.ResetTimer()
	var got time.Duration
	var count int
	var peakHeap uint64
	runtime.GC()
	startRSS, _ := statusBytes("VmRSS:")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // restart VmHWM
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	opts := snapshot.Options{Network: "regtest", ParamsFingerprint: p.Fingerprint(), SyncEvery: 1000}
	if v, err := strconv.ParseBool(os.Getenv("SPVCHECK_BENCH_VERIFY_PRIORS")); err == nil {
		opts.VerifyPriors = v
	}
	for i := 0; i < b.N; i++ {
		st, err := snapshot.Open(context.Background(), b.TempDir()+"/db", opts)
		if err != nil {
			b.Fatal(err)
		}
		d, n := replay(st)
		got, count = got+d, count+n
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	peakRSS, _ := statusBytes("VmHWM:")
	b.StopTimer()
	base, _ := replay(consensus.NewMemStore())
	opsPerSec := float64(count) / got.Seconds()
	b.ReportMetric(opsPerSec, "ops/s")
	b.ReportMetric(float64(count/b.N)/base.Seconds(), "mem-ops/s")
	b.ReportMetric(base.Seconds()*float64(b.N)/got.Seconds(), "x-memstore")
	b.ReportMetric(peakRSS/(1<<20), "peak-rss-MiB")
	b.ReportMetric(startRSS/(1<<20), "start-rss-MiB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
}

// statusBytes reads a size (VmRSS:, VmHWM:) from /proc/self/status.
func statusBytes(field string) (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, err := strconv.ParseFloat(f[0], 64)
				return kb * 1024, err == nil
			}
		}
	}
	return 0, false
}
