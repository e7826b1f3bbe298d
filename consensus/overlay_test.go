package consensus

import (
	"bytes"
	"hash/maphash"
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
		got := sortWrites(nil, ws, &scratch)
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

// A present empty value read from the store is noted as a present prior,
// not as an absent key.
func TestOverlayEmptyValuePrior(t *testing.T) {
	m := NewMemStore()
	if err := m.CommitBlock(&BlockCommit{Height: 1, Writes: []Write{{Key: []byte("e"), Value: []byte{}}}}); err != nil {
		t.Fatal(err)
	}
	var a arena
	o := newOverlay(m, true, &a, maphash.MakeSeed())
	if v, ok, err := o.get([]byte("e")); err != nil || !ok || len(v) != 0 {
		t.Fatalf("get = %q, %v, %v", v, ok, err)
	}
	o.put([]byte("e"), []byte("x"))
	e := o.keys.entries[o.keys.find([]byte("e"))]
	if !e.priorKnown || e.prior == nil {
		t.Fatalf("prior %v (known %v): want present and empty", e.prior, e.priorKnown)
	}
}

// A key the block wrote as a decoded value reads back, through the
// overlay's encoded reads, as its encoding (and as absent once deleted).
func TestOverlayReadsDecodedWrites(t *testing.T) {
	var a arena
	o := newOverlay(NewMemStore(), false, &a, maphash.MakeSeed())
	acct := &Account{Address: "addr", Type: "STACKS", Credit: "5", Debit: "0"}
	key := accountKey("addr", "STACKS")
	o.putDecoded(key, acct)
	want, err := encodeValue(acct)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok, err := o.get(key); err != nil || !ok || !bytes.Equal(v, want) {
		t.Fatalf("get = %x, %v, %v; want %x", v, ok, err, want)
	}
	o.putDecoded(key, nil)
	if v, ok, err := o.get(key); err != nil || ok || v != nil {
		t.Fatalf("get after delete = %x, %v, %v", v, ok, err)
	}
}
