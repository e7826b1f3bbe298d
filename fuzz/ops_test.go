package fuzz

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/testvectors"
)

// opsSeeds returns raw transactions and helper strings from the vectors.
func opsSeeds(f *testing.F) (txs [][]byte, names []string) {
	f.Helper()
	err := testvectors.ReadJSONLFile(testvectors.Path("blockstackjs", "vectors.jsonl"), func(_ int, r *testvectors.BlockstackJSRecord) error {
		if r.TxHex != "" {
			b, err := hex.DecodeString(r.TxHex)
			if err != nil {
				return err
			}
			txs = append(txs, b)
		}
		if r.Inputs != nil && r.Inputs.Name != nil {
			names = append(names, *r.Inputs.Name)
		}
		if r.Inputs != nil && r.Inputs.NamespaceID != nil {
			names = append(names, *r.Inputs.NamespaceID)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	err = testvectors.ReadJSONLFile(testvectors.Path("wire", "real_txs.jsonl"), func(_ int, r *testvectors.RealTx) error {
		b, err := hex.DecodeString(string(r.TxHex))
		if err != nil {
			return err
		}
		txs = append(txs, b)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	return txs, append(names, "", "a.id\n", "00.id", "a+b.id", "\x00", "ab.i\xff")
}

// FuzzDecodeTransaction decodes arbitrary raw transactions with arbitrary
// spent scripts (split from the second argument) and with light-mode
// scripts, at a fuzzed height. Nothing may panic; every result is an op or
// a typed error; an accepted op's canonical data, put back into the
// transaction, decodes to the same op.
func FuzzDecodeTransaction(f *testing.F) {
	txs, _ := opsSeeds(f)
	p2pkh := ops.P2PKHScript(make([]byte, 20))
	for i, tx := range txs {
		f.Add(tx, p2pkh, uint32(373601+i*50000))
	}
	sched := ops.MainnetSchedule()
	f.Fuzz(func(t *testing.T, raw []byte, spentBlob []byte, height uint32) {
		tx, err := ops.ParseRawTx(raw)
		if err != nil {
			if !errors.Is(err, &ops.Error{Code: ops.ErrMalformedTx}) {
				t.Fatalf("untyped parse error %v", err)
			}
			return
		}
		dc := ops.ContextAt(ops.Mainnet(), sched, uint64(height))
		light := ops.LightSpentScripts(tx)
		decodeAndReencode(t, tx, light.Scripts, dc)
		// Exact mode: the blob gives every input the same spent script.
		spent := make([][]byte, len(tx.TxIn))
		for i := range spent {
			spent[i] = spentBlob
		}
		decodeAndReencode(t, tx, spent, dc)
		if _, err := ops.DecodeTemplate(tx, dc); err != nil {
			if _, ok := ops.CodeOf(err); !ok {
				t.Fatalf("untyped error %v", err)
			}
		}
	})
}

func decodeAndReencode(t *testing.T, tx *wire.MsgTx, spent [][]byte, dc ops.DecodeContext) {
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
	data, err := ops.EncodeData(op, dc)
	if err != nil {
		t.Fatalf("accepted %s does not re-encode: %v", op.Kind, err)
	}
	// Put the canonical data in place of the last nulldata output's data.
	tx2 := tx.Copy()
	for i := len(tx2.TxOut) - 1; i >= 0; i-- {
		if s := tx2.TxOut[i].PkScript; len(s) > 0 && s[0] == 0x6a {
			tx2.TxOut[i].PkScript = ops.DataScript(data)
			break
		}
	}
	op2, err := ops.Decode(tx2, spent, dc)
	if err != nil {
		t.Fatalf("re-encoded %s rejected: %v (data %x)", op.Kind, err, data)
	}
	op2.Txid = op.Txid
	if !reflect.DeepEqual(op, op2) {
		t.Fatalf("re-encoded op differs:\n%+v\n%+v", op, op2)
	}
	if d, _ := ops.NullData(tx2); !bytes.Equal(d, data) {
		t.Fatalf("data not replaced")
	}
}

// FuzzParseName checks the name rules against each other: a valid name has
// a valid namespace, base-40 characters and at most 37 bytes; its b40 form
// exists unless it carries the accepted trailing newline.
func FuzzParseName(f *testing.F) {
	_, names := opsSeeds(f)
	for _, n := range names {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := ops.IsNameValid(s)
		if valid {
			// The reference checks the label and the namespace apart
			// (scripts.py is_name_valid), so each may carry the trailing
			// newline its regex lets through: "\n.0" is a valid name.
			i := bytes.IndexByte([]byte(s), '.')
			label, ns := s[:i], s[i+1:]
			if len(s) > ops.MaxNameLength || label == "" || !ops.IsB40(label) {
				t.Fatalf("valid name %q breaks the length or alphabet rule", s)
			}
			if !ops.IsNamespaceIDValid(ns) {
				t.Fatalf("valid name %q has an invalid namespace", s)
			}
		}
		_ = ops.IsNamespaceIDValid(s)
		_ = ops.NameHash128(s)
		_ = ops.UpdateHash(s, s)
	})
}

// FuzzB40 checks that base-40 conversion succeeds exactly on the alphabet,
// never panics, and ignores leading zero digits.
func FuzzB40(f *testing.F) {
	_, names := opsSeeds(f)
	for _, n := range names {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ops.B40ToBin(s)
		inAlphabet := true
		for i := 0; i < len(s); i++ {
			if !bytes.Contains([]byte(ops.B40Alphabet), []byte{s[i]}) {
				inAlphabet = false
			}
		}
		if (err == nil) != inAlphabet {
			t.Fatalf("B40ToBin(%q) error %v, alphabet %v", s, err, inAlphabet)
		}
		if err != nil {
			return
		}
		if len(b) == 0 || (len(b) > 1 && b[0] == 0) {
			t.Fatalf("B40ToBin(%q) = %x is not minimal", s, b)
		}
		b2, err := ops.B40ToBin("0" + s)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("leading zero changed %q: %x vs %x", s, b, b2)
		}
	})
}
