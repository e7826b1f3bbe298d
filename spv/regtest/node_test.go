package regtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/stretchr/testify/require"
)

func startNode(t *testing.T, opts Options) *Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

func TestStartStopLeavesNothing(t *testing.T) {
	n := startNode(t, Options{})
	pid, dir := n.Pid(), n.rootDir
	require.True(t, processAlive(pid))
	// HOME is redirected, so btcd's ~/.btcd lands inside the node dir.
	_, err := os.Stat(filepath.Join(dir, "home"))
	require.NoError(t, err)

	h, err := n.GetBlockCount(context.Background())
	require.NoError(t, err)
	require.Equal(t, int32(0), h)

	start := time.Now()
	require.NoError(t, n.Stop())
	require.Less(t, time.Since(start), stopGrace+time.Second)
	require.False(t, processAlive(pid), "btcd still running after Stop")
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "node directory left behind")
	require.NoError(t, n.Stop(), "second Stop")

	_, err = n.GetBlockCount(context.Background())
	require.ErrorIs(t, err, ErrRPCTransport)
}

func TestKillThenStop(t *testing.T) {
	n := startNode(t, Options{})
	pid := n.Pid()
	n.Kill()
	require.False(t, processAlive(pid))
	select {
	case <-n.Done():
	default:
		t.Fatal("Done not closed after Kill")
	}
	require.NoError(t, n.Stop())
}

func TestStartFailsClearly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// An option btcd refuses makes it exit during start.
	_, err := Start(ctx, Options{ExtraArgs: []string{"--no-such-flag"}})
	require.ErrorIs(t, err, ErrNodeExited)
	// A binary that does not exist.
	_, err = Start(ctx, Options{BtcdPath: filepath.Join(t.TempDir(), "missing")})
	require.ErrorIs(t, err, ErrStartFailed)
}

func TestRPCChainMethods(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t, Options{})
	hashes, err := n.Generate(ctx, 5)
	require.NoError(t, err)
	require.Len(t, hashes, 5)

	best, height, err := n.GetBestBlock(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(5), height)
	require.Equal(t, hashes[4], best)

	for i, want := range hashes {
		got, err := n.GetBlockHash(ctx, int32(i+1))
		require.NoError(t, err)
		require.Equal(t, want, got)
		b, err := n.GetBlock(ctx, want)
		require.NoError(t, err)
		require.Equal(t, want, b.BlockHash())
		if i > 0 {
			require.Equal(t, hashes[i-1], b.Header.PrevBlock)
		}
		// The coinbase pays the default mining address.
		require.Equal(t, NewWallet(n.Params(), DefaultSeed).Key(0).PkScript, b.Transactions[0].TxOut[0].PkScript)
		tx, err := n.GetRawTransaction(ctx, b.Transactions[0].TxHash())
		require.NoError(t, err)
		require.Equal(t, b.Transactions[0].TxHash(), tx.TxHash())
	}

	// Fork: invalidate the last two blocks, mine three on the parent.
	require.NoError(t, n.InvalidateBlock(ctx, hashes[3]))
	_, height, err = n.GetBestBlock(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(3), height)
	fork, err := n.Generate(ctx, 3)
	require.NoError(t, err)
	got, err := n.GetBlockHash(ctx, 4)
	require.NoError(t, err)
	require.Equal(t, fork[0], got)
	require.NotEqual(t, hashes[3], got)
	require.NoError(t, n.ReconsiderBlock(ctx, hashes[3]))

	// A server error carries the node's code.
	_, err = n.GetBlockHash(ctx, 1000)
	require.ErrorIs(t, err, ErrRPCServer)
	var rpcErr *RPCError
	require.ErrorAs(t, err, &rpcErr)
	require.NotZero(t, rpcErr.Code)
}

func TestWalletFundsAndSpends(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t, Options{})
	w := NewWallet(n.Params(), DefaultSeed)
	_, err := n.Generate(ctx, 101)
	require.NoError(t, err)
	require.NoError(t, w.Sync(ctx, n))
	// The next block (102) may spend coinbases of heights 1 and 2 only.
	require.Len(t, w.UTXOs(0, 101), 2)
	require.Equal(t, int64(100e8), w.Balance(0, 101))
	require.Len(t, w.UTXOs(0, 100), 1)

	fund, err := w.Fund(ctx, n, 0, []int{1, 2}, 1e8)
	require.NoError(t, err)
	require.Equal(t, w.Key(0).PkScript, fund.TxOut[2].PkScript)
	// Unconfirmed outputs can be spent in a chain of transactions.
	require.Equal(t, int64(1e8), w.Balance(1, 101))

	// A template with an OP_RETURN and an explicit change slot, sent from
	// key 1: input 0 must belong to key 1.
	nullData, err := txscript.NullDataScript([]byte("id?test"))
	require.NoError(t, err)
	tmpl := Template{
		Outputs: []*wire.TxOut{
			{Value: 0, PkScript: nullData},
			{Value: 0, PkScript: nil}, // change back to the sender
			{Value: 5500, PkScript: w.Key(3).PkScript},
		},
		ChangeIndex: 1,
	}
	tx, err := w.Send(ctx, n, 1, tmpl, DefaultFeeRate)
	require.NoError(t, err)
	require.Equal(t, fund.TxHash(), tx.TxIn[0].PreviousOutPoint.Hash)
	require.Equal(t, w.Key(1).PkScript, tx.TxOut[1].PkScript)
	fee := int64(1e8) - tx.TxOut[1].Value - 5500
	require.Greater(t, fee, int64(0))
	require.Less(t, fee, int64(2000))

	_, err = n.Generate(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, w.Sync(ctx, n))
	block, err := n.GetBlock(ctx, mustBest(t, n))
	require.NoError(t, err)
	require.Len(t, block.Transactions, 3)
	require.Equal(t, int64(5500), w.Balance(3, 102))

	// Mainnet policy: a second OP_RETURN output is non-standard.
	bad := Template{Outputs: []*wire.TxOut{{PkScript: nullData}, {PkScript: nullData}, {}}, ChangeIndex: 2}
	_, err = w.Send(ctx, n, 0, bad, DefaultFeeRate)
	require.ErrorIs(t, err, ErrRPCServer)

	// Too much asked of a key.
	_, err = w.Send(ctx, n, 3, Template{Outputs: []*wire.TxOut{{Value: 1e9, PkScript: w.Key(0).PkScript}}, ChangeIndex: -1}, DefaultFeeRate)
	require.ErrorIs(t, err, ErrInsufficientFunds)
	_, err = w.Build(0, Template{Outputs: []*wire.TxOut{{}}, ChangeIndex: 3}, 102, DefaultFeeRate)
	require.ErrorIs(t, err, ErrBadTemplate)
	foreign := UTXO{Value: 1e8, PkScript: NewWallet(n.Params(), "someone else").Key(0).PkScript}
	_, err = w.BuildWith(foreign, 0, Template{Outputs: []*wire.TxOut{{}}, ChangeIndex: 0}, 102, DefaultFeeRate)
	require.ErrorIs(t, err, ErrSigning)

	// Every script kind can be received and spent under mainnet policy.
	kinds := Template{ChangeIndex: int(numScriptKinds)}
	for k := range numScriptKinds {
		kinds.Outputs = append(kinds.Outputs, &wire.TxOut{Value: 1e6, PkScript: w.Key(4).Script(k)})
	}
	kinds.Outputs = append(kinds.Outputs, &wire.TxOut{})
	fundKinds, err := w.Send(ctx, n, 0, kinds, DefaultFeeRate)
	require.NoError(t, err)
	for k := range numScriptKinds {
		coin := UTXO{OutPoint: wire.OutPoint{Hash: fundKinds.TxHash(), Index: uint32(k)}, Value: 1e6,
			PkScript: w.Key(4).Script(k), KeyIndex: 4, Kind: k}
		_, err := w.SendWith(ctx, n, coin, 0, Template{Outputs: []*wire.TxOut{{}}, ChangeIndex: 0}, DefaultFeeRate)
		require.NoError(t, err, "spending %v", k)
	}
	_, err = n.Generate(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, w.Sync(ctx, n))
	require.Empty(t, w.UTXOs(4, 103), "all of key 4's coins were spent")
}

func mustBest(t *testing.T, n *Node) (h [32]byte) {
	t.Helper()
	best, _, err := n.GetBestBlock(context.Background())
	require.NoError(t, err)
	return best
}

func TestErrorsUnwrap(t *testing.T) {
	cause := errors.New("boom")
	err := newError(ErrRPCTransport, cause, "getblock")
	require.ErrorIs(t, err, ErrRPCTransport)
	require.ErrorIs(t, err, cause)
	require.NotErrorIs(t, err, ErrRPCServer)
	require.Equal(t, "getblock: boom", err.Error())
}
