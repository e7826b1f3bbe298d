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
			switch rapid.IntRange(0, 5).Draw(t, "kind") {
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
		p := rapid.SliceOf(rapid.Byte()).Draw(t, "p")
		b := AppendUint64(AppendBytes(AppendUvarint(nil, v), p), v)
		d := NewDecoder(b)
		if d.Uvarint() != v || string(d.Bytes()) != string(p) || d.Uint64() != v || d.Finish() != nil {
			t.Fatal("round trip failed")
		}
	})
}
