package snapshot

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// buildStore commits n generated blocks into a store at dir on fs.
func buildStore(t testing.TB, fs vfs.FS, dir string, seed uint64, n int) (*Store, *refKV) {
	t.Helper()
	s := openMem(t, fs, dir)
	g := newChainGen(seed, testFirst)
	ref := newRefKV()
	for i := 0; i < n; i++ {
		c := g.block()
		require.NoError(t, s.CommitBlock(c))
		ref.apply(c)
	}
	return s, ref
}

func exportBytes(t testing.TB, s *Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := Export(context.Background(), s, &buf)
	require.NoError(t, err)
	return buf.Bytes()
}

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	src, ref := buildStore(t, fs, "src", 21, 60)
	defer src.Close()
	file := exportBytes(t, src)
	require.Equal(t, file, exportBytes(t, src), "export is deterministic")

	var progress []Progress
	info, err := Import(ctx, bytes.NewReader(file), "dst/store", Options{FS: fs, Network: testNetwork,
		Progress: func(p Progress) { progress = append(progress, p) }})
	require.NoError(t, err)
	require.NotEmpty(t, progress)
	require.Equal(t, Progress{Phase: "blocks", Height: testFirst + 59, Tip: testFirst + 59}, progress[len(progress)-1])
	tipBlock, err := src.Block(testFirst + 59)
	require.NoError(t, err)
	require.Equal(t, &FileInfo{
		Version: FormatVersion, Network: testNetwork, ParamsFingerprint: testParams,
		First: testFirst, Tip: testFirst + 59, TipBlockHash: tipBlock.BlockHash, TipConsensusHash: tipBlock.ConsensusHash,
	}, info)
	names, err := fs.List("dst")
	require.NoError(t, err)
	require.Equal(t, []string{"store"}, names, "no temporary directory is left behind")

	dst := openMem(t, fs, "dst/store")
	defer dst.Close()
	require.Equal(t, ref.scan(""), dumpState(t, dst, ""))
	for h := uint64(testFirst); h < testFirst+60; h++ {
		a, err := src.Block(h)
		require.NoError(t, err)
		b, err := dst.Block(h)
		require.NoError(t, err)
		require.Equal(t, a, b)
		ra, _ := src.Records(h)
		rb, err := dst.Records(h)
		require.NoError(t, err)
		require.Equal(t, ra, rb)
		ia, _ := src.Inputs(h)
		ib, err := dst.Inputs(h)
		require.NoError(t, err)
		require.Equal(t, ia, ib)
	}
	require.Equal(t, file, exportBytes(t, dst), "an imported store exports the same file")
	// The imported store continues the chain but cannot rewind below it.
	require.ErrorIs(t, dst.Rewind(ctx, 1), ErrRewindBeyondWindow)

	tests := []struct {
		name string
		dir  string
		opts Options
		code ErrorCode
	}{
		{"destination exists", "dst/store", Options{FS: fs}, ErrDestinationExists},
		{"other network", "dst/x", Options{FS: fs, Network: "mainnet"}, ErrNetworkMismatch},
		{"other params", "dst/y", Options{FS: fs, ParamsFingerprint: "p2"}, ErrParamsMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import(ctx, bytes.NewReader(file), tc.dir, tc.opts)
			require.ErrorIs(t, err, tc.code)
			names, err := fs.List("dst")
			require.NoError(t, err)
			require.Equal(t, []string{"store"}, names)
		})
	}
}

// fileCodes are the codes a damaged snapshot file may be reported with.
var fileCodes = []ErrorCode{
	ErrFileMagic, ErrFileTruncated, ErrFileChecksum, ErrFileMalformed, ErrChainBroken,
	ErrFormatVersion, ErrOpsHashMismatch, ErrConsensusHashMismatch,
}

func requireFileError(t testing.TB, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	var e *Error
	require.True(t, errors.As(err, &e), "%s: untyped error %v", what, err)
	require.Contains(t, fileCodes, e.Code, "%s: %v", what, err)
}

// verifyFile runs the verifying reader without writing anything.
func verifyFile(file []byte) error {
	_, err := readSnapshot(context.Background(), bytes.NewReader(file), readOptions{})
	return err
}

func TestTamperingExhaustive(t *testing.T) {
	fs := vfs.NewMem()
	s, _ := buildStore(t, fs, "src", 22, 3)
	file := exportBytes(t, s)
	require.NoError(t, s.Close())
	require.NoError(t, verifyFile(file))
	t.Logf("small file: %d bytes", len(file))
	for i := range file {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(file)
			bad[i] ^= mask
			requireFileError(t, verifyFile(bad), "flip")
		}
	}
	for n := 0; n < len(file); n++ {
		requireFileError(t, verifyFile(file[:n]), "truncation")
	}
	requireFileError(t, verifyFile(append(bytes.Clone(file), 0)), "trailing byte")
}

func TestTamperingSampledImport(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s, _ := buildStore(t, fs, "src", 23, 300)
	file := exportBytes(t, s)
	require.NoError(t, s.Close())
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 60; i++ {
		bad := bytes.Clone(file)
		if i%3 == 0 {
			bad = bad[:rng.IntN(len(bad))]
		} else {
			bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
		}
		_, err := Import(ctx, bytes.NewReader(bad), "dst", Options{FS: fs})
		requireFileError(t, err, "import")
		_, statErr := fs.Stat("dst")
		require.Error(t, statErr, "a refused import created its destination")
		names, err := fs.List("")
		require.NoError(t, err)
		require.ElementsMatch(t, []string{"src"}, names, "a refused import left files behind")
	}
	for i := 0; i < 300; i++ {
		bad := bytes.Clone(file)
		bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
		requireFileError(t, verifyFile(bad), "flip")
	}
}

func TestImportHonoursCancellation(t *testing.T) {
	fs := vfs.NewMem()
	s, _ := buildStore(t, fs, "src", 24, 5)
	file := exportBytes(t, s)
	require.NoError(t, s.Close())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Import(ctx, bytes.NewReader(file), "dst", Options{FS: fs})
	require.ErrorIs(t, err, context.Canceled)
	names, err := fs.List("")
	require.NoError(t, err)
	require.Equal(t, []string{"src"}, names, "a cancelled import left files behind")
}

func TestReadFileInfo(t *testing.T) {
	s, _ := buildStore(t, vfs.NewMem(), "src", 25, 4)
	defer s.Close()
	var buf bytes.Buffer
	want, err := Export(context.Background(), s, &buf)
	require.NoError(t, err)
	got, err := ReadFileInfo(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = ReadFileInfo(bytes.NewReader([]byte("not a snapshot")))
	require.ErrorIs(t, err, ErrFileMagic)
	bad := bytes.Clone(buf.Bytes())
	bad[12] ^= 1
	_, err = ReadFileInfo(bytes.NewReader(bad))
	requireFileError(t, err, "header flip")
}

// TestImportRejectsWellFramedLies re-frames a valid file with correct
// checksums around one lie at a time: only the semantic checks stand
// between the lie and the store.
func TestImportRejectsWellFramedLies(t *testing.T) {
	s := replayedStore(t, vfs.NewMem(), "src", 12)
	file := exportBytes(t, s)
	require.NoError(t, s.Close())
	hdr0, secs0 := splitFile(t, file)
	tests := []struct {
		name string
		lie  func(h *sfile.Header, secs *[3][][]byte)
		code ErrorCode
	}{
		{"future version", func(h *sfile.Header, _ *[3][][]byte) { h.Version = FormatVersion + 1 }, ErrFormatVersion},
		{"no network", func(h *sfile.Header, _ *[3][][]byte) { h.Network = "" }, ErrFileMalformed},
		{"tip hash", func(h *sfile.Header, _ *[3][][]byte) { h.TipConsensusHash[0] ^= 1 }, ErrChainBroken},
		{"tip block hash", func(h *sfile.Header, _ *[3][][]byte) { h.TipBlockHash[5] ^= 1 }, ErrChainBroken},
		{"tip beyond chain", func(h *sfile.Header, _ *[3][][]byte) { h.Tip++ }, ErrChainBroken},
		{"first after tip", func(h *sfile.Header, _ *[3][][]byte) { h.First = h.Tip + 1 }, ErrFileMalformed},
		{"chain entry dropped", func(_ *sfile.Header, secs *[3][][]byte) {
			secs[0] = append(secs[0][:3:3], secs[0][4:]...)
		}, ErrChainBroken},
		{"block entry repeated", func(_ *sfile.Header, secs *[3][][]byte) {
			secs[1] = append(secs[1][:5:5], secs[1][4:]...)
		}, ErrChainBroken},
		{"consensus hash", func(_ *sfile.Header, secs *[3][][]byte) {
			e := bytes.Clone(secs[0][6])
			e[8+32+32] ^= 1
			secs[0][6] = e
		}, ErrConsensusHashMismatch},
		{"records", func(_ *sfile.Header, secs *[3][][]byte) {
			h := testFirst + uint64(7)
			secs[1][7] = encodeBlockEntry(h, encodeRecords([][]byte{[]byte("?:lie")}), enc.AppendUvarint(nil, 0))
		}, ErrOpsHashMismatch},
		{"state out of order", func(_ *sfile.Header, secs *[3][][]byte) {
			secs[2][0], secs[2][1] = secs[2][1], secs[2][0]
		}, ErrFileMalformed},
		{"state repeated", func(_ *sfile.Header, secs *[3][][]byte) {
			secs[2] = append(secs[2][:1:1], secs[2]...)
		}, ErrFileMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := *hdr0
			var secs [3][][]byte
			for i := range secs0 {
				secs[i] = append([][]byte(nil), secs0[i]...)
			}
			tc.lie(&hdr, &secs)
			bad := joinFile(&hdr, secs)
			fs := vfs.NewMem()
			_, err := Import(context.Background(), bytes.NewReader(bad), "dst", Options{FS: fs})
			require.ErrorIs(t, err, tc.code)
			names, err := fs.List("")
			require.NoError(t, err)
			require.Empty(t, names, "a refused import left files behind")
			rep, err := AuditFile(context.Background(), bytes.NewReader(bad), AuditOptions{})
			require.NoError(t, err)
			require.NotEqual(t, Verified, rep.Verdict)
		})
	}
}

// TestOnDisk runs the store, export and import on the real filesystem,
// where directory renames and syncs are the operating system's.
func TestOnDisk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	opts := Options{Network: testNetwork, ParamsFingerprint: testParams, SyncEvery: 3}
	s, err := Open(ctx, root+"/store", opts)
	require.NoError(t, err)
	g := newChainGen(51, testFirst)
	ref := newRefKV()
	for i := 0; i < 10; i++ {
		c := g.block()
		require.NoError(t, s.CommitBlock(c))
		ref.apply(c)
	}
	require.NoError(t, s.Close())
	s, err = Open(ctx, root+"/store", opts)
	require.NoError(t, err)
	require.Equal(t, ref.scan(""), dumpState(t, s, ""))
	f, err := os.Create(root + "/state.snap")
	require.NoError(t, err)
	_, err = Export(ctx, s, f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, s.Close())

	f, err = os.Open(root + "/state.snap")
	require.NoError(t, err)
	defer f.Close()
	_, err = Import(ctx, f, root+"/copy/store", Options{})
	require.NoError(t, err)
	entries, err := os.ReadDir(root + "/copy")
	require.NoError(t, err)
	require.Len(t, entries, 1)
	c, err := Open(ctx, root+"/copy/store", Options{ReadOnly: true})
	require.NoError(t, err)
	defer c.Close()
	require.Equal(t, ref.scan(""), dumpState(t, c, ""))
	rep, err := AuditStore(ctx, c, AuditOptions{})
	require.NoError(t, err)
	require.Equal(t, Verified, rep.Verdict)
}
