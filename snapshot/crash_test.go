package snapshot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/stretchr/testify/require"
)

// crashPoint is the filesystem as a crash would have left it just before one
// write operation of one step (a block commit or a rewind).
type crashPoint struct {
	step int
	fs   *vfs.MemFS
}

// stepBounds is what a crash during one step may come back with: a block
// count between lo and hi, with exactly the reference state of that count.
type stepBounds struct{ lo, hi int }

// TestCrashAtEveryWritePoint crashes the store at every filesystem write of
// every block commit and rewind (Pebble's WAL writes and syncs, memtable
// flushes and compactions, made frequent by tiny memtables), keeping some,
// none or all of the unsynced data, and checks that each crashed copy reopens
// at a whole block with exactly that block's state, never before the last
// synced block. With SyncEvery > 1 a crash may lose unsynced blocks, but
// only whole ones from the end.
func TestCrashAtEveryWritePoint(t *testing.T) {
	for _, syncEvery := range []int{1, 4} {
		t.Run(fmt.Sprintf("SyncEvery=%d", syncEvery), func(t *testing.T) { crashAtEveryWritePoint(t, syncEvery) })
	}
}

func crashAtEveryWritePoint(t *testing.T, syncEvery int) {
	ctx := context.Background()
	mem := vfs.NewCrashableMem()
	var (
		mu     sync.Mutex
		points []crashPoint
		step   atomic.Int64
		rng    = rand.New(rand.NewPCG(7, uint64(syncEvery)))
	)
	step.Store(-1)
	inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
		st := int(step.Load())
		if st < 0 || op.Kind.ReadOrWrite() != errorfs.OpIsWrite {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		pct := []int{0, 50, 100}[len(points)%3]
		clone := mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rng})
		points = append(points, crashPoint{step: st, fs: clone})
		return nil
	})
	tweak := func(o *pebble.Options) {
		o.MemTableSize = 64 << 10
		o.L0CompactionThreshold = 2
		o.L0CompactionFileThreshold = 2
	}
	opts := testOptions(errorfs.Wrap(mem, inj))
	opts.tweakPebble = tweak
	opts.SyncEvery = syncEvery
	s, err := Open(ctx, "db", opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	g := newChainGen(11, testFirst)
	g.pad, g.writes = 3000, 8
	ref := newRefKV()
	var (
		bounds           []stepBounds // per step
		blocks, durable  int          // blocks held now, and surely on disk
		checked, lost    int
		crashedAfterStep []int
	)
	do := func(f func()) {
		// hist holds the reference states on both sides of the step.
		hist := &refKV{history: append([]map[string]string(nil), ref.history...)}
		before := blocks
		step.Store(int64(len(bounds)))
		f()
		step.Store(-1)
		if len(ref.history) > len(hist.history) {
			hist = ref
		}
		blocks = len(ref.history) - 1
		bounds = append(bounds, stepBounds{lo: min(durable, before, blocks), hi: max(before, blocks)})
		if s.unsynced == 0 {
			durable = blocks
		}
		// A crash right after the call returned keeps every synced block.
		got := checkCrashed(t, mem.CrashClone(vfs.CrashCloneCfg{}), tweak, hist, min(durable, blocks), blocks)
		crashedAfterStep = append(crashedAfterStep, got)
		if syncEvery == 1 {
			require.Equal(t, blocks, got, "a synced step was lost")
		}
		mu.Lock()
		pts := points
		points = nil
		mu.Unlock()
		for _, p := range pts {
			b := bounds[p.step]
			if checkCrashed(t, p.fs, tweak, hist, b.lo, b.hi) != blocks {
				lost++
			}
			checked++
		}
	}
	for i := 0; i < 40; i++ {
		do(func() {
			c := g.block()
			require.NoError(t, s.CommitBlock(c))
			ref.apply(c)
		})
		if i%10 == 9 {
			do(func() {
				require.NoError(t, s.Rewind(ctx, 3))
				ref.rewind(3)
				g.rewind(3)
			})
		}
	}
	t.Logf("checked %d crash points over %d steps; %d came back without their step", checked, len(bounds), lost)
	// Every synced step writes and syncs the WAL; unsynced commits leave
	// their WAL writes to Pebble's background flusher, so fewer land
	// inside the step.
	require.Greater(t, checked, len(bounds)/2)
	// Crashes before the WAL sync must lose the step, or the test is not
	// crashing anything.
	require.Greater(t, lost, len(bounds)/2)
	if syncEvery > 1 {
		short := 0
		for i, got := range crashedAfterStep {
			if b := bounds[i]; got < max(b.lo, b.hi) {
				short++
			}
		}
		require.Greater(t, short, 0, "unsynced blocks never went missing: SyncEvery is not deferring syncs")
	}
}

// checkCrashed opens a crashed copy and requires it to hold a whole block
// count between lo and hi with exactly the reference state of that count.
func checkCrashed(t *testing.T, fs vfs.FS, tweak func(*pebble.Options), ref *refKV, lo, hi int) int {
	t.Helper()
	opts := testOptions(fs)
	opts.tweakPebble = tweak
	s, err := Open(context.Background(), "db", opts)
	require.NoError(t, err)
	defer s.Close()
	tip, ok, err := s.Tip()
	require.NoError(t, err)
	blocks := 0
	if ok {
		blocks = int(tip-testFirst) + 1
	}
	require.GreaterOrEqual(t, blocks, lo)
	require.LessOrEqual(t, blocks, hi)
	require.Equal(t, ref.scanAt(blocks, ""), dumpState(t, s, ""), "state after a crash at %d blocks", blocks)
	if ok {
		_, err := s.Block(tip)
		require.NoError(t, err)
		_, err = s.Block(tip + 1)
		require.ErrorIs(t, err, ErrNoSuchHeight)
	}
	return blocks
}
