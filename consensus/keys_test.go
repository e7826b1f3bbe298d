package consensus

import "testing"

// The key layout of keys.go, spelled out: the engine's reads and writes
// both build their keys with the append forms, so a change here is a
// change of the stored format.
func TestKeyLayout(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(nameKey("a.test")), "n/test/a.test"},
		{string(nameKey("noDot")), "n//noDot"},
		{string(namespaceKey("test")), "N/test"},
		{string(appendIDKey(nil, prefixPreorder, "ab12")), "P/ab12"},
		{string(appendIDKey(nil, prefixOwner, "76a9")), "s/76a9"},
		{string(hash128Key("ff00")), "x/ff00"},
		{string(namePreorderKey("ff00")), "y/ff00"},
		{string(accountKey("addr", "STACKS")), "a/addr/STACKS"},
		{string(keychainKey("test")), "k/test"},
		{string(namesInNamespacePrefix("test")), "n/test/"},
		{string(historyPrefix("a.test")), "h/a.test/"},
		{string(historyKey("a.test", 258, 3, 1)), "h/a.test/\x00\x00\x00\x00\x00\x00\x01\x02\x00\x00\x00\x03\x00\x01"},
	} {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
	// A key built in scratch space is overwritten by the next; a written
	// key is the layer's own copy.
	st := &blockState{l: newLayer(NewMemStore(), false, 10)}
	st.putNameRecord(&NameRecord{Name: "a.test"})
	if _, err := st.owned("zz"); err != nil {
		t.Fatal(err)
	}
	ws, err := st.l.Writes()
	if err != nil || len(ws) != 1 || string(ws[0].Key) != "n/test/a.test" || string(st.keyBuf) != "s/zz" {
		t.Errorf("writes %v (%v), scratch key %q", ws, err, st.keyBuf)
	}
}
