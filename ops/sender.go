package ops

import (
	"bytes"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// sender is the principal of an operation: the script spent by input 0.
type sender struct {
	script  []byte
	address string
	p2pkh   bool
}

// senderOf applies the reference's sender rules (§3.2 of the wire spec;
// nameset/virtualchain_hooks.py:200-206, scripts.py:750-767): there must be
// inputs, one spent script per input, every one p2pkh or p2sh; the sender is
// the script spent by input 0.
func senderOf(tx *wire.MsgTx, spent [][]byte, net Network) (*sender, *Error) {
	if len(tx.TxIn) == 0 {
		return nil, newError(ErrNoInputs, "", "transaction has no inputs")
	}
	if len(spent) != len(tx.TxIn) {
		return nil, newError(ErrSpentScripts, "", "%d spent scripts for %d inputs", len(spent), len(tx.TxIn))
	}
	for i, s := range spent {
		if !senderTypeOK(s) {
			return nil, newError(ErrSenderType, "", "input %d spends a script that is neither p2pkh nor p2sh", i)
		}
	}
	addr, _ := net.ScriptAddress(spent[0])
	return &sender{script: spent[0], address: addr, p2pkh: isP2PKH(spent[0])}, nil
}

// senderPubkey finds the public key that proves the p2pkh sender's address
// (scripts.py:355-388): the first input, in input order, whose scriptSig is
// exactly two elements, the second a valid secp256k1 key (33 bytes with
// prefix 02/03, or 65 bytes with prefix 04) whose hash160 is the sender's.
// Hybrid (06/07) and raw 64-byte keys are not recognised, as in the
// reference's key parser for every case a valid chain can contain.
//
// kv remembers keys already checked, so that the costly point decompression
// is done once per key (it may be nil).
func senderPubkey(tx *wire.MsgTx, snd *sender, kv *keyValidator) []byte {
	if snd == nil || !snd.p2pkh {
		return nil
	}
	want := snd.script[3:23]
	for _, in := range tx.TxIn {
		key, ok := twoPushKey(in.SignatureScript)
		if !ok || !bytes.Equal(address.Hash160(key), want) {
			continue
		}
		if kv.valid(key) {
			return key
		}
	}
	return nil
}

// twoPushKey returns the second element of a two-element scriptSig when it
// has the shape of a public key.
func twoPushKey(sig []byte) ([]byte, bool) {
	var toks [2]token
	n := 0
	tokenize(sig, func(t token) bool {
		if n < 2 {
			toks[n] = t
		}
		n++
		return n <= 2
	})
	if n != 2 || !toks[1].isData {
		return nil, false
	}
	k := toks[1].data
	switch {
	case len(k) == 33 && (k[0] == 0x02 || k[0] == 0x03):
	case len(k) == 65 && k[0] == 0x04:
	default:
		return nil, false
	}
	return k, true
}

// keyValidator checks public keys (a valid point on secp256k1) and
// remembers the verdicts, so a key met several times in one transaction or
// block (a registrar sending many operations) is checked once. A nil
// validator checks every time.
type keyValidator struct {
	seen map[string]bool
}

func newKeyValidator() *keyValidator { return &keyValidator{seen: make(map[string]bool)} }

func (kv *keyValidator) valid(k []byte) bool {
	if kv == nil {
		return validPubKey(k)
	}
	if v, ok := kv.seen[string(k)]; ok {
		return v
	}
	v := validPubKey(k)
	kv.seen[string(k)] = v
	return v
}

func validPubKey(k []byte) bool {
	_, err := btcec.ParsePubKey(k)
	return err == nil
}

// SpendKind says how LightSpentScripts classified one input.
type SpendKind uint8

// The input classes of LightSpentScripts.
const (
	// SpendP2PKH: two pushes, the second a valid public key.
	SpendP2PKH SpendKind = iota
	// SpendP2SH: push-only, last push taken as the redeem script (this
	// includes nested segwit, whose scriptSig is the one-push witness
	// program).
	SpendP2SH
	// SpendEmpty: empty scriptSig (native segwit seen witness-stripped).
	SpendEmpty
	// SpendCoinbase: the coinbase input.
	SpendCoinbase
	// SpendSignatureLast: the last push parses as a strict-DER signature
	// plus a sighash byte, so the input spends p2pk or bare multisig.
	SpendSignatureLast
	// SpendNonStandard: the scriptSig is not push-only or ends without data.
	SpendNonStandard
)

// String names the class.
func (k SpendKind) String() string {
	switch k {
	case SpendP2PKH:
		return "p2pkh"
	case SpendP2SH:
		return "p2sh"
	case SpendEmpty:
		return "empty"
	case SpendCoinbase:
		return "coinbase"
	case SpendSignatureLast:
		return "signature-last"
	case SpendNonStandard:
		return "non-standard"
	}
	return "unknown"
}

// LightSpends is the result of LightSpentScripts for one transaction.
type LightSpends struct {
	// Scripts[i] is the derived script spent by input i; nil when the input
	// is classified as neither p2pkh nor p2sh.
	Scripts [][]byte
	// Kinds[i] is how input i was classified.
	Kinds []SpendKind
}

// DecidedBySignature reports whether some input was classified as p2pk or
// bare multisig only because its last push looks like a signature: the
// decision audits must be able to count (see LightSpentScripts).
func (l *LightSpends) DecidedBySignature() bool {
	for _, k := range l.Kinds {
		if k == SpendSignatureLast {
			return true
		}
	}
	return false
}

// LightSpentScripts derives, from the spending inputs alone, the scripts
// that a transaction's inputs spend, for light clients that have blocks but
// not the spent outputs. The result feeds Decode in place of the exact spent
// scripts:
//
//   - coinbase input, or empty scriptSig (native segwit seen without
//     witness): neither p2pkh nor p2sh (the reference ignores the tx);
//   - exactly two pushes whose second is a valid 33- or 65-byte secp256k1
//     key: p2pkh of that key's hash160;
//   - otherwise, a push-only scriptSig ending in a data push: p2sh of the
//     hash160 of that last push (the redeem script; for nested segwit the
//     witness program), unless
//   - that last push parses as a strict-DER signature followed by a sighash
//     byte: then the input spends p2pk or bare multisig, which the reference
//     does not accept (SpendSignatureLast; count these with
//     DecidedBySignature so audits can say what light mode decided);
//   - anything else: non-standard, neither p2pkh nor p2sh.
//
// Limits: the derivation reads the spender's evidence, not the spent output.
// It agrees with the exact spent scripts for every standard spend, but a p2sh
// spend whose redeem script is exactly a valid public key and is preceded by
// one push would be taken for p2pkh; a p2sh redeem script that happens to
// parse as a DER signature would be taken for p2pk; and a p2pk or
// bare-multisig spend whose last push is not a well-formed signature (not
// possible for a valid spend under BIP66) would be taken for p2sh. For full
// fidelity use the exact spent scripts (a node's RPC or an indexer).
func LightSpentScripts(tx *wire.MsgTx) *LightSpends { return lightSpentScripts(tx, nil) }

func lightSpentScripts(tx *wire.MsgTx, kv *keyValidator) *LightSpends {
	l := &LightSpends{Scripts: make([][]byte, len(tx.TxIn)), Kinds: make([]SpendKind, len(tx.TxIn))}
	for i, in := range tx.TxIn {
		l.Scripts[i], l.Kinds[i] = lightSpent(in, kv)
	}
	return l
}

// DecodeLight is Decode with the spent scripts derived by
// LightSpentScripts, which it also returns (for audits). It is cheaper than
// calling the two in turn: keys validated during the derivation are not
// validated again for sender_pubkey.
func DecodeLight(tx *wire.MsgTx, dc DecodeContext) (*Op, *LightSpends, error) {
	return decodeLight(tx, dc, newKeyValidator())
}

func decodeLight(tx *wire.MsgTx, dc DecodeContext, kv *keyValidator) (*Op, *LightSpends, error) {
	l := lightSpentScripts(tx, kv)
	op, err := decode(tx, l.Scripts, dc, kv)
	return op, l, err
}

func lightSpent(in *wire.TxIn, kv *keyValidator) ([]byte, SpendKind) {
	if in.PreviousOutPoint.Index == wire.MaxPrevOutIndex && in.PreviousOutPoint.Hash == (chainhash.Hash{}) {
		return nil, SpendCoinbase
	}
	if len(in.SignatureScript) == 0 {
		return nil, SpendEmpty
	}
	if key, ok := twoPushKey(in.SignatureScript); ok && toksAreData(in.SignatureScript) && kv.valid(key) {
		return P2PKHScript(address.Hash160(key)), SpendP2PKH
	}
	toks, pushOnly := pushOnlyTokens(in.SignatureScript)
	last := toks[len(toks)-1]
	if !pushOnly || !last.isData || len(last.data) == 0 {
		return nil, SpendNonStandard
	}
	if looksLikeSignature(last.data) {
		return nil, SpendSignatureLast
	}
	return P2SHScript(address.Hash160(last.data)), SpendP2SH
}

// toksAreData reports whether the first element of a two-element scriptSig
// is a push too (a p2pkh spend is <sig> <key>).
func toksAreData(sig []byte) bool {
	first := true
	ok := false
	tokenize(sig, func(t token) bool {
		if first {
			ok = t.isData || t.op == 0
			first = false
		}
		return false
	})
	return ok
}

// looksLikeSignature reports whether b is a strict-DER ECDSA signature
// followed by one sighash-type byte.
func looksLikeSignature(b []byte) bool {
	if len(b) < 9 || b[0] != 0x30 {
		return false
	}
	_, err := ecdsa.ParseDERSignature(b[:len(b)-1])
	return err == nil
}
