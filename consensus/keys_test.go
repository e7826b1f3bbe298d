package consensus

import "testing"

// The scratch keys of the cached reads are the keys of keys.go.
func TestLookupKeysMatchLayout(t *testing.T) {
	b := &blockCtx{}
	for _, c := range []struct {
		got  func() []byte
		want []byte
	}{
		{func() []byte { return b.lookupKey(prefixName, namespaceOf("a.test"), "/", "a.test") }, nameKey("a.test")},
		{func() []byte { return b.lookupKey(prefixName, namespaceOf("noDot"), "/", "noDot") }, nameKey("noDot")},
		{func() []byte { return b.lookupKey(prefixNamespace, "test", "", "") }, namespaceKey("test")},
		{func() []byte { return b.lookupKey(prefixPreorder, "ab12", "", "") }, preorderKey("ab12")},
		{func() []byte { return b.lookupKey(prefixAccount, "addr", "/", "STACKS") }, accountKey("addr", "STACKS")},
		{func() []byte { return b.lookupKey(prefixOwner, "76a9", "", "") }, ownerKey("76a9")},
	} {
		if got := string(c.got()); got != string(c.want) {
			t.Errorf("lookup key %q, layout key %q", got, c.want)
		}
	}
}
