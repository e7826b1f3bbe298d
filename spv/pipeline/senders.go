package pipeline

import (
	"context"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv"
)

// exactSenders returns the exact-mode lookup of spent scripts for the
// transactions of block that ops.ScanBlock asks about: those whose last
// nulldata output carries the magic, a handful per block. Each input's
// previous transaction is taken from the block itself when an earlier
// transaction created it, and from src otherwise. Asking only for the
// candidates is what keeps exact mode usable on mainnet, where a block has
// thousands of inputs and a few operations.
func exactSenders(src spv.TxSource, block *wire.MsgBlock) ops.SpentScriptsFunc {
	var inBlock map[chainhash.Hash]int
	return func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error) {
		if inBlock == nil {
			inBlock = make(map[chainhash.Hash]int, len(block.Transactions))
			for i, t := range block.Transactions {
				inBlock[t.TxHash()] = i
			}
		}
		scripts := make([][]byte, len(tx.TxIn))
		for j, in := range tx.TxIn {
			prev := in.PreviousOutPoint
			var ptx *wire.MsgTx
			if i, ok := inBlock[prev.Hash]; ok && i < txIndex {
				ptx = block.Transactions[i]
			} else {
				var err error
				if ptx, err = src.GetRawTransaction(ctx, prev.Hash); err != nil {
					return nil, newError(ErrSenders, err, "previous transaction %s of input %d of %s", prev.Hash, j, tx.TxHash())
				}
				if got := ptx.TxHash(); got != prev.Hash {
					return nil, newError(ErrSenders, nil, "asked for transaction %s, got %s", prev.Hash, got)
				}
			}
			if int(prev.Index) >= len(ptx.TxOut) {
				return nil, newError(ErrSenders, nil, "input %d of %s spends %v, which does not exist", j, tx.TxHash(), prev)
			}
			scripts[j] = ptx.TxOut[prev.Index].PkScript
		}
		return scripts, nil
	}
}
