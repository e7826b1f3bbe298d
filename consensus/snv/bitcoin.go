package snv

import (
	"bytes"
	"math/big"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// BitcoinResult is what valid Bitcoin evidence establishes.
type BitcoinResult struct {
	// BlockHash is the target block's hash; Txid the operation's
	// transaction.
	BlockHash chainhash.Hash
	Txid      chainhash.Hash
	// Confirmations is the number of linked headers proven, the target's
	// included.
	Confirmations int
	// Work is the summed expected work of those headers.
	Work *big.Int
}

// verifyBitcoin checks the evidence against the authenticated records:
// the transaction is a selected operation's, it is in the target header's
// Merkle tree, and every header meets its own target and links to the one
// before it.
func verifyBitcoin(ev *BitcoinEvidence, res *Result, height uint64, powLimit *big.Int) (*BitcoinResult, error) {
	locate := func(code ErrorCode, index int, format string, args ...any) *Error {
		e := newError(code, format, args...)
		e.Height, e.Index = height, index
		return e
	}
	if len(ev.Tx) == 64 {
		return nil, locate(ErrTxMalformed, -1, "64-byte transactions are ambiguous with Merkle nodes")
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(ev.Tx)); err != nil {
		e := locate(ErrTxMalformed, -1, "evidence transaction does not decode")
		e.Err = err
		return nil, e
	}
	var again bytes.Buffer
	if err := tx.Serialize(&again); err != nil || !bytes.Equal(again.Bytes(), ev.Tx) {
		return nil, locate(ErrTxMalformed, -1, "evidence transaction is not canonically encoded")
	}
	txid := tx.TxHash()
	matched := false
	for _, i := range res.Selected {
		if v, ok := res.Records[i].Field("txid"); ok && v == txid.String() {
			matched = true
		}
	}
	if !matched {
		e := locate(ErrTxidMismatch, -1, "evidence transaction is not a selected operation's")
		e.Got = txid.String()
		if op := res.Op(); op != nil {
			e.Expected, _ = op.Field("txid")
		}
		return nil, e
	}

	if len(ev.Branch) > MaxBranch || (len(ev.Branch) < 32 && ev.TxIndex>>uint(len(ev.Branch)) != 0) {
		return nil, locate(ErrMerkleBranch, int(ev.TxIndex), "index %d out of range for a branch of %d", ev.TxIndex, len(ev.Branch))
	}
	node := txid
	for level, sibling := range ev.Branch {
		s := chainhash.Hash(sibling)
		if ev.TxIndex>>uint(level)&1 == 1 {
			node = blockchain.HashMerkleBranches(&s, &node)
		} else {
			node = blockchain.HashMerkleBranches(&node, &s)
		}
	}
	var header wire.BlockHeader
	if err := header.Deserialize(bytes.NewReader(ev.Header[:])); err != nil {
		return nil, locate(ErrMerkleBranch, 0, "header does not decode: %v", err)
	}
	if node != header.MerkleRoot {
		e := locate(ErrMerkleBranch, int(ev.TxIndex), "branch does not lead to the header's Merkle root")
		e.Expected, e.Got = header.MerkleRoot.String(), node.String()
		return nil, e
	}

	out := &BitcoinResult{Txid: txid, Work: new(big.Int)}
	prev := chainhash.Hash{}
	for i := -1; i < len(ev.Headers); i++ {
		h := header
		if i >= 0 {
			if err := h.Deserialize(bytes.NewReader(ev.Headers[i][:])); err != nil {
				return nil, locate(ErrHeaderLink, i+1, "header does not decode: %v", err)
			}
			if h.PrevBlock != prev {
				e := locate(ErrHeaderLink, i+1, "header %d does not follow the one before", i+1)
				e.Expected, e.Got = prev.String(), h.PrevBlock.String()
				return nil, e
			}
		}
		hash := h.BlockHash()
		if err := checkProofOfWork(&h, &hash, powLimit); err != nil {
			e := locate(ErrProofOfWork, i+1, "header %d: %s", i+1, err.Description)
			e.Expected, e.Got = err.Expected, err.Got
			return nil, e
		}
		if i < 0 {
			out.BlockHash = hash
		}
		out.Work.Add(out.Work, blockchain.CalcWork(h.Bits))
		prev = hash
	}
	out.Confirmations = 1 + len(ev.Headers)
	return out, nil
}

// checkProofOfWork is btcd's header rule: the compact target is positive
// and within the network limit, and the hash, as a number, is at most it.
func checkProofOfWork(h *wire.BlockHeader, hash *chainhash.Hash, powLimit *big.Int) *Error {
	target := blockchain.CompactToBig(h.Bits)
	if target.Sign() <= 0 || target.Cmp(powLimit) > 0 {
		return &Error{Description: "target bits out of range", Got: "bits " + itoa(uint64(h.Bits))}
	}
	if blockchain.HashToBig(hash).Cmp(target) > 0 {
		return &Error{Description: "hash above target", Expected: "<= " + target.Text(16), Got: hash.String()}
	}
	return nil
}

// merkleBranch returns the sibling hashes from transaction index up to the
// root of btcd's Merkle tree store over the block's transactions.
func merkleBranch(block *wire.MsgBlock, index int) [][32]byte {
	txs := make([]*btcutil.Tx, len(block.Transactions))
	for i, t := range block.Transactions {
		txs[i] = btcutil.NewTx(t)
	}
	store := blockchain.BuildMerkleTreeStore(txs, false)
	var branch [][32]byte
	width := (len(store) + 1) / 2 // leaves: the next power of two
	offset := 0
	for width > 1 {
		sib := index ^ 1
		node := store[offset+sib]
		if node == nil { // an odd level: the node pairs with itself
			node = store[offset+index]
		}
		branch = append(branch, *node)
		offset += width
		width /= 2
		index /= 2
	}
	return branch
}
