package consensus

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// MemStore against a map model: random blocks of puts (small and
// chunk-sized values) and deletes, with Get, prefix scans, Clone, Equal and
// Len checked after every block, across compactions; slices handed out
// keep their contents until the next commit.
func TestMemStoreModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewMemStore()
		m.compactMin = rapid.SampledFrom([]int{0, 64, memCompactMin}).Draw(t, "compactMin")
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
					writes[k] = bytes.Repeat([]byte{byte(h)}, rapid.IntRange(memChunkSize/4, memChunkSize+10).Draw(t, "big"))
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

// Keys whose hashes collide are told apart: with the hash mask at zero
// every key hashes alike, so all of them share one home slot and one run of
// entries, and lookups, overwrites and deletions (which shift the run back)
// rest on the full key compare alone.
func TestMemStoreHashCollision(t *testing.T) {
	m := NewMemStore()
	m.hashMask = 0
	model := map[string]string{}
	commit := func(h uint64, ws ...Write) {
		t.Helper()
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Value == nil {
				delete(model, string(w.Key))
			} else {
				model[string(w.Key)] = string(w.Value)
			}
		}
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			v, err := m.Get([]byte(k))
			want, ok := model[k]
			if ok != (err == nil) || string(v) != want {
				t.Fatalf("block %d: Get(%s) = %q, %v; want %q", h, k, v, err, want)
			}
		}
		checkMemStore(t, m)
	}
	commit(1, Write{Key: []byte("a"), Value: []byte("1")}, Write{Key: []byte("b"), Value: []byte("2")}, Write{Key: []byte("c"), Value: []byte("3")})
	if i, _, _ := m.find([]byte("c"), 0); i != 3 {
		t.Fatalf("c at index %d, not in the third slot of group 0", i)
	}
	commit(2, Write{Key: []byte("a")}, Write{Key: []byte("b"), Value: []byte("4")}, Write{Key: []byte("d"), Value: []byte("5")})
	commit(3, Write{Key: []byte("b")}, Write{Key: []byte("c")}, Write{Key: []byte("e"), Value: []byte("6")})
	commit(4, Write{Key: []byte("a"), Value: []byte("7")}, Write{Key: []byte("d")}, Write{Key: []byte("e")})
	if m.Len() != 1 {
		t.Fatalf("Len %d", m.Len())
	}
}

// checkMemStore verifies the store's internal accounting: control bytes
// and entries agree with the keys' hashes, every key is found from its
// home group, the key and tombstone counts, the live bytes of each chunk,
// the chunk total, and that dropped chunks are listed as free.
func checkMemStore(t interface {
	Helper()
	Fatalf(string, ...any)
}, m *MemStore) {
	t.Helper()
	live := make([]int, len(m.chunks))
	n, tomb := 0, 0
	for g := 0; g < len(m.table); g += memGroup {
		if b := m.table[g] >> 56; b != memDeleted {
			t.Fatalf("group %d: spare control byte %#x", g/memGroup, b)
		}
		for j := uint64(1); j < memGroup; j++ {
			i := uint64(g) + j
			e := m.table[i]
			switch b := m.ctrlByte(i); b {
			case memDeleted:
				tomb++
				fallthrough
			case memEmpty:
				if e != 0 {
					t.Fatalf("index %d: free slot holds %#x", i, e)
				}
				continue
			default:
				if b > memTagMask {
					t.Fatalf("index %d: control byte %#x", i, b)
				}
				k, v := m.record(e)
				h := m.hash(k)
				if (e^h)>>memLocBits != 0 || b != h&memTagMask {
					t.Fatalf("index %d: hash bits are not the key's", i)
				}
				if got, _, ok := m.find(k, h); !ok || got != i {
					t.Fatalf("index %d: key %q found at %d, %v", i, k, got, ok)
				}
				c, size := m.entrySize(e)
				if size != recordSize(len(k), len(v)) {
					t.Fatalf("index %d: size %d", i, size)
				}
				live[c] += size
				n++
			}
		}
	}
	if n != m.n || tomb != m.tomb {
		t.Fatalf("%d entries, n %d; %d tombstones, counted %d", n, m.n, tomb, m.tomb)
	}
	if (n+tomb)*4 > len(m.table)/memGroup*memSlots*3 {
		t.Fatalf("%d keys and %d tombstones in %d slots", n, tomb, len(m.table)/memGroup*memSlots)
	}
	seen := 0
	for range m.entries() {
		seen++
	}
	if seen != n {
		t.Fatalf("entries yields %d of %d keys", seen, n)
	}
	total, sum, free := 0, 0, 0
	for i, c := range m.chunks {
		if c == nil {
			free++
			if live[i] != 0 {
				t.Fatalf("dropped chunk %d holds live records", i)
			}
			continue
		}
		total += len(c)
		sum += live[i]
		if live[i] != m.chunkLive[i] {
			t.Fatalf("chunk %d: %d live bytes, counted %d", i, live[i], m.chunkLive[i])
		}
		if live[i] == 0 && !m.isCur(i) {
			t.Fatalf("chunk %d holds nothing live and was not dropped", i)
		}
	}
	if free != len(m.freeChunks) || total != m.total || sum != m.live {
		t.Fatalf("free %d/%d, total %d/%d, live %d/%d", free, len(m.freeChunks), total, m.total, sum, m.live)
	}
}

// Overwritten values are reclaimed: the chunks stay within twice the live
// bytes (past the threshold) while a value grows block after block, so
// that each overwrite appends.
func TestMemStoreCompacts(t *testing.T) {
	m := NewMemStore()
	m.compactMin = 4096
	size := func(h uint64) int { return 1000 + 4*int(h%50) }
	for h := uint64(1); h <= 2000; h++ {
		v := bytes.Repeat([]byte{byte(h)}, size(h))
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: []Write{{Key: []byte("k"), Value: v}, {Key: []byte("z"), Value: []byte("fixed")}}}); err != nil {
			t.Fatal(err)
		}
		checkMemStore(t, m)
		if m.total > 2*m.live+m.compactMin+1100 {
			t.Fatalf("block %d: %d bytes in chunks for %d live", h, m.total, m.live)
		}
	}
	if v, _ := m.Get([]byte("k")); !bytes.Equal(v, bytes.Repeat([]byte{byte(2000 % 256)}, size(2000))) {
		t.Fatal("latest value lost")
	}
	if v, _ := m.Get([]byte("z")); string(v) != "fixed" {
		t.Fatalf("z = %q", v)
	}
}

// An overwrite no larger than the record it replaces is written over it:
// the chunks do not grow, the bytes it no longer takes count as garbage,
// and a value whose length takes fewer bytes to write moves its key back.
// A record in a chunk shared with a clone is never written over, so the
// clone keeps its value; preorders fill chunks of their own.
func TestMemStoreOverwritesInPlace(t *testing.T) {
	m := NewMemStore()
	commit := func(h uint64, ws ...Write) {
		t.Helper()
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			t.Fatal(err)
		}
		checkMemStore(t, m)
	}
	get := func(s *MemStore, k string) string {
		t.Helper()
		v, err := s.Get([]byte(k))
		if err != nil {
			t.Fatalf("Get(%q): %v", k, err)
		}
		return string(v)
	}
	key := "n/id/" + strings.Repeat("k", 130) // a two-byte key length
	commit(1, Write{Key: []byte(key), Value: bytes.Repeat([]byte("a"), 200)})
	total := m.total
	commit(2, Write{Key: []byte(key), Value: bytes.Repeat([]byte("b"), 200)})
	if m.total != total || m.live != total || get(m, key) != strings.Repeat("b", 200) {
		t.Fatalf("same-size overwrite: total %d -> %d, live %d", total, m.total, m.live)
	}
	// 200 bytes take two bytes of length, 100 one: the key moves.
	commit(3, Write{Key: []byte(key), Value: bytes.Repeat([]byte("c"), 100)})
	if m.total != total || m.live != recordSize(len(key), 100) || get(m, key) != strings.Repeat("c", 100) {
		t.Fatalf("shrinking overwrite: total %d -> %d, live %d", total, m.total, m.live)
	}
	commit(4, Write{Key: []byte(key), Value: bytes.Repeat([]byte("d"), 120)})
	if m.total != total+recordSize(len(key), 120) {
		t.Fatalf("a growing overwrite did not append: total %d -> %d", total, m.total)
	}
	cl := m.Clone()
	commit(5, Write{Key: []byte(key), Value: bytes.Repeat([]byte("e"), 120)})
	if get(cl, key) != strings.Repeat("d", 120) || get(m, key) != strings.Repeat("e", 120) {
		t.Fatal("an overwrite reached a clone")
	}
	if err := cl.CommitBlock(&BlockCommit{Height: 5, Writes: []Write{{Key: []byte(key), Value: bytes.Repeat([]byte("f"), 120)}}}); err != nil {
		t.Fatal(err)
	}
	checkMemStore(t, cl)
	if get(m, key) != strings.Repeat("e", 120) || get(cl, key) != strings.Repeat("f", 120) {
		t.Fatal("a clone's overwrite reached the original")
	}
	// A chunk freed and reused is no longer shared.
	pre := "P/" + strings.Repeat("p", 40)
	commit(6, Write{Key: []byte(pre), Value: []byte("rows")})
	_, loc, _ := m.find([]byte(pre), m.hash([]byte(pre)))
	_, kloc, _ := m.find([]byte(key), m.hash([]byte(key)))
	if pc, kc := (loc>>memOffBits)&memChunkMask, (kloc>>memOffBits)&memChunkMask; pc == kc {
		t.Fatal("a preorder shares a chunk with a name")
	}
}

// The hash table against a map model, with many more keys than
// TestMemStoreModel so that the table grows several times: random puts,
// overwrites (some with the same value) and deletes across many blocks,
// with compaction forced small, hashes narrowed so that home slots and
// stored hash bits collide, and home slots read from the entries or
// recomputed from the keys. After every block Get (present and absent
// keys), Scan order, Len, Equal and Clone are checked along with the
// store's internal accounting; clones taken earlier must still hold their
// own state (the original writes over no record they share), and values
// handed out their contents until the next commit, and for good once the
// store commits no more, whatever a clone commits.
func TestMemStoreTableModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewMemStore()
		m.compactMin = rapid.SampledFrom([]int{0, 256, 4096}).Draw(t, "compactMin")
		m.hashMask = rapid.SampledFrom([]uint64{^uint64(0), 0, 0xf << 60, 0xff << 56, 0x8000_0000_0000_0001, 0xffff_ffff << 20}).Draw(t, "hashMask")
		m.deriveBits = uint(rapid.IntRange(0, memHashBits).Draw(t, "deriveBits"))
		nkeys := rapid.IntRange(1, 400).Draw(t, "nkeys")
		keys := make([]string, nkeys)
		for i := range keys {
			// Shared prefixes, like the engine's, some past 127 bytes (a
			// two-byte length).
			k := rapid.SampledFrom([]string{"n/id/", "h/a/", "x/", "", "n/"}).Draw(t, "prefix") + strconv.Itoa(i)
			if rapid.IntRange(0, 9).Draw(t, "long") == 0 {
				k += strings.Repeat("~", rapid.IntRange(120, 300).Draw(t, "pad"))
			}
			keys[i] = k
		}
		value := func(t *rapid.T, h uint64) []byte {
			switch rapid.IntRange(0, 19).Draw(t, "size") {
			case 0:
				return bytes.Repeat([]byte{byte(h)}, rapid.IntRange(memChunkSize/4-8, memChunkSize/4+8).Draw(t, "big"))
			case 1:
				return []byte{}
			case 2:
				return bytes.Repeat([]byte{byte(h), 1}, rapid.IntRange(64, 600).Draw(t, "mid"))
			}
			return []byte(strconv.Itoa(rapid.IntRange(0, 3).Draw(t, "v")) + "." + strconv.FormatUint(h, 10))
		}
		model := map[string]string{}
		type snapshot struct {
			s     *MemStore
			model map[string]string
		}
		var snaps []snapshot
		var kept []held
		blocks := rapid.IntRange(1, 60).Draw(t, "blocks")
		for h := uint64(1); h <= uint64(blocks); h++ {
			heldIntact(t, kept)
			kept = kept[:0]
			writes := map[string][]byte{}
			for range rapid.IntRange(0, 60).Draw(t, "writes") {
				k := keys[rapid.IntRange(0, nkeys-1).Draw(t, "key")]
				switch rapid.IntRange(0, 5).Draw(t, "kind") {
				case 0, 1:
					writes[k] = nil
				case 2:
					if v, ok := model[k]; ok {
						writes[k] = []byte(v) // unchanged
						break
					}
					fallthrough
				default:
					writes[k] = value(t, h)
				}
			}
			commitToModel(t, m, h, writes, model, func() bool { return rapid.Bool().Draw(t, "priorKnown") })
			// Warming any keys, present or not, changes no read.
			var warm [][]byte
			for _, k := range keys {
				warm = append(warm, []byte(k))
			}
			m.Warm(warm)
			kept = append(kept, getsMatchModel(t, m, keys, model)...)
			scanMatchesModel(t, m, rapid.SampledFrom([]string{"", "n/", "n/id/", "h/a/", "x/", "1", "zz"}).Draw(t, "prefix"), model)
			if rapid.IntRange(0, 7).Draw(t, "clone") == 0 {
				cl := m.Clone()
				checkMemStore(t, cl)
				if !cl.Equal(m) || !m.Equal(cl) {
					t.Fatal("clone differs")
				}
				snaps = append(snaps, snapshot{cl, maps.Clone(model)})
			}
			for _, sn := range snaps {
				if sn.s.Len() != len(sn.model) {
					t.Fatalf("clone has %d keys, had %d", sn.s.Len(), len(sn.model))
				}
				for k, v := range sn.model {
					if got, err := sn.s.Get([]byte(k)); err != nil || string(got) != v {
						t.Fatalf("clone lost %q: %v", k, err)
					}
				}
			}
		}
		// A clone goes on by itself: committing to it leaves the original
		// alone.
		cl := m.Clone()
		var ws []Write
		for _, k := range slices.Sorted(maps.Keys(model)) {
			ws = append(ws, Write{Key: []byte(k), Value: []byte("clone")})
		}
		ws = append(ws, Write{Key: []byte("~new"), Value: []byte("clone")})
		if err := cl.CommitBlock(&BlockCommit{Height: uint64(blocks) + 1, Writes: ws}); err != nil {
			t.Fatal(err)
		}
		checkMemStore(t, cl)
		checkMemStore(t, m)
		if _, err := m.Get([]byte("~new")); !errors.Is(err, ErrNotFound) {
			t.Fatal("a clone's write reached the original")
		}
		for k, v := range model {
			if got, _ := m.Get([]byte(k)); string(got) != v {
				t.Fatalf("a clone's write changed %q in the original", k)
			}
		}
		heldIntact(t, kept)
	})
}

// A chunk whose records were all overwritten or deleted is dropped: at once
// when it is not the one being filled, and when the next record does not
// fit otherwise. Large records sit in chunks of their own.
func TestMemStoreDropsEmptyChunks(t *testing.T) {
	m := NewMemStore()
	m.compactMin = 1 << 40 // never compact: only dropping reclaims here
	big := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	var ws []Write
	for _, k := range []string{"a", "b", "c", "d"} {
		ws = append(ws, Write{Key: []byte(k), Value: big(k[0], memChunkSize/4-16)})
	}
	ws = append(ws, Write{Key: []byte("huge"), Value: big('h', memChunkSize)})
	if err := m.CommitBlock(&BlockCommit{Height: 1, Writes: ws}); err != nil {
		t.Fatal(err)
	}
	checkMemStore(t, m)
	held, _ := m.Get([]byte("huge"))
	if len(m.chunks) != 2 {
		t.Fatalf("%d chunks, want the one being filled and the huge value's", len(m.chunks))
	}
	// Deleting everything leaves only the chunk being filled, all garbage.
	for i := range ws {
		ws[i].Value = nil
	}
	if err := m.CommitBlock(&BlockCommit{Height: 2, Writes: ws}); err != nil {
		t.Fatal(err)
	}
	checkMemStore(t, m)
	if m.live != 0 || m.total != 4*recordSize(1, memChunkSize/4-16) || len(m.freeChunks) != 1 {
		t.Fatalf("live %d, total %d, %d free chunks", m.live, m.total, len(m.freeChunks))
	}
	// The next record does not fit: the empty chunk goes, its number is
	// reused, and what was handed out before is intact.
	if err := m.CommitBlock(&BlockCommit{Height: 3, Writes: []Write{{Key: []byte("e"), Value: big('e', memChunkSize/4-16)}}}); err != nil {
		t.Fatal(err)
	}
	checkMemStore(t, m)
	if m.total != m.live || len(m.chunks) != 2 {
		t.Fatalf("total %d, live %d, %d chunks", m.total, m.live, len(m.chunks))
	}
	if !bytes.Equal(held, big('h', memChunkSize)) {
		t.Fatal("a value handed out before its chunk was dropped changed")
	}
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

// A block that could run the store out of chunk numbers is refused before
// anything is applied (the numbers in use are faked: a terabyte is not).
func TestMemStoreChunkLimit(t *testing.T) {
	m := NewMemStore()
	if err := m.CommitBlock(&BlockCommit{Height: 1, Writes: []Write{{Key: []byte("a"), Value: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	m.chunks = append(m.chunks, make([][]byte, memMaxChunks/2)...)
	if err := m.CommitBlock(&BlockCommit{Height: 2, Writes: []Write{{Key: []byte("a")}}}); err == nil {
		t.Fatal("block accepted")
	}
	if v, _ := m.Get([]byte("a")); string(v) != "1" {
		t.Fatal("a refused block was applied")
	}
	if h, _, _ := m.Tip(); h != 1 {
		t.Fatalf("tip %d", h)
	}
}

// Deleting from a group with no empty slot leaves a tombstone, which later
// lookups probe past and a later key of that home reuses; deleting from a
// group with an empty slot empties the slot. Tombstones that fill the table
// while the live keys are few are cleared by rebuilding it at the same
// size. Keys are picked by their hash, which only its top bit is kept of:
// two home groups of seven slots, at most ten in use.
func TestMemStoreTombstones(t *testing.T) {
	if memSlots != 7 {
		t.Fatal("the counts below assume seven slots a group")
	}
	m := NewMemStore()
	m.hashMask = 1 << 63
	var home [2][][]byte
	for i := 0; len(home[0]) < 8 || len(home[1]) < 8; i++ {
		k := []byte("k" + strconv.Itoa(i))
		home[m.hash(k)>>63] = append(home[m.hash(k)>>63], k)
	}
	// A block inserts in key order: the eighth key of home 0 is the last.
	slices.SortFunc(home[0], bytes.Compare)
	h := uint64(0)
	commit := func(ws ...Write) {
		t.Helper()
		h++
		slices.SortFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) })
		if err := m.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			t.Fatal(err)
		}
		checkMemStore(t, m)
	}
	put := func(keys ...[]byte) (ws []Write) {
		for _, k := range keys {
			ws = append(ws, Write{Key: k, Value: k})
		}
		return ws
	}
	del := func(keys ...[]byte) (ws []Write) {
		for _, k := range keys {
			ws = append(ws, Write{Key: k})
		}
		return ws
	}
	// Eight keys of home 0: group 0 full, the eighth in group 1.
	commit(put(home[0][:8]...)...)
	if len(m.table) != 2*memGroup {
		t.Fatalf("%d table words", len(m.table))
	}
	commit(del(home[0][:7]...)...)
	if m.tomb != 7 {
		t.Fatalf("%d tombstones, want 7", m.tomb)
	}
	if v, err := m.Get(home[0][7]); err != nil || !bytes.Equal(v, home[0][7]) {
		t.Fatalf("key past the tombstones: %q, %v", v, err)
	}
	// Its group has empty slots: no tombstone.
	commit(del(home[0][7])...)
	if m.tomb != 7 || m.n != 0 {
		t.Fatalf("%d tombstones, %d keys", m.tomb, m.n)
	}
	// A key of home 0 reuses a tombstone.
	commit(put(home[0][0])...)
	if m.tomb != 6 {
		t.Fatalf("%d tombstones, want 6", m.tomb)
	}
	// Keys of home 1 go to group 1's empty slots until ten slots are in
	// use; the next rebuilds the table at the same size, without
	// tombstones.
	commit(put(home[1][:3]...)...)
	if m.tomb != 6 || len(m.table) != 2*memGroup {
		t.Fatalf("%d tombstones, %d table words", m.tomb, len(m.table))
	}
	commit(put(home[1][3])...)
	if m.tomb != 0 || len(m.table) != 2*memGroup || m.n != 5 {
		t.Fatalf("%d tombstones, %d table words, %d keys", m.tomb, len(m.table), m.n)
	}
	for _, k := range append([][]byte{home[0][0]}, home[1][:4]...) {
		if v, err := m.Get(k); err != nil || !bytes.Equal(v, k) {
			t.Fatalf("Get(%s) = %q, %v", k, v, err)
		}
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
		checkMemStore(t, m)
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
	checkMemStore(t, m)
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

// A chunk dropped once its records died gives its memory to a new chunk,
// unless a clone shares it: the clone must keep reading its records.
func TestMemStoreReusesDroppedChunks(t *testing.T) {
	m := NewMemStore()
	value := bytes.Repeat([]byte("v"), memChunkSize/8)
	h := uint64(0)
	commit := func(s *MemStore, ws ...Write) {
		t.Helper()
		h++
		if err := s.CommitBlock(&BlockCommit{Height: h, Writes: ws}); err != nil {
			t.Fatal(err)
		}
		checkMemStore(t, s)
	}
	// Fill more than one chunk of preorders, then delete them all: the
	// full chunk is dropped and kept.
	var keys [][]byte
	for i := range 12 {
		k := []byte("P/" + strconv.Itoa(i))
		keys = append(keys, k)
		commit(m, Write{Key: k, Value: value})
	}
	for _, k := range keys {
		commit(m, Write{Key: k})
	}
	if len(m.spare) != 1 {
		t.Fatalf("%d spare chunks, want 1", len(m.spare))
	}
	spare := m.spare[0][:1]
	for i, k := range keys {
		commit(m, Write{Key: k, Value: bytes.Repeat([]byte{byte(i)}, memChunkSize/8)})
	}
	if len(m.spare) != 0 {
		t.Fatalf("%d spare chunks after refilling", len(m.spare))
	}
	reused := false
	for _, c := range m.chunks {
		if c != nil && &c[:1][0] == &spare[0] {
			reused = true
		}
	}
	if !reused {
		t.Fatal("the dropped chunk's memory was not reused")
	}
	// A clone shares every chunk: deleting in the original drops chunks
	// the clone still reads, and they must not be reused.
	cl := m.Clone()
	for _, k := range keys {
		commit(m, Write{Key: k})
	}
	if len(m.spare) != 0 {
		t.Fatalf("%d chunks a clone shares were kept for reuse", len(m.spare))
	}
	for i := range keys {
		commit(m, Write{Key: []byte("P/x" + strconv.Itoa(i)), Value: value})
	}
	for i, k := range keys {
		if v, err := cl.Get(k); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{byte(i)}, memChunkSize/8)) {
			t.Fatalf("the clone's %q changed: %v", k, err)
		}
	}
}

// Preorders, history entries and the other records fill chunks of their
// own (streamOf): no chunk holds records of two streams.
func TestMemStoreStreamsKeepApart(t *testing.T) {
	for key, want := range map[string]int{
		"P/ab": 1, "h/a.test/x": 2, "n/test/a.test": 0, "s/76a9": 0, "P": 0, "h": 0, "": 0,
	} {
		if got := streamOf([]byte(key)); got != want {
			t.Errorf("streamOf(%q) = %d, want %d", key, got, want)
		}
	}
	m := NewMemStore()
	var ws []Write
	for i := range 30 {
		for _, p := range []string{"P/", "h/", "n/"} {
			ws = append(ws, Write{Key: []byte(p + strconv.Itoa(100+i)), Value: bytes.Repeat([]byte{'v'}, 100)})
		}
	}
	slices.SortFunc(ws, func(a, b Write) int { return bytes.Compare(a.Key, b.Key) })
	if err := m.CommitBlock(&BlockCommit{Height: 1, Writes: ws}); err != nil {
		t.Fatal(err)
	}
	checkMemStore(t, m)
	streamOfChunk := map[uint64]int{}
	for _, e := range m.entries() {
		k, _ := m.record(e)
		c := (e >> memOffBits) & memChunkMask
		if s, ok := streamOfChunk[c]; ok && s != streamOf(k) {
			t.Fatalf("chunk %d holds records of streams %d and %d", c, s, streamOf(k))
		}
		streamOfChunk[c] = streamOf(k)
	}
	if len(streamOfChunk) != memStreams {
		t.Fatalf("%d chunks in use, want one per stream (%d)", len(streamOfChunk), memStreams)
	}
}
