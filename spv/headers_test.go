package spv

import (
	"context"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// Headers and HeaderAt read the stored chain before Start and after a
// restart, without any peer; PeerHeights lists the connected peers.
func TestHeadersOffline(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 40)
	cfg := testConfig(t, node.P2PAddr())

	c, err := New(cfg)
	require.NoError(t, err)
	p, err := c.Headers()
	require.NoError(t, err)
	require.Equal(t, int32(0), p.HeaderHeight, "a fresh store holds only the genesis header")
	_, err = c.PeerHeights()
	require.ErrorIs(t, err, ErrNotStarted)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Start(ctx))
	require.NoError(t, c.WaitSynced(ctx, nil))
	blk, err := c.BlockAt(ctx, 23)
	require.NoError(t, err)
	want23, err := node.GetBlockHash(ctx, 23)
	require.NoError(t, err)
	require.Equal(t, want23, blk.BlockHash())
	peers, err := c.PeerHeights()
	require.NoError(t, err)
	require.Len(t, peers, 1)
	require.Equal(t, node.P2PAddr(), peers[0].Addr)
	require.Equal(t, int32(40), peers[0].Height)
	require.NoError(t, c.Stop())
	_, err = c.Headers()
	require.ErrorIs(t, err, ErrNotStarted, "the stores are closed after Stop")

	// A new client on the same directory, without peers and never
	// started, sees the synced headers; Start refuses it.
	offline := cfg
	offline.Peers = nil
	c2, err := New(offline)
	require.NoError(t, err)
	defer c2.Stop()
	p, err = c2.Headers()
	require.NoError(t, err)
	require.Equal(t, int32(40), p.HeaderHeight)
	want, err := node.GetBlockHash(ctx, 40)
	require.NoError(t, err)
	require.Equal(t, want, p.HeaderHash)
	hdr, err := c2.HeaderAt(17)
	require.NoError(t, err)
	want17, err := node.GetBlockHash(ctx, 17)
	require.NoError(t, err)
	require.Equal(t, want17, hdr.BlockHash())
	_, err = c2.HeaderAt(41)
	require.ErrorIs(t, err, ErrHeaderStore)
	require.ErrorIs(t, c2.Start(ctx), ErrConfig)
	_, err = c2.BlockAt(ctx, 23)
	require.ErrorIs(t, err, ErrNotStarted, "fetching needs a running client")
}
