package snapshot

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
)

// TestCorruptBookkeeping damages one bookkeeping key at a time and requires
// a typed error from whatever reads it, never a panic or a wrong answer.
func TestCorruptBookkeeping(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		key  []byte
		val  []byte
		// run is what must fail, with code.
		run  func(fs vfs.FS) error
		code ErrorCode
	}{
		{"format version", metaKey(metaFormat), []byte{0xff}, openErr, ErrCorrupt},
		{"future format", metaKey(metaFormat), []byte{FormatVersion + 1}, openErr, ErrFormatVersion},
		{"format 0", metaKey(metaFormat), []byte{0}, openErr, ErrFormatVersion},
		{"tip", tipKey(), []byte{1, 2}, openErr, ErrCorrupt},
		{"first", metaKey(metaFirst), []byte{1}, openErr, ErrCorrupt},
		{"tip below first", metaKey(metaFirst), heightKey(0, testFirst+100)[1:], openErr, ErrCorrupt},
		{"undo record", heightKey(prefixUndo, testFirst+4), []byte{5, 1, 2}, func(fs vfs.FS) error {
			s, err := Open(ctx, "db", testOptions(fs))
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Rewind(ctx, 1)
		}, ErrCorrupt},
		{"summary", heightKey(prefixBlock, testFirst+2), []byte{1}, func(fs vfs.FS) error {
			s, err := Open(ctx, "db", testOptions(fs))
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = Export(ctx, s, io.Discard)
			return err
		}, ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMem()
			s, _ := buildStore(t, fs, "db", 31, 5)
			require.NoError(t, s.db.Set(tc.key, tc.val, pebble.Sync))
			require.NoError(t, s.Close())
			before := listTree(t, fs, "/")
			err := tc.run(fs)
			require.ErrorIs(t, err, tc.code)
			if tc.key[0] == prefixMeta || tc.key[0] == prefixTip {
				require.Equal(t, before, listTree(t, fs, "/"), "a refused open changed the store")
			}
		})
	}
}

func openErr(fs vfs.FS) error {
	s, err := Open(context.Background(), "db", testOptions(fs))
	if err == nil {
		s.Close()
	}
	return err
}

func TestOpenForeignAndPristineDatabases(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	// A Pebble database with keys but no store metadata is not a store.
	db, err := pebble.Open("foreign", &pebble.Options{FS: fs, Logger: quietLogger{}})
	require.NoError(t, err)
	require.NoError(t, db.Set([]byte("hello"), []byte("world"), pebble.Sync))
	require.NoError(t, db.Close())
	before := listTree(t, fs, "/")
	_, err = Open(ctx, "foreign", testOptions(fs))
	require.ErrorIs(t, err, ErrNotAStore)
	require.Equal(t, before, listTree(t, fs, "/"))

	// An empty Pebble database is a creation cut short: Open finishes it.
	db, err = pebble.Open("pristine", &pebble.Options{FS: fs, Logger: quietLogger{}})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(ctx, "pristine", Options{FS: fs, ReadOnly: true})
	require.ErrorIs(t, err, ErrStoreNotFound)
	s, err := Open(ctx, "pristine", testOptions(fs))
	require.NoError(t, err)
	require.Equal(t, testNetwork, s.Network())
	require.NoError(t, s.Close())
}

// TestDamagedFilesNeverPanic flips bytes in the store's Pebble files and
// opens and audits the result: any outcome but a panic is acceptable, and
// failures must be typed.
func TestDamagedFilesNeverPanic(t *testing.T) {
	ctx := context.Background()
	base := vfs.NewMem()
	opts := testOptions(base)
	opts.tweakPebble = func(o *pebble.Options) { o.MemTableSize = 64 << 10 }
	s, err := Open(ctx, "db", opts)
	require.NoError(t, err)
	g := newChainGen(41, testFirst)
	g.pad = 2000
	ref := newRefKV()
	for i := 0; i < 60; i++ {
		c := g.block()
		require.NoError(t, s.CommitBlock(c))
		ref.apply(c)
	}
	require.NoError(t, s.Close())
	names, err := base.List("db")
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 5))
	outcomes := map[string]int{}
	for _, name := range names {
		data := readAll(t, base, "db/"+name)
		if len(data) == 0 {
			continue
		}
		for i := 0; i < 8; i++ {
			fs := vfs.NewMem()
			copyTree(t, base, fs, "db")
			bad := append([]byte(nil), data...)
			bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			f, err := fs.Create("db/"+name, vfs.WriteCategoryUnspecified)
			require.NoError(t, err)
			_, err = f.Write(bad)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			outcomes[auditDamaged(t, fs, ref)]++
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// auditDamaged opens and audits a damaged copy. Whatever it accepts must be
// a state the store really had: damage to Pebble's write-ahead log cuts
// recovery short at a whole batch, never anywhere else.
func auditDamaged(t *testing.T, fs vfs.FS, ref *refKV) string {
	ctx := context.Background()
	s, err := Open(ctx, "db", Options{FS: fs, ReadOnly: true})
	if err != nil {
		var e *Error
		require.ErrorAs(t, err, &e, "untyped open error %v", err)
		return "open: " + e.Code.String()
	}
	defer s.Close()
	rep, err := AuditStore(ctx, s, AuditOptions{})
	require.NoError(t, err)
	if rep.Verdict == Verified {
		blocks := int(rep.Blocks)
		require.Equal(t, ref.scanAt(blocks, ""), dumpState(t, s, ""), "verified state is not the state after %d blocks", blocks)
		if blocks < len(ref.history)-1 {
			return "audit: verified, cut short"
		}
	}
	return "audit: " + rep.Verdict.String()
}

func readAll(t *testing.T, fs vfs.FS, name string) []byte {
	f, err := fs.Open(name)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	return data
}

func copyTree(t *testing.T, from, to vfs.FS, dir string) {
	require.NoError(t, to.MkdirAll(dir, 0o755))
	names, err := from.List(dir)
	require.NoError(t, err)
	for _, n := range names {
		p := dir + "/" + n
		data := readAll(t, from, p)
		f, err := to.Create(p, vfs.WriteCategoryUnspecified)
		require.NoError(t, err)
		_, err = f.Write(data)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
}
