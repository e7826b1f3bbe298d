package snapshot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
)

func TestCommitReopenResumes(t *testing.T) {
	fs := vfs.NewMem()
	s := openMem(t, fs, "db")
	g := newChainGen(1, testFirst)
	ref := newRefKV()
	var commits []*consensus.BlockCommit
	for i := 0; i < 20; i++ {
		c := g.block()
		commits = append(commits, c)
		require.NoError(t, s.CommitBlock(c))
		ref.apply(c)
	}
	require.NoError(t, s.Close())

	s = openMem(t, fs, "db")
	defer s.Close()
	tip, ok, err := s.Tip()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint64(testFirst+19), tip)
	first, ok, err := s.First()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint64(testFirst), first)
	require.Equal(t, ref.scan(""), dumpState(t, s, ""))

	for _, c := range commits {
		b, err := s.Block(c.Height)
		require.NoError(t, err)
		require.Equal(t, Block{Height: c.Height, BlockHash: c.BlockHash, OpsHash: c.OpsHash, ConsensusHash: c.ConsensusHash}, b)
		recs, err := s.Records(c.Height)
		require.NoError(t, err)
		require.Equal(t, len(c.Records), len(recs))
		for i := range recs {
			require.Equal(t, c.Records[i], recs[i])
		}
		in, err := s.Inputs(c.Height)
		require.NoError(t, err)
		require.Equal(t, len(c.Inputs), len(in))
		for i := range in {
			require.Equal(t, c.Inputs[i], in[i])
		}
	}
	var heights []uint64
	require.NoError(t, s.Blocks(context.Background(), testFirst+5, func(b Block) (bool, error) {
		heights = append(heights, b.Height)
		return true, nil
	}))
	require.Len(t, heights, 15)
	require.Equal(t, uint64(testFirst+5), heights[0])

	// The store resumes: the next block must follow the tip.
	require.NoError(t, s.CommitBlock(g.block()))
}

func TestGetAndScan(t *testing.T) {
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	c := &consensus.BlockCommit{
		Height: 7, OpsHash: hex64, ConsensusHash: hex32,
		Writes: []consensus.Write{
			{Key: []byte("a/1"), Value: []byte("x")},
			{Key: []byte("a/2"), Value: []byte{}},
			{Key: []byte("b\xff"), Value: []byte("y")},
			{Key: []byte("b\xff\xff"), Value: []byte("z")},
		},
	}
	require.NoError(t, s.CommitBlock(c))
	v, err := s.Get([]byte("a/1"))
	require.NoError(t, err)
	require.Equal(t, []byte("x"), v)
	v, err = s.Get([]byte("a/2"))
	require.NoError(t, err)
	require.Equal(t, []byte{}, v)
	_, err = s.Get([]byte("a/3"))
	require.ErrorIs(t, err, consensus.ErrNotFound)
	// Bookkeeping keys are invisible to the state reader.
	require.Equal(t, []string{"a/1=x", "a/2=", "b\xff=y", "b\xff\xff=z"}, dumpState(t, s, ""))
	require.Equal(t, []string{"b\xff=y", "b\xff\xff=z"}, dumpState(t, s, "b\xff"))
	require.Equal(t, []string{"b\xff\xff=z"}, dumpState(t, s, "b\xff\xff"))

	// fn stops the scan and its error comes back unchanged.
	stop := errors.New("stop")
	n := 0
	err = s.Scan(nil, func(k, v []byte) (bool, error) { n++; return n < 2, nil })
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.ErrorIs(t, s.Scan(nil, func(k, v []byte) (bool, error) { return true, stop }), stop)
}

const (
	hex64 = "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"
	hex32 = "2a9148d8b13939723d2aca16c75c6d68"
)

func TestCommitRejects(t *testing.T) {
	tests := []struct {
		name   string
		commit *consensus.BlockCommit
		code   ErrorCode
	}{
		{"nil", nil, ErrInvalidCommit},
		{"gap", &consensus.BlockCommit{Height: 12, OpsHash: hex64, ConsensusHash: hex32}, ErrHeightGap},
		{"repeat", &consensus.BlockCommit{Height: 10, OpsHash: hex64, ConsensusHash: hex32}, ErrHeightGap},
		{"unsorted", &consensus.BlockCommit{Height: 11, OpsHash: hex64, ConsensusHash: hex32,
			Writes: []consensus.Write{{Key: []byte("b")}, {Key: []byte("a")}}}, ErrInvalidCommit},
		{"duplicate key", &consensus.BlockCommit{Height: 11, OpsHash: hex64, ConsensusHash: hex32,
			Writes: []consensus.Write{{Key: []byte("a")}, {Key: []byte("a")}}}, ErrInvalidCommit},
		{"upper-case ops hash", &consensus.BlockCommit{Height: 11, OpsHash: "5DF6E0E2761359D30A8275058E299FCC0381534545F55CF43E41983F5D4C9456", ConsensusHash: hex32}, ErrInvalidCommit},
		{"short consensus hash", &consensus.BlockCommit{Height: 11, OpsHash: hex64, ConsensusHash: hex32[:30]}, ErrInvalidCommit},
	}
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	require.NoError(t, s.CommitBlock(&consensus.BlockCommit{Height: 10, OpsHash: hex64, ConsensusHash: hex32,
		Writes: []consensus.Write{{Key: []byte("keep"), Value: []byte("1")}}}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CommitBlock(tc.commit)
			require.ErrorIs(t, err, tc.code)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			tip, _, _ := s.Tip()
			require.Equal(t, uint64(10), tip)
			require.Equal(t, []string{"keep=1"}, dumpState(t, s, ""))
		})
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s := openMem(t, fs, "db")
	require.NoError(t, s.CommitBlock(newChainGen(2, testFirst).block()))
	require.NoError(t, s.Close())
	require.NoError(t, fs.MkdirAll("junk", 0o755))
	f, err := fs.Create("junk/notes.txt", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, _ = f.Write([]byte("hello"))
	require.NoError(t, f.Close())

	tests := []struct {
		name string
		dir  string
		opts Options
		code ErrorCode
	}{
		{"other network", "db", Options{Network: "mainnet", ParamsFingerprint: testParams}, ErrNetworkMismatch},
		{"other params", "db", Options{Network: testNetwork, ParamsFingerprint: "other"}, ErrParamsMismatch},
		{"not a store", "junk", testOptions(nil), ErrNotAStore},
		{"read-only missing", "nothing", Options{ReadOnly: true}, ErrStoreNotFound},
		{"new without identity", "fresh", Options{}, ErrMissingIdentity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := listTree(t, fs, "/")
			tc.opts.FS = fs
			_, err := Open(ctx, tc.dir, tc.opts)
			require.ErrorIs(t, err, tc.code)
			require.Equal(t, before, listTree(t, fs, "/"), "a refused open changed the filesystem")
		})
	}

	// Empty identity accepts what the store holds; read-only refuses writes.
	ro, err := Open(ctx, "db", Options{FS: fs, ReadOnly: true})
	require.NoError(t, err)
	require.Equal(t, testNetwork, ro.Network())
	require.Equal(t, testParams, ro.ParamsFingerprint())
	require.ErrorIs(t, ro.CommitBlock(&consensus.BlockCommit{Height: testFirst + 1, OpsHash: hex64, ConsensusHash: hex32}), ErrReadOnly)
	require.ErrorIs(t, ro.Rewind(ctx, 1), ErrReadOnly)
	require.NoError(t, ro.Close())
	_, err = ro.Get([]byte("x"))
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, ro.Close(), ErrClosed)
}

// listTree renders every file of fs under dir with a hash of its contents,
// sorted, so that any change to the tree shows.
func listTree(t testing.TB, fs vfs.FS, dir string) []string {
	t.Helper()
	names, err := fs.List(dir)
	require.NoError(t, err)
	var out []string
	for _, n := range names {
		p := fs.PathJoin(dir, n)
		st, err := fs.Stat(p)
		require.NoError(t, err)
		if st.IsDir() {
			out = append(out, listTree(t, fs, p)...)
			continue
		}
		f, err := fs.Open(p)
		require.NoError(t, err)
		data, err := io.ReadAll(f)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		out = append(out, fmt.Sprintf("%s %x", p, sha256.Sum256(data)))
	}
	sort.Strings(out)
	return out
}

func TestRewind(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	opts := testOptions(fs)
	opts.UndoWindow = 5
	s, err := Open(ctx, "db", opts)
	require.NoError(t, err)
	defer s.Close()
	g := newChainGen(3, testFirst)
	ref := newRefKV()
	for i := 0; i < 8; i++ {
		c := g.block()
		require.NoError(t, s.CommitBlock(c))
		ref.apply(c)
	}
	require.ErrorIs(t, s.Rewind(ctx, 6), ErrRewindBeyondWindow)
	require.ErrorIs(t, s.Rewind(ctx, 9), ErrRewindBeyondHeight)
	require.ErrorIs(t, s.Rewind(ctx, -1), ErrRewindBeyondHeight)
	require.NoError(t, s.Rewind(ctx, 0))

	require.NoError(t, s.Rewind(ctx, 3))
	ref.rewind(3)
	g.rewind(3)
	tip, _, _ := s.Tip()
	require.Equal(t, uint64(testFirst+4), tip)
	require.Equal(t, ref.scan(""), dumpState(t, s, ""))
	_, err = s.Block(testFirst + 5)
	require.ErrorIs(t, err, ErrNoSuchHeight)
	_, err = s.Records(testFirst + 5)
	require.ErrorIs(t, err, ErrNoSuchHeight)
	// Undo records of blocks 0..2 were pruned: only 2 more blocks rewind.
	require.ErrorIs(t, s.Rewind(ctx, 3), ErrRewindBeyondWindow)

	// A different branch continues from the rewound tip.
	for i := 0; i < 2; i++ {
		c := g.block()
		require.NoError(t, s.CommitBlock(c))
		ref.apply(c)
	}
	require.Equal(t, ref.scan(""), dumpState(t, s, ""))

	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Rewind(ctx2, 1), context.Canceled)
}

func TestRewindEverything(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	g := newChainGen(4, testFirst)
	for i := 0; i < 4; i++ {
		require.NoError(t, s.CommitBlock(g.block()))
	}
	require.NoError(t, s.Rewind(ctx, 4))
	_, ok, err := s.Tip()
	require.NoError(t, err)
	require.False(t, ok)
	require.Empty(t, dumpState(t, s, ""))
	require.ErrorIs(t, s.CommitBlock(&consensus.BlockCommit{Height: testFirst + 1, OpsHash: hex64, ConsensusHash: hex32}), ErrHeightGap)
	g.rewind(4)
	require.NoError(t, s.CommitBlock(g.block()))
}

func TestReopenWithSmallerWindowPrunes(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s := openMem(t, fs, "db")
	g := newChainGen(5, testFirst)
	for i := 0; i < 10; i++ {
		require.NoError(t, s.CommitBlock(g.block()))
	}
	require.NoError(t, s.Close())
	opts := testOptions(fs)
	opts.UndoWindow = 3
	s, err := Open(ctx, "db", opts)
	require.NoError(t, err)
	defer s.Close()
	require.ErrorIs(t, s.Rewind(ctx, 4), ErrRewindBeyondWindow)
	// Pruning is physical, not only a check on the window size.
	_, ok, err := s.getRaw(heightKey(prefixUndo, testFirst+6))
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, s.Rewind(ctx, 3))
}

func TestOpenLockedStore(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s := openMem(t, fs, "db")
	require.NoError(t, s.CommitBlock(newChainGen(6, testFirst).block()))
	require.NoError(t, s.Close())

	first := openMem(t, fs, "db")
	for _, opts := range []Options{testOptions(fs), {FS: fs, ReadOnly: true}} {
		_, err := Open(ctx, "db", opts)
		require.ErrorIs(t, err, ErrStoreLocked)
	}
	require.NoError(t, first.Close())
	// Closing released the lock, for read-only and read-write users alike.
	ro, err := Open(ctx, "db", Options{FS: fs, ReadOnly: true})
	require.NoError(t, err)
	require.NoError(t, ro.Close())
	rw := openMem(t, fs, "db")
	require.NoError(t, rw.Close())
}
