package spv

import (
	"fmt"
	"math/big"
	"sync"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
)

// Trust floor: which verified headers are enough to deliver blocks.
//
// A peer can serve a chain of valid headers of its own making; on a
// network whose difficulty is low (testnet, regtest) that costs little.
// Two rules keep such a chain's blocks from the consumer:
//
//   - Checkpoints (Config.Params.Checkpoints). neutrino refuses headers that
//     contradict a checkpoint, but a chain that simply ends below the next
//     checkpoint contradicts none. The client therefore delivers a block at
//     or below the network's last checkpoint only once the verified header
//     chain reaches a checkpoint at or above it: the block is then an
//     ancestor of a checkpointed block, fixed by the hash chain. btcd's
//     mainnet checkpoints reach 810,000 and testnet3's 2,344,474, above
//     every Blockstack v1 block, so every block a replay reads is covered.
//   - Config.MinChainWork, when set: no block is delivered until the
//     verified header chain holds at least that much work.
//
// When the peers have nothing more to give (synced) and these rules still
// hold blocks back, the peers' chain is refused: Follow and CatchUp fail
// with ErrLowWork.

// trustLimit returns the highest height that may be delivered with header
// tip tip (-1: none) and, when that is below tip, why.
func (c *Client) trustLimit(tip int32) (int32, string, error) {
	limit, why := tip, ""
	if cps := c.cfg.Params.Checkpoints; len(cps) > 0 && tip < cps[len(cps)-1].Height {
		limit = -1
		for _, cp := range cps {
			if cp.Height <= tip {
				limit = cp.Height
			}
		}
		why = fmt.Sprintf("the verified headers end at %d, below the network's last checkpoint at %d; "+
			"blocks above the highest checkpoint they reach (%d) are held back", tip, cps[len(cps)-1].Height, limit)
	}
	if c.cfg.MinChainWork != nil && c.cfg.MinChainWork.Sign() > 0 {
		work, err := c.work.at(c, tip)
		if err != nil {
			return -1, "", err
		}
		if work.Cmp(c.cfg.MinChainWork) < 0 {
			return -1, fmt.Sprintf("the verified headers up to %d hold chain work %#x, below the network's minimum %#x",
				tip, work, c.cfg.MinChainWork), nil
		}
	}
	return limit, why, nil
}

// chainWork caches the total work of the header chain up to a tip, so
// that following the chain adds only the new headers' work.
type chainWork struct {
	mu     sync.Mutex
	height int32
	hash   chainhash.Hash
	work   *big.Int
}

// at returns the total work of the header store's chain from genesis to
// height tip.
func (w *chainWork) at(c *Client, tip int32) (*big.Int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	from, total := int32(0), new(big.Int)
	if w.work != nil && w.height <= tip {
		if h, err := c.hashAt(w.height); err == nil && h == w.hash {
			from, total = w.height+1, new(big.Int).Set(w.work)
		}
	}
	for h := from; h <= tip; h++ {
		hdr, err := c.cs.BlockHeaders.FetchHeaderByHeight(uint32(h))
		if err != nil {
			return nil, newError(ErrHeaderStore, err, "header at height %d", h)
		}
		total.Add(total, blockchain.CalcWork(hdr.Bits))
		if h == tip {
			w.height, w.hash, w.work = tip, hdr.BlockHash(), new(big.Int).Set(total)
		}
	}
	return total, nil
}
