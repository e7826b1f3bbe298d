package consensus

import (
	"bytes"
	"errors"
	"hash/maphash"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// MemStore against a map model: random blocks of puts (small and
// chunk-sized values) and deletes, with Get, prefix scans, Clone, Equal and
// Len checked after every block, across compactions; slices handed out
// earlier keep their contents.
func TestMemStoreModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewMemStore()
		m.compactMin = rapid.SampledFrom([]int{0, 64, memCompactMin}).Draw(t, "compactMin")
		model := map[string]string{}
		keys := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-c/]{0,6}`), 1, 40, rapid.ID[string]).Draw(t, "keys")
		type held struct{ got, want []byte }
		var kept []held
		blocks := rapid.IntRange(1, 30).Draw(t, "blocks")
		for h := uint64(1); h <= uint64(blocks); h++ {
			writes := map[string][]byte{}
			for range rapid.IntRange(0, 20).Draw(t, "writes") {
				k := rapid.SampledFrom(keys).Draw(t, "key")
				switch rapid.IntRange(0, 5).Draw(t, "kind") {
				case 0:
					writes[k] = nil
				case 1:
					writes[k] = bytes.Repeat([]byte{byte(h)}, rapid.IntRange(memChunkSize/4, memChunkSize+10).Draw(t, "big"))
				default:
					writes[k] = []byte(rapid.String().Draw(t, "value") + "!")
				}
			}
			c := &BlockCommit{Height: h}
			for k, v := range writes {
				c.Writes = append(c.Writes, Write{Key: []byte(k), Value: v})
			}
			sort.Slice(c.Writes, func(i, j int) bool { return bytes.Compare(c.Writes[i].Key, c.Writes[j].Key) < 0 })
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
			for _, k := range keys {
				v, err := m.Get([]byte(k))
				want, ok := model[k]
				if !ok {
					if !errors.Is(err, ErrNotFound) {
						t.Fatalf("Get(%q) = %q, %v; want not found", k, v, err)
					}
					continue
				}
				if err != nil || string(v) != want {
					t.Fatalf("Get(%q) = %d bytes, %v; want %d bytes", k, len(v), err, len(want))
				}
				kept = append(kept, held{v, []byte(want)})
			}
			prefix := rapid.StringMatching(`[a-c/]{0,2}`).Draw(t, "prefix")
			var got, want []string
			if err := m.Scan([]byte(prefix), func(k, v []byte) (bool, error) {
				got = append(got, string(k)+"="+string(v))
				return true, nil
			}); err != nil {
				t.Fatal(err)
			}
			var mk []string
			for k := range model {
				if strings.HasPrefix(k, prefix) {
					mk = append(mk, k)
				}
			}
			sort.Strings(mk)
			for _, k := range mk {
				want = append(want, k+"="+model[k])
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("Scan(%q):\n%d entries\nwant %d", prefix, len(got), len(want))
			}
			cl := m.Clone()
			if !cl.Equal(m) || !m.Equal(cl) {
				t.Fatal("clone differs")
			}
		}
		for _, k := range kept {
			if !bytes.Equal(k.got, k.want) {
				t.Fatal("a slice handed out earlier changed")
			}
		}
		if err := m.CommitBlock(&BlockCommit{Height: uint64(blocks) + 2}); err == nil {
			t.Fatal("height gap accepted")
		}
	})
}

// Keys whose 64-bit hashes collide are told apart (a collision is forced by
// planting a second key under the first key's hash).
func TestMemStoreHashCollision(t *testing.T) {
	m := NewMemStore()
	if err := m.CommitBlock(&BlockCommit{Height: 1, Writes: []Write{{Key: []byte("a"), Value: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	// Plant "b" as if its hash were "a"'s: it goes to the spill map.
	m.insert([]byte("b"), []byte("2"))
	id, _ := m.find([]byte("b"))
	delete(m.spill, "b")
	delete(m.index, hashOf(m, "b"))
	if m.spill == nil {
		m.spill = map[string]uint32{}
	}
	m.spill["b"] = id
	for k, want := range map[string]string{"a": "1", "b": "2"} {
		if v, err := m.Get([]byte(k)); err != nil || string(v) != want {
			t.Fatalf("Get(%s) = %q, %v", k, v, err)
		}
	}
	if err := m.CommitBlock(&BlockCommit{Height: 2, Writes: []Write{{Key: []byte("a")}, {Key: []byte("b"), Value: []byte("3")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get([]byte("a")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a not deleted: %v", err)
	}
	if v, err := m.Get([]byte("b")); err != nil || string(v) != "3" {
		t.Fatalf("Get(b) = %q, %v", v, err)
	}
}

func hashOf(m *MemStore, k string) uint64 { return maphash.Bytes(m.seed, []byte(k)) }

// Overwritten values are reclaimed: the chunks stay within twice the live
// bytes (past the threshold), and what was handed out before is intact.
func TestMemStoreCompacts(t *testing.T) {
	m := NewMemStore()
	m.compactMin = 4096
	var first []byte
	for h := uint64(1); h <= 2000; h++ {
		v := bytes.Repeat([]byte{byte(h)}, 1000)
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: []Write{{Key: []byte("k"), Value: v}, {Key: []byte("z"), Value: []byte("fixed")}}}); err != nil {
			t.Fatal(err)
		}
		if h == 1 {
			first, _ = m.Get([]byte("k"))
		}
		if m.total > 2*m.live+m.compactMin+1000 {
			t.Fatalf("block %d: %d bytes in chunks for %d live", h, m.total, m.live)
		}
	}
	if v, _ := m.Get([]byte("k")); !bytes.Equal(v, bytes.Repeat([]byte{byte(2000 % 256)}, 1000)) {
		t.Fatal("latest value lost")
	}
	if v, _ := m.Get([]byte("z")); string(v) != "fixed" {
		t.Fatalf("z = %q", v)
	}
	if !bytes.Equal(first, bytes.Repeat([]byte{1}, 1000)) {
		t.Fatal("a value handed out before compaction changed")
	}
}
