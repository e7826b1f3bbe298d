package spv

import (
	"context"
	"sync"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TxSource returns a transaction by id; a full node's getrawtransaction
// (with a transaction index) is one. *regtest.RPCClient implements it.
type TxSource interface {
	GetRawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error)
}

// DefaultSpentCacheSize is how many transactions SpentOutputs keeps.
const DefaultSpentCacheSize = 4096

// SpentOutputs is the exact mode for operation senders. A light client
// sees each input's scriptSig but not the output it spends, and Blockstack
// takes an operation's sender from the script of the output spent by
// input 0 (and ignores transactions spending anything but p2pkh or p2sh).
// Deriving that script from the scriptSig is right for standard spends
// only; SpentOutputs instead asks a node for every previous transaction,
// so the light derivation can be checked against it.
//
// Transactions are cached (most recent DefaultSpentCacheSize by insertion),
// and outputs created earlier in the same block are found in the block
// itself. It is safe for concurrent use.
type SpentOutputs struct {
	src TxSource

	mu    sync.Mutex
	cache map[chainhash.Hash]*wire.MsgTx
	order []chainhash.Hash // insertion order, for eviction
	limit int
}

// NewSpentOutputs returns an exact-mode lookup over src keeping up to
// cacheSize transactions (DefaultSpentCacheSize if cacheSize ≤ 0).
func NewSpentOutputs(src TxSource, cacheSize int) *SpentOutputs {
	if cacheSize <= 0 {
		cacheSize = DefaultSpentCacheSize
	}
	return &SpentOutputs{src: src, cache: make(map[chainhash.Hash]*wire.MsgTx), limit: cacheSize}
}

// ForBlock returns, for every transaction of block in order, the outputs
// its inputs spend, in input order. The coinbase's entry is nil. It asks
// the node about every input of the block; ScriptsFunc asks only about the
// transactions a decoder is interested in.
func (s *SpentOutputs) ForBlock(ctx context.Context, block *wire.MsgBlock) ([][]*wire.TxOut, error) {
	idx := indexBlock(block)
	out := make([][]*wire.TxOut, len(block.Transactions))
	for i, tx := range block.Transactions {
		if i == 0 && blockchain.IsCoinBaseTx(tx) {
			continue
		}
		spent, err := s.spentBy(ctx, block, idx, i, tx)
		if err != nil {
			return nil, err
		}
		out[i] = spent
	}
	return out, nil
}

// indexBlock maps each transaction id of block to its index.
func indexBlock(block *wire.MsgBlock) map[chainhash.Hash]int {
	idx := make(map[chainhash.Hash]int, len(block.Transactions))
	for i, tx := range block.Transactions {
		idx[tx.TxHash()] = i
	}
	return idx
}

// spentBy returns the outputs spent by the inputs of tx, the transaction at
// txIndex of block. Outputs created by earlier transactions of the block are
// read from the block; the rest come from the cache or the node.
func (s *SpentOutputs) spentBy(ctx context.Context, block *wire.MsgBlock, idx map[chainhash.Hash]int, txIndex int, tx *wire.MsgTx) ([]*wire.TxOut, error) {
	spent := make([]*wire.TxOut, len(tx.TxIn))
	for j, in := range tx.TxIn {
		prev := in.PreviousOutPoint
		var ptx *wire.MsgTx
		if i, ok := idx[prev.Hash]; ok && i < txIndex {
			ptx = block.Transactions[i]
		} else {
			var err error
			if ptx, err = s.tx(ctx, prev.Hash); err != nil {
				return nil, err
			}
		}
		if int(prev.Index) >= len(ptx.TxOut) {
			return nil, newError(ErrSpentOutput, nil, "input %d of %s spends %v, which does not exist",
				j, tx.TxHash(), prev)
		}
		spent[j] = ptx.TxOut[prev.Index]
	}
	return spent, nil
}

func (s *SpentOutputs) tx(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	s.mu.Lock()
	tx, ok := s.cache[txid]
	s.mu.Unlock()
	if ok {
		return tx, nil
	}
	tx, err := s.src.GetRawTransaction(ctx, txid)
	if err != nil {
		return nil, newError(ErrSpentOutput, err, "previous transaction %s", txid)
	}
	if got := tx.TxHash(); got != txid {
		return nil, newError(ErrSpentOutput, nil, "node returned transaction %s for %s", got, txid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[txid]; !ok {
		if len(s.order) >= s.limit {
			delete(s.cache, s.order[0])
			s.order = s.order[1:]
		}
		s.cache[txid] = tx
		s.order = append(s.order, txid)
	}
	return tx, nil
}

// ScriptsFunc returns a lookup of the scripts spent by a transaction of
// block, given its index in the block: the shape of ops.SpentScriptsFunc,
// so exact mode plugs into ops.ScanBlock without this package importing
// ops. Only the transactions asked about are looked up, which keeps exact
// mode usable on mainnet blocks with thousands of inputs and a few
// operations. The returned function is not safe for concurrent use.
func (s *SpentOutputs) ScriptsFunc(block *wire.MsgBlock) func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error) {
	var idx map[chainhash.Hash]int
	return func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error) {
		if idx == nil {
			idx = indexBlock(block)
		}
		if txIndex < 0 || txIndex >= len(block.Transactions) || block.Transactions[txIndex].TxHash() != tx.TxHash() {
			return nil, newError(ErrSpentOutput, nil, "transaction %s is not at index %d of the block", tx.TxHash(), txIndex)
		}
		spent, err := s.spentBy(ctx, block, idx, txIndex, tx)
		if err != nil {
			return nil, err
		}
		scripts := make([][]byte, len(spent))
		for i, out := range spent {
			scripts[i] = out.PkScript
		}
		return scripts, nil
	}
}
