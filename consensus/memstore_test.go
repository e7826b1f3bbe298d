package consensus

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// MemStore against a map model: random blocks of puts (small and large
// values) and deletes, with Get, prefix scans, Clone, Equal and Len checked
// after every block; slices handed out keep their contents.
func TestMemStoreModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewMemStore()
		model := map[string]string{}
		keys := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-c/]{0,6}`), 1, 40, rapid.ID[string]).Draw(t, "keys")
		var kept []held
		blocks := rapid.IntRange(1, 30).Draw(t, "blocks")
		for h := uint64(1); h <= uint64(blocks); h++ {
			heldIntact(t, kept)
			kept = nil
			writes := map[string][]byte{}
			for range rapid.IntRange(0, 20).Draw(t, "writes") {
				k := rapid.SampledFrom(keys).Draw(t, "key")
				switch rapid.IntRange(0, 5).Draw(t, "kind") {
				case 0:
					writes[k] = nil
				case 1:
					writes[k] = bytes.Repeat([]byte{byte(h)}, rapid.IntRange(1<<10, 1<<16).Draw(t, "big"))
				default:
					writes[k] = []byte(rapid.String().Draw(t, "value") + "!")
				}
			}
			commitToModel(t, m, h, writes, model, func() bool { return false })
			kept = append(kept, getsMatchModel(t, m, keys, model)...)
			scanMatchesModel(t, m, rapid.StringMatching(`[a-c/]{0,2}`).Draw(t, "prefix"), model)
			cl := m.Clone()
			if !cl.Equal(m) || !m.Equal(cl) {
				t.Fatal("clone differs")
			}
		}
		heldIntact(t, kept)
		if err := m.CommitBlock(&BlockCommit{Height: uint64(blocks) + 2}); err == nil {
			t.Fatal("height gap accepted")
		}
	})
}

// Scan stops when fn says so or fails, passing the error on; Equal tells
// apart stores differing in a value, a key or the tip; a block with a
// repeated key is refused whole, one with its keys out of order is not.
func TestMemStoreEdges(t *testing.T) {
	m := NewMemStore()
	ws := []Write{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("2")}, {Key: []byte("c"), Value: []byte("3")}}
	if err := m.CommitBlock(&BlockCommit{Height: 7, Writes: ws}); err != nil {
		t.Fatal(err)
	}
	if h, ok, err := m.Tip(); h != 7 || !ok || err != nil {
		t.Fatalf("Tip = %d, %v, %v", h, ok, err)
	}
	var seen []string
	if err := m.Scan(nil, func(k, _ []byte) (bool, error) {
		seen = append(seen, string(k))
		return len(seen) < 2, nil
	}); err != nil || strings.Join(seen, ",") != "a,b" {
		t.Fatalf("early stop: %v, %v", seen, err)
	}
	boom := errors.New("boom")
	if err := m.Scan([]byte("b"), func(k, _ []byte) (bool, error) { return true, boom }); !errors.Is(err, boom) {
		t.Fatalf("Scan error = %v", err)
	}
	for _, bad := range [][]Write{
		{{Key: []byte("b"), Value: []byte("x")}, {Key: []byte("a"), Value: []byte("x")}, {Key: []byte("b")}},
		{{Key: []byte("a"), Value: []byte("x")}, {Key: []byte("a")}},
	} {
		if err := m.CommitBlock(&BlockCommit{Height: 8, Writes: bad}); err == nil {
			t.Fatal("a repeated key accepted")
		}
	}
	if v, _ := m.Get([]byte("a")); string(v) != "1" {
		t.Fatal("a refused block was applied")
	}
	unordered := m.Clone()
	if err := unordered.CommitBlock(&BlockCommit{Height: 8, Writes: []Write{{Key: []byte("c"), Value: []byte("9")}, {Key: []byte("a")}}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := unordered.Get([]byte("c")); string(v) != "9" || unordered.Len() != 2 {
		t.Fatalf("unordered block: c = %q, %d keys", v, unordered.Len())
	}
	for _, change := range [][]Write{
		{{Key: []byte("b"), Value: []byte("x")}},                     // a value
		{{Key: []byte("b")}, {Key: []byte("z"), Value: []byte("2")}}, // a key, same count
		{{Key: []byte("d"), Value: []byte("4")}},                     // a key more
	} {
		base, o := m.Clone(), m.Clone()
		if !o.Equal(m) {
			t.Fatal("clone differs")
		}
		if err := base.CommitBlock(&BlockCommit{Height: 8}); err != nil {
			t.Fatal(err)
		}
		if err := o.CommitBlock(&BlockCommit{Height: 8, Writes: change}); err != nil {
			t.Fatal(err)
		}
		if o.Equal(base) || base.Equal(o) {
			t.Fatalf("stores differing by %q compare equal", change[0].Key)
		}
	}
	o := m.Clone()
	o.tip++
	if o.Equal(m) {
		t.Fatal("stores at different tips compare equal")
	}
}

// held is a value Get handed out and what it must keep holding.
type held struct{ got, want []byte }

// heldIntact fails if a value handed out changed.
func heldIntact(t *rapid.T, kept []held) {
	for _, k := range kept {
		if !bytes.Equal(k.got, k.want) {
			t.Fatal("a slice handed out changed before the next commit")
		}
	}
}

// commitToModel commits writes as block h, sorted by key, with priors
// marked known as priorKnown says (the store must ignore them), applies
// them to model, and checks the store's accounting and Len.
//
// The writes go in an order drawn from t (the store takes any order); now
// and then the block first comes with one key written twice, which the
// store must refuse whole.
func commitToModel(t *rapid.T, m *MemStore, h uint64, writes map[string][]byte, model map[string]string, priorKnown func() bool) {
	c := &BlockCommit{Height: h}
	keys := slices.Sorted(maps.Keys(writes))
	if len(keys) > 1 && rapid.Bool().Draw(t, "shuffled") {
		keys = rapid.Permutation(keys).Draw(t, "order")
	}
	for _, k := range keys {
		c.Writes = append(c.Writes, Write{Key: []byte(k), Value: writes[k], Prior: []byte("ignored"), PriorKnown: priorKnown()})
	}
	if len(c.Writes) > 0 && rapid.IntRange(0, 7).Draw(t, "repeat") == 0 {
		again := c.Writes[rapid.IntRange(0, len(c.Writes)-1).Draw(t, "repeated")]
		again.Value = []byte("again")
		at := rapid.IntRange(0, len(c.Writes)).Draw(t, "at")
		bad := &BlockCommit{Height: h, Writes: slices.Insert(slices.Clone(c.Writes), at, again)}
		if err := m.CommitBlock(bad); err == nil {
			t.Fatalf("a block writing %q twice was accepted", again.Key)
		}
		if m.Len() != len(model) {
			t.Fatalf("a refused block changed Len: %d, model %d", m.Len(), len(model))
		}
	}
	if err := m.CommitBlock(c); err != nil {
		t.Fatal(err)
	}
	for _, w := range c.Writes {
		if w.Value == nil {
			delete(model, string(w.Key))
		} else {
			model[string(w.Key)] = string(w.Value)
		}
	}
	if m.Len() != len(model) {
		t.Fatalf("Len %d, model %d", m.Len(), len(model))
	}
}

// getsMatchModel checks Get of every key against model and returns the
// values handed out.
func getsMatchModel(t *rapid.T, m *MemStore, keys []string, model map[string]string) []held {
	var out []held
	for _, k := range keys {
		v, err := m.Get([]byte(k))
		want, ok := model[k]
		if !ok {
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get(%q) = %d bytes, %v; want not found", k, len(v), err)
			}
			continue
		}
		if err != nil || string(v) != want {
			t.Fatalf("Get(%q) = %d bytes, %v; want %d bytes", k, len(v), err, len(want))
		}
		out = append(out, held{v, []byte(want)})
	}
	return out
}

// scanMatchesModel checks a prefix scan against model, in key order.
func scanMatchesModel(t *rapid.T, m *MemStore, prefix string, model map[string]string) {
	var got []string
	if err := m.Scan([]byte(prefix), func(k, v []byte) (bool, error) {
		got = append(got, string(k)+"="+string(v))
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, k := range slices.Sorted(maps.Keys(model)) {
		if strings.HasPrefix(k, prefix) {
			want = append(want, k+"="+model[k])
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Scan(%q): %d entries, want %d", prefix, len(got), len(want))
	}
}

// Keys whose hashes collide are told apart: with the hash mask cleared
// every key hashes alike and probes the same run of index hashes, and
// lookups, overwrites, deletions (which leave a mark where a later key's
// probe passes) and scans rest on the full key compare alone.
func TestMemStoreHashCollision(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewMemStore()
		m.mask = 0
		model := map[string]string{}
		keys := []string{"a", "b", "c", "d", "e"}
		for h := uint64(1); h <= 20; h++ {
			writes := map[string][]byte{}
			for range rapid.IntRange(0, 4).Draw(t, "writes") {
				k := rapid.SampledFrom(keys).Draw(t, "key")
				if rapid.Bool().Draw(t, "delete") {
					writes[k] = nil
				} else {
					writes[k] = []byte(rapid.StringN(0, 3, 3).Draw(t, "value"))
				}
			}
			commitToModel(t, m, h, writes, model, func() bool { return false })
			getsMatchModel(t, m, keys, model)
			scanMatchesModel(t, m, "", model)
		}
	})
}

// Once dead records outweigh live ones past the threshold, the live ones
// move to new chunks, and every value still reads the same.
func TestMemStoreCompacts(t *testing.T) {
	m := NewMemStore()
	big := bytes.Repeat([]byte("v"), 1<<20)
	for h := uint64(1); h <= 200; h++ {
		ws := []Write{{Key: []byte("big"), Value: big}, {Key: []byte(fmt.Sprint("k", h)), Value: []byte("x")}}
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			t.Fatal(err)
		}
	}
	if m.total > 70<<20 { // 200 MiB were written
		t.Fatalf("%d bytes of records", m.total)
	}
	if v, err := m.Get([]byte("big")); err != nil || !bytes.Equal(v, big) {
		t.Fatal("big value lost")
	}
	if m.Len() != 201 {
		t.Fatalf("Len %d", m.Len())
	}
}
