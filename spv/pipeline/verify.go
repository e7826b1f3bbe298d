package pipeline

import (
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/spvcheck/spvcheck/spv"
)

// checkBlock is spvcheck's own check of a delivered block, made before ops
// sees it, whatever the source checked already (neutrino does most of
// this; a Source the caller supplies may do none of it). The block must be
// the one the verified header names and its transactions the ones the
// header commits to:
//   - its header hashes to the event's hash (the header store's block at
//     that height);
//   - its transactions' Merkle root is the header's;
//   - no txid repeats (CVE-2012-2459: repeating the last transactions
//     keeps the Merkle root, so the root alone does not show it);
//   - exactly one coinbase, first;
//   - its witness data matches the coinbase's witness commitment, and a
//     block without a commitment carries no witness data.
//
// The checks use btcd's blockchain helpers.
func checkBlock(e *spv.BlockEvent) error {
	msg := e.Block.MsgBlock()
	if got := msg.BlockHash(); got != e.Hash {
		return newError(ErrBadBlock, nil, "block at height %d hashes to %s, not to the verified header's %s",
			e.Height, got, e.Hash)
	}
	txs := e.Block.Transactions()
	if len(txs) == 0 {
		return newError(ErrBadBlock, nil, "block %s at height %d has no transactions", e.Hash, e.Height)
	}
	seen := make(map[chainhash.Hash]int, len(txs))
	for i, tx := range txs {
		if first, dup := seen[*tx.Hash()]; dup {
			return newError(ErrBadBlock, nil, "block %s at height %d repeats transaction %s (at %d and %d)",
				e.Hash, e.Height, tx.Hash(), first, i)
		}
		seen[*tx.Hash()] = i
		if coinbase := blockchain.IsCoinBase(tx); coinbase != (i == 0) {
			what := "its first transaction is not a coinbase"
			if i > 0 {
				what = "it has a second coinbase"
			}
			return newError(ErrBadBlock, nil, "block %s at height %d: %s (transaction %d, %s)",
				e.Hash, e.Height, what, i, tx.Hash())
		}
	}
	if root := blockchain.CalcMerkleRoot(txs, false); root != msg.Header.MerkleRoot {
		return newError(ErrBadBlock, nil, "block %s at height %d: its transactions' Merkle root %s is not the header's %s",
			e.Hash, e.Height, root, msg.Header.MerkleRoot)
	}
	if err := blockchain.ValidateWitnessCommitment(e.Block); err != nil {
		return newError(ErrBadBlock, err, "block %s at height %d: witness data", e.Hash, e.Height)
	}
	return nil
}
