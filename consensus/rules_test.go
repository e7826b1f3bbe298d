package consensus

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/big"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/spvcheck/spvcheck/ops"
)

// Each test below pins one rule of state-machine.md (§ cited) that the
// recorded replays do not exercise (§10 "Rules that no recorded run
// exercises") or that §7 lists as easy to get wrong. Heights refer to the
// Regtest epochs: 1 = 256–285, 2 = 286–320, 3 = 321–360, 4 = 361–400,
// 5 = 401–440, 6 = 441–.

func keys(p *Params) (a, b, c, d testKey) {
	return newTestKey(p, "alice"), newTestKey(p, "bob"), newTestKey(p, "carol"), newTestKey(p, "dave")
}

// §2.4 / §7.1: names created in block N are invisible to Q = N−1 queries,
// so an update or transfer in the same block fails.
func TestSameBlockCreationInvisible(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "x.test", 1000)), Accepted)
	res := c.block(register(alice, alice, "x.test"), c.update(alice, "x.test", strings.Repeat("11", 20)), c.transfer(alice, bob, "x.test", true))
	c.expect(res, Accepted, Rejected, Rejected)
	c.expectCode(res, 1, ErrNameNotFound)
	c.expectCode(res, 2, ErrNameExpired)
	// One block later both work (F update.py:73-158 resolves over alive-at-Q names).
	c.expect(c.block(c.update(alice, "x.test", strings.Repeat("11", 20))), Accepted)
}

// §2.2 / §7.6: two creators of one name that both pass the scan phase are
// both rejected (F virtualchain_hooks.py:276-322, namedb.py:660-680).
func TestCollisionRejectsAllCreators(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "x.test", 1000), c.preorder(carol, carol, "x.test", 1000)), Accepted, Accepted)
	res := c.block(register(alice, alice, "x.test"), register(carol, carol, "x.test"))
	c.expectCode(res, 0, ErrCollision)
	c.expectCode(res, 1, ErrCollision)
	if len(res.Records) != 0 {
		t.Fatalf("collided registrations were hashed")
	}
}

// §2.5 / §7.2 / §11.1: alive while last_renewed + L·M + G ≥ h, so with no
// grace period update/transfer still pass at N = expire_block + 1 and fail
// one block later; revoke uses "alive at N" and fails one block earlier.
func TestExpiryBoundary(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.skipTo(290) // epoch 2: M = 2, G = 0
	c.launch(alice, bob, "test", 3, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "x.test", 1000)), Accepted)
	c.expect(c.block(register(alice, alice, "x.test")), Accepted)
	r := c.next - 1 // registered at r; L·M = 6, expire_block = r+6
	c.skipTo(r + 7)
	res := c.block(revoke(alice, "x.test"), c.update(alice, "x.test", strings.Repeat("22", 20)))
	c.expectCode(res, 0, ErrNameExpired) // revoke: not alive at N = r+7
	c.expect(res, Rejected, Accepted)    // update: alive at Q = r+6, not in grace
	res = c.block(c.update(alice, "x.test", strings.Repeat("33", 20)), c.transfer(alice, bob, "x.test", true))
	c.expectCode(res, 0, ErrNameNotFound)
	c.expectCode(res, 1, ErrNameExpired)
	// §4.1: anyone may re-register once it is dead at Q; block_number is kept.
	c.expect(c.block(c.preorder(bob, bob, "x.test", 1000)), Accepted)
	c.expect(c.block(register(bob, bob, "x.test")), Accepted)
	rec, _ := c.e.View().Name("x.test")
	if rec.Address != bob.addr || rec.BlockNumber != r-1 {
		t.Fatalf("re-registration: owner %s block_number %d", rec.Address, rec.BlockNumber)
	}
}

// launchPriced launches a v1 namespace whose every name costs
// coeff·base^3 with no-vowel discount 3 (§6.2).
func launchPriced(c *testChain, creator, revealer testKey, id string, version uint16, fee uint64, tokens *uint64) {
	c.tb.Helper()
	threes := [16]int{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}
	c.expect(c.block(c.nsPreorder(creator, revealer, id, fee, tokens)), Accepted)
	c.expect(c.block(nsReveal(creator, revealer, id, version, 1000, 1, 2, threes, 1, 3)), Accepted)
	c.expect(c.block(nsReady(revealer, id)), Accepted)
}

// §6.2 / §7.3: epoch 3 prices are float64 in the reference's order:
// float(1·2^3)/3·100 = 266.66666666666663, ·0.1 = 26.666666666666664, and
// int < float decides (F scripts.py:213-285): 26 fails, 27 passes.
// §6.2: from epoch 4 the price is floor(1·2^3·100/3) = 266 // 10 = 26.
func TestPriceFloatAndIntDivision(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, dave := keys(p)
	c.skipTo(321)
	launchPriced(c, alice, bob, "price", 1, 40000000, nil)
	ns, _ := c.e.View().Namespace("price")
	if got := p.priceName("bcd", ns, 330); !got.IsFloat || got.F != 26.666666666666664 {
		t.Fatalf("epoch 3 price %+v", got)
	}
	c.expect(c.block(c.preorder(alice, alice, "bcd.price", 26), c.preorder(carol, carol, "bcd.price", 27)), Accepted, Accepted)
	res := c.block(register(alice, alice, "bcd.price"))
	c.expectCode(res, 0, ErrFeeTooLow)
	c.expect(c.block(register(carol, carol, "bcd.price")), Accepted)

	c.skipTo(370)
	if got := p.priceName("fgh", ns, 370); got.IsFloat || got.I.Int64() != 26 {
		t.Fatalf("epoch 4 price %+v", got)
	}
	c.expect(c.block(c.preorder(alice, alice, "fgh.price", 25), c.preorder(dave, dave, "fgh.price", 26)), Accepted, Accepted)
	c.expectCode(c.block(register(alice, alice, "fgh.price")), 0, ErrFeeTooLow)
	c.expect(c.block(register(dave, dave, "fgh.price")), Accepted)
}

// §4.2 / §7.9: before epoch 4 a preorder is usable while
// block_number + L·M(Q) > Q; from epoch 4 also only until
// block_number + NamePreorderExpire ≥ N (F register.py FIX_PREORDER_EXPIRE).
func TestPreorderExpiry(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(290)
	c.launch(alice, bob, "short", 2, 400000000) // L·M = 4 in epoch 2
	c.expect(c.block(c.preorder(alice, alice, "a.short", 1000)), Accepted)
	pre := c.next - 1
	c.skipTo(pre + 5) // Q = pre+4: pre + 4 ≤ Q
	c.expectCode(c.block(register(alice, alice, "a.short")), 0, ErrNoPreorder)
	// The stale preorder still blocks an identical new one (§4.2).
	c.expectCode(c.block(c.preorder(alice, alice, "a.short", 1000)), 0, ErrPreorderExists)

	c.skipTo(330)
	c.launch(alice, bob, "long", 1000, 40000000)
	c.skipTo(365)
	c.expect(c.block(c.preorder(alice, alice, "b.long", 1000), c.preorder(carol, carol, "c.long", 1000)), Accepted, Accepted)
	pre = c.next - 1
	c.skipTo(pre + p.NamePreorderExpire)
	c.expect(c.block(register(alice, alice, "b.long")), Accepted)
	c.expectCode(c.block(register(carol, carol, "c.long")), 0, ErrPreorderExpired)
}

// §5: an operation may quote the consensus hash of blocks N−24..N−1 only.
func TestConsensusHashWindow(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	old := c.next - 1
	oldCH := c.ch()
	c.skipTo(old + 24)
	op := c.preorder(alice, alice, "w.test", 1000)
	op.ConsensusHash = oldCH
	c.expect(c.block(op), Accepted) // N = old+24 quotes N−24
	op = c.preorder(alice, alice, "v.test", 1000)
	op.ConsensusHash = oldCH
	c.expectCode(c.block(op), 0, ErrInvalidConsensusHash) // N = old+25
}

func p2shTestKey(p *Params) testKey {
	h := address.Hash160([]byte("multisig"))
	return testKey{script: "a914" + hexs(h) + "87", addr: addressFromHash160(h, p.P2SHVersion)}
}

// §3.6-5 / §3.9-6: p2sh recipients and senders are refused in epoch 1
// (no MULTISIG feature) and accepted from epoch 2.
func TestP2SHRejectedInEpoch1(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	ms := p2shTestKey(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, ms, "m.test", 1000)), Accepted)
	c.expectCode(c.block(register(alice, ms, "m.test")), 0, ErrP2SHNotAllowed)
	c.skipTo(290)
	c.expect(c.block(c.preorder(bob, ms, "n.test", 1000)), Accepted)
	c.expect(c.block(register(bob, ms, "n.test")), Accepted)
}

// §4.1: from epoch 3 a name expired less than G blocks ago is in its grace
// period: update, transfer and revoke are refused, renewal is allowed.
// §3.13: renew+transfer+update (epoch ≥ 3) moves the name.
func TestGracePeriodAndRenewTransfer(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(322)
	c.launch(alice, bob, "test", 2, 40000000)
	c.expect(c.block(c.preorder(alice, alice, "g.test", 1000)), Accepted)
	c.expect(c.block(register(alice, alice, "g.test")), Accepted)
	r := c.next - 1
	c.skipTo(r + 4) // expire_block = r + 4 ≤ N: grace
	res := c.block(c.update(alice, "g.test", strings.Repeat("44", 20)), c.transfer(alice, bob, "g.test", true), revoke(alice, "g.test"))
	c.expectCode(res, 0, ErrInGracePeriod)
	c.expectCode(res, 1, ErrInGracePeriod)
	c.expectCode(res, 2, ErrInGracePeriod)
	ren := c.renew(alice, carol, "g.test", 1000)
	ren.ValueHash = str(strings.Repeat("55", 20))
	c.expect(c.block(ren), Accepted)
	rec, _ := c.e.View().Name("g.test")
	if rec.Address != carol.addr || rec.LastRenewed != r+5 || *rec.ValueHash != strings.Repeat("55", 20) {
		t.Fatalf("renew+transfer+update left %+v", rec)
	}
}

// §3.7-2: before epoch 3, renewing to another owner is refused.
// §3.6-12: register+update (value hash in a registration) needs epoch 3.
func TestCombosBeforeEpoch3(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(290)
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "r.test", 1000)), Accepted)
	reg := register(alice, alice, "r.test")
	reg.ValueHash = str(strings.Repeat("66", 20))
	c.expectCode(c.block(reg), 0, ErrValueHashNotAllowed)
	c.expect(c.block(register(alice, alice, "r.test")), Accepted)
	c.expectCode(c.block(c.renew(alice, carol, "r.test", 1000)), 0, ErrRenewTransferNotAllowed)
	c.expect(c.block(c.renew(alice, alice, "r.test", 1000)), Accepted)
}

// §3.6.1 v2: a pay-to-creator namespace (epoch ≥ 3) takes name fees at its
// creator's address during the receive-fees period; the burn address is refused.
func TestPayToCreator(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(322)
	c.expect(c.block(c.nsPreorder(alice, bob, "paid", 40000000, nil)), Accepted)
	c.expect(c.block(nsReveal(alice, bob, "paid", 2, 1000, 1, 2, flatBuckets, 1, 1)), Accepted)
	c.expect(c.block(nsReady(bob, "paid")), Accepted)
	toBurn := c.preorder(carol, carol, "x.paid", 1000)
	toCreator := c.preorder(bob, bob, "y.paid", 1000)
	toCreator.BurnAddress = alice.addr // the preorderer's address (§11.3)
	c.expect(c.block(toBurn, toCreator), Accepted, Accepted)
	res := c.block(register(carol, carol, "x.paid"), register(bob, bob, "y.paid"))
	c.expectCode(res, 0, ErrWrongBurnAddress)
	c.expect(res, Rejected, Accepted)
}

// §3.12 / §1.5: token transfers need epoch 4, respect genesis locks, need
// a recent consensus hash (all-zero allowed from epoch 5) and move
// arbitrary-precision balances.
func TestTokenTransfers(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	var k [RegtestKeyCount]testKey
	for i := range k {
		_, pub := btcec.PrivKeyFromBytes(RegtestPrivateKey(i))
		h := address.Hash160(pub.SerializeCompressed())
		k[i] = testKey{script: "76a914" + hexs(h) + "88ac", addr: addressFromHash160(h, p.AddressVersion)}
	}
	c.skipTo(330)
	c.expectCode(c.block(c.tokenTransfer(k[0], k[1], 5)), 0, ErrTokenTransferNotAllowed)
	c.skipTo(370)
	res := c.block(c.tokenTransfer(k[0], k[1], 5), c.tokenTransfer(k[3], k[1], 5), c.tokenTransfer(k[0], k[0], 5), c.tokenTransfer(k[0], k[1], 0))
	c.expect(res, Accepted, Rejected, Rejected, Rejected)
	c.expectCode(res, 1, ErrTransferLocked)
	c.expectCode(res, 2, ErrSameAddress)
	c.expectCode(res, 3, ErrZeroAmount)
	zero := c.tokenTransfer(k[3], k[1], 7)
	zero.ConsensusHash = strings.Repeat("0", 32)
	c.expectCode(c.block(zero), 0, ErrInvalidConsensusHash) // all-zero needs epoch 5
	c.skipTo(401)                                           // epoch 5: lock over, zero consensus hash allowed
	zero.Txid = ""
	c.expect(c.block(zero), Accepted)
	v := c.e.View()
	for i, want := range []string{"999999999999995", "1000000000000012", "1001000000000000", "999999999999993"} {
		got, _ := v.Balance(k[i].addr, "STACKS")
		if got.String() != want {
			t.Errorf("key %d balance %s, want %s", i, got, want)
		}
	}
}

// §3.2-5 / §6.1: from epoch 4 namespaces are bought with STACKS priced
// by the epoch table (6.4e9 µSTX for a 4–7 character id), paid by a debit at
// preorder time.
func TestStacksNamespacePrice(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	_, pub := btcec.PrivKeyFromBytes(RegtestPrivateKey(0))
	h := address.Hash160(pub.SerializeCompressed())
	rich := testKey{script: "76a914" + hexs(h) + "88ac", addr: addressFromHash160(h, p.AddressVersion), pub: hexs(pub.SerializeCompressed())}
	_, bob, _, _ := keys(p)
	c.skipTo(365)
	c.expect(c.block(c.nsPreorder(rich, bob, "cheap", 1000, u64(6399999999)), c.nsPreorder(rich, bob, "dear", 1000, u64(6400000000))), Accepted, Accepted)
	res := c.block(nsReveal(rich, bob, "cheap", 3, 1000, 1, 2, flatBuckets, 1, 1), nsReveal(rich, bob, "dear", 3, 1000, 1, 2, flatBuckets, 1, 1))
	c.expectCode(res, 0, ErrFeeTooLow)
	c.expect(res, Rejected, Accepted)
	bal, _ := c.e.View().Balance(rich.addr, "STACKS")
	if bal.String() != "999987200000001" {
		t.Fatalf("balance %s", bal)
	}
	// A preorder larger than the balance is refused.
	c.expectCode(c.block(c.nsPreorder(rich, bob, "huge", 1000, u64(1<<62))), 0, ErrInsufficientBalance)
}

// §3.9: the transfer record quotes the consensus hash of the latest update
// since the name's registration, not its own (F transfer.py:87-146).
func TestTransferConsensusHashQuirk(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "q.test", 1000)), Accepted)
	c.expect(c.block(register(alice, alice, "q.test")), Accepted)
	upd := c.update(alice, "q.test", strings.Repeat("77", 20))
	updCH := c.ch()
	c.expect(c.block(upd), Accepted)
	c.block()
	res := c.block(c.transfer(alice, bob, "q.test", true))
	c.expect(res, Accepted)
	if !strings.Contains(string(res.Records[0]), "32:"+updCH+",") {
		t.Fatalf("transfer record %s does not quote the update's hash %s", res.Records[0], updCH)
	}
}

// §7.7: the owner quota is 25 names (≥ for preorder and registration).
func TestQuota(t *testing.T) {
	p := Regtest()
	p.MaxNamesPerSender = 2
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "a.test", 1000), c.preorder(alice, alice, "b.test", 1000), c.preorder(alice, alice, "c.test", 1000)), Accepted, Accepted, Accepted)
	res := c.block(register(alice, alice, "a.test"), register(alice, alice, "b.test"), register(alice, alice, "c.test"))
	c.expect(res, Accepted, Accepted, Rejected)
	c.expectCode(res, 2, ErrQuotaExceeded)
	c.expectCode(c.block(c.preorder(alice, alice, "d.test", 1000)), 0, ErrQuotaExceeded)
}

// §3.5 / §7.4: NAME_IMPORT stores float(price) as op_fee, rendered with
// Python's str(float); the keychain admits the revealer's BIP32 children.
func TestImportFloatFeeAndKeychain(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.block()
	c.expect(c.block(c.nsPreorder(alice, bob, "imp", 4000000000, nil)), Accepted)
	c.expect(c.block(nsReveal(alice, bob, "imp", 1, 1000, 1, 2, flatBuckets, 1, 1)), Accepted)
	kc, err := p.importKeychain(bob.pub)
	if err != nil {
		t.Fatal(err)
	}
	child := keychainChild(t, bob.pub, 2)
	if kc[2] != child.addr || kc[len(kc)-1] != bob.addr || len(kc) != p.ImportKeyringSize+1 {
		t.Fatalf("keychain %v", kc)
	}
	imp := func(k testKey, name string) ops.Op {
		return ops.Op{Kind: ops.KindNameImport, Opcode: ';', OpString: ";", Sender: k.script, Address: k.addr,
			SenderPubkey: str(k.pub), Recipient: carol.script, RecipientAddress: carol.addr, Name: name,
			ValueHash: str(strings.Repeat("88", 20))}
	}
	res := c.block(imp(child, "early.imp")) // the first import must come from the revealer
	c.expectCode(res, 0, ErrNotInKeychain)
	res = c.block(imp(bob, "i.imp"), imp(child, "j.imp"), imp(alice, "k.imp"))
	c.expect(res, Accepted, Accepted, Rejected)
	if !strings.Contains(string(res.Records[0]), ",5:200.0,") {
		t.Fatalf("import record %s lacks the float fee 200.0", res.Records[0])
	}
	// §4.2 / F db.py namedb_get_name_preorder: an outstanding preorder row
	// does not block its hash while a live name carries that preorder hash
	// (here the import's hash_name(name, importer, recipient)).
	c.expect(c.block(c.preorder(bob, carol, "i.imp", 1000)), Accepted)
	res = c.block(c.preorder(bob, carol, "i.imp", 1000), c.preorder(bob, carol, "i.imp", 1000))
	c.expect(res, Accepted, Rejected)
	c.expectCode(res, 1, ErrPreorderCollision) // state_preorder's per-block collision
	// Without a live name carrying the hash, the row blocks it.
	c.expectCode(c.block(c.preorder(bob, carol, "z.imp", 1000), c.preorder(bob, carol, "z.imp", 1000)), 1, ErrPreorderExists)
}

// Every ErrorCode has a name, and errors.Is matches by code.
func TestErrorCodes(t *testing.T) {
	// Every code up to numErrorCodes is named after its constant in
	// errors.go, read from the source.
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var idents []string
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, sp := range g.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.Name != "numErrorCodes" && strings.HasPrefix(n.Name, "Err") {
						idents = append(idents, n.Name)
					}
				}
			}
		}
	}
	if len(idents) != int(numErrorCodes) {
		t.Fatalf("%d codes in errors.go, numErrorCodes %d", len(idents), numErrorCodes)
	}
	for c := ErrorCode(0); c < numErrorCodes; c++ {
		if c.String() != idents[c] {
			t.Errorf("code %d is named %q, its constant %s", int(c), c.String(), idents[c])
		}
	}
	if s := numErrorCodes.String(); !strings.HasPrefix(s, "ErrorCode(") {
		t.Errorf("numErrorCodes is named %q", s)
	}
	e := reject(ErrFeeTooLow, "x")
	if !errors.Is(e, &Error{Code: ErrFeeTooLow}) || errors.Is(e, &Error{Code: ErrNoAccount}) {
		t.Fatal("errors.Is does not match by code")
	}
	wrapped := fmt.Errorf("op 3: %w", e)
	if !errors.Is(wrapped, ErrFeeTooLow) || errors.Is(wrapped, ErrNoAccount) {
		t.Fatal("errors.Is does not match an ErrorCode")
	}
	var code ErrorCode
	if !errors.As(error(ErrQuotaExceeded), &code) || code != ErrQuotaExceeded || code.Error() != "ErrQuotaExceeded" || fmt.Sprint(code) != "ErrQuotaExceeded" {
		t.Fatalf("ErrorCode as an error: %v", code)
	}
}

// Params.Fingerprint is stable and changes with any rule.
func TestFingerprint(t *testing.T) {
	a, b := Regtest(), Regtest()
	if a.Fingerprint() != b.Fingerprint() || a.Fingerprint() == Mainnet().Fingerprint() {
		t.Fatal("fingerprint not stable or not distinguishing")
	}
	b.Rules.ExpiryInclusive = true
	if a.Fingerprint() == b.Fingerprint() {
		t.Fatal("fingerprint ignores rule switches")
	}
	if Mainnet().BurnAddress != "1111111111111111111114oLvT2" {
		t.Fatalf("mainnet burn address %s", Mainnet().BurnAddress)
	}
}

// ReadGenesis reads the documented JSON-lines format, big amounts included,
// and refuses malformed lines.
func TestReadGenesis(t *testing.T) {
	in := `{"address":"a1","type":"STACKS","value":123456789012345678901234567890,"lock_send":5}
{"address":"a2","type":"STACKS","value":"7","receive_whitelisted":false,"vesting":[{"block":300,"value":2}]}
`
	g, err := ReadGenesis(strings.NewReader(in))
	if err != nil || len(g) != 2 || string(g[0].Value) != "123456789012345678901234567890" || g[1].Vesting[0].Block != 300 {
		t.Fatalf("ReadGenesis: %v %+v", err, g)
	}
	for _, bad := range []string{`{"address":"a"}`, `{"address":"a","type":"S","value":-1}`, `{"address":"a","type":"S","value":1,"x":1}`, `[1]`} {
		if _, err := ReadGenesis(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadGenesis accepted %s", bad)
		}
	}
	// Genesis accounts and vesting reach the state.
	p := Regtest()
	p.Genesis = g
	c := newTestChain(t, p)
	c.skipTo(301)
	v := c.e.View()
	if b, _ := v.Balance("a1", "STACKS"); b.String() != "123456789012345678901234567890" {
		t.Fatalf("a1 balance %s", b)
	}
	if b, _ := v.Balance("a2", "STACKS"); b.String() != "9" {
		t.Fatalf("a2 balance after vesting %s", b)
	}
}

// A block at the wrong height is refused without touching state.
func TestBlockOrder(t *testing.T) {
	p := Regtest()
	e, _ := NewEngine(p, NewMemStore())
	if _, err := e.ProcessBlock(context.Background(), Block{Height: p.FirstBlock + 1}); err == nil {
		t.Fatal("accepted a first block at the wrong height")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.ProcessBlock(ctx, Block{Height: p.FirstBlock}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}

// §2.2 + §7.7: in the scan phase the quota counts every earlier scanned
// registration by its sender field — the payer of a failed one — so a
// failing registration can push a later one over quota in the scan only;
// that one then escapes the collision rule and wins in the main phase
// (F register.py get_num_names_owned over db_scan_block's checked_ops).
func TestScanPhaseQuotaCountsFailedRegistrations(t *testing.T) {
	p := Regtest()
	p.MaxNamesPerSender = 2
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "a.test", 1000)), Accepted)
	c.expect(c.block(register(alice, alice, "a.test")), Accepted)
	c.expect(c.block(c.preorder(alice, alice, "y.test", 1000), c.preorder(carol, carol, "y.test", 1000)), Accepted, Accepted)
	res := c.block(register(alice, alice, "nopreorder.test"), register(alice, alice, "y.test"), register(carol, carol, "y.test"))
	c.expectCode(res, 0, ErrNoPreorder)
	c.expect(res, Rejected, Accepted, Rejected)
	c.expectCode(res, 2, ErrCollision)
}

// The View's read helpers answer as of the last committed block.
func TestViewHelpers(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	if _, ok, _ := c.e.View().Tip(); ok {
		t.Fatal("tip before the first block")
	}
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "b.test", 1000), c.preorder(alice, alice, "a.test", 1000)), Accepted, Accepted)
	c.expect(c.block(register(alice, alice, "b.test"), register(alice, alice, "a.test")), Accepted, Accepted)
	c.expect(c.block(c.transfer(alice, bob, "a.test", false)), Accepted)
	v := c.e.View()
	tip, ok, err := v.Tip()
	if err != nil || !ok || tip != c.next-1 {
		t.Fatalf("tip %d %v %v", tip, ok, err)
	}
	names, _ := v.NamesInNamespace("test")
	if strings.Join(names, ",") != "a.test,b.test" {
		t.Fatalf("names %v", names)
	}
	hist, _ := v.NameHistory("a.test")
	var opsSeen []string
	for _, h := range hist {
		opsSeen = append(opsSeen, h.Op)
	}
	if strings.Join(opsSeen, " ") != "? : >~" {
		t.Fatalf("history %v", opsSeen)
	}
	if ns, _ := v.Namespace("test"); ns == nil || !ns.Ready() {
		t.Fatal("namespace not ready")
	}
	if oh, ok, _ := v.OpsHash(tip); !ok || len(oh) != 64 {
		t.Fatalf("ops hash %q", oh)
	}
}

// §3.6.1 v3 / §6.2: names of a STACKS namespace are paid with µSTX debited
// at preorder time, priced with integer arithmetic and cost unit 1733:
// coeff 1 · base 2^1 · 1733 = 3466 µSTX; 3465 is too little.
func TestStacksNamePrice(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	_, pub := btcec.PrivKeyFromBytes(RegtestPrivateKey(1))
	h := address.Hash160(pub.SerializeCompressed())
	rich := testKey{script: "76a914" + hexs(h) + "88ac", addr: addressFromHash160(h, p.AddressVersion), pub: hexs(pub.SerializeCompressed())}
	_, bob, _, _ := keys(p)
	c.skipTo(365)
	c.expect(c.block(c.nsPreorder(rich, bob, "stx", 1000, u64(64000000000))), Accepted)
	c.expect(c.block(nsReveal(rich, bob, "stx", 3, 1000, 1, 2, flatBuckets, 1, 1)), Accepted)
	c.expect(c.block(nsReady(bob, "stx")), Accepted)
	c.skipTo(445) // epoch 6
	ns, _ := c.e.View().Namespace("stx")
	if got := p.priceName("abc", ns, 445); got.IsFloat || got.I.Int64() != 3466 {
		t.Fatalf("price %+v", got)
	}
	pay := func(name string, amount uint64) ops.Op {
		op := c.preorder(rich, rich, name, 1000)
		op.TokenFee, op.TokenUnits = u64(amount), str("STACKS")
		return op
	}
	before, _ := c.e.View().Balance(rich.addr, "STACKS")
	c.expect(c.block(pay("abc.stx", 3465), pay("abd.stx", 3466)), Accepted, Accepted)
	after, _ := c.e.View().Balance(rich.addr, "STACKS")
	if new(big.Int).Sub(before, after).Int64() != 3465+3466 {
		t.Fatalf("preorders debited %s", new(big.Int).Sub(before, after))
	}
	res := c.block(register(rich, rich, "abc.stx"), register(rich, rich, "abd.stx"))
	c.expectCode(res, 0, ErrFeeTooLow)
	c.expect(res, Rejected, Accepted)
	// A BTC-only preorder cannot buy a name in a STACKS namespace.
	c.expect(c.block(c.preorder(rich, rich, "abe.stx", 1000000)), Accepted)
	c.expectCode(c.block(register(rich, rich, "abe.stx")), 0, ErrFeeTooLow)
}

func importOp(k, to testKey, name string) ops.Op {
	return ops.Op{Kind: ops.KindNameImport, Opcode: ';', OpString: ";", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), Recipient: to.script, RecipientAddress: to.addr, Name: name,
		ValueHash: str(strings.Repeat("99", 20))}
}

// §2.5 / §7.2: the ready_block branch of liveness is strict (>) while the
// last_renewed branch is not (>=). An imported name's last_renewed precedes
// the ready block, so it lives while ready_block + L·M > h: with ready at r
// and L·M = 4 (epoch 2), an update passes at N = r+4 (Q = r+3) and the name is
// gone at N = r+5.
func TestReadyBlockBranchIsStrict(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(290)
	c.expect(c.block(c.nsPreorder(alice, bob, "imp", 4000000000, nil)), Accepted)
	c.expect(c.block(nsReveal(alice, bob, "imp", 1, 2, 1, 2, flatBuckets, 1, 1)), Accepted)
	c.expect(c.block(importOp(bob, carol, "i.imp")), Accepted)
	c.block()
	c.expect(c.block(nsReady(bob, "imp")), Accepted)
	r := c.next - 1
	c.skipTo(r + 4)
	c.expect(c.block(c.update(carol, "i.imp", strings.Repeat("12", 20))), Accepted)
	c.expectCode(c.block(c.update(carol, "i.imp", strings.Repeat("13", 20))), 0, ErrNameNotFound)
}

// §3 / §7.5: names are case-sensitive; upper case is invalid.
func TestUpperCaseNameInvalid(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expectCode(c.block(register(alice, alice, "Abc.test")), 0, ErrInvalidName)
	c.expectCode(c.block(revoke(alice, "abc.Test")), 0, ErrInvalidName)
}

// §7.8: under the final rules a renewal is told apart by the parser (output
// count, Kind NAME_RENEWAL); a NAME_REGISTRATION of a name its sender owns is
// a registration and fails. The 0.13–0.14.x rule (Rules.RenewalByState)
// renews it instead.
func TestRenewalDetection(t *testing.T) {
	for _, byState := range []bool{false, true} {
		p := Regtest()
		p.Rules.RenewalByState = byState
		c := newTestChain(t, p)
		alice, bob, _, _ := keys(p)
		c.block()
		c.launch(alice, bob, "test", 100, 400000000)
		c.expect(c.block(c.preorder(alice, alice, "x.test", 1000)), Accepted)
		c.expect(c.block(register(alice, alice, "x.test")), Accepted)
		again := register(alice, alice, "x.test")
		again.OpFee, again.BurnAddress = u64(1000), p.BurnAddress
		res := c.block(again)
		if byState {
			c.expect(res, Accepted)
			if res.Ops[0].Kind != ops.KindNameRenewal {
				t.Fatalf("checked as %s", res.Ops[0].Kind)
			}
		} else {
			c.expectCode(res, 0, ErrNameRegistered)
		}
	}
}

// §3.2-5 / §7.10: a namespace preordered with BTC before epoch 4 and revealed
// from epoch 4 on meets a None BTC price table; Python 2's `x < None` is
// false, so any fee passes.
func TestRevealWithNoneBTCPrice(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.skipTo(355)
	c.expect(c.block(c.nsPreorder(alice, bob, "old", 1, nil)), Accepted) // epoch 3, 1 satoshi
	c.expectCode(c.block(nsReveal(alice, bob, "old", 1, 100, 1, 2, flatBuckets, 1, 1)), 0, ErrFeeTooLow)
	c.skipTo(361) // epoch 4
	c.expect(c.block(nsReveal(alice, bob, "old", 1, 100, 1, 2, flatBuckets, 1, 1)), Accepted)
}

// §7.11: registration takes the registering transaction's public key,
// renewal keeps the record's, transfer clears it, update keeps it.
func TestSenderPubkeyRules(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(290)
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(carol, alice, "k.test", 1000)), Accepted)
	c.expect(c.block(register(carol, alice, "k.test")), Accepted) // carol pays, alice owns
	v := c.e.View()
	pk := func() string {
		r, _ := v.Name("k.test")
		if r.SenderPubkey == nil {
			return "None"
		}
		return *r.SenderPubkey
	}
	if pk() != carol.pub {
		t.Fatalf("registration pubkey %s, want the registering tx's (carol)", pk())
	}
	c.expect(c.block(c.renew(alice, alice, "k.test", 1000)), Accepted)
	if pk() != carol.pub {
		t.Fatal("renewal changed the pubkey")
	}
	c.expect(c.block(c.update(alice, "k.test", strings.Repeat("21", 20))), Accepted)
	if pk() != carol.pub {
		t.Fatal("update changed the pubkey")
	}
	c.expect(c.block(c.transfer(alice, bob, "k.test", true)), Accepted)
	if pk() != "None" {
		t.Fatal("transfer kept the pubkey")
	}
}

// §7.7: update refuses only above the quota (> MaxNamesPerSender), while
// renewal counts the recipient's names with >= — so an owner at the quota
// can update but not renew (F update.py; F register.py check_renewal).
func TestUpdateAndRenewalQuota(t *testing.T) {
	p := Regtest()
	p.MaxNamesPerSender = 1
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.skipTo(290)
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "k.test", 1000)), Accepted)
	c.expect(c.block(register(alice, alice, "k.test")), Accepted)
	c.expect(c.block(c.update(alice, "k.test", strings.Repeat("21", 20))), Accepted)
	c.expectCode(c.block(c.renew(alice, alice, "k.test", 1000)), 0, ErrQuotaExceeded)
}

// The engine's decoded cache never serves state that the store no longer
// holds: an engine whose store was rewound and re-extended by someone else
// replays exactly like a fresh engine.
func TestCacheSurvivesForeignWrites(t *testing.T) {
	p := Regtest()
	alice, bob, carol, _ := keys(p)
	build := func(c *testChain, owner testKey) {
		c.block()
		c.launch(alice, bob, "test", 100, 400000000)
		c.expect(c.block(c.preorder(owner, owner, "x.test", 1000)), Accepted)
		c.expect(c.block(register(owner, owner, "x.test")), Accepted)
	}
	a := newTestChain(t, p)
	build(a, alice)
	b := newTestChain(t, p)
	build(b, carol)
	// Engine a keeps its cache; its store is replaced by b's history at the
	// same height (same tip, different state).
	*a.s = *b.s.Clone()
	a.next = b.next
	res := a.block(a.update(carol, "x.test", strings.Repeat("31", 20)), a.update(alice, "x.test", strings.Repeat("32", 20)))
	a.expect(res, Accepted, Rejected)
}

// §3.8 step 2: an update names its target only through hash128(name +
// consensus hash), matched against each live name its sender owns (F
// namedb.py:1248-1285); revoked names are not in that list (F
// db.py:3282-3291, §10 item 5), so a match on one is "no such name". The
// matched name alone changes, whatever its place among the sender's names.
func TestUpdateFindsItsNameAmongTheSenders(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, _, _ := keys(p)
	c.skipTo(290)
	c.launch(alice, bob, "test", 100, 400000000)
	names := []string{"a.test", "b.test", "c.test"}
	var pre, reg []ops.Op
	for _, nm := range names {
		pre = append(pre, c.preorder(alice, alice, nm, 1000))
		reg = append(reg, register(alice, alice, nm))
	}
	c.expect(c.block(pre...), Accepted, Accepted, Accepted)
	c.expect(c.block(reg...), Accepted, Accepted, Accepted)
	c.expect(c.block(revoke(alice, "b.test")), Accepted)
	c.expectCode(c.block(c.update(alice, "b.test", strings.Repeat("41", 20))), 0, ErrNameNotFound)
	c.expect(c.block(c.update(alice, "c.test", strings.Repeat("42", 20))), Accepted)
	v := c.e.View()
	for _, nm := range names {
		r, err := v.Name(nm)
		if err != nil || r == nil {
			t.Fatalf("%s: %v", nm, err)
		}
		updated := r.ValueHash != nil && *r.ValueHash == strings.Repeat("42", 20)
		if updated != (nm == "c.test") {
			t.Errorf("%s: value hash %v, want the update only on c.test", nm, r.ValueHash)
		}
	}
}
