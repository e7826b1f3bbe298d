package consensus

import (
	"testing"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
)

// The key layout of keys.go, spelled out: the engine's reads and writes
// both build their keys with the append forms, so a change here is a
// change of the stored format.
func TestKeyLayout(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(codec.NameKey("a.test")), "n/test/a.test"},
		{string(codec.NameKey("noDot")), "n//noDot"},
		{string(codec.NamespaceKey("test")), "N/test"},
		{string(codec.AppendIDKey(nil, codec.PrefixPreorder, "ab12")), "P/ab12"},
		{string(codec.AppendIDKey(nil, codec.PrefixOwner, "76a9")), "s/76a9"},
		{string(codec.Hash128Key("ff00")), "x/ff00"},
		{string(codec.NamePreorderKey("ff00")), "y/ff00"},
		{string(codec.AccountKey("addr", "STACKS")), "a/addr/STACKS"},
		{string(codec.KeychainKey("test")), "k/test"},
		{string(codec.NamesInNamespacePrefix("test")), "n/test/"},
		{string(codec.HistoryPrefix("a.test")), "h/a.test/"},
		{string(codec.HistoryKey("a.test", 258, 3, 1)), "h/a.test/\x00\x00\x00\x00\x00\x00\x01\x02\x00\x00\x00\x03\x00\x01"},
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
