package spv

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// countingSource counts lookups that reach the node.
type countingSource struct {
	TxSource
	calls atomic.Int32
}

func (s *countingSource) GetRawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	s.calls.Add(1)
	return s.TxSource.GetRawTransaction(ctx, txid)
}

func TestSpentOutputsExact(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	node := startNode(t, regtest.Options{})
	w := regtest.NewWallet(node.Params(), regtest.DefaultSeed)
	mine(t, node, 101)
	require.NoError(t, w.Sync(ctx, node))

	// Two transactions in one block; the second spends the first's
	// output, so its prevout is found inside the block.
	fund, err := w.Fund(ctx, node, 0, []int{1}, 1e8)
	require.NoError(t, err)
	spend, err := w.Fund(ctx, node, 1, []int{2}, 1e7)
	require.NoError(t, err)
	hashes, err := node.Generate(ctx, 1)
	require.NoError(t, err)
	block, err := node.GetBlock(ctx, hashes[0])
	require.NoError(t, err)
	require.Len(t, block.Transactions, 3)

	src := &countingSource{TxSource: node.RPCClient}
	so := NewSpentOutputs(src, 0)
	spent, err := so.ForBlock(ctx, block)
	require.NoError(t, err)
	require.Len(t, spent, 3)
	require.Nil(t, spent[0], "coinbase spends nothing")

	byID := map[chainhash.Hash][]*wire.TxOut{}
	for i, tx := range block.Transactions {
		byID[tx.TxHash()] = spent[i]
	}
	fundSpent := byID[fund.TxHash()]
	require.Len(t, fundSpent, len(fund.TxIn))
	for _, out := range fundSpent {
		require.Equal(t, w.Key(0).PkScript, out.PkScript) // a coinbase paying key 0
		require.Equal(t, int64(50e8), out.Value)
	}
	spendSpent := byID[spend.TxHash()]
	require.Len(t, spendSpent, 1)
	require.Equal(t, w.Key(1).PkScript, spendSpent[0].PkScript)
	require.Equal(t, int64(1e8), spendSpent[0].Value)
	require.Equal(t, int32(len(fund.TxIn)), src.calls.Load(), "only out-of-block prevouts reach the node")

	// A second pass is served from the cache.
	_, err = so.ForBlock(ctx, block)
	require.NoError(t, err)
	require.Equal(t, int32(len(fund.TxIn)), src.calls.Load())

	// ScriptsFunc asks the node only about the transaction it is given.
	src2 := &countingSource{TxSource: node.RPCClient}
	lookup := NewSpentOutputs(src2, 0).ScriptsFunc(block)
	spendIndex := 1
	if block.Transactions[2].TxHash() == spend.TxHash() {
		spendIndex = 2
	}
	scripts, err := lookup(ctx, spendIndex, spend)
	require.NoError(t, err)
	require.Equal(t, [][]byte{w.Key(1).PkScript}, scripts)
	require.Zero(t, src2.calls.Load(), "an in-block prevout needs no RPC")
	_, err = lookup(ctx, 0, spend)
	require.ErrorIs(t, err, ErrSpentOutput)

	// A prevout the node does not know is a typed error.
	bogus := wire.NewMsgBlock(&block.Header)
	require.NoError(t, bogus.AddTransaction(block.Transactions[0]))
	tx := wire.NewMsgTx(wire.TxVersion)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{7}, Index: 0}, nil, nil))
	require.NoError(t, bogus.AddTransaction(tx))
	_, err = so.ForBlock(ctx, bogus)
	require.ErrorIs(t, err, ErrSpentOutput)
	require.ErrorIs(t, err, regtest.ErrRPCServer)
}

func TestSpentOutputsCacheBound(t *testing.T) {
	txs := map[chainhash.Hash]*wire.MsgTx{}
	var ids []chainhash.Hash
	for i := range 5 {
		tx := wire.NewMsgTx(wire.TxVersion)
		tx.AddTxOut(&wire.TxOut{Value: int64(i)})
		txs[tx.TxHash()] = tx
		ids = append(ids, tx.TxHash())
	}
	src := &countingSource{TxSource: mapSource(txs)}
	so := NewSpentOutputs(src, 2)
	for _, id := range ids {
		_, err := so.tx(context.Background(), id)
		require.NoError(t, err)
	}
	require.Len(t, so.cache, 2)
	require.Contains(t, so.cache, ids[4])
	require.NotContains(t, so.cache, ids[0])
}

type mapSource map[chainhash.Hash]*wire.MsgTx

func (m mapSource) GetRawTransaction(_ context.Context, id chainhash.Hash) (*wire.MsgTx, error) {
	return m[id], nil
}
