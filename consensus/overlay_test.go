package consensus

import (
	"bytes"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// sortWrites orders writes by their whole keys, whatever they share: keys
// alike in their first 8 or 16 bytes, keys that are prefixes of others,
// and zero bytes (which the order's zero padding must not confuse with an
// end of key). The result is a permutation of the input.
func TestSortWritesOrdersByKey(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := rapid.Custom(func(t *rapid.T) []byte {
			k := []byte(rapid.SampledFrom([]string{"", "n/bench/", "s/76a914", "s/76a914abcdef01", "h/n1"}).Draw(t, "prefix"))
			return append(k, rapid.SliceOfN(rapid.SampledFrom([]byte{0, 1, 'a', 'b', 0xff}), 0, 20).Draw(t, "tail")...)
		})
		keys := rapid.SliceOfNDistinct(key, 0, 60, func(k []byte) string { return string(k) }).Draw(t, "keys")
		ws := make([]Write, len(keys))
		for i, k := range keys {
			ws[i] = Write{Key: k, Value: []byte{byte(i)}}
		}
		var scratch []writeOrder
		got := sortWrites(ws, &scratch)
		if len(got) != len(ws) {
			t.Fatalf("%d writes out of %d", len(got), len(ws))
		}
		for i := 1; i < len(got); i++ {
			if bytes.Compare(got[i-1].Key, got[i].Key) >= 0 {
				t.Fatalf("%q before %q", got[i-1].Key, got[i].Key)
			}
		}
		seen := make([]bool, len(ws))
		for _, w := range got {
			j := int(w.Value[0])
			if seen[j] || !bytes.Equal(keys[j], w.Key) {
				t.Fatalf("write %d lost or repeated", j)
			}
			seen[j] = true
		}
		if slices.Contains(seen, false) {
			t.Fatal("a write is missing")
		}
	})
}
