package snv

import (
	"bytes"
	"context"
	"encoding/hex"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/consensus/digest"
)

// ChainSource is the verified chain a proof is built from: the Pebble
// store of package snapshot, or MemorySource. Hashes are lower-case hex
// strings as package digest writes them.
type ChainSource interface {
	// FirstBlock is the chain's first Blockstack block.
	FirstBlock() (uint64, error)
	// ConsensusHash and OpsHash return a block's hashes.
	ConsensusHash(height uint64) (string, error)
	OpsHash(height uint64) (string, error)
	// Records returns a block's canonical serialized records in
	// transaction order.
	Records(height uint64) ([][]byte, error)
}

// BitcoinSource is the optional part of a source that can supply Bitcoin
// evidence. Blockstack heights are Bitcoin heights.
type BitcoinSource interface {
	Header(height uint64) (wire.BlockHeader, error)
	Block(height uint64) (*wire.MsgBlock, error)
}

// Target says what a proof is about.
type Target struct {
	// Select picks the record(s).
	Select Selector
	// Height is the block holding them. Zero means: search down from the
	// trusted height for the latest block with a matching record (height
	// zero is never a Blockstack block).
	Height uint64
}

// DefaultConfirmations caps the headers after the target that Build
// includes when BuildOptions.Confirmations is zero: two weeks of blocks.
const DefaultConfirmations = 2016

// BuildOptions control the optional parts of a proof.
type BuildOptions struct {
	// Bitcoin adds the Bitcoin evidence section; the source must be a
	// BitcoinSource and the selector must name an operation.
	Bitcoin bool
	// Confirmations is the number of headers after the target's to
	// include; they run from the target towards the trusted height and
	// never past it. Zero means up to the trusted height, at most
	// DefaultConfirmations.
	Confirmations uint64
	// Params checks the built evidence; nil means mainnet.
	Params *chaincfg.Params
}

// Build makes a proof that target's records were committed in the chain
// whose consensus hash at trustedHeight the verifier trusts. It verifies
// the proof before returning it, so an inconsistent source yields an error,
// never a proof that fails later.
func Build(ctx context.Context, src ChainSource, target Target, trustedHeight uint64, opts BuildOptions) (*Proof, error) {
	first, err := src.FirstBlock()
	if err != nil {
		return nil, sourceError(0, "first block", err)
	}
	if trustedHeight > MaxHeight || target.Height > MaxHeight {
		return nil, newError(ErrHeightRange, "heights above %d", uint64(MaxHeight))
	}
	if trustedHeight < first {
		return nil, newError(ErrTargetHeight, "trusted height %d below the first block %d", trustedHeight, first)
	}
	if target.Height == 0 {
		if target.Select.Kind == SelectBlock {
			return nil, newError(ErrNotFound, "a whole-block proof needs a height")
		}
		h, err := search(ctx, src, target.Select, first, trustedHeight)
		if err != nil {
			return nil, err
		}
		target.Height = h
	}
	if target.Height > trustedHeight || target.Height < first {
		return nil, newError(ErrTargetHeight, "target %d outside [first block %d, trusted height %d]",
			target.Height, first, trustedHeight)
	}

	p := &Proof{FirstBlock: first, TrustedHeight: trustedHeight, TargetHeight: target.Height, Select: target.Select}
	height := trustedHeight
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ops, err := src.OpsHash(height)
		if err != nil {
			return nil, sourceError(height, "ops hash", err)
		}
		step := Step{Height: height}
		if err := decodeHex(step.OpsHash[:], ops); err != nil {
			return nil, sourceError(height, "ops hash", err)
		}
		heights := digest.PrevHeights(height, first)
		step.Prev = make([][16]byte, len(heights))
		next := uint64(0)
		for j, h := range heights {
			ch, err := src.ConsensusHash(h)
			if err != nil {
				return nil, sourceError(h, "consensus hash", err)
			}
			if err := decodeHex(step.Prev[j][:], ch); err != nil {
				return nil, sourceError(h, "consensus hash", err)
			}
			if h >= target.Height {
				next = h
			}
		}
		if len(step.Prev) == 0 {
			step.Prev = nil
		}
		p.Steps = append(p.Steps, step)
		if height == target.Height {
			break
		}
		height = next
	}
	records, err := src.Records(target.Height)
	if err != nil {
		return nil, sourceError(target.Height, "records", err)
	}
	// The proof owns its bytes: sources may hand out shared slices.
	for _, r := range records {
		p.Records = append(p.Records, bytes.Clone(r))
	}

	if opts.Bitcoin {
		if p.Bitcoin, err = buildBitcoin(ctx, src, p, opts); err != nil {
			return nil, err
		}
	}

	trusted, err := src.ConsensusHash(trustedHeight)
	if err != nil {
		return nil, sourceError(trustedHeight, "consensus hash", err)
	}
	vopts := VerifyOptions{FirstBlock: first}
	if opts.Params != nil {
		vopts.PowLimit = opts.Params.PowLimit
	}
	if _, err := VerifyWith(p, trustedHeight, trusted, vopts); err != nil {
		e := newError(ErrSource, "the source's chain does not verify")
		e.Err = err
		return nil, e
	}
	return p, nil
}

// search finds the latest block at or below top holding a selected record.
func search(ctx context.Context, src ChainSource, sel Selector, first, top uint64) (uint64, error) {
	for h := top; h >= first && h > 0; h-- {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		recs, err := src.Records(h)
		if err != nil {
			return 0, sourceError(h, "records", err)
		}
		for _, raw := range recs {
			r, err := ParseRecord(raw)
			if err == nil && sel.Matches(&r) {
				return h, nil
			}
		}
	}
	return 0, newError(ErrNotFound, "no record matches %s at or below height %d", sel, top)
}

func buildBitcoin(ctx context.Context, src ChainSource, p *Proof, opts BuildOptions) (*BitcoinEvidence, error) {
	bsrc, ok := src.(BitcoinSource)
	if !ok {
		return nil, newError(ErrNoBitcoinSource, "the source has no Bitcoin headers or blocks")
	}
	if p.Select.Kind == SelectBlock {
		return nil, newError(ErrNoBitcoinSource, "a whole-block proof names no transaction")
	}
	// The operation is the last selected record, as Result.Op reports it.
	var txid string
	for _, raw := range p.Records {
		r, err := ParseRecord(raw)
		if err != nil || !p.Select.Matches(&r) {
			continue
		}
		txid, _ = r.Field("txid")
	}
	if txid == "" {
		return nil, newError(ErrNotFound, "no record of block %d matches %s with a txid", p.TargetHeight, p.Select)
	}
	block, err := bsrc.Block(p.TargetHeight)
	if err != nil {
		return nil, sourceError(p.TargetHeight, "Bitcoin block", err)
	}
	index := -1
	for i, tx := range block.Transactions {
		if tx.TxHash().String() == txid {
			index = i
			break
		}
	}
	if index < 0 {
		return nil, newError(ErrNoBitcoinSource, "Bitcoin block %d has no transaction %s", p.TargetHeight, txid)
	}
	ev := &BitcoinEvidence{TxIndex: uint32(index), Branch: merkleBranch(block, index)}
	var buf bytes.Buffer
	if err := block.Transactions[index].Serialize(&buf); err != nil {
		return nil, sourceError(p.TargetHeight, "transaction", err)
	}
	ev.Tx = buf.Bytes()
	if len(ev.Branch) == 0 {
		ev.Branch = nil
	}
	if err := putHeader(&ev.Header, bsrc, p.TargetHeight); err != nil {
		return nil, err
	}
	n := opts.Confirmations
	if n == 0 {
		n = DefaultConfirmations
	}
	n = min(n, p.TrustedHeight-p.TargetHeight, MaxHeaders)
	for h := p.TargetHeight + 1; h <= p.TargetHeight+n; h++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var raw [80]byte
		if err := putHeader(&raw, bsrc, h); err != nil {
			return nil, err
		}
		ev.Headers = append(ev.Headers, raw)
	}
	return ev, nil
}

func putHeader(dst *[80]byte, src BitcoinSource, height uint64) error {
	h, err := src.Header(height)
	if err != nil {
		return sourceError(height, "Bitcoin header", err)
	}
	var buf bytes.Buffer
	if err := h.Serialize(&buf); err != nil || buf.Len() != 80 {
		return sourceError(height, "Bitcoin header", err)
	}
	copy(dst[:], buf.Bytes())
	return nil
}

func sourceError(height uint64, what string, err error) *Error {
	e := newError(ErrSource, "source: %s at height %d", what, height)
	e.Height, e.Err = height, err
	return e
}

// decodeHex fills dst from a lower-case hex string of exactly its size.
func decodeHex(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return newError(ErrNonCanonical, "hash %q is not %d hex characters", s, 2*len(dst))
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil || hex.EncodeToString(dst) != s {
		return newError(ErrNonCanonical, "hash %q is not lower-case hex", s)
	}
	return nil
}

// HashSource is a ChainSource without FirstBlock: what a store that keeps
// per-height hashes and records offers (snapshot.Store has these methods).
type HashSource interface {
	ConsensusHash(height uint64) (string, error)
	OpsHash(height uint64) (string, error)
	Records(height uint64) ([][]byte, error)
}

// WithFirstBlock makes a ChainSource from a HashSource and the network's
// first Blockstack block (373601 on mainnet). When src is also a
// BitcoinSource, so is the result.
func WithFirstBlock(src HashSource, first uint64) ChainSource {
	if b, ok := src.(BitcoinSource); ok {
		return firstBlockBitcoinSource{firstBlockSource{src, first}, b}
	}
	return firstBlockSource{src, first}
}

type firstBlockSource struct {
	HashSource
	first uint64
}

func (s firstBlockSource) FirstBlock() (uint64, error) { return s.first, nil }

type firstBlockBitcoinSource struct {
	firstBlockSource
	BitcoinSource
}
