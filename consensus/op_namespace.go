package consensus

import (
	"math/big"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/ops"
)

// checkNamespaceReveal is NAMESPACE_REVEAL (§3.2; F namespacereveal.py:111-270).
func (b *blockCtx) checkNamespaceReveal(op *ops.Op) (*effect, *Error, error) {
	if op.SenderPubkey == nil {
		return nil, reject(ErrMissingField, "reveal sender has no public key"), nil
	}
	if op.Recipient == "" || op.RecipientAddress == "" {
		return nil, reject(ErrMissingField, "reveal has no recipient"), nil
	}
	if !isNamespaceIDValid(op.NamespaceID) {
		return nil, reject(ErrInvalidNamespaceID, "invalid namespace id %q", op.NamespaceID), nil
	}
	old, err := b.namespace(op.NamespaceID)
	if err != nil {
		return nil, nil, err
	}
	if old != nil && (old.Ready() || revealLive(b.p, old, b.n, b.q)) {
		return nil, reject(ErrNamespaceExists, "namespace %s exists", op.NamespaceID), nil
	}
	pre, err := b.preorder(op.PreorderHash, "*")
	if err != nil {
		return nil, nil, err
	}
	if pre == nil {
		return nil, reject(ErrNoPreorder, "no namespace preorder %s", op.PreorderHash), nil
	}
	if pre.Sender != op.Sender {
		return nil, reject(ErrPreorderSenderMismatch, "namespace preorder made by another sender"), nil
	}
	f := b.p.Features(b.n)
	switch op.Version {
	case 1:
	case 2:
		if !f.Has(ops.FeatureNamespaceBurnToCreator) {
			return nil, reject(ErrNamespaceVersion, "namespace version 2 not yet allowed"), nil
		}
	case 3:
		if !f.Has(ops.FeatureNamespacePayWithStacks) {
			return nil, reject(ErrNamespaceVersion, "namespace version 3 not yet allowed"), nil
		}
	default:
		return nil, reject(ErrNamespaceVersion, "unknown namespace version %d", op.Version), nil
	}
	tokensPaid := mustBig(pre.TokenFee)
	if pre.TokenUnits == unitsStacks {
		price, ok := b.p.priceNamespace(op.NamespaceID, b.n, unitsStacks)
		if !ok {
			return nil, reject(ErrTokensNotAllowed, "namespaces cannot be bought with STACKS at %d", b.n), nil
		}
		if tokensPaid.Cmp(price) < 0 {
			return nil, reject(ErrFeeTooLow, "paid %s µSTX for a %s µSTX namespace", tokensPaid, price), nil
		}
	} else {
		// A None BTC table (epoch ≥ 4) compares as "not less" in Python 2:
		// no price check at all (§3.2-5 quirk).
		if price, ok := b.p.priceNamespace(op.NamespaceID, b.n, unitsBTC); ok {
			var paid uint64
			if pre.OpFee != nil {
				paid = *pre.OpFee
			}
			if new(big.Int).SetUint64(paid).Cmp(price) < 0 {
				return nil, reject(ErrFeeTooLow, "paid %d for a %s namespace", paid, price), nil
			}
		}
	}
	ns := &Namespace{NamespaceID: op.NamespaceID, PreorderHash: op.PreorderHash, Version: int(op.Version),
		Sender: op.Sender, SenderPubkey: op.SenderPubkey, Address: op.Address, Recipient: op.Recipient,
		RecipientAddress: op.RecipientAddress, BlockNumber: pre.BlockNumber, RevealBlock: b.n, Op: "&",
		Txid: op.Txid, Vtxindex: op.Vtxindex, Lifetime: uint64(op.Lifetime), Coeff: int(op.Coeff),
		Base: int(op.Base), NonalphaDiscount: int(op.NonalphaDiscount), NoVowelDiscount: int(op.NoVowelDiscount),
		TokenFee: tokensPaid.String()}
	if old != nil {
		ns.BlockNumber = old.BlockNumber
	}
	if pre.OpFee != nil {
		ns.OpFee = *pre.OpFee
	}
	if op.Buckets != nil {
		ns.Buckets = *op.Buckets
	}
	return &effect{opcode: '&', collideKey: "namespace:" + op.NamespaceID, fx: funcFx{renderFn: func(a *canon.Appender) { ns.appendCanon(a, false) }, applyFn: func() error {
		b.putNamespace(ns.NamespaceID, ns)
		b.st.putPreorderRows(op.PreorderHash, nil)
		if b.p.Rules.SameBlockReady {
			return b.schedule(ns.BlockNumber+b.p.NamespaceRevealExpire, scheduledEvent{Kind: "drop-reveal", ID: ns.NamespaceID})
		}
		return nil
	}}}, nil, nil
}

// checkNamespaceReady is NAMESPACE_READY (§3.3; F namespaceready.py:52-85).
func (b *blockCtx) checkNamespaceReady(op *ops.Op) (*effect, *Error, error) {
	if !isNamespaceIDValid(op.NamespaceID) {
		return nil, reject(ErrInvalidNamespaceID, "invalid namespace id %q", op.NamespaceID), nil
	}
	ns, err := b.namespace(op.NamespaceID)
	if err != nil {
		return nil, nil, err
	}
	if ns != nil && ns.Ready() {
		return nil, reject(ErrNamespaceAlreadyReady, "namespace %s is already ready", op.NamespaceID), nil
	}
	if !revealLive(b.p, ns, b.n, b.q) {
		return nil, reject(ErrNamespaceNotRevealed, "namespace %s is not revealed", op.NamespaceID), nil
	}
	if ns.Recipient != op.Sender {
		return nil, reject(ErrNotRevealer, "namespace %s was revealed to another key", op.NamespaceID), nil
	}
	nn := *ns
	nn.Op, nn.ReadyBlock, nn.Sender, nn.Txid, nn.Vtxindex = "!", b.n, op.Sender, op.Txid, op.Vtxindex
	return &effect{opcode: '!', fx: funcFx{renderFn: func(a *canon.Appender) { nn.appendCanon(a, true) }, applyFn: func() error {
		b.putNamespace(nn.NamespaceID, &nn)
		return nil
	}}}, nil, nil
}
