package state

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// mapStore is committed state for the tests: a map and a tip.
type mapStore map[string][]byte

func (m mapStore) Get(key []byte) ([]byte, error) {
	if v, ok := m[string(key)]; ok {
		return v, nil
	}
	return nil, ErrNotFound
}

func (m mapStore) apply(ws []Write) {
	for _, w := range ws {
		if w.Value == nil {
			delete(m, string(w.Key))
		} else {
			m[string(w.Key)] = bytes.Clone(w.Value)
		}
	}
}

func appendStr(dst []byte, v *string) ([]byte, error) { return append(dst, *v...), nil }
func decodeStr(raw []byte) (*string, error) {
	s := string(raw)
	return &s, nil
}

type box struct{ N []byte }

func appendBox(dst []byte, v *box) ([]byte, error) { return append(dst, v.N...), nil }
func decodeBox(raw []byte) (*box, error)           { return &box{N: bytes.Clone(raw)}, nil }

func testFamilies() (*Family[string], *Family[box], *Family[string]) {
	return NewFamily("a/", appendStr, decodeStr), NewFamily("b/", appendBox, decodeBox),
		NewFamily("u/", appendStr, decodeStr).Uncached()
}

// A read sees the block's own last write of its key, whatever the cache
// holds: the stale read of issue 22 (a put after a warm cache) cannot
// happen, for cached and uncached families, across blocks, with priors
// tracked or not; and the layer's view always equals a plain model.
func TestLayerReadsItsWrites(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := mapStore{}
		fa, _, fu := testFamilies()
		l := New(store, rapid.Bool().Draw(t, "priors"), 10, fa, fu)
		model := map[string]string{}
		keys := []string{"a/1", "a/2", "u/1", "u/2"}
		fam := func(k string) *Family[string] {
			if k[0] == 'a' {
				return fa
			}
			return fu
		}
		for h := uint64(1); h <= 8; h++ {
			tip, ok := h-1, h > 1
			l.Begin(tip, ok, func() (string, error) { return "", nil })
			for range rapid.IntRange(0, 12).Draw(t, "steps") {
				k := rapid.SampledFrom(keys).Draw(t, "key")
				switch rapid.IntRange(0, 2).Draw(t, "op") {
				case 0:
					v := rapid.StringN(0, 3, 3).Draw(t, "value")
					Put(l, fam(k), []byte(k), &v)
					model[k] = v
				case 1:
					Put(l, fam(k), []byte(k), nil)
					delete(model, k)
				}
				got, err := Get(l, fam(k), []byte(k))
				want, present := model[k]
				if err != nil || (got != nil) != present || (got != nil && *got != want) {
					t.Fatalf("block %d: %s reads %v (%v), want %q (%v)", h, k, got, err, want, present)
				}
			}
			ws, err := l.Writes()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSortedFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) }) {
				t.Fatal("writes not sorted")
			}
			for _, w := range ws {
				if w.PriorKnown {
					v, err := store.Get(w.Key)
					if errors.Is(err, ErrNotFound) != (w.Prior == nil) || !bytes.Equal(v, w.Prior) {
						t.Fatalf("prior of %s is %q, the store holds %q", w.Key, w.Prior, v)
					}
				}
			}
			store.apply(ws)
			l.Committed(h, "")
		}
	})
}

// A present empty value read from the store is noted as a present prior,
// not as an absent key.
func TestLayerEmptyValuePrior(t *testing.T) {
	fa, _, _ := testFamilies()
	l := New(mapStore{"a/e": {}}, true, 10, fa)
	l.Begin(0, false, nil)
	if v, err := Get(l, fa, []byte("a/e")); err != nil || v == nil || *v != "" {
		t.Fatalf("get = %v, %v", v, err)
	}
	x := "x"
	Put(l, fa, []byte("a/e"), &x)
	ws, err := l.Writes()
	if err != nil || len(ws) != 1 || !ws[0].PriorKnown || ws[0].Prior == nil || len(ws[0].Prior) != 0 {
		t.Fatalf("writes %+v, %v: want a present, empty prior", ws, err)
	}
}

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
		seen := make([]bool, len(ws))
		for i, w := range got {
			if i > 0 && bytes.Compare(got[i-1].Key, w.Key) >= 0 {
				t.Fatalf("%q before %q", got[i-1].Key, w.Key)
			}
			j := int(w.Value[0])
			if seen[j] || !bytes.Equal(keys[j], w.Key) {
				t.Fatalf("write %d lost or repeated", j)
			}
			seen[j] = true
		}
	})
}
