package ops_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/ops"
)

var epochHeights = []uint64{400000, 450000, 500000, 560000, 605000, 620000}

const nameChars = "0123456789abcdefghijklmnopqrstuvwxyz-_"

func genIdent(minLen, maxLen int) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		n := rapid.IntRange(minLen, maxLen).Draw(t, "len")
		b := make([]byte, n)
		for i := range b {
			b[i] = nameChars[rapid.IntRange(0, len(nameChars)-1).Draw(t, "c")]
		}
		return string(b)
	})
}

func genName(t *rapid.T) string {
	ns := genIdent(1, 19).Draw(t, "ns")
	return genIdent(1, 36-len(ns)).Draw(t, "name") + "." + ns
}

func genHex(t *rapid.T, n int, label string) string {
	return hex.EncodeToString(rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, label))
}

func genAddr(t *rapid.T, net ops.Network, label string) string {
	h := rapid.SliceOfN(rapid.Byte(), 20, 20).Draw(t, label)
	var s []byte
	if rapid.Bool().Draw(t, label+"-p2sh") {
		s = ops.P2SHScript(h)
	} else {
		s = ops.P2PKHScript(h)
	}
	a, _ := net.ScriptAddress(s)
	return a
}

// genCase draws valid encoder arguments of some kind, the lowest epoch (1-6)
// from which the form is accepted and, if any, the last epoch accepting it.
type genCase struct {
	args       ops.Args
	minEpoch   int
	maxEpoch   int
	senderAddr string
}

func genArgs(t *rapid.T, net ops.Network) (c genCase) {
	sender := genAddr(t, net, "sender")
	defer func() { c.senderAddr = sender }()
	ch := genHex(t, 16, "ch")
	pay := func() (ops.Payment, bool) {
		if rapid.Bool().Draw(t, "tokens") {
			v := rapid.Uint64().Draw(t, "token-amount")
			return ops.Payment{Tokens: &v}, true
		}
		return ops.Payment{BTC: rapid.Int64Range(0, 21e14).Draw(t, "btc")}, false
	}
	switch rapid.IntRange(0, 10).Draw(t, "kind") {
	case 0:
		p, tok := pay()
		c := genCase{args: ops.NamePreorderArgs{Name: genName(t), ConsensusHash: ch, SenderAddress: sender, RegisterAddress: genAddr(t, net, "reg"), Payment: p}, minEpoch: 1, maxEpoch: 6}
		if tok {
			c.minEpoch = 4
		}
		return c
	case 1:
		a := ops.NameRegistrationArgs{Name: genName(t), OwnerAddress: genAddr(t, net, "owner")}
		c := genCase{args: a, minEpoch: 1, maxEpoch: 6}
		if rapid.Bool().Draw(t, "vh") {
			a.ValueHash = genHex(t, 20, "vh")
			c.args, c.minEpoch = a, 3
		}
		return c
	case 2:
		p, tok := pay()
		a := ops.NameRenewalArgs{Name: genName(t), NewOwnerAddress: genAddr(t, net, "new"), OwnerAddress: sender, Payment: p}
		c := genCase{args: a, minEpoch: 1, maxEpoch: 6}
		switch {
		case tok:
			c.minEpoch = 4
			if rapid.Bool().Draw(t, "vh") {
				a.ValueHash = genHex(t, 20, "vh")
			}
		case rapid.Bool().Draw(t, "vh"):
			a.ValueHash = genHex(t, 20, "vh")
			c.minEpoch, c.maxEpoch = 3, 3
		}
		c.args = a
		return c
	case 3:
		return genCase{args: ops.NameUpdateArgs{Name: genName(t), ConsensusHash: ch, ValueHash: genHex(t, 20, "vh")}, minEpoch: 1, maxEpoch: 6}
	case 4:
		return genCase{args: ops.NameTransferArgs{Name: genName(t), ConsensusHash: ch, NewOwnerAddress: genAddr(t, net, "new"), KeepData: rapid.Bool().Draw(t, "keep")}, minEpoch: 1, maxEpoch: 6}
	case 5:
		return genCase{args: ops.NameRevokeArgs{Name: genName(t)}, minEpoch: 1, maxEpoch: 6}
	case 6:
		return genCase{args: ops.NameImportArgs{Name: genName(t), RecipientAddress: genAddr(t, net, "rcpt"), ValueHash: genHex(t, 20, "vh")}, minEpoch: 1, maxEpoch: 6}
	case 7:
		p, tok := pay()
		c := genCase{args: ops.NamespacePreorderArgs{NamespaceID: genIdent(1, 19).Draw(t, "ns"), ConsensusHash: ch, SenderAddress: sender, RevealAddress: genAddr(t, net, "reveal"), Payment: p}, minEpoch: 1, maxEpoch: 3}
		if tok {
			c.minEpoch, c.maxEpoch = 4, 6
		}
		return c
	case 8:
		a := ops.NamespaceRevealArgs{
			NamespaceID: genIdent(1, 19).Draw(t, "ns"), Version: uint16(rapid.IntRange(1, 3).Draw(t, "version")),
			Lifetime: rapid.Uint32().Draw(t, "life"), Coeff: rapid.Uint8().Draw(t, "coeff"), Base: rapid.Uint8().Draw(t, "base"),
			NonalphaDiscount: uint8(rapid.IntRange(1, 15).Draw(t, "na")), NoVowelDiscount: uint8(rapid.IntRange(1, 15).Draw(t, "nv")),
			RevealAddress: genAddr(t, net, "reveal"),
		}
		for i := range a.Buckets {
			a.Buckets[i] = uint8(rapid.IntRange(0, 15).Draw(t, "bucket"))
		}
		return genCase{args: a, minEpoch: 1, maxEpoch: 6}
	case 9:
		return genCase{args: ops.NamespaceReadyArgs{NamespaceID: genIdent(1, 19).Draw(t, "ns")}, minEpoch: 1, maxEpoch: 6}
	default:
		if rapid.Bool().Draw(t, "announce") {
			return genCase{args: ops.AnnounceArgs{MessageHash: genHex(t, 20, "msg")}, minEpoch: 1, maxEpoch: 6}
		}
		return genCase{args: ops.TokenTransferArgs{
			RecipientAddress: genAddr(t, net, "rcpt"), ConsensusHash: ch, Amount: rapid.Uint64().Draw(t, "amount"),
			ScratchArea: rapid.SliceOfN(rapid.Byte(), 0, 34).Draw(t, "scratch"),
		}, minEpoch: 4, maxEpoch: 6}
	}
}

// fund turns a template into a transaction sent from senderAddr: one input
// spending the sender's p2pkh/p2sh coin, a change output where the
// reference needs one.
func fund(tmpl *ops.Template, net ops.Network, senderAddr string) (*wire.MsgTx, [][]byte) {
	tx := tmpl.Tx()
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{7}, 1), nil, nil))
	s, _ := net.AddressScript(senderAddr)
	if tmpl.Kind == ops.KindNamespaceReveal || tmpl.Kind == ops.KindNameRegistration {
		tx.AddTxOut(wire.NewTxOut(1000, s)) // payer change
	}
	return tx, [][]byte{s}
}

// TestEncodeDecodeRoundTrip: every valid operation of every kind, encoded
// and funded, decodes at every epoch that accepts its form to exactly the
// fields it was built from, is rejected outside them, and EncodeData gives
// the template's data back.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		net := rapid.SampledFrom([]ops.Network{ops.Mainnet(), ops.Testnet()}).Draw(t, "net")
		c := genArgs(t, net)
		tmpl, err := c.args.Encode(net)
		if err != nil {
			t.Fatalf("encode %#v: %v", c.args, err)
		}
		if len(tmpl.Data) > ops.MaxDataLength {
			t.Fatalf("data of %d bytes", len(tmpl.Data))
		}
		tx, spent := fund(tmpl, net, senderOf(c))
		for e := 1; e <= 6; e++ {
			dc := ops.ContextAt(net, ops.MainnetSchedule(), epochHeights[e-1])
			op, err := ops.Decode(tx, spent, dc)
			if e < c.minEpoch || e > c.maxEpoch {
				if err == nil {
					t.Fatalf("epoch %d accepted %#v", e, c.args)
				}
				continue
			}
			if err != nil {
				t.Fatalf("epoch %d: %v for %#v", e, err, c.args)
			}
			checkAgainstArgs(t, op, c.args, net, spent[0])
			data, err := ops.EncodeData(op, dc)
			if err != nil || !bytes.Equal(data, tmpl.Data) {
				t.Fatalf("EncodeData = %x (%v), want %x", data, err, tmpl.Data)
			}
		}
	})
}

func senderOf(c genCase) string { return c.senderAddr }

func checkAgainstArgs(t *rapid.T, op *ops.Op, args ops.Args, net ops.Network, sender []byte) {
	addrOf := func(a string) string { return a }
	scriptHex := func(a string) string {
		s, _ := net.AddressScript(a)
		return hex.EncodeToString(s)
	}
	want := &ops.Op{}
	switch a := args.(type) {
	case ops.NamePreorderArgs:
		h, _ := ops.PreorderHash(a.Name, sender, a.RegisterAddress)
		want.PreorderHash, want.ConsensusHash = h, a.ConsensusHash
		if a.Payment.Tokens != nil {
			want.TokenFee, want.TokenUnits = a.Payment.Tokens, ptr("STACKS")
		}
	case ops.NameRegistrationArgs:
		want.Name, want.Recipient, want.RecipientAddress = a.Name, scriptHex(a.OwnerAddress), addrOf(a.OwnerAddress)
		if a.ValueHash != "" {
			want.ValueHash = ptr(a.ValueHash)
		}
	case ops.NameRenewalArgs:
		want.Name, want.Recipient, want.RecipientAddress = a.Name, scriptHex(a.NewOwnerAddress), a.NewOwnerAddress
		zero := uint64(0)
		want.TokenFee = &zero
		if a.Payment.Tokens != nil {
			want.TokenFee = a.Payment.Tokens
			want.ValueHash = ptr(a.ValueHash)
			if a.ValueHash == "" {
				want.ValueHash = ptr(hex.EncodeToString(make([]byte, 20)))
			}
		} else if a.ValueHash != "" {
			want.ValueHash = ptr(a.ValueHash)
		}
	case ops.NameUpdateArgs:
		want.NameConsensusHash, want.ValueHash = ops.UpdateHash(a.Name, a.ConsensusHash), ptr(a.ValueHash)
	case ops.NameTransferArgs:
		want.NameHash128, want.ConsensusHash, want.KeepData = ops.NameHash128(a.Name), a.ConsensusHash, &a.KeepData
		want.Recipient, want.RecipientAddress = scriptHex(a.NewOwnerAddress), a.NewOwnerAddress
	case ops.NameRevokeArgs:
		want.Name = a.Name
	case ops.NameImportArgs:
		want.Name, want.ValueHash = a.Name, ptr(a.ValueHash)
		want.Recipient, want.RecipientAddress = scriptHex(a.RecipientAddress), a.RecipientAddress
	case ops.NamespacePreorderArgs:
		h, _ := ops.PreorderHash(a.NamespaceID, sender, a.RevealAddress)
		want.PreorderHash, want.ConsensusHash, want.TokenFee = h, a.ConsensusHash, a.Payment.Tokens
	case ops.NamespaceRevealArgs:
		h, _ := ops.PreorderHash(a.NamespaceID, sender, a.RevealAddress)
		want.NamespaceID, want.PreorderHash, want.Version, want.Lifetime = a.NamespaceID, h, a.Version, a.Lifetime
		want.Coeff, want.Base, want.NonalphaDiscount, want.NoVowelDiscount = a.Coeff, a.Base, a.NonalphaDiscount, a.NoVowelDiscount
		var b [16]int
		for i, e := range a.Buckets {
			b[i] = int(e)
		}
		want.Buckets = &b
		want.Recipient, want.RecipientAddress = scriptHex(a.RevealAddress), a.RevealAddress
	case ops.NamespaceReadyArgs:
		want.NamespaceID = a.NamespaceID
	case ops.AnnounceArgs:
		want.MessageHash = a.MessageHash
	case ops.TokenTransferArgs:
		want.ConsensusHash, want.TokenFee, want.TokenUnits = a.ConsensusHash, &a.Amount, ptr("STACKS")
		want.ScratchArea = ptr(hex.EncodeToString(a.ScratchArea))
		want.Recipient, want.RecipientAddress = scriptHex(a.RecipientAddress), a.RecipientAddress
	}
	got := *op
	// Fields not derived from the arguments.
	got.Opcode, got.Kind, got.OpString, got.Txid, got.Vtxindex, got.BlockHeight = 0, "", "", "", 0, 0
	got.Sender, got.Address, got.SenderPubkey, got.OpFee, got.BurnAddress = "", "", nil, nil, ""
	if !reflect.DeepEqual(&got, want) {
		t.Fatalf("decoded %+v\nwant    %+v", got, *want)
	}
}

func ptr[T any](v T) *T { return &v }

// TestMutationsNeverPanic: random changes to valid data, outputs and raw
// transactions never make the decoder, the light-mode derivation or the
// block scanner panic, and every result is either an operation or a typed
// error.
func TestMutationsNeverPanic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		net := ops.Mainnet()
		c := genArgs(t, net)
		tmpl, err := c.args.Encode(net)
		if err != nil {
			t.Fatal(err)
		}
		tx, spent := fund(tmpl, net, senderOf(c))
		data := append([]byte(nil), tmpl.Data...)
		switch rapid.IntRange(0, 3).Draw(t, "mutation") {
		case 0:
			if len(data) > 0 {
				data[rapid.IntRange(0, len(data)-1).Draw(t, "pos")] = rapid.Byte().Draw(t, "byte")
			}
		case 1:
			data = data[:rapid.IntRange(0, len(data)).Draw(t, "cut")]
		case 2:
			data = append(data, rapid.SliceOfN(rapid.Byte(), 1, 80).Draw(t, "extra")...)
		case 3:
			tx.TxOut = tx.TxOut[:rapid.IntRange(1, len(tx.TxOut)).Draw(t, "outs")]
		}
		tx.TxOut[0].PkScript = ops.DataScript(data)
		if rapid.Bool().Draw(t, "mangle-script") {
			s := tx.TxOut[0].PkScript
			tx.TxOut[0].PkScript = s[:rapid.IntRange(0, len(s)).Draw(t, "script-cut")]
		}
		dc := ops.ContextAt(net, ops.MainnetSchedule(), rapid.SampledFrom(epochHeights).Draw(t, "height"))
		checkOutcome(t, tx, spent, dc)

		var buf bytes.Buffer
		if err := tx.SerializeNoWitness(&buf); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		for i := rapid.IntRange(0, 4).Draw(t, "flips"); i > 0; i-- {
			raw[rapid.IntRange(0, len(raw)-1).Draw(t, "at")] ^= rapid.Byte().Draw(t, "x")
		}
		ptx, err := ops.ParseRawTx(raw)
		if err != nil {
			if !errors.Is(err, &ops.Error{Code: ops.ErrMalformedTx}) {
				t.Fatalf("parse error %v is not ErrMalformedTx", err)
			}
			return
		}
		checkOutcome(t, ptx, ops.LightSpentScripts(ptx).Scripts, dc)
	})
}

func checkOutcome(t *rapid.T, tx *wire.MsgTx, spent [][]byte, dc ops.DecodeContext) {
	op, err := ops.Decode(tx, spent, dc)
	if (op == nil) == (err == nil) {
		t.Fatalf("op %v with error %v", op, err)
	}
	if err != nil {
		if _, ok := ops.CodeOf(err); !ok {
			t.Fatalf("untyped error %v", err)
		}
		return
	}
	if _, err := ops.EncodeData(op, dc); err != nil {
		t.Fatalf("accepted op does not re-encode: %v", err)
	}
}
