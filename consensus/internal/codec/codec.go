// Package codec is the engine's state encoding below the record layouts:
// the key layout of every key family (keys.go), and the primitives of the
// compact binary value encoding (consensus/codec.go and history.go build
// the records from them):
// unsigned and signed varints, length-prefixed strings, optional strings
// (0 = nil, else length+1), single-byte booleans, 8-byte big-endian IEEE
// floats, and strings with lower-case hex packed to bytes. Decoding never
// panics: the first malformed field sets Err.
package codec

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"slices"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// ErrCorrupt is the error of a value that does not decode.
var ErrCorrupt = errors.New("consensus: corrupt state value")

// Encoder appends values to B.
type Encoder struct{ B []byte }

// U appends v as a uvarint; most values (lengths, small counts) take one
// byte, appended without a call.
func (e *Encoder) U(v uint64) {
	if v < 0x80 {
		e.B = append(e.B, byte(v))
		return
	}
	e.B = binary.AppendUvarint(e.B, v)
}
func (e *Encoder) I(v int64)  { e.B = binary.AppendVarint(e.B, v) }
func (e *Encoder) S(v string) { e.U(uint64(len(v))); e.B = append(e.B, v...) }
func (e *Encoder) Bo(v bool) {
	if v {
		e.B = append(e.B, 1)
	} else {
		e.B = append(e.B, 0)
	}
}
func (e *Encoder) F(v float64) { e.B = binary.BigEndian.AppendUint64(e.B, math.Float64bits(v)) }
func (e *Encoder) Os(v *string) {
	if v == nil {
		e.U(0)
		return
	}
	e.U(uint64(len(*v)) + 1)
	e.B = append(e.B, *v...)
}
func (e *Encoder) Ou(v *uint64) {
	if v == nil {
		e.Bo(false)
		return
	}
	e.Bo(true)
	e.U(*v)
}

// Decoder reads values from B; the first failure sets Err and empties B.
type Decoder struct {
	B   []byte
	Err error
	// src, when set, is the whole value as one string, and d.B its tail
	// still to read: strings are cut from it rather than copied one by one
	// (one allocation per value instead of one per field).
	Src string
	// opts, when set, is room for the optional strings that os returns
	// pointers to (instead of a new string each).
	Opts []string
}

// NewStringDecoder decodes b, whose strings share one copy of it.
func NewStringDecoder(b []byte) *Decoder { return &Decoder{B: b, Src: string(b)} }

func (d *Decoder) Fail() {
	if d.Err == nil {
		d.Err = ErrCorrupt
	}
	d.B = nil
}

// U reads a uvarint; a one-byte one (most lengths) without a call.
func (d *Decoder) U() uint64 {
	if b := d.B; len(b) > 0 && b[0] < 0x80 {
		d.B = b[1:]
		return uint64(b[0])
	}
	return d.ULong()
}

func (d *Decoder) ULong() uint64 {
	v, n := binary.Uvarint(d.B)
	if n <= 0 {
		d.Fail()
		return 0
	}
	d.B = d.B[n:]
	return v
}
func (d *Decoder) I() int64 {
	v, n := binary.Varint(d.B)
	if n <= 0 {
		d.Fail()
		return 0
	}
	d.B = d.B[n:]
	return v
}
func (d *Decoder) Raw(n uint64) string {
	if n > uint64(len(d.B)) {
		d.Fail()
		return ""
	}
	var s string
	if d.Src != "" {
		off := len(d.Src) - len(d.B)
		s = d.Src[off : off+int(n)]
	} else {
		s = string(d.B[:n])
	}
	d.B = d.B[n:]
	return s
}
func (d *Decoder) S() string { return d.Raw(d.U()) }
func (d *Decoder) Bo() bool {
	if len(d.B) < 1 || d.B[0] > 1 {
		d.Fail()
		return false
	}
	v := d.B[0] == 1
	d.B = d.B[1:]
	return v
}
func (d *Decoder) F() float64 {
	if len(d.B) < 8 {
		d.Fail()
		return 0
	}
	v := math.Float64frombits(binary.BigEndian.Uint64(d.B))
	d.B = d.B[8:]
	return v
}
func (d *Decoder) Os() *string {
	n := d.U()
	if n == 0 {
		return nil
	}
	if len(d.Opts) > 0 {
		p := &d.Opts[0]
		d.Opts = d.Opts[1:]
		*p = d.Raw(n - 1)
		return p
	}
	return newString(d.Raw(n - 1))
}

// newString returns a pointer to a new copy of s (its own function, so
// that only this path allocates).
func newString(s string) *string { return &s }
func (d *Decoder) Ou() *uint64 {
	if !d.Bo() {
		return nil
	}
	v := d.U()
	return &v
}

// Hs writes a string, packing lower-case hex to bytes: uvarint(n<<1|1) and
// n bytes for hex, uvarint(len<<1) and the bytes otherwise. One pass: the
// packing is undone if a byte turns out not to be lower-case hex.
func (e *Encoder) Hs(v string) {
	if n := len(v); n > 0 && n%2 == 0 {
		start := len(e.B)
		e.U(uint64(n/2)<<1 | 1)
		e.B = slices.Grow(e.B, n/2)
		if digest.DecodeLowerHex(e.B[len(e.B):len(e.B)+n/2], v) {
			e.B = e.B[:len(e.B)+n/2]
			return
		}
		e.B = e.B[:start]
	}
	e.U(uint64(len(v)) << 1)
	e.B = append(e.B, v...)
}

func (d *Decoder) Hs() string {
	n := d.U()
	if n&1 == 0 {
		return d.Raw(n >> 1)
	}
	n >>= 1
	if n > uint64(len(d.B)) || n == 0 {
		d.Fail()
		return ""
	}
	s := hex.EncodeToString(d.B[:n])
	d.B = d.B[n:]
	return s
}

func (e *Encoder) Ohs(v *string) {
	e.Bo(v != nil)
	if v != nil {
		e.Hs(*v)
	}
}

func (d *Decoder) Ohs() *string {
	if !d.Bo() {
		return nil
	}
	s := d.Hs()
	return &s
}
