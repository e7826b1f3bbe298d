package ops_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/spvcheck/spvcheck/ops"
)

// spendFixture is one way of spending a coin: the scriptSig the spender
// writes, the script it spends, and how light mode must classify it.
type spendFixture struct {
	name   string
	sig    []byte
	spent  []byte
	light  ops.SpendKind
	prevOK bool // spent script is p2pkh or p2sh
}

func key(t testing.TB, seed byte) *btcec.PrivateKey {
	t.Helper()
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{seed}, 32))
	return k
}

func derSig(k *btcec.PrivateKey) []byte {
	h := chainhash.DoubleHashB([]byte("message"))
	return append(ecdsa.Sign(k, h).Serialize(), byte(txscript.SigHashAll))
}

func script(t testing.TB, b *txscript.ScriptBuilder) []byte {
	t.Helper()
	s, err := b.Script()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func spendFixtures(t testing.TB) []spendFixture {
	k1, k2, k3 := key(t, 1), key(t, 2), key(t, 3)
	pc, pu := k1.PubKey().SerializeCompressed(), k1.PubKey().SerializeUncompressed()
	multi := script(t, txscript.NewScriptBuilder().AddOp(txscript.OP_2).AddData(k1.PubKey().SerializeCompressed()).
		AddData(k2.PubKey().SerializeCompressed()).AddData(k3.PubKey().SerializeCompressed()).AddOp(txscript.OP_3).AddOp(txscript.OP_CHECKMULTISIG))
	wpkh := append([]byte{0x00, 0x14}, address.Hash160(pc)...)
	wsh := append([]byte{0x00, 0x20}, chainhash.HashB(multi)...)
	bare := script(t, txscript.NewScriptBuilder().AddOp(txscript.OP_1).AddData(pc).AddData(k2.PubKey().SerializeCompressed()).AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG))
	return []spendFixture{
		{"p2pkh compressed", script(t, txscript.NewScriptBuilder().AddData(derSig(k1)).AddData(pc)), ops.P2PKHScript(address.Hash160(pc)), ops.SpendP2PKH, true},
		{"p2pkh uncompressed", script(t, txscript.NewScriptBuilder().AddData(derSig(k1)).AddData(pu)), ops.P2PKHScript(address.Hash160(pu)), ops.SpendP2PKH, true},
		{"p2sh multisig", script(t, txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(derSig(k1)).AddData(derSig(k2)).AddData(multi)), ops.P2SHScript(address.Hash160(multi)), ops.SpendP2SH, true},
		{"p2sh-p2wpkh", script(t, txscript.NewScriptBuilder().AddData(wpkh)), ops.P2SHScript(address.Hash160(wpkh)), ops.SpendP2SH, true},
		{"p2sh-p2wsh", script(t, txscript.NewScriptBuilder().AddData(wsh)), ops.P2SHScript(address.Hash160(wsh)), ops.SpendP2SH, true},
		{"p2pk", script(t, txscript.NewScriptBuilder().AddData(derSig(k1))), script(t, txscript.NewScriptBuilder().AddData(pc).AddOp(txscript.OP_CHECKSIG)), ops.SpendSignatureLast, false},
		{"bare multisig", script(t, txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(derSig(k1))), bare, ops.SpendSignatureLast, false},
		{"native p2wpkh", nil, wpkh, ops.SpendEmpty, false},
		{"native p2wsh", nil, wsh, ops.SpendEmpty, false},
		{"non-push scriptSig", []byte{txscript.OP_1, txscript.OP_DROP, 0x01, 0x01}, ops.P2SHScript(address.Hash160([]byte{0x51})), ops.SpendNonStandard, true},
	}
}

// TestLightEqualsExact shows that deriving spent scripts from the inputs
// gives the same verdict and the same operation as the exact spent scripts,
// for every standard kind of input, alone and in pairs. The one documented
// exception is the last fixture: a non-push-only scriptSig that spends a
// p2sh coin (impossible for a valid spend) is refused by light mode only.
func TestLightEqualsExact(t *testing.T) {
	fx := spendFixtures(t)
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)
	for _, a := range fx {
		for _, b := range fx {
			tx := exTx([]byte("id~a.id"))
			tx.TxIn = nil
			tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{1}, 0), a.sig, nil))
			tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{2}, 0), b.sig, nil))
			light := ops.LightSpentScripts(tx)
			if light.Kinds[0] != a.light || light.Kinds[1] != b.light {
				t.Fatalf("%s+%s: light kinds %v, want %v %v", a.name, b.name, light.Kinds, a.light, b.light)
			}
			want := a.light == ops.SpendSignatureLast || b.light == ops.SpendSignatureLast
			if light.DecidedBySignature() != want {
				t.Errorf("%s+%s: DecidedBySignature = %v", a.name, b.name, !want)
			}
			eop, eerr := ops.Decode(tx, [][]byte{a.spent, b.spent}, dc)
			lop, lerr := ops.Decode(tx, light.Scripts, dc)
			if a.light == ops.SpendNonStandard || b.light == ops.SpendNonStandard {
				if lerr == nil {
					t.Errorf("%s+%s: light mode accepted a non-standard spend", a.name, b.name)
				}
				continue
			}
			if (eerr == nil) != (lerr == nil) || !reflect.DeepEqual(eop, lop) {
				t.Errorf("%s+%s: exact (%v, %v) light (%v, %v)", a.name, b.name, eop, eerr, lop, lerr)
			}
			if (eerr == nil) != (a.prevOK && b.prevOK) {
				t.Errorf("%s+%s: exact verdict %v", a.name, b.name, eerr)
			}
			if eerr != nil && !errors.Is(eerr, &ops.Error{Code: ops.ErrSenderType}) {
				t.Errorf("%s+%s: error %v, want ErrSenderType", a.name, b.name, eerr)
			}
		}
	}
}

func TestSenderPubkey(t *testing.T) {
	fx := spendFixtures(t)
	p2pkhC, p2pkhU, p2sh := fx[0], fx[1], fx[2]
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)
	mk := func(ins ...spendFixture) (*wire.MsgTx, [][]byte) {
		tx := exTx([]byte("id!.hello"))
		tx.TxIn = nil
		var spent [][]byte
		for i, in := range ins {
			tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{byte(i)}, 0), in.sig, nil))
			spent = append(spent, in.spent)
		}
		return tx, spent
	}
	pub := func(f spendFixture) string {
		var toks [][]byte
		tok := txscript.MakeScriptTokenizer(0, f.sig)
		for tok.Next() {
			toks = append(toks, tok.Data())
		}
		return hex.EncodeToString(toks[1])
	}
	cases := []struct {
		name string
		ins  []spendFixture
		want string
	}{
		{"own input", []spendFixture{p2pkhC}, pub(p2pkhC)},
		{"uncompressed", []spendFixture{p2pkhU, p2pkhC}, pub(p2pkhU)},
		{"found in a later input", []spendFixture{{sig: p2sh.sig, spent: p2pkhC.spent}, p2pkhC}, pub(p2pkhC)},
		{"key of another address", []spendFixture{{sig: p2pkhU.sig, spent: p2pkhC.spent}}, ""},
		{"p2sh sender", []spendFixture{p2sh, p2pkhC}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, spent := mk(c.ins...)
			op, err := ops.Decode(tx, spent, dc)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if op.SenderPubkey != nil {
				got = *op.SenderPubkey
			}
			if got != c.want {
				t.Errorf("sender_pubkey %q, want %q", got, c.want)
			}
		})
	}
}

func TestSenderRules(t *testing.T) {
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)
	tx := exTx([]byte("id~a.id"))
	if _, err := ops.Decode(tx, nil, dc); !errors.Is(err, &ops.Error{Code: ops.ErrSpentScripts}) {
		t.Errorf("missing spent scripts: %v", err)
	}
	tx.TxIn = nil
	if _, err := ops.Decode(tx, nil, dc); !errors.Is(err, &ops.Error{Code: ops.ErrNoInputs}) {
		t.Errorf("no inputs: %v", err)
	}
	op, err := ops.DecodeTemplate(tx, dc)
	if err != nil || op.Sender != "" || op.Name != "a.id" {
		t.Errorf("template: %v %v", op, err)
	}
	coinbase := exTx([]byte("id~a.id"))
	coinbase.TxIn[0].PreviousOutPoint = wire.OutPoint{Index: wire.MaxPrevOutIndex}
	coinbase.TxIn[0].SignatureScript = []byte{0x01, 0x01}
	l := ops.LightSpentScripts(coinbase)
	if l.Kinds[0] != ops.SpendCoinbase {
		t.Errorf("coinbase kind %v", l.Kinds[0])
	}
	if _, err := ops.Decode(coinbase, l.Scripts, dc); !errors.Is(err, &ops.Error{Code: ops.ErrSenderType}) || ops.IsIgnored(err) {
		t.Errorf("coinbase sender: %v", err)
	}
}

// TestScanBlock scans a block holding operations, ignored and rejected
// candidates and ordinary payments, in light and exact mode.
func TestScanBlock(t *testing.T) {
	fx := spendFixtures(t)
	p2pkh, p2pk := fx[0], fx[5]
	mk := func(data []byte, in spendFixture, outs ...out) (*wire.MsgTx, [][]byte) {
		tx := exTx(data, outs...)
		tx.TxIn[0].SignatureScript = in.sig
		return tx, [][]byte{in.spent}
	}
	block := &wire.MsgBlock{}
	var spent [][][]byte
	add := func(tx *wire.MsgTx, s [][]byte) {
		block.Transactions = append(block.Transactions, tx)
		spent = append(spent, s)
	}
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, []byte{0x01, 0x02}, nil))
	cb.AddTxOut(wire.NewTxOut(50, exS))
	cb.AddTxOut(wire.NewTxOut(0, ops.DataScript(append([]byte{0xaa, 0x21, 0xa9, 0xed}, make([]byte, 32)...))))
	add(cb, [][]byte{nil})
	pay, s := mk(nil, p2pkh, out{exRcpt, 1000})
	pay.TxOut = pay.TxOut[1:]
	add(pay, s)
	add(mk([]byte("id~a.id"), p2pkh))                              // 2: revoke
	add(mk([]byte("id@xx"), p2pkh))                                // 3: unknown opcode, ignored
	add(mk([]byte("id~A.id"), p2pkh))                              // 4: invalid name, rejected
	add(mk([]byte("id~b.id"), p2pk))                               // 5: p2pk sender, rejected (signature-last)
	add(mk([]byte("id>>0123456789abcdef"), p2pkh, out{exRcpt, 1})) // 6: short transfer, rejected
	add(mk([]byte("id!.hello"), p2pkh))                            // 7: ready
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)

	light, err := ops.ScanBlock(context.Background(), block, dc, nil)
	if err != nil {
		t.Fatal(err)
	}
	exact, err := ops.ScanBlock(context.Background(), block, dc, func(_ context.Context, i int, _ *wire.MsgTx) ([][]byte, error) {
		return spent[i], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range []*ops.BlockScan{light, exact} {
		if len(res.Ops) != 2 || res.Ops[0].Vtxindex != 2 || res.Ops[1].Vtxindex != 7 || res.Ops[1].NamespaceID != "hello" {
			t.Fatalf("ops %v", res.Ops)
		}
		st := res.Stats
		if st.Transactions != 8 || st.Candidates != 6 || st.Decoded != 2 || st.Ignored != 1 || st.Rejected != 3 {
			t.Errorf("stats %+v", st)
		}
		want := []ops.CodeCount{{ops.ErrUnknownOpcode, 1}, {ops.ErrSenderType, 1}, {ops.ErrPayloadLength, 1}, {ops.ErrInvalidName, 1}}
		if !reflect.DeepEqual(st.ByCode, want) {
			t.Errorf("by code %v, want %v", st.ByCode, want)
		}
		if len(res.Rejections) != 3 || res.Rejections[1].Vtxindex != 5 {
			t.Errorf("rejections %v", res.Rejections)
		}
	}
	if !light.Stats.LightMode || light.Stats.SignatureDecided != 1 || light.Stats.SignatureDecidedTxids[0] != block.Transactions[5].TxHash().String() {
		t.Errorf("light stats %+v", light.Stats)
	}
	if exact.Stats.LightMode || exact.Stats.SignatureDecided != 0 {
		t.Errorf("exact stats %+v", exact.Stats)
	}
	if !reflect.DeepEqual(light.Ops, exact.Ops) {
		t.Error("light and exact ops differ")
	}
	for _, op := range light.Ops {
		tdc := dc
		tdc.Vtxindex = op.Vtxindex
		alone, err := ops.Decode(block.Transactions[op.Vtxindex], spent[op.Vtxindex], tdc)
		if err != nil || !reflect.DeepEqual(alone, op) {
			t.Errorf("tx %d alone: %v %v, in block %v", op.Vtxindex, alone, err, op)
		}
		lone, _, err := ops.DecodeLight(block.Transactions[op.Vtxindex], tdc)
		if err != nil || !reflect.DeepEqual(lone, op) {
			t.Errorf("tx %d DecodeLight: %v %v", op.Vtxindex, lone, err)
		}
	}
	// CVE-2012-2459: the last transactions repeated keep the Merkle root;
	// a repeated candidate is refused, never decoded twice.
	for _, dup := range []int{7, 2, 3} {
		mal := &wire.MsgBlock{Header: block.Header, Transactions: append(block.Transactions[:len(block.Transactions):len(block.Transactions)], block.Transactions[dup])}
		_, err := ops.ScanBlock(context.Background(), mal, dc, nil)
		if !errors.Is(err, &ops.Error{Code: ops.ErrDuplicateTxid}) {
			t.Errorf("tx %d repeated: %v", dup, err)
		}
	}
	// A repeated payment carries no operation and changes nothing.
	mal := &wire.MsgBlock{Transactions: append(block.Transactions[:len(block.Transactions):len(block.Transactions)], block.Transactions[1])}
	if res, err := ops.ScanBlock(context.Background(), mal, dc, nil); err != nil || !reflect.DeepEqual(res.Ops, light.Ops) {
		t.Errorf("payment repeated: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ops.ScanBlock(ctx, block, dc, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: %v", err)
	}
	boom := errors.New("rpc down")
	if _, err := ops.ScanBlock(context.Background(), block, dc, func(context.Context, int, *wire.MsgTx) ([][]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failing lookup: %v", err)
	}
}

func TestSenderPubkeyPresent(t *testing.T) {
	fx := spendFixtures(t)
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)
	decode := func(data []byte, in spendFixture, outs ...out) *ops.Op {
		tx := exTx(data, outs...)
		tx.TxIn[0].SignatureScript = in.sig
		op, err := ops.Decode(tx, [][]byte{in.spent}, dc)
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	withKey, noKey := fx[0], spendFixture{sig: nil, spent: fx[0].spent}
	upd := cat([]byte("id+"), make([]byte, 36))
	cases := []struct {
		name string
		op   *ops.Op
		want bool
	}{
		{"transfer without key", decode(cat([]byte("id>>"), make([]byte, 32)), noKey, out{exRcpt, 1}), true},
		{"update without key", decode(upd, noKey), false},
		{"update with key", decode(upd, withKey), true},
		{"revoke with key", decode([]byte("id~a.id"), withKey), false},
	}
	for _, c := range cases {
		if got := c.op.SenderPubkeyPresent(); got != c.want {
			t.Errorf("%s: present = %v, want %v", c.name, got, c.want)
		}
	}
}
