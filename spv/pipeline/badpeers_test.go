package pipeline

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// Bad peers end a sync with a typed error within the light client's
// timeouts, and the store is never left anywhere but at a whole block.
func TestBadPeers(t *testing.T) {
	// run syncs a fresh store from peer and returns the error, how long
	// the run took and the store.
	run := func(t *testing.T, peer string, onProgress func(Progress)) (Stats, *snapshot.Store, time.Duration, error) {
		store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
		t.Cleanup(func() { _ = store.Close() })
		n := regtestNetwork(t)
		cfg := Config{SPV: spvConfigFor(n, t.TempDir(), peer), Store: store, Consensus: n.Consensus, Wire: n.Ops,
			Progress: onProgress}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		st, err := Run(ctx, cfg)
		return st, store, time.Since(start), err
	}
	requireEmpty := func(t *testing.T, store *snapshot.Store) {
		_, ok, err := store.Tip()
		require.NoError(t, err)
		require.False(t, ok, "the store was written to")
	}

	t.Run("nothing listens", func(t *testing.T) {
		_, store, took, err := run(t, deadAddr(t), nil)
		require.ErrorIs(t, err, ErrSource)
		require.ErrorIs(t, err, spv.ErrPeerUnreachable)
		require.Less(t, took, 15*time.Second)
		requireEmpty(t, store)
	})

	t.Run("another network", func(t *testing.T) {
		simnet := startNode(t, regtest.Options{Network: regtest.Simnet})
		_, store, took, err := run(t, simnet.P2PAddr(), nil)
		require.ErrorIs(t, err, ErrSource)
		require.ErrorIs(t, err, spv.ErrWrongNetwork)
		require.Less(t, took, 15*time.Second)
		requireEmpty(t, store)
	})

	t.Run("silent listener", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		go func() {
			var conns []net.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				conns = append(conns, c)
			}
		}()
		_, store, took, err := run(t, l.Addr().String(), nil)
		require.ErrorIs(t, err, ErrSource)
		require.ErrorIs(t, err, spv.ErrHandshakeFailed)
		require.Less(t, took, 40*time.Second)
		requireEmpty(t, store)
	})

	t.Run("node stops mid-sync", func(t *testing.T) {
		node := startNode(t, regtest.Options{})
		mineTo(t, node, 1500)
		var killed time.Time
		st, store, _, err := run(t, node.P2PAddr(), func(p Progress) {
			if p.Blocks == 100 && killed.IsZero() {
				node.Kill()
				killed = time.Now()
			}
		})
		require.False(t, killed.IsZero(), "the sync ended before the node was killed: %v", err)
		require.ErrorIs(t, err, ErrSource)
		require.True(t, errors.Is(err, spv.ErrPeerLost) || errors.Is(err, spv.ErrFetchBlock), "%v", err)
		// PeerTimeout or FetchTimeout, whichever notices first, plus slack.
		require.Less(t, time.Since(killed), 3*time.Second+5*time.Second+3*time.Second)
		require.Less(t, st.Blocks, 1500-6-255)
		h, ok, err := store.Tip()
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, st.Height, int64(h))
		requireAudits(t, store)
	})
}

// Configuration mistakes are refused before anything is touched.
func TestConfigErrors(t *testing.T) {
	store := openStore(t, filepath.Join(t.TempDir(), "store"), 1)
	defer store.Close()
	n := regtestNetwork(t)
	good := Config{SPV: spvConfigFor(n, t.TempDir(), "127.0.0.1:1"), Store: store, Consensus: n.Consensus, Wire: n.Ops}
	main, err := NetworkByName("mainnet")
	require.NoError(t, err)
	cases := []struct {
		name   string
		modify func(*Config)
		code   ErrorCode
	}{
		{"no store", func(c *Config) { c.Store = nil }, ErrConfig},
		{"no params", func(c *Config) { c.Consensus = nil }, ErrConfig},
		{"no source", func(c *Config) { c.SPV = spv.Config{} }, ErrConfig},
		{"no wire network", func(c *Config) { c.Wire = ops.Network{} }, ErrConfig},
		{"negative sync lag", func(c *Config) { c.SyncLag = -1 }, ErrConfig},
		{"other params", func(c *Config) { c.Consensus = consensus.Mainnet() }, ErrStoreMismatch},
		{"other network", func(c *Config) { c.Wire = main.Ops }, ErrStoreMismatch},
		{"bad light client config", func(c *Config) { c.SPV.Peers = nil }, ErrSource},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.modify(&cfg)
			_, err := Run(context.Background(), cfg)
			require.ErrorIs(t, err, tc.code)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			require.NotEmpty(t, e.Code.String())
		})
	}
	_, err = NetworkByName("dogecoin")
	require.ErrorIs(t, err, ErrConfig)
	for _, name := range NetworkNames() {
		n, err := NetworkByName(name)
		require.NoError(t, err)
		require.Equal(t, name, n.Name)
		require.Equal(t, name, n.Ops.Name)
		require.Equal(t, name, n.Consensus.Name)
	}

	// A cancelled context ends the run with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Run(ctx, good)
	require.ErrorIs(t, err, context.Canceled)
	_, ok, err := store.Tip()
	require.NoError(t, err)
	require.False(t, ok)
}

func TestErrorCodeNames(t *testing.T) {
	for c := ErrConfig; c <= ErrBadBlock; c++ {
		require.NotContains(t, c.String(), "ErrorCode(", "code %d has no name", int(c))
		require.Equal(t, c.String(), c.Error())
	}
	require.Equal(t, "ErrorCode(99)", ErrorCode(99).String())
	err := newError(ErrStore, errors.New("disk full"), "committing block %d", 7)
	require.Equal(t, "pipeline: committing block 7: disk full", err.Error())
	require.Equal(t, "pipeline: no store", newError(ErrConfig, nil, "no store").Error())
}
