package zonefiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/testvectors"
)

// Every one of the 1,631 real mainnet zone files of the genesis table
// parses and hashes to its hash line (testvectors/zonefiles/README.md).
func TestParseExportRealTable(t *testing.T) {
	f, err := os.Open(testvectors.Path("zonefiles", "name_zonefiles.txt"))
	require.NoError(t, err)
	defer f.Close()
	n, largest := 0, 0
	seen := map[string]bool{}
	require.NoError(t, ParseExport(f, func(e Entry) error {
		require.NoError(t, e.Err, "line %d", e.Line)
		require.Equal(t, e.Hash, Hash(e.Data))
		seen[e.Hash] = true
		largest = max(largest, len(e.Data))
		n++
		return nil
	}))
	require.Equal(t, 1631, n)
	require.Equal(t, 1631, len(seen))
	require.Equal(t, 34762, largest)
}

func TestParseExportMalformed(t *testing.T) {
	good := "$ORIGIN a.id\n$TTL 3600\n"
	esc := strings.ReplaceAll(good, "\n", `\n`)
	big := strings.Repeat("x", MaxSize+1)
	in := strings.Join([]string{
		Hash([]byte(good)), esc, // ok
		"zz", esc, // bad hash line
		Hash([]byte("other")), esc, // mismatch
		Hash([]byte(big)), big, // too large
		"",                                       // blank line tolerated
		strings.ToUpper(Hash([]byte(good))), esc, // upper-case hash ok
		Hash([]byte(good)), // dangling hash
	}, "\n")
	var got []error
	require.NoError(t, ParseExport(strings.NewReader(in), func(e Entry) error {
		got = append(got, e.Err)
		if e.Err == nil {
			require.Equal(t, good, string(e.Data))
		}
		return nil
	}))
	require.Len(t, got, 6)
	require.NoError(t, got[0])
	require.ErrorIs(t, got[1], ErrBadHash)
	require.ErrorIs(t, got[2], ErrHashMismatch)
	require.ErrorIs(t, got[3], ErrTooLarge)
	require.NoError(t, got[4])
	require.ErrorIs(t, got[5], ErrMalformed)
}

func TestStorePutGetRehash(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	data := []byte("$ORIGIN judecn.id\n")
	h, err := s.Put(data)
	require.NoError(t, err)
	require.Equal(t, Hash(data), h)
	got, ok, err := s.Get(h)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, data, got)
	// Upper-case hashes find the same file.
	_, ok, err = s.Get(strings.ToUpper(h))
	require.NoError(t, err)
	require.True(t, ok)
	// Putting it again is a no-op.
	_, err = s.Put(data)
	require.NoError(t, err)
	hs, err := s.Hashes()
	require.NoError(t, err)
	require.Equal(t, []string{h}, hs)

	// Tamper with the stored bytes: the read drops the file.
	p := filepath.Join(dir, h[:2], h)
	require.NoError(t, os.WriteFile(p, []byte("evil"), 0o644))
	_, ok, err = s.Get(h)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = os.Stat(p)
	require.True(t, errors.Is(err, os.ErrNotExist))

	_, err = s.Put(make([]byte, MaxSize+1))
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = s.Put(make([]byte, MaxSize))
	require.NoError(t, err)
	_, _, err = s.Get("../etc/passwd")
	require.ErrorIs(t, err, ErrBadHash)
	_, ok, err = s.Get(strings.Repeat("0", 40))
	require.NoError(t, err)
	require.False(t, ok)
}
