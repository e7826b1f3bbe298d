package scenario

import (
	"context"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// startNode starts a fresh regtest node that is stopped when the test ends.
func startNode(t *testing.T) *regtest.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n, err := regtest.Start(ctx, regtest.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, n.Stop()) })
	return n
}

func runDefault(t *testing.T) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n := startNode(t)
	var steps []Progress
	res, err := (&Runner{Node: n, Progress: func(p Progress) { steps = append(steps, p) }}).Run(ctx, Default())
	require.NoError(t, err)
	require.Len(t, steps, len(Default().Steps))
	t.Logf("default scenario: %d operations, blocks %d–%d, %v", res.Operations, res.FirstBlock, res.Tip, res.Elapsed)
	return res
}

func TestDefaultScenario(t *testing.T) {
	res := runDefault(t)
	require.Equal(t, uint64(441), res.Tip)
	require.Len(t, res.ConsensusHashes, int(res.Tip-res.FirstBlock+1))
	diff := Expected().Diff(res.Names)
	require.Empty(t, diff, "final name table differs from Expected()")
}
