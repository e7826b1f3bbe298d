package spv

import (
	"context"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// A client restarted on the same data directory starts from the headers it
// stored, and a second client cannot open a directory in use (bounded
// wait, typed error).
func TestRestartKeepsHeaders(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 200)
	cfg := testConfig(t, node.P2PAddr())

	c := startClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.WaitSynced(ctx, nil))

	start := time.Now()
	_, err := New(cfg)
	require.ErrorIs(t, err, ErrDatabase)
	require.Less(t, time.Since(start), dbOpenTimeout+2*time.Second)

	require.NoError(t, c.Stop())
	mine(t, node, 5)

	c2, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c2.Stop() })
	// Before any peer is contacted the stored chain is already there.
	tip, err := c2.headerTip()
	require.NoError(t, err)
	require.Equal(t, int32(200), tip)

	require.NoError(t, c2.Start(ctx))
	require.NoError(t, c2.WaitSynced(ctx, nil))
	p, err := c2.Progress()
	require.NoError(t, err)
	require.Equal(t, int32(205), p.HeaderHeight)
	require.Equal(t, int32(205), p.FilterHeaderHeight)
}
