package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// childEnv selects the helper mode of TestKilledMidSyncResumes: the test
// binary re-executed as a sync process, "storeDir|spvDir|peer".
const childEnv = "SPVCHECK_PIPELINE_SYNC_CHILD"

// childSync is the sync process: it prints every committed height and
// never returns (the parent kills it, or it exits when done).
func childSync(spec string) {
	parts := strings.Split(spec, "|")
	if len(parts) != 3 {
		fmt.Fprintln(os.Stderr, "bad child spec", spec)
		os.Exit(3)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	net, _ := NetworkByName("regtest")
	store, err := openChildStore(ctx, parts[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	_, err = Run(ctx, Config{
		SPV: spvConfigFor(net, parts[1], parts[2]), Store: store, Consensus: net.Consensus, Wire: net.Ops,
		Progress: func(p Progress) { fmt.Printf("height %d\n", p.Height) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
	os.Exit(0)
}

// A sync killed with SIGKILL in the middle of a run leaves a store of whole
// blocks that audits clean; the next run resumes from its tip and ends with
// exactly the store an uninterrupted run builds.
func TestKilledMidSyncResumes(t *testing.T) {
	if spec := os.Getenv(childEnv); spec != "" {
		childSync(spec)
		return
	}
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	chain.history()
	const tip, depth = 1500, 6
	mineTo(t, node, tip)

	storeDir, spvDir := filepath.Join(t.TempDir(), "store"), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKilledMidSyncResumes$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+storeDir+"|"+spvDir+"|"+node.P2PAddr())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	killedAt := int64(-1)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		h, ok := strings.CutPrefix(lines.Text(), "height ")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(h, 10, 64)
		require.NoError(t, err)
		if n >= 700 {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killedAt = n
			break
		}
	}
	// The child goes on committing until the signal lands (a few blocks
	// under load); what it printed before dying is still in the pipe.
	lastReported := killedAt
	for lines.Scan() {
		if h, ok := strings.CutPrefix(lines.Text(), "height "); ok {
			if n, err := strconv.ParseInt(h, 10, 64); err == nil {
				lastReported = max(lastReported, n)
			}
		}
	}
	err = cmd.Wait()
	require.NotEqual(t, int64(-1), killedAt, "the child finished before it could be killed: %v\n%s", err, stderr.String())
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())

	// The killed store: whole blocks, at most the unsynced ones lost.
	store := openStore(t, storeDir, 16)
	defer store.Close()
	h, ok, err := store.Tip()
	require.NoError(t, err)
	require.True(t, ok)
	// A block reported is committed; at most one more can have been
	// committed without its report. Fewer may survive: blocks not yet
	// synced to disk are lost whole, never in part.
	require.LessOrEqual(t, int64(h), lastReported+1)
	require.Less(t, int64(h), int64(tip-depth), "the kill must land mid-run")
	t.Logf("killed after block %d (last reported %d); the store reopened at %d", killedAt, lastReported, h)
	requireAudits(t, store)

	cfg := syncConfig(t, node, store)
	cfg.SPV.DataDir = spvDir // the child's header database, as a restart would
	resumed, err := Run(ctx, cfg)
	require.NoError(t, err)
	require.Equal(t, int64(h), resumed.StartHeight)
	require.Equal(t, int64(tip-depth), resumed.Height)
	require.Equal(t, int(tip-depth)-int(h), resumed.Blocks)

	fresh := openStore(t, filepath.Join(t.TempDir(), "fresh"), 16)
	defer fresh.Close()
	whole, err := Run(ctx, syncConfig(t, node, fresh))
	require.NoError(t, err)
	require.Equal(t, whole.TipConsensusHash, resumed.TipConsensusHash)
	for height := uint64(256); height <= tip-depth; height++ {
		a, err := store.ConsensusHash(height)
		require.NoError(t, err)
		b, err := fresh.ConsensusHash(height)
		require.NoError(t, err)
		require.Equal(t, b, a, "height %d", height)
	}
	requireSameState(t, store, fresh)
	requireAudits(t, store)
	requireName(t, store, chain)
}
