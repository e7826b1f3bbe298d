package share

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
)

// newStore makes a store of n blocks with one key each.
func newStore(t *testing.T, dir string, n int) *snapshot.Store {
	t.Helper()
	s, err := snapshot.Open(context.Background(), dir, snapshot.Options{Network: "regtest", ParamsFingerprint: "p"})
	require.NoError(t, err)
	for h := 1; h <= n; h++ {
		commit(t, s, uint64(h))
	}
	return s
}

func commit(t *testing.T, s *snapshot.Store, h uint64) {
	t.Helper()
	require.NoError(t, s.CommitBlock(&consensus.BlockCommit{
		Height: h, OpsHash: strings.Repeat("0", 64), ConsensusHash: fmt.Sprintf("%032x", h),
		Writes: []consensus.Write{{Key: []byte("k"), Value: fmt.Appendf(nil, "%d", h)}},
	}))
}

func serve(t *testing.T, datadir string, store Checkpointer, info func() Info) (*Server, func()) {
	t.Helper()
	srv, err := Listen(datadir, store, info)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	var once sync.Once
	return srv, func() {
		once.Do(func() { stopServe(t, cancel, done) })
	}
}

func stopServe(t *testing.T, cancel func(), done chan error) {
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

func TestLeaseIsAWholeStoreAtTheHoldersTip(t *testing.T) {
	ctx := context.Background()
	datadir := t.TempDir()
	s := newStore(t, filepath.Join(datadir, "store"), 5)
	defer s.Close()
	srv, stop := serve(t, datadir, s, func() Info { return Info{Holder: "test", HeaderHeight: 9, HasHeaders: true} })
	defer stop()

	// The store itself is locked for other users...
	_, err := snapshot.Open(ctx, filepath.Join(datadir, "store"), snapshot.Options{ReadOnly: true})
	require.ErrorIs(t, err, snapshot.ErrStoreLocked)
	// ...but a lease opens.
	l, err := Acquire(ctx, datadir)
	require.NoError(t, err)
	require.Equal(t, "test", l.Info.Holder)
	require.Equal(t, int32(9), l.Info.HeaderHeight)
	commit(t, s, 6) // the holder goes on
	r, err := snapshot.Open(ctx, l.Dir, snapshot.Options{ReadOnly: true})
	require.NoError(t, err)
	tip, _, err := r.Tip()
	require.NoError(t, err)
	require.Equal(t, uint64(5), tip)
	v, err := r.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, "5", string(v))
	require.NoError(t, r.Close())
	require.NoError(t, l.Close())
	require.NoDirExists(t, l.Dir)

	info, err := Ask(ctx, datadir)
	require.NoError(t, err)
	require.Equal(t, "test", info.Holder)
	require.FileExists(t, srv.Socket())
	stop()
	require.NoFileExists(t, srv.Socket(), "the socket outlived the server")
	_, err = Acquire(ctx, datadir)
	require.ErrorIs(t, err, ErrNoHolder)
}

// A reader that dies without closing its lease leaves nothing behind: the
// server removes the checkpoint when the connection ends.
func TestDeadReaderLeavesNoCheckpoint(t *testing.T) {
	ctx := context.Background()
	datadir := t.TempDir()
	s := newStore(t, filepath.Join(datadir, "store"), 2)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	l, err := Acquire(ctx, datadir)
	require.NoError(t, err)
	require.DirExists(t, l.Dir)
	l.conn.Close() // the process died: no RemoveAll of its own
	require.Eventually(t, func() bool {
		_, err := os.Stat(l.Dir)
		return errors.Is(err, os.ErrNotExist)
	}, 5*time.Second, 10*time.Millisecond)
}

func TestManyReadersAtOnce(t *testing.T) {
	ctx := context.Background()
	datadir := t.TempDir()
	s := newStore(t, filepath.Join(datadir, "store"), 3)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func() {
			l, err := Acquire(ctx, datadir)
			if err != nil {
				errs <- err
				return
			}
			defer l.Close()
			r, err := snapshot.Open(ctx, l.Dir, snapshot.Options{ReadOnly: true})
			if err != nil {
				errs <- err
				return
			}
			defer r.Close()
			_, err = r.Get([]byte("k"))
			errs <- err
		}()
	}
	for i := 0; i < 16; i++ {
		require.NoError(t, <-errs)
	}
}

func TestLeaseLimit(t *testing.T) {
	ctx := context.Background()
	datadir := t.TempDir()
	s := newStore(t, filepath.Join(datadir, "store"), 1)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	var leases []*Lease
	for i := 0; i < MaxLeases; i++ {
		l, err := Acquire(ctx, datadir)
		require.NoError(t, err)
		leases = append(leases, l)
	}
	_, err := Acquire(ctx, datadir)
	require.ErrorContains(t, err, "try again")
	leases[0].Close()
	require.Eventually(t, func() bool {
		l, err := Acquire(ctx, datadir)
		if err != nil {
			return false
		}
		l.Close()
		return true
	}, 5*time.Second, 20*time.Millisecond)
	for _, l := range leases[1:] {
		l.Close()
	}
}

func TestOneHolderPerDataDirectory(t *testing.T) {
	datadir := t.TempDir()
	s := newStore(t, filepath.Join(datadir, "store"), 1)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	_, err := Listen(datadir, s, nil)
	require.ErrorContains(t, err, "another process already serves")
}

// A socket left by a holder that died, and its checkpoints, are cleared by
// the next holder.
func TestStaleSocketAndCheckpointsAreCleared(t *testing.T) {
	datadir := t.TempDir()
	sock, err := SocketPath(datadir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(sock, nil, 0o600))
	stale := filepath.Join(datadir, readersDir, "1-1")
	require.NoError(t, os.MkdirAll(stale, 0o700))
	s := newStore(t, filepath.Join(datadir, "store"), 1)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	require.NoDirExists(t, stale)
}

func TestLongDataDirectoryUsesTempSocket(t *testing.T) {
	datadir := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	require.NoError(t, os.MkdirAll(datadir, 0o755))
	sock, err := SocketPath(datadir)
	require.NoError(t, err)
	require.LessOrEqual(t, len(sock), maxSocketPath)
	require.True(t, strings.HasPrefix(sock, os.TempDir()))
	s := newStore(t, filepath.Join(datadir, "store"), 1)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	l, err := Acquire(context.Background(), datadir)
	require.NoError(t, err)
	l.Close()
}

func TestMalformedRequestsAreRefused(t *testing.T) {
	datadir := t.TempDir()
	s := newStore(t, filepath.Join(datadir, "store"), 1)
	defer s.Close()
	_, stop := serve(t, datadir, s, nil)
	defer stop()
	for _, req := range []string{"nonsense\n", `{"op":"format-disk"}` + "\n"} {
		c, err := dial(context.Background(), datadir)
		require.NoError(t, err)
		_, err = c.Write([]byte(req))
		require.NoError(t, err)
		b := make([]byte, 256)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _ := c.Read(b)
		require.Contains(t, string(b[:n]), `"error"`)
		c.Close()
	}
}
