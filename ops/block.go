package ops

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// SpentScriptsFunc returns the scripts spent by the inputs of the
// transaction at index txIndex of the block being scanned (exact mode, e.g.
// through a node's RPC). It may block; it should honour ctx.
type SpentScriptsFunc func(ctx context.Context, txIndex int, tx *wire.MsgTx) ([][]byte, error)

// Rejection is one transaction that carried the magic and a known opcode
// but was rejected by a rule.
type Rejection struct {
	Vtxindex int
	Txid     string
	Err      error
}

// CodeCount is how many transactions one error code accounted for.
type CodeCount struct {
	Code  ErrorCode
	Count int
}

// ScanStats summarises one block scan.
type ScanStats struct {
	// Transactions is the number of transactions in the block.
	Transactions int
	// Candidates passed the pre-filter: their last nulldata output starts
	// with the magic bytes.
	Candidates int
	// Decoded is the number of operations returned.
	Decoded int
	// Ignored candidates turned out not to be operations (no opcode,
	// unknown opcode).
	Ignored int
	// Rejected candidates were operations refused by a rule; ByCode breaks
	// Ignored and Rejected down by error code, in code order.
	Rejected int
	ByCode   []CodeCount
	// LightMode is true when senders were derived with LightSpentScripts.
	LightMode bool
	// SignatureDecided counts candidates (light mode) in which some input
	// was judged p2pk/bare multisig only because its last push parses as a
	// signature; SignatureDecidedTxids lists them in block order.
	SignatureDecided      int
	SignatureDecidedTxids []string
}

func (s *ScanStats) count(c ErrorCode) {
	for i := range s.ByCode {
		if s.ByCode[i].Code == c {
			s.ByCode[i].Count++
			return
		}
	}
	i := 0
	for i < len(s.ByCode) && s.ByCode[i].Code < c {
		i++
	}
	s.ByCode = append(s.ByCode, CodeCount{})
	copy(s.ByCode[i+1:], s.ByCode[i:])
	s.ByCode[i] = CodeCount{Code: c, Count: 1}
}

// BlockScan is the result of ScanBlock.
type BlockScan struct {
	// Ops are the block's operations in transaction (vtxindex) order.
	Ops        []*Op
	Rejections []Rejection
	Stats      ScanStats
}

// ScanBlock decodes every operation of a block at a height. dc gives the
// network, height and features (its Vtxindex is ignored: each transaction's
// index in the block is used). A cheap pre-filter skips every transaction
// whose last nulldata output does not start with the magic bytes; only the
// others are decoded. Senders come from spent when it is non-nil (exact
// mode) and from LightSpentScripts otherwise (light mode).
//
// A block in which a transaction carrying the magic appears twice (same
// txid) is refused with ErrDuplicateTxid: a Merkle tree whose last
// transactions are repeated keeps the block's root and hash
// (CVE-2012-2459), and decoding it would yield the same operation twice.
// Only candidate transactions are hashed for this check, so blocks without
// operations cost nothing more; repeats among the others cannot change
// the result. Callers that take blocks from untrusted sources check the
// whole block first (Merkle root against the header, every txid), as the
// sync pipeline does.
//
// The error is non-nil only when ctx ends, spent fails or a candidate
// repeats; rejected operations are reported in the result, not as errors.
func ScanBlock(ctx context.Context, block *wire.MsgBlock, dc DecodeContext, spent SpentScriptsFunc) (*BlockScan, error) {
	res := &BlockScan{}
	res.Stats.Transactions = len(block.Transactions)
	res.Stats.LightMode = spent == nil
	kv := newKeyValidator()
	var seen map[chainhash.Hash]int // candidates' txids → index
	for i, tx := range block.Transactions {
		if !lastNullDataHasMagic(tx, dc.Network.Magic) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		txid := tx.TxHash()
		if first, dup := seen[txid]; dup {
			return nil, newError(ErrDuplicateTxid, "", "transactions %d and %d of the block are the same transaction %s", first, i, txid)
		}
		if seen == nil {
			seen = make(map[chainhash.Hash]int)
		}
		seen[txid] = i
		res.Stats.Candidates++
		tdc := dc
		tdc.Vtxindex = i
		var op *Op
		var err error
		if spent != nil {
			scripts, serr := spent(ctx, i, tx)
			if serr != nil {
				return nil, fmt.Errorf("spent scripts of tx %d: %w", i, serr)
			}
			op, err = decode(tx, scripts, tdc, kv)
		} else {
			var l *LightSpends
			op, l, err = decodeLight(tx, tdc, kv)
			if l.DecidedBySignature() {
				res.Stats.SignatureDecided++
				res.Stats.SignatureDecidedTxids = append(res.Stats.SignatureDecidedTxids, txid.String())
			}
		}
		if err != nil {
			c, _ := CodeOf(err)
			res.Stats.count(c)
			if c.Ignored() {
				res.Stats.Ignored++
				continue
			}
			res.Stats.Rejected++
			res.Rejections = append(res.Rejections, Rejection{Vtxindex: i, Txid: txid.String(), Err: err})
			continue
		}
		res.Ops = append(res.Ops, op)
		res.Stats.Decoded++
	}
	return res, nil
}
