package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
	"github.com/stretchr/testify/require"
)

// TestLifecycle is the scripted Blockstack lifecycle on a real node, synced
// by the light client: namespaces preordered, revealed and readied; names
// imported, preordered and registered, updated, transferred (keeping and
// dropping data), renewed and revoked; an expired name re-registered by
// someone else; operations that must be rejected; a same-block collision;
// all six compressed epochs. The light-mode store and an exact-mode store
// (senders from the node's spent outputs) must agree with each other and
// with the scenario's own replay at every height, and the final name table
// must be the one the script intends.
func TestLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node := startNode(t, regtest.Options{})
	net := regtestNetwork(t)
	script := scenario.Default()
	result, err := (&scenario.Runner{Node: node, Params: net.Consensus}).Run(ctx, script)
	require.NoError(t, err)
	mine(t, node, spv.DefaultConfirmationDepth)

	light := openStore(t, filepath.Join(t.TempDir(), "light"), 16)
	defer light.Close()
	lightStats, err := Run(ctx, syncConfig(t, node, light))
	require.NoError(t, err)
	require.True(t, lightStats.Light)
	require.Equal(t, int64(result.Tip), lightStats.Height)
	require.Equal(t, result.Operations, lightStats.Operations, "every broadcast operation reached the engine")

	exact := openStore(t, filepath.Join(t.TempDir(), "exact"), 16)
	defer exact.Close()
	cfg := syncConfig(t, node, exact)
	cfg.Exact = node.RPCClient
	exactStats, err := Run(ctx, cfg)
	require.NoError(t, err)
	require.False(t, exactStats.Light)
	require.Equal(t, lightStats.Accepted, exactStats.Accepted)
	require.Equal(t, lightStats.Rejected, exactStats.Rejected)

	for h := result.FirstBlock; h <= result.Tip; h++ {
		want, _ := result.ConsensusHash(h)
		l, err := light.ConsensusHash(h)
		require.NoError(t, err)
		x, err := exact.ConsensusHash(h)
		require.NoError(t, err)
		require.Equal(t, want, l, "light mode, height %d", h)
		require.Equal(t, want, x, "exact mode, height %d", h)
	}
	requireSameState(t, light, exact)
	requireAudits(t, light)

	table, err := scenario.TableOf(consensus.NewView(net.Consensus, light), script.Namespaces())
	require.NoError(t, err)
	require.Empty(t, scenario.Expected().Diff(table), "name table")
	require.Empty(t, result.Names.Diff(table), "name table vs the scenario's replay")
	require.Len(t, table, len(scenario.Expected()))
}
