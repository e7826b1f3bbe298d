package snv

import (
	"math/big"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/spvcheck/spvcheck/consensus/snv/snvcore"
)

// VerifyOptions tighten what Verify accepts. The zero value accepts any
// valid proof and checks Bitcoin evidence, when present, against mainnet's
// proof-of-work limit.
type VerifyOptions struct {
	// FirstBlock, when non-zero, pins the chain's first block (373601 on
	// mainnet) instead of taking it from the proof. A proof with another
	// first block cannot pass the consensus-hash checks anyway; pinning
	// makes the failure explicit.
	FirstBlock uint64
	// RequireBitcoin fails proofs without Bitcoin evidence.
	RequireBitcoin bool
	// PowLimit is the network's highest allowed proof-of-work target; nil
	// means mainnet's.
	PowLimit *big.Int
	// MinConfirmations, when non-zero, is the least number of headers
	// (the target's included) the evidence must prove.
	MinConfirmations int
}

// Result is what a valid proof establishes: what package snvcore's
// verifier establishes, plus the checked Bitcoin evidence.
type Result struct {
	snvcore.Result
	// Bitcoin is set when the proof carried Bitcoin evidence.
	Bitcoin *BitcoinResult
}

// Verify checks p against the consensus hash the caller trusts at
// trustedHeight, with default options. It does no I/O.
func Verify(p *Proof, trustedHeight uint64, trustedHash string) (*Result, error) {
	return VerifyWith(p, trustedHeight, trustedHash, VerifyOptions{})
}

// VerifyWith is Verify with options: snvcore.VerifyWith's walk from the
// trusted consensus hash down to the target's records (see there), then,
// when the proof carries it, the Bitcoin evidence (see the package
// documentation).
func VerifyWith(p *Proof, trustedHeight uint64, trustedHash string, opts VerifyOptions) (*Result, error) {
	core, err := snvcore.VerifyWith(p, trustedHeight, trustedHash, snvcore.VerifyOptions{FirstBlock: opts.FirstBlock})
	if err != nil {
		return nil, err
	}
	res := &Result{Result: *core}
	if p.Bitcoin == nil {
		if opts.RequireBitcoin {
			return nil, newError(ErrBitcoinMissing, "proof carries no Bitcoin evidence")
		}
		return res, nil
	}
	limit := opts.PowLimit
	if limit == nil {
		limit = chaincfg.MainNetParams.PowLimit
	}
	btc, err := verifyBitcoin(p.Bitcoin, res, p.TargetHeight, limit)
	if err != nil {
		return nil, err
	}
	if opts.MinConfirmations > 0 && btc.Confirmations < opts.MinConfirmations {
		e := newError(ErrConfirmations, "too few headers")
		e.Expected, e.Got = itoa(uint64(opts.MinConfirmations)), itoa(uint64(btc.Confirmations))
		return nil, e
	}
	res.Bitcoin = btc
	return res, nil
}
