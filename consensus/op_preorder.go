package consensus

import (
	"math/big"
	"slices"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/ops"
)

// tokenPayment is a parsed STACKS payment of a preorder.
func (b *blockCtx) checkTokenPayment(addr, units string, fee uint64) (*big.Int, *Error, error) {
	a, err := b.account(addr, units)
	if err != nil {
		return nil, nil, err
	}
	if a == nil {
		return nil, reject(ErrNoAccount, "no %s account for %s", units, addr), nil
	}
	amt := new(big.Int).SetUint64(fee)
	if a.Balance().Cmp(amt) < 0 {
		return nil, reject(ErrInsufficientBalance, "%s has %s %s, needs %s", addr, a.Balance(), units, amt), nil
	}
	return amt, nil, nil
}

// checkNamePreorder is NAME_PREORDER (state-machine.md §3.4; F preorder.py:53-145).
func (b *blockCtx) checkNamePreorder(op *ops.Op) (*effect, *Error, error) {
	old, err := b.preorder(op.PreorderHash, "?")
	if err != nil {
		return nil, nil, err
	}
	if old != nil {
		// is_new_preorder: an outstanding row blocks the hash, unless a
		// name alive at Q carries that preorder hash (an imported name's
		// hash_name of importer and recipient), in which case the reference
		// ignores the row (F db.py namedb_get_name_preorder).
		shadowed, err := b.aliveNameWithPreorderHash(op.PreorderHash)
		if err != nil {
			return nil, nil, err
		}
		if !shadowed {
			return nil, reject(ErrPreorderExists, "preorder %s already exists", op.PreorderHash), nil
		}
	}
	ok, err := b.validConsensusHash(op.ConsensusHash)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, reject(ErrInvalidConsensusHash, "consensus hash %s is not recent", op.ConsensusHash), nil
	}
	owned, err := b.namesBySenderReaching(op.Sender, b.q, b.p.MaxNamesPerSender-b.regOwners[op.Sender])
	if err != nil {
		return nil, nil, err
	}
	if owned+b.regOwners[op.Sender] >= b.p.MaxNamesPerSender {
		return nil, reject(ErrQuotaExceeded, "%s owns %d names", op.Address, owned+b.regOwners[op.Sender]), nil
	}
	if op.OpFee == nil {
		return nil, reject(ErrMissingField, "preorder has no fee"), nil
	}
	tokenFee, units := "0", unitsBTC
	var debit *big.Int
	if b.p.Features(b.n).Has(ops.FeatureNameopsCostTokens) && op.TokenUnits != nil && op.TokenFee != nil {
		amt, rerr, err := b.checkTokenPayment(op.Address, *op.TokenUnits, *op.TokenFee)
		if err != nil || rerr != nil {
			return nil, rerr, err
		}
		if op.BurnAddress != b.p.BurnAddress {
			return nil, reject(ErrWrongBurnAddress, "fee paid to %s", op.BurnAddress), nil
		}
		if *op.TokenUnits != unitsStacks {
			return nil, reject(ErrTokenUnits, "token units %q", *op.TokenUnits), nil
		}
		debit, tokenFee, units = amt, amt.String(), unitsStacks
	}
	if b.preorders[op.PreorderHash] {
		return nil, reject(ErrPreorderCollision, "preorder %s twice in block", op.PreorderHash), nil
	}
	pre := Preorder{PreorderHash: op.PreorderHash, ConsensusHash: op.ConsensusHash, Sender: op.Sender,
		SenderPubkey: op.SenderPubkey, Address: op.Address, BlockNumber: b.n, Op: "?", OpFee: op.OpFee,
		Txid: op.Txid, Vtxindex: op.Vtxindex, BurnAddress: op.BurnAddress, TokenFee: tokenFee, TokenUnits: units}
	return newPreorderFx(&pre, '?', debit), nil, nil
}

// preorderFx is a passed NAME_PREORDER's or NAMESPACE_PREORDER's effect.
type preorderFx struct {
	eff   effect
	pre   Preorder
	debit *big.Int // the STACKS payment, nil for none
}

// newPreorderFx returns the effect of adding pre (which it copies),
// debiting debit from the preorder's sender.
func newPreorderFx(pre *Preorder, opcode byte, debit *big.Int) *effect {
	fx := &preorderFx{pre: *pre, debit: debit}
	fx.eff = effect{opcode: opcode, fx: fx}
	return &fx.eff
}

func (f *preorderFx) render(a *canon.Appender) { f.pre.appendCanon(a, f.eff.opcode) }

func (f *preorderFx) apply(b *blockCtx) error {
	b.preorders[f.pre.PreorderHash] = true
	if f.debit != nil {
		if err := b.debit(f.pre.Address, f.pre.TokenUnits, f.debit); err != nil {
			return err
		}
	}
	return b.addPreorder(&f.pre)
}

func (b *blockCtx) addPreorder(pre *Preorder) error {
	rows, err := b.st.preorderRows(pre.PreorderHash)
	if err != nil {
		return err
	}
	b.st.putPreorderRows(pre.PreorderHash, append(slices.Clip(rows), *pre))
	return nil
}

// checkNamespacePreorder is NAMESPACE_PREORDER (§3.1; F namespacepreorder.py:53-134).
func (b *blockCtx) checkNamespacePreorder(op *ops.Op) (*effect, *Error, error) {
	if pre, err := b.preorder(op.PreorderHash, "*"); err != nil || pre != nil {
		if err != nil {
			return nil, nil, err
		}
		return nil, reject(ErrPreorderExists, "namespace preorder %s already exists", op.PreorderHash), nil
	}
	ok, err := b.validConsensusHash(op.ConsensusHash)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, reject(ErrInvalidConsensusHash, "consensus hash %s is not recent", op.ConsensusHash), nil
	}
	if op.OpFee == nil {
		return nil, reject(ErrMissingField, "namespace preorder has no fee"), nil
	}
	if op.BurnAddress != b.p.BurnAddress {
		return nil, reject(ErrWrongBurnAddress, "fee paid to %s", op.BurnAddress), nil
	}
	tokenFee, units := "0", unitsBTC
	var debit *big.Int
	if b.p.Features(b.n).Has(ops.FeatureStacksBuyNamespaces) {
		if op.TokenFee == nil {
			return nil, reject(ErrMissingField, "namespace preorder has no token fee"), nil
		}
		amt, rerr, err := b.checkTokenPayment(op.Address, unitsStacks, *op.TokenFee)
		if err != nil || rerr != nil {
			return nil, rerr, err
		}
		debit, tokenFee, units = amt, amt.String(), unitsStacks
	}
	if b.preorders[op.PreorderHash] {
		return nil, reject(ErrPreorderCollision, "preorder %s twice in block", op.PreorderHash), nil
	}
	pre := Preorder{PreorderHash: op.PreorderHash, ConsensusHash: op.ConsensusHash, Sender: op.Sender,
		SenderPubkey: op.SenderPubkey, Address: op.Address, BlockNumber: b.n, Op: "*", OpFee: op.OpFee,
		Txid: op.Txid, Vtxindex: op.Vtxindex, BurnAddress: op.BurnAddress, TokenFee: tokenFee, TokenUnits: units}
	return newPreorderFx(&pre, '*', debit), nil, nil
}

// aliveNameWithPreorderHash reports whether a name alive at Q has preorder
// hash h.
func (b *blockCtx) aliveNameWithPreorderHash(h string) (bool, error) {
	nm, ok, err := b.st.nameWithPreorderHash(h)
	if err != nil || !ok {
		return false, err
	}
	r, err := b.st.name(nm)
	if err != nil || r == nil || r.PreorderHash != h {
		return false, err
	}
	return b.alive(r, b.q)
}
