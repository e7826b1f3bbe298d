package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
)

// world drives the real consensus engine over a real (in-memory Pebble)
// snapshot store, block by block, with operations built here.
type world struct {
	tb   testing.TB
	p    *consensus.Params
	st   *snapshot.Store
	eng  *consensus.Engine
	next uint64
	txn  int
}

// key is a deterministic p2pkh owner.
type key struct {
	script, addr string
	pub          *string
}

func newKey(p *consensus.Params, seed string) key {
	d := sha256.Sum256([]byte(seed))
	_, pk := btcec.PrivKeyFromBytes(d[:])
	pub := pk.SerializeCompressed()
	k := hashKey(p, address.Hash160(pub))
	s := hex.EncodeToString(pub)
	k.pub = &s
	return k
}

// fastKey is an owner with a synthetic hash160 and no public key (name
// operations do not check one), for stores of many owners.
func fastKey(p *consensus.Params, i int) key {
	d := sha256.Sum256(fmt.Appendf(nil, "owner %d", i))
	return hashKey(p, d[:20])
}

func hashKey(p *consensus.Params, h []byte) key {
	return key{script: "76a914" + hex.EncodeToString(h) + "88ac", addr: base58.CheckEncode(h, p.AddressVersion)}
}

func newWorld(tb testing.TB) *world { return newWorldIn(tb, "db", vfs.NewMem()) }

// newWorldIn builds the store in dir of fs.
func newWorldIn(tb testing.TB, dir string, fs vfs.FS) *world {
	tb.Helper()
	p := consensus.Regtest()
	st, err := snapshot.Open(context.Background(), dir, snapshot.Options{
		Network: p.Name, ParamsFingerprint: p.Fingerprint(), FS: fs, UndoWindow: 200,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	w := &world{tb: tb, p: p, st: st, next: p.FirstBlock}
	w.restart()
	return w
}

// restart makes a fresh engine over the store (after a rewind).
func (w *world) restart() {
	eng, err := consensus.NewEngine(w.p, w.st)
	if err != nil {
		w.tb.Fatal(err)
	}
	w.eng = eng
	if tip, ok, err := w.st.Tip(); err != nil {
		w.tb.Fatal(err)
	} else if ok {
		w.next = tip + 1
	}
}

// block processes the next block and requires every operation accepted.
func (w *world) block(list ...ops.Op) *consensus.BlockResult {
	w.tb.Helper()
	res := w.blockAny(list...)
	for i, r := range res.Ops {
		if r.Outcome != consensus.Accepted {
			w.tb.Fatalf("block %d op %d (%s): %s %v", res.Height, i, r.Kind, r.Outcome, r.Err)
		}
	}
	return res
}

func (w *world) blockAny(list ...ops.Op) *consensus.BlockResult {
	w.tb.Helper()
	for i := range list {
		list[i].Vtxindex = i + 1
		list[i].BlockHeight = w.next
		w.txn++
		if list[i].Txid == "" {
			h := sha256.Sum256(fmt.Appendf(nil, "tx-%d-%d", w.next, w.txn))
			list[i].Txid = hex.EncodeToString(h[:])
		}
	}
	res, err := w.eng.ProcessBlock(context.Background(), consensus.Block{Height: w.next, Ops: list})
	if err != nil {
		w.tb.Fatalf("block %d: %v", w.next, err)
	}
	w.next++
	return res
}

func (w *world) skipTo(h uint64) {
	for w.next < h {
		w.block()
	}
}

func (w *world) tip() uint64 { return w.next - 1 }

func (w *world) ch() string {
	ch, err := w.st.ConsensusHash(w.tip())
	if err != nil {
		w.tb.Fatal(err)
	}
	return ch
}

func u64(v uint64) *uint64  { return &v }
func strp(s string) *string { return &s }

func preorderHash(tb testing.TB, name string, k key, owner key) string {
	raw, _ := hex.DecodeString(k.script)
	h, err := ops.PreorderHash(name, raw, owner.addr)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func (w *world) nsPreorder(k, reveal key, id string) ops.Op {
	return ops.Op{Kind: ops.KindNamespacePreorder, Opcode: '*', OpString: "*", Sender: k.script, Address: k.addr, SenderPubkey: k.pub,
		PreorderHash: preorderHash(w.tb, id, k, reveal), ConsensusHash: w.ch(),
		OpFee: u64(1 << 50), BurnAddress: w.p.BurnAddress}
}

func (w *world) nsReveal(k, reveal key, id string, lifetime uint32) ops.Op {
	b := [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	return ops.Op{Kind: ops.KindNamespaceReveal, Opcode: '&', OpString: "&", Sender: k.script, Address: k.addr, SenderPubkey: k.pub,
		Recipient: reveal.script, RecipientAddress: reveal.addr, NamespaceID: id,
		PreorderHash: preorderHash(w.tb, id, k, reveal), Version: 1, Lifetime: lifetime, Coeff: 1,
		Base: 2, Buckets: &b, NonalphaDiscount: 1, NoVowelDiscount: 1}
}

func nsReady(reveal key, id string) ops.Op {
	return ops.Op{Kind: ops.KindNamespaceReady, Opcode: '!', OpString: "!", Sender: reveal.script,
		Address: reveal.addr, SenderPubkey: reveal.pub, NamespaceID: id}
}

// launch preorders, reveals and readies a namespace in three blocks.
func (w *world) launch(creator, revealer key, id string, lifetime uint32) {
	w.block(w.nsPreorder(creator, revealer, id))
	w.block(w.nsReveal(creator, revealer, id, lifetime))
	w.block(nsReady(revealer, id))
}

func (w *world) preorder(k, owner key, name string) ops.Op {
	return ops.Op{Kind: ops.KindNamePreorder, Opcode: '?', OpString: "?", Sender: k.script, Address: k.addr, SenderPubkey: k.pub,
		PreorderHash: preorderHash(w.tb, name, k, owner), ConsensusHash: w.ch(),
		OpFee: u64(1 << 40), BurnAddress: w.p.BurnAddress}
}

func register(k, owner key, name string) ops.Op {
	return ops.Op{Kind: ops.KindNameRegistration, Opcode: ':', OpString: ":", Sender: k.script, Address: k.addr, SenderPubkey: k.pub,
		Recipient: owner.script, RecipientAddress: owner.addr, Name: name}
}

// registerAll preorders and registers names (owner i sends and owns name
// i) in two blocks.
func (w *world) registerAll(owners []key, names []string) (pre, reg *consensus.BlockResult) {
	var p1, p2 []ops.Op
	for i, n := range names {
		p1 = append(p1, w.preorder(owners[i], owners[i], n))
		p2 = append(p2, register(owners[i], owners[i], n))
	}
	return w.block(p1...), w.block(p2...)
}

func (w *world) update(k key, name, valueHash string) ops.Op {
	return ops.Op{Kind: ops.KindNameUpdate, Opcode: '+', OpString: "+", Sender: k.script, Address: k.addr, SenderPubkey: k.pub,
		NameConsensusHash: ops.Hash128([]byte(name + w.ch())), ValueHash: strp(valueHash)}
}

func (w *world) transfer(k, to key, name string) ops.Op {
	keep := true
	return ops.Op{Kind: ops.KindNameTransfer, Opcode: '>', OpString: ">", Sender: k.script, Address: k.addr, SenderPubkey: k.pub,
		Recipient: to.script, RecipientAddress: to.addr, NameHash128: ops.Hash128([]byte(name)),
		ConsensusHash: w.ch(), KeepData: &keep}
}

func revoke(k key, name string) ops.Op {
	return ops.Op{Kind: ops.KindNameRevoke, Opcode: '~', OpString: "~", Sender: k.script, Address: k.addr, SenderPubkey: k.pub, Name: name}
}
