package pipeline

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/stretchr/testify/require"
)

// txMap is a TxSource over a map, failing for unknown ids.
type txMap map[chainhash.Hash]*wire.MsgTx

// testError is an error constant.
type testError string

func (e testError) Error() string { return string(e) }

const errUnknownTx = testError("unknown transaction")

func (m txMap) GetRawTransaction(_ context.Context, id chainhash.Hash) (*wire.MsgTx, error) {
	if tx, ok := m[id]; ok {
		return tx, nil
	}
	return nil, errUnknownTx
}

// lying returns the same transaction whatever is asked.
type lying struct{ tx *wire.MsgTx }

func (l lying) GetRawTransaction(context.Context, chainhash.Hash) (*wire.MsgTx, error) {
	return l.tx, nil
}

func txPaying(scripts ...[]byte) *wire.MsgTx {
	tx := wire.NewMsgTx(wire.TxVersion)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: 7}, nil, nil))
	for _, s := range scripts {
		tx.AddTxOut(wire.NewTxOut(1000, s))
	}
	return tx
}

func spending(prev ...wire.OutPoint) *wire.MsgTx {
	tx := wire.NewMsgTx(wire.TxVersion)
	for i := range prev {
		tx.AddTxIn(wire.NewTxIn(&prev[i], nil, nil))
	}
	tx.AddTxOut(wire.NewTxOut(1, []byte{0x6a}))
	return tx
}

// Exact senders come from the block for outputs created earlier in it and
// from the node otherwise; every failure is ErrSenders.
func TestExactSenders(t *testing.T) {
	ctx := context.Background()
	outside := txPaying([]byte{1}, []byte{2})
	inBlock := txPaying([]byte{3})
	spender := spending(wire.OutPoint{Hash: outside.TxHash(), Index: 1}, wire.OutPoint{Hash: inBlock.TxHash()})
	block := &wire.MsgBlock{Transactions: []*wire.MsgTx{txPaying(), inBlock, spender}}

	spent := func(src spv.TxSource) *spv.SpentOutputs { return spv.NewSpentOutputs(src, 0) }
	got, err := exactSenders(spent(txMap{outside.TxHash(): outside}), block)(ctx, 2, spender)
	require.NoError(t, err)
	require.Equal(t, [][]byte{{2}, {3}}, got)

	// A transaction later in the block is not a source of earlier spends.
	early := &wire.MsgBlock{Transactions: []*wire.MsgTx{txPaying(), spender, inBlock}}
	_, err = exactSenders(spent(txMap{outside.TxHash(): outside}), early)(ctx, 1, spender)
	require.ErrorIs(t, err, ErrSenders)
	require.ErrorIs(t, err, errUnknownTx)

	_, err = exactSenders(spent(lying{inBlock}), block)(ctx, 2, spender)
	require.ErrorIs(t, err, ErrSenders, "a node answering with another transaction")

	bad := spending(wire.OutPoint{Hash: outside.TxHash(), Index: 5})
	badBlock := &wire.MsgBlock{Transactions: []*wire.MsgTx{txPaying(), inBlock, bad}}
	_, err = exactSenders(spent(txMap{outside.TxHash(): outside}), badBlock)(ctx, 2, bad)
	require.ErrorIs(t, err, ErrSenders, "an output index past the transaction's outputs")
}
