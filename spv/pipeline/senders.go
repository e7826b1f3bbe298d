package pipeline

import (
	"context"

	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv"
)

// exactSenders returns the exact-mode lookup of spent scripts for the
// transactions of block that ops.ScanBlock asks about: only those whose
// last nulldata output carries the magic, a handful per block, which is
// what keeps exact mode usable on mainnet. spv.SpentOutputs takes previous
// transactions from the block itself when an earlier transaction created
// them and from the node otherwise, with a cache; failures become ErrSenders.
func exactSenders(spent *spv.SpentOutputs, block *wire.MsgBlock) ops.SpentScriptsFunc {
	lookup := spent.ScriptsFunc(block)
	return func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error) {
		scripts, err := lookup(ctx, txIndex, tx)
		if err != nil {
			return nil, newError(ErrSenders, err, "spent outputs of %s", tx.TxHash())
		}
		return scripts, nil
	}
}
