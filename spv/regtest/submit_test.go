package regtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/stretchr/testify/require"
)

// handBlock builds a block on prev whose coinbase pays script, solved for
// regtest's minimum difficulty.
func handBlock(t *testing.T, prev *wire.BlockHeader, prevHash chainhash.Hash, height int32, script []byte) *wire.MsgBlock {
	t.Helper()
	sig, err := txscript.NewScriptBuilder().AddInt64(int64(height)).AddData([]byte("submit test")).Script()
	require.NoError(t, err)
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum})
	cb.AddTxOut(&wire.TxOut{Value: 50e8, PkScript: script})
	b := wire.NewMsgBlock(&wire.BlockHeader{
		Version: 0x20000000, PrevBlock: prevHash, Bits: prev.Bits,
		Timestamp: prev.Timestamp.Add(time.Second),
	})
	require.NoError(t, b.AddTransaction(cb))
	b.Header.MerkleRoot = blockchain.CalcMerkleRoot([]*btcutil.Tx{btcutil.NewTx(cb)}, false)
	target := blockchain.CompactToBig(b.Header.Bits)
	for blockchain.HashToBig(ptr(b.Header.BlockHash())).Cmp(target) > 0 {
		b.Header.Nonce++
	}
	return b
}

func ptr(h chainhash.Hash) *chainhash.Hash { return &h }

// A block built by hand is connected by SubmitBlock, and its coinbase is
// exactly what we wrote; a block with a wrong merkle root is refused with
// the node's reason.
func TestSubmitBlock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t, Options{})
	genesis := n.Params().GenesisBlock.Header
	script := NewWallet(n.Params(), "submit test").Key(0).PkScript

	bad := handBlock(t, &genesis, *n.Params().GenesisHash, 1, script)
	bad.Header.MerkleRoot[0] ^= 1
	for blockchain.HashToBig(ptr(bad.Header.BlockHash())).Cmp(blockchain.CompactToBig(bad.Header.Bits)) > 0 {
		bad.Header.Nonce++
	}
	err := n.SubmitBlock(ctx, bad)
	require.ErrorIs(t, err, ErrRPCServer)
	var rpcErr *RPCError
	require.True(t, errors.As(err, &rpcErr))
	require.Equal(t, rpcErrVerify, rpcErr.Code)
	require.Contains(t, rpcErr.Message, "merkle")

	good := handBlock(t, &genesis, *n.Params().GenesisHash, 1, script)
	require.NoError(t, n.SubmitBlock(ctx, good))
	hash, height, err := n.GetBestBlock(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(1), height)
	require.Equal(t, good.BlockHash(), hash)
	got, err := n.GetBlock(ctx, hash)
	require.NoError(t, err)
	require.Equal(t, good.Transactions[0].TxHash(), got.Transactions[0].TxHash())
}
