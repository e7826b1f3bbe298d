package snvcore

import (
	"encoding/hex"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// VerifyOptions tighten what Verify accepts. The zero value accepts any
// valid proof.
type VerifyOptions struct {
	// FirstBlock, when non-zero, pins the chain's first block (373601 on
	// mainnet) instead of taking it from the proof. A proof with another
	// first block cannot pass the consensus-hash checks anyway; pinning
	// makes the failure explicit.
	FirstBlock uint64
}

// Result is what a valid proof establishes.
type Result struct {
	// Height, OpsHash and ConsensusHash describe the target block.
	Height        uint64
	OpsHash       string
	ConsensusHash string
	// Records are all of the target block's records, authenticated.
	Records []Record
	// Selected are the indexes into Records that the proof's selector
	// picks, in record order.
	Selected []int
	// Steps is the number of skip-list steps walked.
	Steps int
	// HasBitcoin says the proof carries a Bitcoin-evidence section, which
	// this package decodes but does not check (package snv does). The
	// consensus-hash walk above does not depend on it.
	HasBitcoin bool
}

// Op returns the last selected record (the block's latest operation on the
// selected name, txid or vtxindex), or nil for a whole-block proof.
func (r *Result) Op() *Record {
	if len(r.Selected) == 0 {
		return nil
	}
	return &r.Records[r.Selected[len(r.Selected)-1]]
}

// Verify checks p against the consensus hash the caller trusts at
// trustedHeight, with default options. It does no I/O. Bitcoin evidence,
// when present, is not checked (Result.HasBitcoin says it is there).
func Verify(p *Proof, trustedHeight uint64, trustedHash string) (*Result, error) {
	return VerifyWith(p, trustedHeight, trustedHash, VerifyOptions{})
}

// VerifyWith is Verify with options.
//
// The walk: the consensus hash at the trusted height is trusted. Each step,
// at the height the walk has reached, must carry an ops hash and the
// consensus hashes of that height's previous heights that together hash
// (digest.ConsensusHash) to the trusted value; those previous hashes, and
// the ops hash, then become trusted, and the walk moves to the lowest
// newly trusted height that is not below the target. The last step is at
// the target, whose trusted ops hash the records must then reproduce.
func VerifyWith(p *Proof, trustedHeight uint64, trustedHash string, opts VerifyOptions) (*Result, error) {
	if p == nil {
		return nil, newError(ErrBadJSON, "no proof")
	}
	if b, err := hex.DecodeString(trustedHash); err != nil || len(b) != 16 || hex.EncodeToString(b) != trustedHash {
		return nil, newError(ErrTrustedHash, "trusted consensus hash %q is not 32 lower-case hex characters", trustedHash)
	}
	if p.TrustedHeight > MaxHeight || p.TargetHeight > MaxHeight || p.FirstBlock > MaxHeight {
		return nil, newError(ErrHeightRange, "heights (first %d, trusted %d, target %d) above %d",
			p.FirstBlock, p.TrustedHeight, p.TargetHeight, uint64(MaxHeight))
	}
	if p.TrustedHeight != trustedHeight {
		e := newError(ErrTrustedHeight, "proof starts at another height than the trusted one")
		e.Expected, e.Got = itoa(trustedHeight), itoa(p.TrustedHeight)
		return nil, e
	}
	if opts.FirstBlock != 0 && opts.FirstBlock != p.FirstBlock {
		e := newError(ErrFirstBlock, "proof's first block differs from the pinned one")
		e.Expected, e.Got = itoa(opts.FirstBlock), itoa(p.FirstBlock)
		return nil, e
	}
	if p.FirstBlock > p.TrustedHeight {
		return nil, newError(ErrFirstBlock, "first block %d above the trusted height %d", p.FirstBlock, p.TrustedHeight)
	}
	if p.TargetHeight > p.TrustedHeight || p.TargetHeight < p.FirstBlock {
		return nil, newError(ErrTargetHeight, "target %d outside [first block %d, trusted height %d]",
			p.TargetHeight, p.FirstBlock, p.TrustedHeight)
	}

	height, expected := p.TrustedHeight, trustedHash
	var opsHash string
	reached := false
	prevHex := make([]string, 0, MaxPrevs)
	for i := range p.Steps {
		s := &p.Steps[i]
		if reached {
			return nil, stepError(ErrExtraStep, i, s.Height, "", "", "step after the target block")
		}
		if s.Height != height {
			return nil, stepError(ErrStepHeight, i, height, itoa(height), itoa(s.Height), "step at the wrong height")
		}
		heights := digest.PrevHeights(height, p.FirstBlock)
		if len(s.Prev) != len(heights) {
			return nil, stepError(ErrPrevCount, i, height, itoa(uint64(len(heights))), itoa(uint64(len(s.Prev))),
				"wrong number of previous consensus hashes")
		}
		prevHex = prevHex[:0]
		for _, h := range s.Prev {
			prevHex = append(prevHex, hex.EncodeToString(h[:]))
		}
		stepOps := hex.EncodeToString(s.OpsHash[:])
		got, err := digest.ConsensusHash(stepOps, prevHex)
		if err != nil { // unreachable: the hashes are fixed-size bytes
			return nil, stepError(ErrConsensusMismatch, i, height, expected, "", "cannot hash step: %v", err)
		}
		if got != expected {
			return nil, stepError(ErrConsensusMismatch, i, height, expected, got,
				"ops hash and previous hashes do not give the trusted consensus hash")
		}
		if height == p.TargetHeight {
			opsHash, reached = stepOps, true
			continue
		}
		// heights is nearest first, so the last one not below the target
		// is the lowest trusted height still at or above it. It exists:
		// height-1 is in the list and not below the target.
		next := -1
		for j, h := range heights {
			if h >= p.TargetHeight {
				next = j
			}
		}
		if next < 0 { // unreachable given the range checks above
			return nil, stepError(ErrMissingStep, i, height, "", "", "no previous height leads to the target")
		}
		height, expected = heights[next], prevHex[next]
	}
	if !reached {
		return nil, stepError(ErrMissingStep, len(p.Steps), height, "", "", "steps end before the target block %d", p.TargetHeight)
	}

	if got := digest.OpsHash(p.Records); got != opsHash {
		e := newError(ErrOpsHashMismatch, "target records do not give the trusted ops hash")
		e.Height, e.Expected, e.Got = p.TargetHeight, opsHash, got
		return nil, e
	}
	// expected is still the consensus hash the last step matched: the
	// target's.
	res := &Result{Height: p.TargetHeight, OpsHash: opsHash, ConsensusHash: expected, Steps: len(p.Steps)}
	res.Records = make([]Record, len(p.Records))
	for i, raw := range p.Records {
		r, err := ParseRecord(raw)
		if err != nil {
			e := newError(ErrRecordMalformed, "record %d", i)
			e.Height, e.Index, e.Err = p.TargetHeight, i, err
			return nil, e
		}
		res.Records[i] = r
		if p.Select.Matches(&res.Records[i]) {
			res.Selected = append(res.Selected, i)
		}
	}
	if p.Select.Kind != SelectBlock && len(res.Selected) == 0 {
		e := newError(ErrNotSelected, "no record of block %d matches %s", p.TargetHeight, p.Select)
		e.Height = p.TargetHeight
		return nil, e
	}

	res.HasBitcoin = p.Bitcoin != nil
	return res, nil
}
