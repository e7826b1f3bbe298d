package snapshot

import (
	"bytes"
	"context"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// format1Store creates an empty store that records format version 1, as
// the previous build created them.
func format1Store(t *testing.T, fs vfs.FS, dir string) *Store {
	t.Helper()
	s := openMem(t, fs, dir)
	require.NoError(t, s.db.Set(metaKey(metaFormat), enc.AppendUvarint(nil, 1), pebble.Sync))
	require.NoError(t, s.Close())
	opts := testOptions(fs)
	opts.VerifyPriors = true
	s, err := Open(context.Background(), dir, opts)
	require.NoError(t, err)
	require.Equal(t, uint64(1), s.format)
	return s
}

// TestFormat1Store: a store of format version 1 opens, takes new blocks
// with its inputs still in JSON, reads them back, audits (with and without
// replay), rewinds, and exports a current file that imports as a current
// store holding the same inputs.
func TestFormat1Store(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	old := format1Store(t, fs, "old")
	defer old.Close()
	replayInto(t, old, 40)
	cur := replayedStore(t, fs, "cur", 40) // the same blocks in format 2
	defer cur.Close()

	jsonInputs := 0
	for h := uint64(testFirst); h < testFirst+40; h++ {
		raw, ok, err := old.getRaw(heightKey(prefixInputs, h))
		require.NoError(t, err)
		require.True(t, ok)
		want, err := cur.Inputs(h)
		require.NoError(t, err)
		if len(want) > 0 {
			jsonInputs++
			require.Contains(t, string(raw), `{"opcode":`, "block %d", h)
		}
		got, err := old.Inputs(h)
		require.NoError(t, err)
		require.Equal(t, want, got, "block %d", h)
	}
	require.Positive(t, jsonInputs)
	require.Equal(t, dumpState(t, cur, ""), dumpState(t, old, ""))

	for _, opts := range []AuditOptions{{}, {Replayer: fakeEngine(testFirst), VerifyPriors: true}} {
		rep, err := AuditStore(ctx, old, opts)
		require.NoError(t, err)
		require.Equal(t, Verified, rep.Verdict, "%+v", rep)
	}

	// The export is the current format, byte for byte the file of the
	// same blocks stored in format 2.
	file := exportBytes(t, old)
	info, err := ReadFileInfo(bytes.NewReader(file))
	require.NoError(t, err)
	require.Equal(t, uint64(FormatVersion), info.Version)
	require.Equal(t, exportBytes(t, cur), file)

	_, err = Import(ctx, bytes.NewReader(file), "imported", Options{FS: fs})
	require.NoError(t, err)
	imp := openMem(t, fs, "imported")
	defer imp.Close()
	require.Equal(t, uint64(FormatVersion), imp.format)
	requireSameBlocks(t, cur, imp)

	// Undo records did not change format: both rewind alike.
	require.NoError(t, old.Rewind(ctx, 5))
	require.NoError(t, cur.Rewind(ctx, 5))
	require.Equal(t, dumpState(t, cur, ""), dumpState(t, old, ""))
	tip, _, _ := old.Tip()
	require.Equal(t, uint64(testFirst+34), tip)
}

// requireSameBlocks requires two stores to hold the same blocks, records,
// inputs and state.
func requireSameBlocks(t *testing.T, a, b *Store) {
	t.Helper()
	ta, _, _ := a.Tip()
	tb, _, _ := b.Tip()
	require.Equal(t, ta, tb)
	for h := uint64(testFirst); h <= ta; h++ {
		ba, err := a.Block(h)
		require.NoError(t, err)
		bb, err := b.Block(h)
		require.NoError(t, err)
		require.Equal(t, ba, bb)
		ra, _ := a.Records(h)
		rb, err := b.Records(h)
		require.NoError(t, err)
		require.Equal(t, ra, rb)
		ia, _ := a.Inputs(h)
		ib, err := b.Inputs(h)
		require.NoError(t, err)
		require.Equal(t, ia, ib)
	}
	require.Equal(t, dumpState(t, a, ""), dumpState(t, b, ""))
}

// format1File rewrites a current snapshot file as the previous build
// wrote it: version 1 in the header, every block's inputs in JSON.
func format1File(t *testing.T, file []byte) []byte {
	t.Helper()
	hdr, sections := splitFile(t, file)
	hdr.Version = 1
	for i, e := range sections[1] {
		d := enc.NewDecoder(e)
		h, records, inputs := d.Uint64(), d.Bytes(), d.Bytes()
		require.NoError(t, d.Finish())
		ops, err := decodeInputs(inputsBinary, inputs)
		require.NoError(t, err)
		js, err := appendInputs(nil, inputsJSON, ops)
		require.NoError(t, err)
		sections[1][i] = encodeBlockEntry(h, records, js)
	}
	return joinFile(hdr, sections)
}

// TestFormat1File: a snapshot file of version 1 audits (with replay) and
// imports as a current store holding the same blocks, with its inputs
// converted; a version 1 file holding binary inputs, or a current one
// holding JSON inputs, is malformed.
func TestFormat1File(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	cur := replayedStore(t, fs, "cur", 40)
	defer cur.Close()
	file := exportBytes(t, cur)
	old := format1File(t, file)
	require.NotEqual(t, file, old)
	require.Contains(t, string(old), `{"opcode":`)

	rep, err := AuditFile(ctx, bytes.NewReader(old), AuditOptions{Replayer: fakeEngine(testFirst), VerifyPriors: true})
	require.NoError(t, err)
	require.Equal(t, Verified, rep.Verdict, "%+v", rep)
	info, err := Import(ctx, bytes.NewReader(old), "imported", Options{FS: fs})
	require.NoError(t, err)
	require.Equal(t, uint64(1), info.Version)
	imp := openMem(t, fs, "imported")
	defer imp.Close()
	require.Equal(t, uint64(FormatVersion), imp.format)
	requireSameBlocks(t, cur, imp)
	require.Equal(t, file, exportBytes(t, imp), "the imported store exports the current file")

	for name, bad := range map[string][]byte{
		"version 1, binary inputs": func() []byte {
			hdr, sections := splitFile(t, file)
			hdr.Version = 1
			return joinFile(hdr, sections)
		}(),
		"version 2, JSON inputs": func() []byte {
			hdr, sections := splitFile(t, old)
			hdr.Version = FormatVersion
			return joinFile(hdr, sections)
		}(),
	} {
		_, err := Import(ctx, bytes.NewReader(bad), "bad", Options{FS: fs})
		require.ErrorIs(t, err, ErrFileMalformed, name)
		rep, err := AuditFile(ctx, bytes.NewReader(bad), AuditOptions{})
		require.NoError(t, err)
		require.Equal(t, Unreadable, rep.Verdict, name)
	}
}
