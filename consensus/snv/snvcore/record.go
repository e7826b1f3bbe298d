package snvcore

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/spvcheck/spvcheck/consensus/canon"
)

// Record is one authenticated record of the target block, split back into
// its values.
type Record struct {
	// Opcode is the record's opcode byte.
	Opcode byte
	// Raw is the canonical serialization that was hashed.
	Raw []byte
	// Values are the rendered field values in serialization order.
	Values []string
	// Fields are the final (0.14+) field names of canon.FieldsFor, one per
	// value; 0.13 records carry the same values at the same positions under
	// older names. Nil when the opcode has no known list.
	Fields []string
}

// Field returns the first value named name.
func (r *Record) Field(name string) (string, bool) {
	for i, f := range r.Fields {
		if f == name {
			return r.Values[i], true
		}
	}
	return "", false
}

// ParseRecord splits a canonical serialization (opcode ':' then
// comma-separated LEN ':' VALUE items) by its length prefixes. When the
// opcode has a known field list, the value count must match it.
func ParseRecord(raw []byte) (Record, error) {
	if len(raw) < 2 || raw[1] != ':' {
		return Record{}, fmt.Errorf("no opcode prefix")
	}
	rec := Record{Opcode: raw[0], Raw: raw}
	rest := raw[2:]
	for len(rest) > 0 {
		if len(rec.Values) > 0 {
			if rest[0] != ',' {
				return Record{}, fmt.Errorf("value %d: no ',' separator", len(rec.Values))
			}
			rest = rest[1:]
		}
		n, digits := 0, 0
		for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
			if digits > 7 {
				return Record{}, fmt.Errorf("value %d: length too long", len(rec.Values))
			}
			n = n*10 + int(rest[digits]-'0')
			digits++
		}
		if digits == 0 || digits >= len(rest) || rest[digits] != ':' ||
			(digits > 1 && rest[0] == '0') {
			return Record{}, fmt.Errorf("value %d: no canonical length prefix", len(rec.Values))
		}
		rest = rest[digits+1:]
		if n > len(rest) {
			return Record{}, fmt.Errorf("value %d: length %d beyond the record", len(rec.Values), n)
		}
		rec.Values = append(rec.Values, string(rest[:n]))
		rest = rest[n:]
	}
	if fields := canon.FieldsFor(rec.Opcode); fields != nil {
		if len(fields) != len(rec.Values) {
			return Record{}, fmt.Errorf("opcode %q has %d fields, record %d values", rec.Opcode, len(fields), len(rec.Values))
		}
		rec.Fields = fields
	}
	return rec, nil
}

// Matches reports whether the selector picks record r (a whole-block
// selector picks every record).
func (s Selector) Matches(r *Record) bool {
	switch s.Kind {
	case SelectBlock:
		return true
	case SelectName:
		if v, ok := r.Field("name"); ok {
			return v == s.Name
		}
		v, ok := r.Field("namespace_id")
		return ok && v == s.Name
	case SelectTxid:
		v, ok := r.Field("txid")
		return ok && v == hex.EncodeToString(s.Txid[:])
	case SelectVtxindex:
		v, ok := r.Field("vtxindex")
		return ok && v == strconv.FormatUint(s.Vtxindex, 10)
	}
	return false
}
