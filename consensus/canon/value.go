package canon

import (
	"bytes"
	"strconv"
)

// Value is a field value with the Python 2 type the reference gives it.
// The zero Value is None.
type Value struct {
	kind  kind
	str   string
	num   int64
	float float64
	list  []int
}

type kind uint8

const (
	kindNone kind = iota
	kindStr
	kindInt
	kindBool
	kindFloat
	kindIntList
)

// None is Python's None; it renders as the empty string.
func None() Value { return Value{} }

// Str is a byte string (hex strings, addresses, names, decimal token
// amounts).
func Str(s string) Value { return Value{kind: kindStr, str: s} }

// Int is a Python int or long.
func Int(n int64) Value { return Value{kind: kindInt, num: n} }

// Uint is Int for unsigned amounts; values above the int64 range render as
// their exact decimal digits.
func Uint(n uint64) Value {
	return Value{kind: kindStr, str: strconv.FormatUint(n, 10)}
}

// Bool is a Python bool.
func Bool(b bool) Value {
	v := Value{kind: kindBool}
	if b {
		v.num = 1
	}
	return v
}

// Float is a Python float.
func Float(f float64) Value { return Value{kind: kindFloat, float: f} }

// IntList is a Python list of ints (namespace buckets).
func IntList(l []int) Value { return Value{kind: kindIntList, list: append([]int(nil), l...)} }

// IsNone reports whether v is None.
func (v Value) IsNone() bool { return v.kind == kindNone }

// String renders v as Python 2's str(v), with None as "".
func (v Value) String() string {
	return string(v.AppendTo(nil))
}

// AppendTo appends the rendering of v to dst.
func (v Value) AppendTo(dst []byte) []byte {
	switch v.kind {
	case kindStr:
		return append(dst, v.str...)
	case kindInt:
		return strconv.AppendInt(dst, v.num, 10)
	case kindBool:
		if v.num != 0 {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case kindFloat:
		return AppendPyFloat(dst, v.float)
	case kindIntList:
		dst = append(dst, '[')
		for i, n := range v.list {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = strconv.AppendInt(dst, int64(n), 10)
		}
		return append(dst, ']')
	}
	return dst
}

// AppendPyFloat appends Python 2's str(f): "%.12g", plus ".0" when the result
// has neither a decimal point nor an exponent (float_repr_style 'short' does
// not apply to str() in Python 2.7, which always uses 12 digits).
func AppendPyFloat(dst []byte, f float64) []byte {
	start := len(dst)
	switch {
	case f != f:
		return append(dst, "nan"...)
	case f > 1.7976931348623157e308:
		return append(dst, "inf"...)
	case f < -1.7976931348623157e308:
		return append(dst, "-inf"...)
	}
	dst = strconv.AppendFloat(dst, f, 'g', 12, 64)
	// Go writes at least two exponent digits, as C's printf does, so only the
	// integral-value suffix differs from Python.
	if bytes.IndexByte(dst[start:], '.') < 0 && bytes.IndexByte(dst[start:], 'e') < 0 {
		dst = append(dst, ".0"...)
	}
	return dst
}
