package sfile

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func write(t *testing.T, tags []byte, entries [][]byte) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	require.NoError(t, w.Header(&Header{Version: 1, Network: "n", ParamsFingerprint: "p", First: 1, Tip: 2}))
	for _, tag := range tags {
		require.NoError(t, w.BeginSection(tag))
		for _, e := range entries {
			require.NoError(t, w.Entry(e))
		}
		require.NoError(t, w.EndSection())
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	entries := [][]byte{[]byte("a"), bytes.Repeat([]byte("b"), 3<<20), []byte("c")}
	file := write(t, []byte{TagChain, TagState}, entries)
	r := NewReader(bytes.NewReader(file))
	h, err := r.Header()
	require.NoError(t, err)
	require.Equal(t, &Header{Version: 1, Network: "n", ParamsFingerprint: "p", First: 1, Tip: 2}, h)
	for _, tag := range []byte{TagChain, TagState} {
		require.NoError(t, r.BeginSection(tag))
		for _, want := range entries {
			got, err := r.Next()
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
		_, err := r.Next()
		require.Equal(t, io.EOF, err)
	}
	require.NoError(t, r.End())
}

func TestReaderFailures(t *testing.T) {
	file := write(t, []byte{TagChain}, [][]byte{[]byte("entry")})
	tests := []struct {
		name string
		data []byte
		want error
		tag  byte
	}{
		{"empty", nil, ErrMagic, TagChain},
		{"other magic", append([]byte("NOTSNAP!"), file[8:]...), ErrMagic, TagChain},
		{"wrong section", file, ErrMalformed, TagState},
		{"truncated", file[:len(file)-1], ErrTruncated, TagChain},
		{"trailing byte", append(bytes.Clone(file), 0), ErrMalformed, TagChain},
		{"checksum", func() []byte { b := bytes.Clone(file); b[len(b)-40] ^= 1; return b }(), ErrChecksum, TagChain},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(tc.data))
			err := func() error {
				if _, err := r.Header(); err != nil {
					return err
				}
				if err := r.BeginSection(tc.tag); err != nil {
					return err
				}
				for {
					if _, err := r.Next(); err == io.EOF {
						break
					} else if err != nil {
						return err
					}
				}
				return r.End()
			}()
			require.True(t, errors.Is(err, tc.want), "got %v, want %v", err, tc.want)
		})
	}
}
