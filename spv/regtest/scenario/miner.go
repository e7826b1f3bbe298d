package scenario

import (
	"context"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// coinbaseTag marks the coinbases of the blocks a scenario mines.
const coinbaseTag = "spvcheck scenario"

// maxNonceTries bounds the proof-of-work search. Regtest's target accepts
// about every second header, so running out means the node demands a
// difficulty this miner was never meant for.
const maxNonceTries = 1 << 20

// miner builds blocks itself and hands them to the node with submitblock,
// rather than asking the node to generate them: btcd's generator puts a
// random extra nonce into every coinbase (and picks its own transaction
// order), so txids, and with them every consensus hash, would change from
// run to run. Here the coinbase is a function of the height and the payout
// script, and a block holds exactly the transactions given, in that order.
// Only the header's timestamp and nonce vary, and they enter no
// Blockstack hash.
type miner struct {
	node   Node
	params *chaincfg.Params
	payout []byte
	now    func() time.Time

	tip    wire.BlockHeader
	hash   chainhash.Hash
	height int32
}

func newMiner(ctx context.Context, node Node, params *chaincfg.Params, payout []byte, now func() time.Time) (*miner, error) {
	hash, height, err := node.GetBestBlock(ctx)
	if err != nil {
		return nil, err
	}
	block, err := node.GetBlock(ctx, hash)
	if err != nil {
		return nil, err
	}
	return &miner{node: node, params: params, payout: payout, now: now, tip: block.Header, hash: hash, height: height}, nil
}

// mine builds the next block holding txs (in order, after the coinbase),
// solves it, submits it and returns it once the node has connected it.
func (m *miner) mine(ctx context.Context, txs []*wire.MsgTx) (*wire.MsgBlock, error) {
	height := m.height + 1
	sig, err := txscript.NewScriptBuilder().AddInt64(int64(height)).AddData([]byte(coinbaseTag)).Script()
	if err != nil {
		return nil, err
	}
	cb := wire.NewMsgTx(wire.TxVersion)
	cb.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript:  sig,
		Sequence:         wire.MaxTxInSequenceNum,
	})
	cb.AddTxOut(&wire.TxOut{Value: blockchain.CalcBlockSubsidy(height, m.params), PkScript: m.payout})

	// A timestamp after the parent's keeps it above the median of the last
	// eleven; the wall clock keeps the chain looking current to peers.
	ts := m.now().Truncate(time.Second)
	if !ts.After(m.tip.Timestamp) {
		ts = m.tip.Timestamp.Add(time.Second)
	}
	block := wire.NewMsgBlock(&wire.BlockHeader{
		Version:   0x20000000,
		PrevBlock: m.hash,
		Bits:      m.tip.Bits, // regtest never retargets
		Timestamp: ts,
	})
	all := append([]*wire.MsgTx{cb}, txs...)
	utxs := make([]*btcutil.Tx, len(all))
	for i, tx := range all {
		if err := block.AddTransaction(tx); err != nil {
			return nil, err
		}
		utxs[i] = btcutil.NewTx(tx)
	}
	block.Header.MerkleRoot = blockchain.CalcMerkleRoot(utxs, false)
	if err := solve(&block.Header); err != nil {
		return nil, err
	}
	if err := m.node.SubmitBlock(ctx, block); err != nil {
		return nil, err
	}
	m.tip, m.hash, m.height = block.Header, block.BlockHash(), height
	return block, nil
}

func solve(h *wire.BlockHeader) error {
	target := blockchain.CompactToBig(h.Bits)
	for i := 0; i < maxNonceTries; i++ {
		hash := h.BlockHash()
		if blockchain.HashToBig(&hash).Cmp(target) <= 0 {
			return nil
		}
		h.Nonce++
	}
	return errNoSolution
}

type constError string

func (e constError) Error() string { return string(e) }

const errNoSolution = constError("no proof-of-work solution within the nonce budget")
