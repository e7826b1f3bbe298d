package snapshot

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
)

const opsPerBlock = 10

// workload makes blocks with ten operations' worth of writes each, shaped
// like the engine's: per operation a name record (~350 bytes), a history
// entry (~350 bytes) and an owner index entry, plus one consensus-hash chain
// entry per block; ten canonical records (~300 bytes) and ten inputs. Names
// are mostly new, a quarter are updates of earlier ones.
//
// Every write carries its true prior value, as the engine's do: a name
// record and its owner index entry hold their earlier values when the
// operation updates an existing name and are absent for a new one; history
// entries and the chain entry are keyed by the block's height, so new.
// Which names exist follows from the numbering (see nameExists), so the
// workload needs no memory that grows with the store. With unknownPriors
// set, no write carries its prior and the store reads them all.
type workload struct {
	record, history []byte
	inputs          []ops.Op
	records         [][]byte
	unknownPriors   bool
}

func newWorkload() *workload {
	w := &workload{
		record:  bytes.Repeat([]byte("r"), 350),
		history: bytes.Repeat([]byte("h"), 350),
	}
	for i := 0; i < opsPerBlock; i++ {
		fee := uint64(6400000)
		w.inputs = append(w.inputs, ops.Op{
			Opcode: ops.OpNameRegistration, Kind: ops.KindNameRegistration, OpString: ":",
			Txid: strings.Repeat("ab", 32), Vtxindex: i, Name: "somename.id",
			Sender: "76a914" + strings.Repeat("11", 20) + "88ac", Address: "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", OpFee: &fee,
		})
		w.records = append(w.records, bytes.Repeat([]byte("c"), 300))
	}
	return w
}

// isUpdate reports whether the operation numbered n (operation i of block
// h, n = h*opsPerBlock + i) updates an earlier name instead of registering
// name n.
func isUpdate(n uint64) bool { return n%opsPerBlock%4 == 3 && n > 1000 }

// nameExists reports whether name m was registered before block h: names
// are registered in order, except the numbers whose operation is an update.
func nameExists(m, h uint64) bool { return m < h*opsPerBlock && !isUpdate(m) }

// updateTarget picks the earlier name that operation n updates: one that
// exists.
func updateTarget(n uint64) uint64 {
	m := (n * 7919) % (n - 500)
	if isUpdate(m) {
		m-- // m-1 ends in 2 or 6, so it was registered
	}
	return m
}

func (w *workload) block(h uint64) *consensus.BlockCommit {
	c := &consensus.BlockCommit{Height: h, OpsHash: hex64, ConsensusHash: hex32, Records: w.records, Inputs: w.inputs}
	name := func(i uint64) []byte { return binary.BigEndian.AppendUint64([]byte("n/"), i) }
	for i := uint64(0); i < opsPerBlock; i++ {
		n := h*opsPerBlock + i
		if isUpdate(n) {
			n = updateTarget(n)
		}
		var record, owner []byte // priors: absent for a new name
		if nameExists(n, h) {
			record, owner = w.record, []byte{1}
		}
		c.Writes = append(c.Writes,
			consensus.Write{Key: name(n), Value: w.record, Prior: record, PriorKnown: true},
			consensus.Write{Key: binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte("h/"), n), h), Value: w.history, PriorKnown: true},
			consensus.Write{Key: append(binary.BigEndian.AppendUint64([]byte("o/"), n%97), name(n)...), Value: []byte{1}, Prior: owner, PriorKnown: true},
		)
	}
	c.Writes = append(c.Writes, consensus.Write{Key: binary.BigEndian.AppendUint64([]byte("z/ch/"), h), Value: []byte(hex32), PriorKnown: true})
	if w.unknownPriors {
		for i := range c.Writes {
			c.Writes[i].Prior, c.Writes[i].PriorKnown = nil, false
		}
	}
	c.Writes = sortWrites(c.Writes)
	return c
}

// sortWrites sorts writes by key and keeps one write per key (the last;
// two updates in a block may pick the same name, and write the same).
func sortWrites(ws []consensus.Write) []consensus.Write {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && bytes.Compare(ws[j-1].Key, ws[j].Key) > 0; j-- {
			ws[j-1], ws[j] = ws[j], ws[j-1]
		}
	}
	out := ws[:0]
	for i, w := range ws {
		if i > 0 && bytes.Equal(ws[i-1].Key, w.Key) {
			out[len(out)-1] = w
			continue
		}
		out = append(out, w)
	}
	return out
}

// rawCommits is the baseline: the same state writes in one Pebble batch
// per block with the same sync policy, and nothing else (no before-images,
// no undo, records, inputs or tip).
func rawCommits(b *testing.B, fs vfs.FS, dir string, n int, syncEvery int) time.Duration {
	db, err := pebble.Open(dir, &pebble.Options{FS: fs, Logger: quietLogger{}})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	w := newWorkload()
	start := time.Now()
	for i := 0; i < n; i++ {
		c := w.block(uint64(i))
		batch := db.NewBatch()
		for _, wr := range c.Writes {
			_ = batch.Set(stateKey(wr.Key), wr.Value, nil)
		}
		wo := pebble.NoSync
		if syncEvery <= 1 || (i+1)%syncEvery == 0 {
			wo = pebble.Sync
		}
		if err := batch.Commit(wo); err != nil {
			b.Fatal(err)
		}
		batch.Close()
	}
	return time.Since(start)
}

func storeCommits(b *testing.B, fs vfs.FS, dir string, n int, syncEvery int, unknownPriors bool) time.Duration {
	opts := Options{Network: testNetwork, ParamsFingerprint: testParams, FS: fs, SyncEvery: syncEvery}
	s, err := Open(context.Background(), dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	w := newWorkload()
	w.unknownPriors = unknownPriors
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := s.CommitBlock(w.block(uint64(i))); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// BenchmarkCommitBlock commits blocks of ten operations' worth of writes and
// reports operations per second, next to a bare Pebble batch of the same
// state writes under the same sync policy measured in the same run. The
// writes carry their prior values as the engine's do; the unknown-priors
// cases leave them out, so the store reads every before-image itself.
func BenchmarkCommitBlock(b *testing.B) {
	cases := []struct {
		name          string
		disk          bool
		syncEvery     int
		unknownPriors bool
	}{
		{"mem/sync-every-block", false, 1, false},
		{"mem-unknown-priors/sync-every-block", false, 1, true},
		{"disk/sync-every-block", true, 1, false},
		{"disk/SyncEvery=1000", true, 1000, false},
		{"disk-unknown-priors/SyncEvery=1000", true, 1000, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var fs vfs.FS = vfs.NewMem()
			root := ""
			if tc.disk {
				fs, root = vfs.Default, b.TempDir()
			}
			b.StopTimer()
			base := rawCommits(b, fs, fs.PathJoin(root, fmt.Sprintf("raw%d", b.N)), b.N, tc.syncEvery)
			b.StartTimer()
			got := storeCommits(b, fs, fs.PathJoin(root, fmt.Sprintf("store%d", b.N)), b.N, tc.syncEvery, tc.unknownPriors)
			b.StopTimer()
			ops := float64(b.N * opsPerBlock)
			b.ReportMetric(ops/got.Seconds(), "ops/s")
			b.ReportMetric(ops/base.Seconds(), "baseline-ops/s")
			b.ReportMetric(base.Seconds()/got.Seconds(), "x-baseline")
		})
	}
}

// TestBenchWorkloadPriors: the benchmark workload's priors are the truth,
// as a store with VerifyPriors checks for every write of 3,000 blocks
// (updates of earlier names start after block 100), and they include
// earlier values as well as absences.
func TestBenchWorkloadPriors(t *testing.T) {
	opts := testOptions(vfs.NewMem())
	opts.VerifyPriors = true
	s, err := Open(context.Background(), "db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := newWorkload()
	var present, absent int
	for h := uint64(0); h < 3000; h++ {
		c := w.block(h)
		for _, wr := range c.Writes {
			if !wr.PriorKnown {
				t.Fatalf("block %d: write %x without its prior", h, wr.Key)
			}
			if wr.Prior != nil {
				present++
			} else {
				absent++
			}
		}
		if err := s.CommitBlock(c); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
	}
	t.Logf("%d writes over an earlier value, %d of new keys", present, absent)
	if present < 3000 || absent < 3000 {
		t.Fatalf("%d writes over an earlier value, %d of new keys: not the engine's mix", present, absent)
	}
}

// auditFixture builds a store of n blocks with ten records each and real
// hashes, so that it audits as verified.
func auditFixture(b *testing.B, n int) *Store {
	s, err := Open(context.Background(), "db", Options{Network: testNetwork, ParamsFingerprint: testParams, FS: vfs.NewMem()})
	if err != nil {
		b.Fatal(err)
	}
	chs := map[uint64]string{}
	w := newWorkload()
	for h := uint64(testFirst); h < testFirst+uint64(n); h++ {
		records := make([][]byte, opsPerBlock)
		for i := range records {
			records[i] = fmt.Appendf(nil, ":%d,%d,%s", h, i, w.record[:200])
		}
		c := w.block(h)
		c.Records = records
		c.OpsHash = digest.OpsHash(records)
		var prevs []string
		for _, p := range digest.PrevHeights(h, testFirst) {
			prevs = append(prevs, chs[p])
		}
		ch, err := digest.ConsensusHash(c.OpsHash, prevs)
		if err != nil {
			b.Fatal(err)
		}
		c.ConsensusHash, chs[h] = ch, ch
		if err := s.CommitBlock(c); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkAudit audits a 2,000-block store and reports blocks per second,
// next to a baseline pass that reads the same summaries, records, inputs and
// state the same way without hashing or checking anything.
func BenchmarkAudit(b *testing.B) {
	const n = 2000
	s := auditFixture(b, n)
	defer s.Close()
	ctx := context.Background()
	b.StopTimer()
	baseStart := time.Now()
	for i := 0; i < b.N; i++ {
		recs, err := newHeightCursor(s.db, prefixRecords, 0)
		if err != nil {
			b.Fatal(err)
		}
		ins, err := newHeightCursor(s.db, prefixInputs, 0)
		if err != nil {
			b.Fatal(err)
		}
		err = s.Blocks(ctx, 0, func(bl Block) (bool, error) {
			if _, ok, err := recs.at(bl.Height); !ok || err != nil {
				return false, fmt.Errorf("records %d: %v", bl.Height, err)
			}
			if _, ok, err := ins.at(bl.Height); !ok || err != nil {
				return false, fmt.Errorf("inputs %d: %v", bl.Height, err)
			}
			return true, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		_ = s.Scan(nil, func(k, v []byte) (bool, error) { return true, nil })
		recs.close()
		ins.close()
	}
	base := time.Since(baseStart)
	b.StartTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rep, err := AuditStore(ctx, s, AuditOptions{})
		if err != nil || rep.Verdict != Verified {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	got := time.Since(start)
	b.StopTimer()
	blocks := float64(b.N * n)
	b.ReportMetric(blocks/got.Seconds(), "blocks/s")
	b.ReportMetric(blocks/base.Seconds(), "baseline-blocks/s")
	b.ReportMetric(base.Seconds()/got.Seconds(), "x-baseline")
}

// BenchmarkCommitMillionOps commits a million operations' worth of blocks
// (100,000 blocks) to a store on disk with the default, bounded cache and
// reports the peak Go heap and the peak resident set while doing so, then
// times bare Pebble batches of the same state writes for a baseline. It
// runs only under -bench, once: go test ./snapshot -run '^$' -bench
// MillionOps -benchtime 1x.
func BenchmarkCommitMillionOps(b *testing.B) {
	blocks := uint64(1_000_000 / opsPerBlock)
	if v, err := strconv.ParseUint(os.Getenv("SNAPSHOT_BENCH_OPS"), 10, 64); err == nil && v >= opsPerBlock {
		blocks = v / opsPerBlock // a shorter run, for trying settings
	}
	startRSS, _ := statusField("VmRSS:")
	resetPeakRSS()
	var peakHeap uint64
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
	var got time.Duration
	for i := 0; i < b.N; i++ {
		opts := Options{Network: testNetwork, ParamsFingerprint: testParams, SyncEvery: 1000}
		s, err := Open(context.Background(), b.TempDir()+"/db", opts)
		if err != nil {
			b.Fatal(err)
		}
		w := newWorkload()
		start := time.Now()
		for h := uint64(0); h < blocks; h++ {
			if err := s.CommitBlock(w.block(h)); err != nil {
				b.Fatal(err)
			}
		}
		got += time.Since(start)
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(uint64(b.N)*blocks*opsPerBlock)/got.Seconds(), "ops/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	if rss, ok := statusField("VmHWM:"); ok {
		b.ReportMetric(rss/(1<<20), "peak-rss-MiB")
		b.ReportMetric(startRSS/(1<<20), "start-rss-MiB")
	}
	// The same writes as bare Pebble batches, after the memory was read.
	base := rawCommits(b, vfs.Default, b.TempDir()+"/raw", int(blocks), 1000)
	b.ReportMetric(float64(blocks*opsPerBlock)/base.Seconds(), "baseline-ops/s")
	b.ReportMetric(base.Seconds()*float64(b.N)/got.Seconds(), "x-baseline")
}

// resetPeakRSS asks Linux to restart the process's VmHWM accounting.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// statusField reads a size in bytes (VmHWM:, VmRSS:) from /proc/self/status.
func statusField(name string) (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				return kb * 1024, err == nil
			}
		}
	}
	return 0, false
}
