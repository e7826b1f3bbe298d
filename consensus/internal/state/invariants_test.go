//go:build invariants

package state

import (
	"strings"
	"testing"
)

func mustPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want one saying %q", r, want)
		}
	}()
	fn()
}

// A key handed with the wrong family, or with none of the layer's, is
// caught: each prefix has one access path.
func TestInvariantOneFamilyPerKey(t *testing.T) {
	fa, fb, _ := testFamilies()
	l := New(mapStore{}, false, 10, fa, fb)
	l.Begin(0, false, nil)
	mustPanic(t, "accessed as family", func() { _, _ = Get(l, fa, []byte("b/1")) })
	mustPanic(t, "accessed as family", func() { Put(l, fb, []byte("a/1"), &box{}) })
	mustPanic(t, "accessed as family", func() { _, _ = Get(l, fa, []byte("z/1")) })
	overlapping := NewFamily("a/x", appendStr, decodeStr)
	l2 := New(mapStore{}, false, 10, fa, overlapping)
	mustPanic(t, "belongs to families", func() { _, _ = Get(l2, fa, []byte("a/x1")) })
}

// A cached value changed in place by its reader is caught when it leaves
// the cache.
func TestInvariantCachedValuesUnchanged(t *testing.T) {
	_, fb, _ := testFamilies()
	l := New(mapStore{"b/1": []byte("v")}, false, 10, fb)
	l.Begin(0, false, nil)
	v, err := Get(l, fb, []byte("b/1"))
	if err != nil || v == nil {
		t.Fatal(v, err)
	}
	v.N[0] = 'w' // the bug: changing a shared value
	mustPanic(t, "changed in place", func() { l.Abort() })
}

// A prior that is not the store's value is caught before the block is
// handed over.
func TestInvariantPriorsVerified(t *testing.T) {
	fa, _, _ := testFamilies()
	store := mapStore{"a/1": []byte("old")}
	l := New(store, true, 10, fa)
	l.Begin(0, false, nil)
	if _, err := Get(l, fa, []byte("a/1")); err != nil {
		t.Fatal(err)
	}
	x := "new"
	Put(l, fa, []byte("a/1"), &x)
	store["a/1"] = []byte("changed behind the layer's back")
	mustPanic(t, "the store holds", func() { _, _ = l.Writes() })
}
