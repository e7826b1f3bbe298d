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
// its inputs spend, in input order. The coinbase's entry is nil.
func (s *SpentOutputs) ForBlock(ctx context.Context, block *wire.MsgBlock) ([][]*wire.TxOut, error) {
	inBlock := make(map[chainhash.Hash]*wire.MsgTx, len(block.Transactions))
	out := make([][]*wire.TxOut, len(block.Transactions))
	for i, tx := range block.Transactions {
		if i > 0 || !blockchain.IsCoinBaseTx(tx) {
			spent := make([]*wire.TxOut, len(tx.TxIn))
			for j, in := range tx.TxIn {
				prev := in.PreviousOutPoint
				ptx, ok := inBlock[prev.Hash]
				if !ok {
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
			out[i] = spent
		}
		inBlock[tx.TxHash()] = tx
	}
	return out, nil
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

// ScriptsFunc returns a lookup of the scripts spent by each transaction of
// block, by its index in the block: the shape of ops.SpentScriptsFunc, so
// exact mode plugs into ops.ScanBlock without this package importing ops.
// The block's prevouts are fetched on the first call.
func (s *SpentOutputs) ScriptsFunc(block *wire.MsgBlock) func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error) {
	var (
		once  sync.Once
		spent [][]*wire.TxOut
		err   error
	)
	return func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error) {
		once.Do(func() { spent, err = s.ForBlock(ctx, block) })
		if err != nil {
			return nil, err
		}
		if txIndex < 0 || txIndex >= len(spent) || block.Transactions[txIndex].TxHash() != tx.TxHash() {
			return nil, newError(ErrSpentOutput, nil, "transaction %s is not at index %d of the block", tx.TxHash(), txIndex)
		}
		scripts := make([][]byte, len(spent[txIndex]))
		for i, out := range spent[txIndex] {
			scripts[i] = out.PkScript
		}
		return scripts, nil
	}
}
