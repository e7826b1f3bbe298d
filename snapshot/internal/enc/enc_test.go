package enc

import (
	"testing"

	"pgregory.net/rapid"
)

// TestDecoderNeverPanics decodes random bytes with random reads: no panic,
// and no count larger than the input could hold.
func TestDecoderNeverPanics(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := rapid.SliceOf(rapid.Byte()).Draw(t, "data")
		d := NewDecoder(data)
		for range rapid.IntRange(0, 10).Draw(t, "reads") {
			switch rapid.IntRange(0, 6).Draw(t, "kind") {
			case 6:
				d.Varint()
			case 0:
				d.Uvarint()
			case 1:
				if n := d.Count(2); n > len(data)/2 {
					t.Fatalf("count %d from %d bytes", n, len(data))
				}
			case 2:
				d.Bytes()
			case 3:
				d.Fixed(rapid.IntRange(-1, 20).Draw(t, "n"))
			case 4:
				d.Uint64()
			case 5:
				d.Byte()
			}
		}
		_ = d.Finish()
	})
}

func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Uint64().Draw(t, "v")
		i := rapid.Int64().Draw(t, "i")
		p := rapid.SliceOf(rapid.Byte()).Draw(t, "p")
		b := AppendVarint(AppendUint64(AppendBytes(AppendUvarint(nil, v), p), v), i)
		d := NewDecoder(b)
		if d.Uvarint() != v || string(d.Bytes()) != string(p) || d.Uint64() != v || d.Varint() != i || d.Finish() != nil {
			t.Fatal("round trip failed")
		}
	})
}

// TestCanonicalDecoder: a canonical decoder reads what the encoders write,
// and refuses any longer encoding of a varint, signed or not.
func TestCanonicalDecoder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := rapid.Uint64().Draw(t, "u")
		i := rapid.Int64().Draw(t, "i")
		b := AppendVarint(AppendUvarint(nil, u), i)
		d := NewCanonicalDecoder(b)
		if d.Uvarint() != u || d.Varint() != i || d.Finish() != nil {
			t.Fatal("round trip failed")
		}
		// Stretch the first varint by one byte: the same value, longer.
		long := AppendUvarint(nil, u)
		if len(long) == 10 {
			return // no longer form fits ten bytes
		}
		long[len(long)-1] |= 0x80
		long = append(long, 0)
		if v := NewDecoder(long).Uvarint(); v != u {
			t.Fatalf("the stretched encoding reads as %d, not %d", v, u)
		}
		if d := NewCanonicalDecoder(long); d.Uvarint() != 0 || d.Err() == nil {
			t.Fatal("a canonical decoder read an overlong uvarint")
		}
		long = AppendVarint(nil, i)
		if len(long) == 10 {
			return
		}
		long[len(long)-1] |= 0x80
		long = append(long, 0)
		if d := NewCanonicalDecoder(long); d.Varint() != 0 || d.Err() == nil {
			t.Fatal("a canonical decoder read an overlong varint")
		}
	})
}
