package canon

import (
	"strconv"
)

// Appender renders a record field by field, without building a Record: the
// caller supplies the values in the order of the opcode's field list
// (FieldsFor), each with the method of its Python type. The output is
// byte for byte what Append gives for a Record holding the same values.
// The zero Appender is not usable; start one with NewAppender.
type Appender struct {
	buf []byte
	n   int
}

// NewAppender starts a record for opcode, appending to dst.
func NewAppender(dst []byte, opcode byte) Appender {
	return Appender{buf: append(dst, opcode, ':')}
}

// Bytes returns dst with the record appended so far.
func (a *Appender) Bytes() []byte { return a.buf }

// Fields returns the number of values appended so far.
func (a *Appender) Fields() int { return a.n }

func (a *Appender) sep() {
	if a.n > 0 {
		a.buf = append(a.buf, ',')
	}
	a.n++
}

func (a *Appender) rendered(v []byte) {
	a.sep()
	a.buf = strconv.AppendInt(a.buf, int64(len(v)), 10)
	a.buf = append(a.buf, ':')
	a.buf = append(a.buf, v...)
}

// Str appends a byte string (as Str).
func (a *Appender) Str(s string) {
	a.sep()
	a.buf = strconv.AppendInt(a.buf, int64(len(s)), 10)
	a.buf = append(a.buf, ':')
	a.buf = append(a.buf, s...)
}

// OptStr appends *s, or None for a nil s.
func (a *Appender) OptStr(s *string) {
	if s == nil {
		a.None()
		return
	}
	a.Str(*s)
}

// None appends Python's None.
func (a *Appender) None() {
	a.sep()
	a.buf = append(a.buf, '0', ':')
}

// Int appends a Python int (as Int).
func (a *Appender) Int(n int64) {
	var tmp [24]byte
	a.rendered(strconv.AppendInt(tmp[:0], n, 10))
}

// Uint appends an unsigned amount (as Uint).
func (a *Appender) Uint(n uint64) {
	var tmp [24]byte
	a.rendered(strconv.AppendUint(tmp[:0], n, 10))
}

// Bool appends a Python bool (as Bool).
func (a *Appender) Bool(b bool) {
	a.sep()
	if b {
		a.buf = append(a.buf, "4:True"...)
	} else {
		a.buf = append(a.buf, "5:False"...)
	}
}

// Float appends a Python float (as Float).
func (a *Appender) Float(f float64) {
	var tmp [40]byte
	a.rendered(AppendPyFloat(tmp[:0], f))
}

// IntList appends a Python list of ints (as IntList).
func (a *Appender) IntList(l []int) {
	var tmp [256]byte
	a.rendered(Value{kind: kindIntList, list: l}.AppendTo(tmp[:0]))
}

// Value appends a typed value.
func (a *Appender) Value(v Value) {
	var tmp [64]byte
	a.rendered(v.AppendTo(tmp[:0]))
}
