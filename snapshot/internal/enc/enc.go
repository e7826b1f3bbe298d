package enc

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// ErrMalformed is returned by a Decoder whose input is too short, has an
// overlong varint, or has bytes left over at Finish.
var ErrMalformed = errors.New("malformed encoding")

// AppendUvarint appends v as an unsigned varint.
func AppendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// AppendVarint appends v as a signed (zig-zag) varint.
func AppendVarint(b []byte, v int64) []byte { return binary.AppendVarint(b, v) }

// AppendBytes appends p preceded by its length as an unsigned varint.
func AppendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// AppendUint64 appends v as 8 big-endian bytes, so that encoded heights
// sort in numeric order.
func AppendUint64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

// Decoder reads values from a byte slice. The first failure sticks: later
// reads return zero values and Err reports it.
type Decoder struct {
	buf       []byte
	err       error
	canonical bool
}

// NewDecoder returns a decoder over b. Slices it returns alias b.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// NewCanonicalDecoder returns a decoder over b that also fails on a varint
// longer than needed (which NewDecoder's accept, as encoding/binary does),
// for encodings that must have one form only.
func NewCanonicalDecoder(b []byte) *Decoder { return &Decoder{buf: b, canonical: true} }

// uvarintLen is the length of the shortest encoding of v.
func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// Err returns the first failure, if any.
func (d *Decoder) Err() error { return d.err }

// Len returns the number of bytes not yet read.
func (d *Decoder) Len() int { return len(d.buf) }

func (d *Decoder) fail() {
	if d.err == nil {
		d.err = ErrMalformed
	}
	d.buf = nil
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 || d.canonical && n != uvarintLen(v) {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// Varint reads a signed (zig-zag) varint.
func (d *Decoder) Varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 || d.canonical && n != uvarintLen(uint64(v)<<1^uint64(v>>63)) {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// Count reads an element count and checks that the remaining input could
// hold that many elements of at least minSize bytes each, so a hostile count
// can never make the caller allocate more than the input's size.
func (d *Decoder) Count(minSize int) int {
	n := d.Uvarint()
	if d.err != nil {
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if n > uint64(len(d.buf)/minSize) {
		d.fail()
		return 0
	}
	return int(n)
}

// Fixed reads exactly n bytes.
func (d *Decoder) Fixed(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf) {
		d.fail()
		return nil
	}
	p := d.buf[:n:n]
	d.buf = d.buf[n:]
	return p
}

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	p := d.Fixed(1)
	if p == nil {
		return 0
	}
	return p[0]
}

// Uint64 reads 8 big-endian bytes.
func (d *Decoder) Uint64() uint64 {
	p := d.Fixed(8)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint64(p)
}

// Bytes reads a length-prefixed byte string.
func (d *Decoder) Bytes() []byte {
	n := d.Uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.buf)) {
		d.fail()
		return nil
	}
	return d.Fixed(int(n))
}

// Finish reports the first failure, or ErrMalformed when input is left over.
func (d *Decoder) Finish() error {
	if d.err == nil && len(d.buf) != 0 {
		d.err = ErrMalformed
	}
	return d.err
}
