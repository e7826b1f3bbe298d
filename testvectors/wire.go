package testvectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// RealTx is one line of wire/real_txs.jsonl: a real transaction from the
// reference's fixtures and what parsing it must give.
type RealTx struct {
	ID       string         `json:"id"`
	Height   uint64         `json:"height"`
	Magic    string         `json:"magic"`
	Network  string         `json:"network"`
	TxHex    LenientString  `json:"tx_hex"`
	Txid     string         `json:"txid"`
	Expected RealTxExpected `json:"expected"`
}

// RealTxExpected is the recorded parse result. Parsed is nil when the
// transaction must be ignored or rejected; otherwise it holds the fields that
// must match (addresses in mainnet encoding).
type RealTxExpected struct {
	OpcodeChar string                     `json:"opcode_char"`
	PayloadHex string                     `json:"payload_hex"`
	Parsed     map[string]json.RawMessage `json:"parsed"`
}

// UnmarshalJSON accepts the object itself or a JSON string holding it (the
// file uses both).
func (e *RealTxExpected) UnmarshalJSON(b []byte) error {
	b, err := unquoteJSON(b)
	if err != nil {
		return err
	}
	type plain RealTxExpected
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = RealTxExpected(p)
	return nil
}

// LenientString is a string that the file may also store JSON-quoted a
// second time ("\"0100…\"").
type LenientString string

// UnmarshalJSON strips one extra level of quoting if present.
func (s *LenientString) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if len(v) >= 2 && v[0] == '"' {
		var inner string
		if err := json.Unmarshal([]byte(v), &inner); err != nil {
			return fmt.Errorf("doubly quoted string: %w", err)
		}
		v = inner
	}
	*s = LenientString(v)
	return nil
}

func unquoteJSON(b []byte) ([]byte, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	return b, nil
}

// ReadRealTxs reads a real-transaction vector file.
func ReadRealTxs(r io.Reader, name string) ([]*RealTx, error) {
	var recs []*RealTx
	err := ReadJSONL(r, name, func(line int, rec *RealTx) error {
		if rec.ID == "" || rec.TxHex == "" || rec.Txid == "" {
			return &MalformedError{File: name, Line: line, Err: fmt.Errorf("record without id, tx_hex or txid")}
		}
		recs = append(recs, rec)
		return nil
	})
	return recs, err
}
