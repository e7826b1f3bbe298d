package canon

import (
	"fmt"
	"strconv"
)

// MissingFieldError reports a record that lacks a field its opcode's list
// names; the reference aborts on it (virtualchain indexer.py:1018-1020).
type MissingFieldError struct {
	Opcode byte
	Field  string
}

func (e *MissingFieldError) Error() string {
	return fmt.Sprintf("canon: record for opcode %q has no field %q", e.Opcode, e.Field)
}

// Record is a committed record: field name to value. Fields not named by
// the opcode's list are ignored.
type Record map[string]Value

// Serialize renders rec under the given field list (see FieldsFor) for the
// opcode byte.
func Serialize(opcode byte, fields []string, rec Record) ([]byte, error) {
	return Append(nil, opcode, fields, rec)
}

// Append is Serialize appending to dst.
func Append(dst []byte, opcode byte, fields []string, rec Record) ([]byte, error) {
	dst = append(dst, opcode, ':')
	var scratch []byte
	for i, name := range fields {
		v, ok := rec[name]
		if !ok {
			return nil, &MissingFieldError{Opcode: opcode, Field: name}
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		scratch = v.AppendTo(scratch[:0])
		dst = strconv.AppendInt(dst, int64(len(scratch)), 10)
		dst = append(dst, ':')
		dst = append(dst, scratch...)
	}
	return dst, nil
}
