package snapshot

import (
	"context"
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

// TestCrashAtEveryWritePoint crashes the store at every filesystem write of
// every block commit and rewind (Pebble's WAL writes and syncs, memtable
// flushes and compactions, made frequent by tiny memtables), keeping some,
// none or all of the unsynced data, and checks that each crashed copy reopens
// at a whole block with exactly that block's state.
func TestCrashAtEveryWritePoint(t *testing.T) {
	ctx := context.Background()
	mem := vfs.NewCrashableMem()
	var (
		mu     sync.Mutex
		points []crashPoint
		step   atomic.Int64
		rng    = rand.New(rand.NewPCG(7, 7))
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
	s, err := Open(ctx, "db", opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	g := newChainGen(11, testFirst)
	g.pad, g.writes = 3000, 8
	ref := newRefKV()
	// blocksAfter[i] is how many blocks the store holds after step i.
	var blocksAfter []int
	checked, lostStep := 0, 0
	verify := func(hist *refKV) {
		mu.Lock()
		pts := points
		points = nil
		mu.Unlock()
		for _, p := range pts {
			before := 0
			if p.step > 0 {
				before = blocksAfter[p.step-1]
			}
			after := blocksAfter[p.step]
			if checkCrashed(t, p.fs, tweak, hist, before, after) != after {
				lostStep++
			}
			checked++
		}
	}
	do := func(f func()) {
		// hist holds the reference states on both sides of the step.
		hist := &refKV{history: append([]map[string]string(nil), ref.history...)}
		step.Store(int64(len(blocksAfter)))
		f()
		if len(ref.history) > len(hist.history) {
			hist = ref
		}
		blocksAfter = append(blocksAfter, len(ref.history)-1)
		step.Store(-1)
		// A crash right after the call returned keeps the whole step.
		mu.Lock()
		points = append(points, crashPoint{step: len(blocksAfter) - 1, fs: mem.CrashClone(vfs.CrashCloneCfg{})})
		mu.Unlock()
		mu.Lock()
		last := points[len(points)-1]
		mu.Unlock()
		checkCrashed(t, last.fs, tweak, hist, blocksAfter[len(blocksAfter)-1], blocksAfter[len(blocksAfter)-1])
		verify(hist)
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
	t.Logf("checked %d crash points over %d steps; %d came back without their step", checked, len(blocksAfter), lostStep)
	require.GreaterOrEqual(t, checked, 2*len(blocksAfter))
	// Crashes before the WAL sync must lose the step, or the test is not
	// crashing anything.
	require.Greater(t, lostStep, len(blocksAfter)/2)
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
	if lo > hi {
		lo, hi = hi, lo
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
