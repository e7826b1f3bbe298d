package ops

import (
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

const (
	opReturn    = txscript.OP_RETURN
	opPushdata1 = txscript.OP_PUSHDATA1
	opPushdata4 = txscript.OP_PUSHDATA4
)

// token is one element of a script as the reference's tokenizer
// (virtualchain btc_script_deserialize) sees it: a data push (isData, with
// data, possibly empty) or any other opcode.
type token struct {
	op     byte
	data   []byte
	isData bool
}

// tokenize splits a script into tokens with the reference's semantics.
//
// txscript's tokenizer is used for every complete opcode. It differs from
// the reference in one place only: a push that runs past the end of the
// script is an error for txscript, while the reference keeps the bytes that
// are present (virtualchain keys.py:186-198; for PUSHDATA1/2/4 the length
// itself is read, little-endian, from whatever length bytes are present).
// Such a push is necessarily the last element, so it is finished by hand
// here. OP_0 is not data (the reference yields None for it); pushes of 1–75
// bytes and PUSHDATA1/2/4 are.
//
// fn is called for each token in order; it returns false to stop early.
func tokenize(script []byte, fn func(t token) bool) {
	tok := txscript.MakeScriptTokenizer(0, script)
	start := 0
	for tok.Next() {
		op := tok.Opcode()
		t := token{op: op}
		if op >= 0x01 && op <= opPushdata4 {
			t.isData = true
			t.data = tok.Data()
		}
		if !fn(t) {
			return
		}
		start = int(tok.ByteIndex())
	}
	if tok.Err() == nil || start >= len(script) {
		return
	}
	fn(truncatedPush(script[start:]))
}

// truncatedPush finishes a push that runs past the end of the script the
// way the reference does: it yields the bytes that are present.
func truncatedPush(rest []byte) token {
	op := rest[0]
	if op < opPushdata1 {
		return token{op: op, data: rest[1:], isData: true}
	}
	width := 1 << (op - opPushdata1) // 1, 2 or 4 length bytes
	lenBytes := rest[1:min(1+width, len(rest))]
	size := uint64(0)
	for i := len(lenBytes) - 1; i >= 0; i-- {
		size = size<<8 | uint64(lenBytes[i])
	}
	body := rest[1+len(lenBytes):]
	if uint64(len(body)) > size {
		body = body[:size]
	}
	return token{op: op, data: body, isData: true}
}

// NullData returns the data carried by the transaction's last nulldata
// output, the way the reference indexer chooses it (virtualchain
// blocks.py:577-603): every output whose script starts with OP_RETURN is
// looked at in order, and the last one decides. It counts only when it is
// exactly OP_RETURN followed by one data push (any push encoding, truncated
// pushes yielding the bytes present); otherwise (bare OP_RETURN, OP_RETURN
// OP_2, OP_RETURN OP_0, three or more elements) the transaction has no data,
// even if an earlier output had good data. ok is false when there is no data.
func NullData(tx *wire.MsgTx) (data []byte, ok bool) {
	for _, out := range tx.TxOut {
		s := out.PkScript
		if len(s) == 0 || s[0] != opReturn {
			continue
		}
		data, ok = nullDataOf(s)
	}
	return data, ok
}

// nullDataOf extracts the single push of an OP_RETURN script.
func nullDataOf(s []byte) ([]byte, bool) {
	// Fast path: OP_RETURN <direct push of 1..75 bytes> with nothing after it.
	if len(s) >= 2 && s[1] >= 0x01 && s[1] <= 0x4b && len(s) == 2+int(s[1]) {
		return s[2:], true
	}
	n := 0
	var data []byte
	ok := false
	tokenize(s, func(t token) bool {
		n++
		if n == 2 {
			data, ok = t.data, t.isData
		}
		return n <= 2
	})
	if n != 2 || !ok {
		return nil, false
	}
	return data, true
}

// lastNullDataHasMagic is the block scanner's cheap pre-filter: does the last
// nulldata output carry data that starts with the magic bytes?
func lastNullDataHasMagic(tx *wire.MsgTx, magic [2]byte) bool {
	for i := len(tx.TxOut) - 1; i >= 0; i-- {
		s := tx.TxOut[i].PkScript
		if len(s) == 0 || s[0] != opReturn {
			continue
		}
		d, ok := nullDataOf(s)
		return ok && len(d) >= 2 && d[0] == magic[0] && d[1] == magic[1]
	}
	return false
}

// pushOnlyTokens returns the tokens of a script and whether every one of
// them is a push (data, OP_0, OP_1NEGATE or OP_1..OP_16).
func pushOnlyTokens(script []byte) (toks []token, pushOnly bool) {
	pushOnly = true
	tokenize(script, func(t token) bool {
		if !t.isData && t.op > txscript.OP_16 {
			pushOnly = false
		}
		toks = append(toks, t)
		return true
	})
	return toks, pushOnly
}
