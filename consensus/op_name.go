package consensus

import (
	"crypto/sha256"
	"math/big"
	"strings"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
)

func label(name string) string { return name[:strings.IndexByte(name, '.')] }

// payment is the fee check shared by registration and renewal (§3.6.1;
// F register.py:201-448). stacksPaid is nil when no STACKS payment exists.
// It returns the token fee to record ("0" for BTC).
func (b *blockCtx) payment(name string, ns *Namespace, feeBlock uint64, burnAddr string, nameFee uint64, stacksPaid *big.Int) (string, *Error) {
	f := b.p.Features(b.n)
	lbl := label(name)
	tokensAllowed := true
	switch ns.Version {
	case 1:
		if burnAddr != b.p.BurnAddress {
			return "", reject(ErrWrongBurnAddress, "fee paid to %s, not the burn address", burnAddr)
		}
	case 2:
		if !f.Has(ops.FeatureNamespaceBurnToCreator) {
			return "", reject(ErrNamespaceVersion, "pay-to-creator namespaces not yet allowed")
		}
		period := b.p.NamespaceRules(b.n, ns.NamespaceID).ReceiveFeesPeriod
		if ns.RevealBlock+period >= b.n {
			if burnAddr != ns.Address {
				return "", reject(ErrWrongBurnAddress, "fee paid to %s, not the namespace creator %s", burnAddr, ns.Address)
			}
			tokensAllowed = false
		} else if burnAddr != b.p.BurnAddress {
			return "", reject(ErrWrongBurnAddress, "fee paid to %s, not the burn address", burnAddr)
		}
	case 3:
		if !f.Has(ops.FeatureNamespacePayWithStacks) {
			return "", reject(ErrNamespaceVersion, "STACKS-priced namespaces not yet allowed")
		}
		if burnAddr != b.p.BurnAddress {
			return "", reject(ErrWrongBurnAddress, "fee paid to %s, not the burn address", burnAddr)
		}
		if stacksPaid == nil {
			return "", reject(ErrFeeTooLow, "name in a STACKS namespace paid without STACKS")
		}
		if !f.Has(ops.FeatureNameopsCostTokens) {
			return "", reject(ErrTokensNotAllowed, "STACKS payments not yet allowed")
		}
		price := b.p.priceName(lbl, ns, feeBlock)
		if price.Less(stacksPaid) {
			return "", reject(ErrFeeTooLow, "paid %s µSTX, price %v", stacksPaid, price.Int())
		}
		return stacksPaid.String(), nil
	default:
		return "", reject(ErrNamespaceVersion, "unknown namespace version %d", ns.Version)
	}
	if f.Has(ops.FeatureNameopsCostTokens) && stacksPaid != nil {
		if !tokensAllowed {
			return "", reject(ErrTokensNotAllowed, "this namespace's creator is paid in BTC")
		}
		price := b.p.priceNameStacks(lbl, ns, feeBlock)
		if stacksPaid.Cmp(price) < 0 {
			return "", reject(ErrFeeTooLow, "paid %s µSTX, price %s", stacksPaid, price)
		}
		return stacksPaid.String(), nil
	}
	if stacksPaid != nil {
		return "", reject(ErrTokensNotAllowed, "STACKS payments not yet allowed")
	}
	// The common case without math/big; anything else, and every
	// rejection, takes the general path.
	if pr, iv, ok := b.p.priceNameFast(lbl, ns, feeBlock); ok && paidFast(pr, iv, nameFee) {
		return "0", nil
	}
	price := b.p.priceName(lbl, ns, feeBlock)
	if price.Less(new(big.Int).SetUint64(nameFee)) {
		return "", reject(ErrFeeTooLow, "paid %d, price %v", nameFee, priceString(price))
	}
	return "0", nil
}

func priceString(p Price) string {
	if p.IsFloat {
		return string(canon.AppendPyFloat(nil, p.F))
	}
	return p.I.String()
}

func (b *blockCtx) quota(owner string) (bool, error) {
	n, err := b.namesBySenderReaching(owner, b.q, b.p.MaxNamesPerSender-b.regOwners[owner])
	if err != nil {
		return false, err
	}
	return n+b.regOwners[owner] >= b.p.MaxNamesPerSender, nil
}

func (b *blockCtx) p2shForbidden() bool {
	return !b.p.Features(b.n).Has(ops.FeatureMultisig) && !b.p.Rules.AllowP2SHWithoutMultisig
}

// checkRegistration is NAME_REGISTRATION (§3.6; F register.py:451-670).
func (b *blockCtx) checkRegistration(op *ops.Op) (*effect, *Error, error) {
	if op.Recipient == "" || op.RecipientAddress == "" {
		return nil, reject(ErrMissingField, "registration has no recipient"), nil
	}
	if !isNameValid(op.Name) {
		return nil, reject(ErrInvalidName, "invalid name %q", op.Name), nil
	}
	old, err := b.st.name(op.Name)
	if err != nil {
		return nil, nil, err
	}
	oldAlive, err := b.alive(old, b.q)
	if err != nil {
		return nil, nil, err
	}
	if old != nil && old.Revoked && oldAlive {
		return nil, reject(ErrNameRevoked, "%s is revoked", op.Name), nil
	}
	ns, rej, err := b.readyNamespace(codec.NamespaceOf(op.Name), op.Name)
	if rej != nil || err != nil {
		return nil, rej, err
	}
	if over, err := b.quota(op.Recipient); err != nil || over {
		if err != nil {
			return nil, nil, err
		}
		return nil, reject(ErrQuotaExceeded, "%s owns too many names", op.RecipientAddress), nil
	}
	if b.p2shForbidden() && b.p.isP2SHAddress(op.RecipientAddress) {
		return nil, reject(ErrP2SHNotAllowed, "p2sh recipient before multisig support"), nil
	}
	if oldAlive {
		return nil, reject(ErrNameRegistered, "%s is registered", op.Name), nil
	}
	ph, ok := hashName(op.Name, op.Sender, op.RecipientAddress)
	if !ok {
		return nil, reject(ErrInvalidName, "name %q has no base-40 form", op.Name), nil
	}
	pre, err := b.preorder(ph, "?")
	if err != nil {
		return nil, nil, err
	}
	if pre == nil || pre.BlockNumber+lifetime(b.p, ns, b.q) <= b.q {
		return nil, reject(ErrNoPreorder, "no preorder for %s", op.Name), nil
	}
	if b.p.Features(b.n).Has(ops.FeaturePreorderExpire) && pre.BlockNumber+b.p.NamePreorderExpire < b.n {
		return nil, reject(ErrPreorderExpired, "preorder of %s expired", op.Name), nil
	}
	if pre.BlockNumber < ns.ReadyBlock {
		return nil, reject(ErrPreorderBeforeReady, "preorder predates namespace launch"), nil
	}
	if pre.Sender != op.Sender {
		return nil, reject(ErrPreorderSenderMismatch, "preorder made by another sender"), nil
	}
	if pre.OpFee == nil {
		return nil, reject(ErrMissingField, "preorder has no fee"), nil
	}
	var stacks *big.Int
	if pre.TokenUnits == unitsStacks {
		stacks = mustBig(pre.TokenFee)
	}
	tokenFee, rerr := b.payment(op.Name, ns, pre.BlockNumber, pre.BurnAddress, *pre.OpFee, stacks)
	if rerr != nil {
		return nil, rerr, nil
	}
	if op.ValueHash != nil && !b.p.Features(b.n).Has(ops.FeatureOpRegisterUpdate) {
		return nil, reject(ErrValueHashNotAllowed, "register+update not yet allowed"), nil
	}
	fx := &registrationFx{pre: *pre}
	fx.rec = NameRecord{Name: op.Name, PreorderHash: pre.PreorderHash, NameHash128: hash128(op.Name),
		NamespaceID: ns.NamespaceID, NamespaceBlockNumber: ns.BlockNumber, ValueHash: op.ValueHash,
		Sender: op.Recipient, SenderPubkey: op.SenderPubkey, Address: op.RecipientAddress,
		BlockNumber: pre.BlockNumber, PreorderBlockNumber: pre.BlockNumber, FirstRegistered: b.n,
		LastRenewed: b.n, Op: ":", Txid: op.Txid, Vtxindex: op.Vtxindex, OpFee: float64(*pre.OpFee),
		TokenFee: tokenFee, LastCreationOp: "?"}
	if old != nil {
		fx.rec.BlockNumber = old.BlockNumber
		fx.old = old
	}
	fx.eff = effect{opcode: ':', collideKey: "name:" + op.Name, fx: fx}
	return &fx.eff, nil, nil
}

// registrationFx is a passed NAME_REGISTRATION's effect.
type registrationFx struct {
	eff effect
	rec NameRecord
	old *NameRecord // the name's record the check found (nil: none)
	pre Preorder    // the consumed preorder
}

func (f *registrationFx) render(a *canon.Appender) {
	f.rec.appendCanon(a)
	a.Str(f.rec.Sender)
	a.Str(f.rec.Address)
}

func (f *registrationFx) apply(b *blockCtx) error {
	b.regOwners[f.rec.Sender]++
	b.addHistory(f.rec.Name, &HistoryEntry{Op: "?", Txid: f.pre.Txid, Height: f.pre.BlockNumber, Vtxindex: f.pre.Vtxindex, Preorder: &f.pre}, nil)
	b.st.putPreorderRows(f.pre.PreorderHash, nil)
	return b.putName(&f.rec, f.old)
}

// nameFx is the effect of a NAME_RENEWAL, NAME_UPDATE or NAME_TRANSFER:
// the new record and what its canonical record adds.
type nameFx struct {
	eff effect
	nr  NameRecord
	// base is the record the check read and nr started from
	base *NameRecord
	// a renewal's STACKS payment (nil: none) and its payer
	stacks *big.Int
	payer  string
	// an update's name consensus hash and matched consensus hash; a
	// transfer's name hash and consensus hash quirk (s1, s2) and keep
	s1, s2 string
	keep   bool
}

func (f *nameFx) render(a *canon.Appender) {
	f.nr.appendCanon(a)
	switch f.eff.opcode {
	case ':':
		a.Str(f.nr.Sender)
		a.Str(f.nr.Address)
	case '+':
		a.Str(f.s1)
		a.Str(f.s2)
	case '>':
		a.Str(f.s1)
		a.Str(f.s2)
		a.Bool(f.keep)
	}
}

func (f *nameFx) apply(b *blockCtx) error {
	if f.stacks != nil {
		if err := b.debit(f.payer, unitsStacks, f.stacks); err != nil {
			return err
		}
	}
	return b.putName(&f.nr, f.base)
}

// checkRenewal is NAME_RENEWAL (§3.7; F register.py:673-881).
func (b *blockCtx) checkRenewal(op *ops.Op) (*effect, *Error, error) {
	if op.Recipient == "" || op.RecipientAddress == "" {
		return nil, reject(ErrMissingField, "renewal has no recipient"), nil
	}
	if !isNameValid(op.Name) {
		return nil, reject(ErrInvalidName, "invalid name %q", op.Name), nil
	}
	f := b.p.Features(b.n)
	if (op.Sender != op.Recipient || op.Address != op.RecipientAddress) && !f.Has(ops.FeatureOpRenewTransferUpdate) {
		return nil, reject(ErrRenewTransferNotAllowed, "renewal to another owner not yet allowed"), nil
	}
	rec, err := b.st.name(op.Name)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return nil, reject(ErrNameNotFound, "no name %s", op.Name), nil
	}
	if rec.Revoked {
		return nil, reject(ErrNameRevoked, "%s is revoked", op.Name), nil
	}
	ns, rej, err := b.readyNamespace(rec.NamespaceID, op.Name)
	if rej != nil || err != nil {
		return nil, rej, err
	}
	if over, err := b.quota(op.Recipient); err != nil || over {
		if err != nil {
			return nil, nil, err
		}
		return nil, reject(ErrQuotaExceeded, "%s owns too many names", op.RecipientAddress), nil
	}
	if !aliveIn(b.p, rec, ns, b.n, b.q) {
		return nil, reject(ErrNameExpired, "%s is not registered", op.Name), nil
	}
	if rec.Sender != op.Sender {
		return nil, reject(ErrNotOwner, "%s is not owned by %s", op.Name, op.Address), nil
	}
	if op.OpFee == nil {
		return nil, reject(ErrMissingField, "renewal has no fee"), nil
	}
	var stacks *big.Int
	if op.TokenFee != nil && *op.TokenFee != 0 {
		stacks = new(big.Int).SetUint64(*op.TokenFee)
		if f.Has(ops.FeatureNameopsCostTokens) {
			if _, rerr, err := b.checkTokenPayment(op.Address, unitsStacks, *op.TokenFee); err != nil || rerr != nil {
				return nil, rerr, err
			}
		}
	}
	tokenFee, rerr := b.payment(op.Name, ns, b.n, op.BurnAddress, *op.OpFee, stacks)
	if rerr != nil {
		return nil, rerr, nil
	}
	fx := &nameFx{nr: *rec, base: rec, stacks: stacks, payer: op.Address}
	nr := &fx.nr
	nr.LastRenewed = b.n
	nr.Sender, nr.Address = op.Recipient, op.RecipientAddress
	if b.p.Rules.RenewalSenderPubkeyFromTx {
		nr.SenderPubkey = op.SenderPubkey
	}
	if f.Has(ops.FeatureOpRenewTransferUpdate) && op.ValueHash != nil {
		nr.ValueHash = op.ValueHash
	}
	nr.Op, nr.OpFee, nr.TokenFee, nr.Txid, nr.Vtxindex = "::", float64(*op.OpFee), tokenFee, op.Txid, op.Vtxindex
	fx.eff = effect{opcode: ':', fx: fx}
	return &fx.eff, nil, nil
}

// checkUpdate is NAME_UPDATE (§3.8; F update.py:73-158).
func (b *blockCtx) checkUpdate(op *ops.Op) (*effect, *Error, error) {
	names, err := b.st.owned(op.Sender)
	if err != nil {
		return nil, nil, err
	}
	count, err := b.namesBySenderReaching(op.Sender, b.q, b.p.MaxNamesPerSender+1)
	if err != nil {
		return nil, nil, err
	}
	if count > b.p.MaxNamesPerSender {
		return nil, reject(ErrQuotaExceeded, "%s owns too many names", op.Address), nil
	}
	chs, err := b.windowHashes()
	if err != nil {
		return nil, nil, err
	}
	var rec *NameRecord
	var matched string
	// hash128(name + ch) == NameConsensusHash, compared on raw bytes: a
	// target that is not lower-case hex of 16 bytes matches nothing, as
	// hash128 only renders lower-case hex.
	var target [16]byte
	targetOK := digest.DecodeLowerHex(target[:], op.NameConsensusHash)
	var bufArr [128]byte
	buf := bufArr[:0]
	// The first name (in index order) that both matches the target with
	// some window hash (the newest matching one) and is a live,
	// unrevoked name of the sender. The two tests are independent, so
	// the hash goes first: only a matching name's record is read (most
	// owners' other names would each cost a cold read).
	for _, nm := range names {
		if !targetOK {
			break
		}
		ch, ok := "", false
		for _, c := range chs {
			buf = append(append(buf[:0], nm...), c...)
			if h := sha256.Sum256(buf); [16]byte(h[:16]) == target {
				ch, ok = c, true
				break
			}
		}
		if !ok {
			continue
		}
		r, err := b.st.name(nm)
		if err != nil {
			return nil, nil, err
		}
		if r == nil || r.Sender != op.Sender || r.Revoked {
			continue
		}
		if ok, err := b.alive(r, b.q); err != nil || !ok {
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		rec, matched = r, ch
		break
	}
	if rec == nil {
		return nil, reject(ErrNameNotFound, "no name of %s matches %s", op.Address, op.NameConsensusHash), nil
	}
	ns, rej, err := b.readyNamespace(rec.NamespaceID, rec.Name)
	if rej != nil || err != nil {
		return nil, rej, err
	}
	if ns.Lifetime != NamespaceLifeInfinite && inGrace(b.p, rec, ns, b.n, b.n) {
		return nil, reject(ErrInGracePeriod, "%s is in its grace period", rec.Name), nil
	}
	fx := &nameFx{nr: *rec, base: rec, s1: op.NameConsensusHash, s2: matched}
	nr := &fx.nr
	nr.ValueHash = op.ValueHash
	nr.ConsensusHash, nr.TransferHash = &fx.s2, &fx.s2
	nr.Op, nr.Txid, nr.Vtxindex = "+", op.Txid, op.Vtxindex
	fx.eff = effect{opcode: '+', fx: fx}
	return &fx.eff, nil, nil
}

// checkTransfer is NAME_TRANSFER (§3.9; F transfer.py:149-287).
func (b *blockCtx) checkTransfer(op *ops.Op) (*effect, *Error, error) {
	nmb, ok, err := b.st.nameWithHash128(op.NameHash128)
	if err != nil {
		return nil, nil, err
	}
	var rec *NameRecord
	if ok {
		if rec, err = b.st.name(nmb); err != nil {
			return nil, nil, err
		}
	}
	if rec == nil {
		return nil, reject(ErrNameNotFound, "no name with hash %s", op.NameHash128), nil
	}
	if rec.Revoked {
		return nil, reject(ErrNameRevoked, "%s is revoked", rec.Name), nil
	}
	ns, rej, err := b.readyNamespace(rec.NamespaceID, rec.Name)
	if rej != nil || err != nil {
		return nil, rej, err
	}
	if !aliveIn(b.p, rec, ns, b.n, b.q) {
		return nil, reject(ErrNameExpired, "%s has expired", rec.Name), nil
	}
	if inGrace(b.p, rec, ns, b.n, b.n) {
		return nil, reject(ErrInGracePeriod, "%s is in its grace period", rec.Name), nil
	}
	valid, err := b.validConsensusHash(op.ConsensusHash)
	if err != nil {
		return nil, nil, err
	}
	if !valid {
		return nil, reject(ErrInvalidConsensusHash, "consensus hash %s is not recent", op.ConsensusHash), nil
	}
	if op.Sender == op.Recipient {
		return nil, reject(ErrSelfTransfer, "transfer of %s to its owner", rec.Name), nil
	}
	if rec.Sender != op.Sender {
		return nil, reject(ErrNotOwner, "%s is not owned by %s", rec.Name, op.Address), nil
	}
	over, err := b.namesBySenderReaching(op.Recipient, b.q, b.p.MaxNamesPerSender)
	if err != nil {
		return nil, nil, err
	}
	if over >= b.p.MaxNamesPerSender {
		return nil, reject(ErrQuotaExceeded, "%s owns too many names", op.RecipientAddress), nil
	}
	if b.p2shForbidden() && isP2SHScript(op.Sender) {
		return nil, reject(ErrP2SHNotAllowed, "p2sh sender before multisig support"), nil
	}
	keep := op.KeepData != nil && *op.KeepData
	fx := &nameFx{nr: *rec, base: rec, s1: op.NameHash128, s2: op.ConsensusHash, keep: keep}
	nr := &fx.nr
	nr.Sender, nr.Address, nr.SenderPubkey = op.Recipient, op.RecipientAddress, nil
	nr.Op = ">~"
	if keep {
		nr.Op = ">>"
	} else {
		nr.ValueHash = nil
	}
	nr.Txid, nr.Vtxindex = op.Txid, op.Vtxindex
	if rec.TransferHash != nil {
		fx.s2 = *rec.TransferHash // the consensus hash quirk
	}
	fx.eff = effect{opcode: '>', fx: fx}
	return &fx.eff, nil, nil
}

// checkRevoke is NAME_REVOKE (§3.10; F revoke.py:39-102).
func (b *blockCtx) checkRevoke(op *ops.Op) (*effect, *Error, error) {
	if !isNameValid(op.Name) {
		return nil, reject(ErrInvalidName, "invalid name %q", op.Name), nil
	}
	rec, err := b.st.name(op.Name)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return nil, reject(ErrNameNotFound, "no name %s", op.Name), nil
	}
	ns, err := b.namespace(rec.NamespaceID)
	if err != nil {
		return nil, nil, err
	}
	if ns == nil || !aliveIn(b.p, rec, ns, b.n, b.q) {
		return nil, reject(ErrNameNotFound, "no name %s", op.Name), nil
	}
	if !ns.Ready() {
		return nil, reject(ErrNamespaceNotReady, "namespace of %s is not ready", op.Name), nil
	}
	if rec.Revoked {
		return nil, reject(ErrNameRevoked, "%s is revoked", op.Name), nil
	}
	if !aliveIn(b.p, rec, ns, b.n, b.n) {
		return nil, reject(ErrNameExpired, "%s has expired", op.Name), nil
	}
	if inGrace(b.p, rec, ns, b.n, b.n) {
		return nil, reject(ErrInGracePeriod, "%s is in its grace period", op.Name), nil
	}
	if rec.Sender != op.Sender {
		return nil, reject(ErrNotOwner, "%s is not owned by %s", op.Name, op.Address), nil
	}
	nr := *rec
	nr.Revoked, nr.ValueHash, nr.Op, nr.Txid, nr.Vtxindex = true, nil, "~", op.Txid, op.Vtxindex
	return &effect{opcode: '~', fx: funcFx{renderFn: nr.appendCanon, applyFn: func() error {
		if b.p.Rules.ClearRevokedAtLifetime {
			if err := b.schedule(nr.LastRenewed+ns.Lifetime, scheduledEvent{Kind: "unrevoke", ID: nr.Name}); err != nil {
				return err
			}
		}
		return b.putName(&nr, rec)
	}}}, nil, nil
}

// checkImport is NAME_IMPORT (§3.5; F nameimport.py:115-251).
func (b *blockCtx) checkImport(op *ops.Op) (*effect, *Error, error) {
	if op.SenderPubkey == nil {
		return nil, reject(ErrMissingField, "import sender has no public key"), nil
	}
	if !isNameValid(op.Name) {
		return nil, reject(ErrInvalidName, "invalid name %q", op.Name), nil
	}
	ns, err := b.namespace(codec.NamespaceOf(op.Name))
	if err != nil {
		return nil, nil, err
	}
	if !revealLive(b.p, ns, b.n, b.q) {
		return nil, reject(ErrNamespaceNotRevealed, "namespace of %s is not revealed", op.Name), nil
	}
	keychain, err := b.st.keychain(ns.NamespaceID)
	if err != nil {
		return nil, nil, err
	}
	if keychain == nil {
		if b.p.pubkeyAddress(*op.SenderPubkey) != ns.RecipientAddress {
			return nil, reject(ErrNotInKeychain, "%s is not the namespace revealer", op.Address), nil
		}
		if keychain, err = b.p.importKeychain(*op.SenderPubkey); err != nil {
			return nil, reject(ErrNotInKeychain, "%v", err), nil
		}
		if !b.scanning || !b.p.Rules.NoScanPhaseKeychainCache {
			b.st.putKeychain(ns.NamespaceID, keychain)
		}
	}
	senderAddr := b.p.pubkeyAddress(*op.SenderPubkey)
	in := false
	for _, a := range keychain {
		if a == senderAddr {
			in = true
			break
		}
	}
	if !in {
		return nil, reject(ErrNotInKeychain, "%s is not in the import keychain of %s", op.Address, ns.NamespaceID), nil
	}
	old, err := b.st.name(op.Name)
	if err != nil {
		return nil, nil, err
	}
	oldAlive := false
	if old != nil {
		oldAlive = aliveIn(b.p, old, ns, b.n, b.q)
	}
	rec := &NameRecord{Name: op.Name, NameHash128: hash128(op.Name), NamespaceID: ns.NamespaceID,
		NamespaceBlockNumber: ns.BlockNumber, ValueHash: op.ValueHash, Sender: op.Recipient,
		SenderPubkey: op.SenderPubkey, Address: op.RecipientAddress, Op: ";", Txid: op.Txid,
		Vtxindex: op.Vtxindex, LastCreationOp: ";", TokenFee: "0"}
	sender, addr := op.Sender, op.Address
	rec.Importer, rec.ImporterAddress = &sender, &addr
	if oldAlive {
		rec.PreorderBlockNumber, rec.BlockNumber = old.PreorderBlockNumber, old.BlockNumber
		rec.FirstRegistered, rec.LastRenewed, rec.PreorderHash = old.FirstRegistered, old.LastRenewed, old.PreorderHash
	} else {
		rec.PreorderBlockNumber, rec.BlockNumber, rec.FirstRegistered, rec.LastRenewed = b.n, b.n, b.n, b.n
		ph, ok := hashName(op.Name, op.Sender, op.RecipientAddress)
		if !ok {
			return nil, reject(ErrInvalidName, "name %q has no base-40 form", op.Name), nil
		}
		rec.PreorderHash = ph
	}
	if b.p.Rules.ImportKeepsOldPubkey && old != nil {
		rec.SenderPubkey = old.SenderPubkey
	}
	price := b.p.priceName(label(op.Name), ns, b.n)
	if ns.Version == 3 {
		rec.OpFee = 0
		rec.TokenFee = price.Int().String()
	} else if price.IsFloat {
		rec.OpFee = price.F
	} else {
		rec.OpFee, _ = new(big.Float).SetInt(price.I).Float64()
	}
	return &effect{opcode: ';', fx: funcFx{renderFn: func(a *canon.Appender) {
		rec.appendCanon(a)
		a.Str(rec.Sender)
		a.Str(rec.Address)
	}, applyFn: func() error {
		return b.putName(rec, old)
	}}}, nil, nil
}

// checkTokenTransfer is TOKEN_TRANSFER (§3.12; F tokentransfer.py:49-130).
func (b *blockCtx) checkTokenTransfer(op *ops.Op) (*effect, *Error, error) {
	f := b.p.Features(b.n)
	if !f.Has(ops.FeatureTokenTransfer) {
		return nil, reject(ErrTokenTransferNotAllowed, "token transfers not yet allowed"), nil
	}
	if op.TokenFee == nil || *op.TokenFee == 0 {
		return nil, reject(ErrZeroAmount, "token transfer of nothing"), nil
	}
	if op.Address == op.RecipientAddress {
		return nil, reject(ErrSameAddress, "token transfer to the sender"), nil
	}
	if !(f.Has(ops.FeatureTokenTransferConsensusHashOptional) && op.ConsensusHash == strings.Repeat("0", 32)) {
		ok, err := b.validConsensusHash(op.ConsensusHash)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, reject(ErrInvalidConsensusHash, "consensus hash %s is not recent", op.ConsensusHash), nil
		}
	}
	units := ""
	if op.TokenUnits != nil {
		units = *op.TokenUnits
	}
	a, err := b.account(op.Address, units)
	if err != nil {
		return nil, nil, err
	}
	if a == nil {
		return nil, reject(ErrNoAccount, "no %s account for %s", units, op.Address), nil
	}
	if b.n < a.LockTransferBlockID {
		return nil, reject(ErrTransferLocked, "%s is locked until %d", op.Address, a.LockTransferBlockID), nil
	}
	amt := new(big.Int).SetUint64(*op.TokenFee)
	if a.Balance().Cmp(amt) < 0 {
		return nil, reject(ErrInsufficientBalance, "%s has %s, sends %s", op.Address, a.Balance(), amt), nil
	}
	r, err := b.account(op.RecipientAddress, units)
	if err != nil {
		return nil, nil, err
	}
	if r != nil && !r.ReceiveWhitelisted {
		return nil, reject(ErrRecipientNotWhitelisted, "%s does not accept transfers", op.RecipientAddress), nil
	}
	if units != unitsStacks {
		return nil, reject(ErrTokenUnits, "token units %q", units), nil
	}
	return &effect{opcode: '$', fx: funcFx{renderFn: func(a *canon.Appender) {
		a.Str(op.Sender)
		a.Str(op.Address)
		a.Str(op.Recipient)
		a.Str(op.RecipientAddress)
		a.Str(units)
		a.Str(amt.String())
		a.Uint(b.n)
		a.Str("$")
		a.Str(op.Txid)
		a.Int(int64(op.Vtxindex))
		a.Str(op.ConsensusHash)
		a.OptStr(op.ScratchArea)
	}, applyFn: func() error {
		if err := b.debit(op.Address, units, amt); err != nil {
			return err
		}
		return b.credit(op.RecipientAddress, units, amt)
	}}}, nil, nil
}
