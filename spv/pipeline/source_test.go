package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/spvcheck/spvcheck/spv"
	"github.com/stretchr/testify/require"
)

// failingSource fails each delivery with the next error of errs, then
// reports that it has caught up.
type failingSource struct {
	errs    []error
	cursors []spv.Cursor
}

func (f *failingSource) CatchUp(_ context.Context, after spv.Cursor, _ func(context.Context, spv.Event) error) (spv.Cursor, error) {
	f.cursors = append(f.cursors, after)
	if len(f.errs) == 0 {
		return after, nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return after, err
}

func (f *failingSource) Follow(ctx context.Context, after spv.Cursor, fn func(context.Context, spv.Event) error) error {
	_, err := f.CatchUp(ctx, after, fn)
	return err
}

func (f *failingSource) Progress() (spv.Progress, error) { return spv.Progress{}, nil }

// A transient header-store failure restarts delivery from the store's
// cursor a bounded number of times in a row; other failures end the run.
func TestSourceFailures(t *testing.T) {
	headerStore := &spv.Error{Code: spv.ErrHeaderStore, Description: "header at height 7"}
	lost := &spv.Error{Code: spv.ErrPeerLost, Description: "no peer"}
	cases := []struct {
		name     string
		errs     []error
		restarts int
		code     error // nil: the run succeeds
	}{
		{"recovers", []error{headerStore, headerStore}, 2, nil},
		{"gives up", []error{headerStore, headerStore, headerStore, headerStore, headerStore}, maxRestarts, spv.ErrHeaderStore},
		{"peer lost", []error{lost, headerStore}, 0, spv.ErrPeerLost},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := openStore(t, filepath.Join(t.TempDir(), "store"), 1)
			defer store.Close()
			n := regtestNetwork(t)
			src := &failingSource{errs: tc.errs}
			st, err := Run(context.Background(), Config{Source: src, Store: store, Consensus: n.Consensus, Wire: n.Ops})
			require.Equal(t, tc.restarts, st.Restarts)
			for _, c := range src.cursors {
				require.Equal(t, spv.Cursor{Height: 255}, c, "a fresh store starts below the first block")
			}
			if tc.code == nil {
				require.NoError(t, err)
				require.Len(t, src.cursors, tc.restarts+1)
				return
			}
			require.ErrorIs(t, err, ErrSource)
			require.ErrorIs(t, err, tc.code)
		})
	}
}
