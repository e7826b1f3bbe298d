package consensus

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/spvcheck/spvcheck/ops"
)

// testKey is a deterministic p2pkh key for building operations.
type testKey struct {
	script, addr, pub string
}

func newTestKey(p *Params, seed string) testKey {
	d := sha256.Sum256([]byte(seed))
	_, pk := btcec.PrivKeyFromBytes(d[:])
	pub := pk.SerializeCompressed()
	h := address.Hash160(pub)
	return testKey{script: "76a914" + hex.EncodeToString(h) + "88ac", addr: addressFromHash160(h, p.AddressVersion), pub: hex.EncodeToString(pub)}
}

// testChain drives an engine over a mem store block by block.
type testChain struct {
	tb   testing.TB
	p    *Params
	s    *MemStore
	e    *Engine
	next uint64
	txn  int
}

func newTestChain(tb testing.TB, p *Params) *testChain {
	s := NewMemStore()
	e, err := NewEngine(p, s)
	if err != nil {
		tb.Fatal(err)
	}
	return &testChain{tb: tb, p: p, s: s, e: e, next: p.FirstBlock}
}

func (c *testChain) block(list ...ops.Op) *BlockResult {
	c.tb.Helper()
	for i := range list {
		list[i].Vtxindex = i + 1
		list[i].BlockHeight = c.next
		c.txn++
		if list[i].Txid == "" {
			h := sha256.Sum256([]byte(fmt.Sprintf("tx-%d-%d", c.next, c.txn)))
			list[i].Txid = hex.EncodeToString(h[:])
		}
	}
	res, err := c.e.ProcessBlock(context.Background(), Block{Height: c.next, Ops: list})
	if err != nil {
		c.tb.Fatalf("block %d: %v", c.next, err)
	}
	c.next++
	return res
}

// skipTo processes empty blocks until the next block is h.
func (c *testChain) skipTo(h uint64) {
	c.tb.Helper()
	for c.next < h {
		c.block()
	}
}

// ch is the consensus hash of the last block.
func (c *testChain) ch() string {
	v, ok, err := c.e.View().ConsensusHash(c.next - 1)
	if err != nil || !ok {
		c.tb.Fatalf("no consensus hash at %d", c.next-1)
	}
	return v
}

func u64(v uint64) *uint64 { return &v }
func str(s string) *string { return &s }

func (c *testChain) nsPreorder(k, reveal testKey, id string, fee uint64, tokens *uint64) ops.Op {
	return ops.Op{Kind: ops.KindNamespacePreorder, Opcode: '*', OpString: "*", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), PreorderHash: mustHashName(id, k.script, reveal.addr), ConsensusHash: c.ch(),
		OpFee: u64(fee), BurnAddress: c.p.BurnAddress, TokenFee: tokens}
}

func nsReveal(k, reveal testKey, id string, version uint16, lifetime uint32, coeff, base uint8, buckets [16]int, nonalpha, novowel uint8) ops.Op {
	b := buckets
	return ops.Op{Kind: ops.KindNamespaceReveal, Opcode: '&', OpString: "&", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), Recipient: reveal.script, RecipientAddress: reveal.addr, NamespaceID: id,
		PreorderHash: mustHashName(id, k.script, reveal.addr), Version: version, Lifetime: lifetime, Coeff: coeff,
		Base: base, Buckets: &b, NonalphaDiscount: nonalpha, NoVowelDiscount: novowel}
}

func nsReady(reveal testKey, id string) ops.Op {
	return ops.Op{Kind: ops.KindNamespaceReady, Opcode: '!', OpString: "!", Sender: reveal.script,
		Address: reveal.addr, SenderPubkey: str(reveal.pub), NamespaceID: id}
}

func (c *testChain) preorder(k, owner testKey, name string, fee uint64) ops.Op {
	return ops.Op{Kind: ops.KindNamePreorder, Opcode: '?', OpString: "?", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), PreorderHash: mustHashName(name, k.script, owner.addr), ConsensusHash: c.ch(),
		OpFee: u64(fee), BurnAddress: c.p.BurnAddress}
}

func register(k, owner testKey, name string) ops.Op {
	return ops.Op{Kind: ops.KindNameRegistration, Opcode: ':', OpString: ":", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), Recipient: owner.script, RecipientAddress: owner.addr, Name: name}
}

func (c *testChain) renew(k, owner testKey, name string, fee uint64) ops.Op {
	return ops.Op{Kind: ops.KindNameRenewal, Opcode: ':', OpString: "::", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), Recipient: owner.script, RecipientAddress: owner.addr, Name: name,
		OpFee: u64(fee), BurnAddress: c.p.BurnAddress, TokenFee: u64(0)}
}

func (c *testChain) update(k testKey, name, valueHash string) ops.Op {
	return ops.Op{Kind: ops.KindNameUpdate, Opcode: '+', OpString: "+", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), NameConsensusHash: hash128(name + c.ch()), ValueHash: str(valueHash)}
}

func (c *testChain) transfer(k, to testKey, name string, keep bool) ops.Op {
	return ops.Op{Kind: ops.KindNameTransfer, Opcode: '>', OpString: ">", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), Recipient: to.script, RecipientAddress: to.addr, NameHash128: hash128(name),
		ConsensusHash: c.ch(), KeepData: &keep}
}

func revoke(k testKey, name string) ops.Op {
	return ops.Op{Kind: ops.KindNameRevoke, Opcode: '~', OpString: "~", Sender: k.script, Address: k.addr,
		SenderPubkey: str(k.pub), Name: name}
}

func (c *testChain) tokenTransfer(k, to testKey, amount uint64) ops.Op {
	return ops.Op{Kind: ops.KindTokenTransfer, Opcode: '$', OpString: "$", Sender: k.script, Address: k.addr,
		Recipient: to.script, RecipientAddress: to.addr, ConsensusHash: c.ch(), TokenUnits: str("STACKS"),
		TokenFee: u64(amount), ScratchArea: str("")}
}

var flatBuckets = [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}

// launch preorders, reveals and readies a version-1 namespace priced at
// coeff·base^1 per name, in three blocks; the namespace preorder pays fee.
func (c *testChain) launch(creator, revealer testKey, id string, lifetime uint32, fee uint64) {
	c.tb.Helper()
	c.expect(c.block(c.nsPreorder(creator, revealer, id, fee, nil)), Accepted)
	c.expect(c.block(nsReveal(creator, revealer, id, 1, lifetime, 1, 2, flatBuckets, 1, 1)), Accepted)
	c.expect(c.block(nsReady(revealer, id)), Accepted)
}

// expect asserts the outcomes of a block's ops, in order.
func (c *testChain) expect(res *BlockResult, want ...Outcome) {
	c.tb.Helper()
	if len(res.Ops) != len(want) {
		c.tb.Fatalf("block %d: %d results, want %d", res.Height, len(res.Ops), len(want))
	}
	for i, w := range want {
		if res.Ops[i].Outcome != w {
			c.tb.Fatalf("block %d op %d (%s): %s (%v), want %s", res.Height, i, res.Ops[i].Kind, res.Ops[i].Outcome, res.Ops[i].Err, w)
		}
	}
}

// expectCode asserts a rejection code.
func (c *testChain) expectCode(res *BlockResult, i int, code ErrorCode) {
	c.tb.Helper()
	r := res.Ops[i]
	if r.Outcome != Rejected || r.Err == nil || r.Err.Code != code {
		c.tb.Fatalf("block %d op %d (%s): %s %v, want rejection %s", res.Height, i, r.Kind, r.Outcome, r.Err, code)
	}
}

func hexs(b []byte) string { return hex.EncodeToString(b) }

// keychainChild derives child i of a revealer key with the zero chain code
// independently of importKeychain, by the BIP32 formula.
func keychainChild(t *testing.T, parentHex string, i uint32) testKey {
	t.Helper()
	parent, _ := hex.DecodeString(parentHex)
	pk, err := btcec.ParsePubKey(parent)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmacSHA512(make([]byte, 32), append(pk.SerializeCompressed(), byte(i>>24), byte(i>>16), byte(i>>8), byte(i)))
	var tweak btcec.ModNScalar
	tweak.SetByteSlice(mac[:32])
	var tp, pp, sum btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&tweak, &tp)
	pk.AsJacobian(&pp)
	btcec.AddNonConst(&tp, &pp, &sum)
	sum.ToAffine()
	child := btcec.NewPublicKey(&sum.X, &sum.Y).SerializeCompressed()
	h := address.Hash160(child)
	return testKey{script: "76a914" + hexs(h) + "88ac", addr: addressFromHash160(h, 0x6f), pub: hexs(child)}
}

func hmacSHA512(key, data []byte) []byte {
	m := hmac.New(sha512.New, key)
	m.Write(data)
	return m.Sum(nil)
}

// mustHashName is hashName for names the tests know are valid.
func mustHashName(name, scriptHex, addr string) string {
	h, ok := hashName(name, scriptHex, addr)
	if !ok {
		panic("test name without base-40 form: " + name)
	}
	return h
}
