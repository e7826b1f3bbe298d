package consensus

import (
	"slices"
	"strings"
	"testing"
)

// recordingWarmer is a MemStore that records the keys it is asked to warm.
type recordingWarmer struct {
	*MemStore
	rounds [][]string
}

func (r *recordingWarmer) Warm(keys [][]byte) {
	var round []string
	for _, k := range keys {
		round = append(round, string(k))
	}
	r.rounds = append(r.rounds, round)
	r.MemStore.Warm(keys)
}

// The warm-up asks first for the keys the operations name, then for the
// name records reached through them: the names an updater owns, the name
// a transfer's hash stands for. The block's outcome is the same as
// without it (TestPropertyDeterministicReplay compares whole chains).
func TestWarmKeys(t *testing.T) {
	p := Regtest()
	rw := &recordingWarmer{MemStore: NewMemStore()}
	e, err := NewEngine(p, rw)
	if err != nil {
		t.Fatal(err)
	}
	c := &testChain{tb: t, p: p, s: rw.MemStore, e: e, next: p.FirstBlock}
	alice, bob, _, _ := keys(p)
	c.block()
	c.launch(alice, bob, "test", 100, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "one.test", 1000), c.preorder(alice, alice, "two.test", 1000)), Accepted, Accepted)
	c.expect(c.block(register(alice, alice, "one.test"), register(alice, alice, "two.test")), Accepted, Accepted)
	upd := c.update(alice, "two.test", strings.Repeat("ab", 20))
	xfer := c.transfer(alice, bob, "one.test", true)
	pre := c.preorder(bob, bob, "three.test", 1000)
	rw.rounds = nil
	c.expect(c.block(upd, xfer, pre), Accepted, Accepted, Accepted)
	wantDirect := []string{
		"s/" + alice.script,
		"x/" + xfer.NameHash128, "s/" + alice.script, "s/" + bob.script,
		"P/" + pre.PreorderHash, "s/" + bob.script,
	}
	// alice's names in index order, then the transfer's.
	wantNamed := []string{"n/test/one.test", "n/test/two.test", "n/test/one.test"}
	if len(rw.rounds) != 2 || !slices.Equal(rw.rounds[0], wantDirect) || !slices.Equal(rw.rounds[1], wantNamed) {
		t.Fatalf("warmed %q,\nwant %q then %q", rw.rounds, wantDirect, wantNamed)
	}
	// A registration and a renewal name their record and both owners.
	c.expect(c.block(c.preorder(bob, bob, "four.test", 1000)), Accepted)
	rw.rounds = nil
	c.expect(c.block(register(bob, bob, "four.test"), c.renew(alice, alice, "two.test", 1000)), Accepted, Accepted)
	wantDirect = []string{
		"n/test/four.test", "s/" + bob.script, "s/" + bob.script,
		"n/test/two.test", "s/" + alice.script, "s/" + alice.script,
	}
	if len(rw.rounds) != 2 || !slices.Equal(rw.rounds[0], wantDirect) || len(rw.rounds[1]) != 0 {
		t.Fatalf("warmed %q,\nwant %q then nothing", rw.rounds, wantDirect)
	}
}
