package consensus

import (
	"math/big"
	"strings"
	"testing"
)

// The name server's queries over a small chain: listing, counting, owner
// lookups through the owner index, expiry, and prices in both units.
func TestQueries(t *testing.T) {
	p := Regtest()
	c := newTestChain(t, p)
	alice, bob, carol, _ := keys(p)
	c.skipTo(290) // epoch 2: lifetime multiplier 2, no grace period
	c.launch(alice, bob, "test", 3, 400000000)
	c.expect(c.block(c.preorder(alice, alice, "b.test", 1000), c.preorder(carol, carol, "a.test", 1000),
		c.preorder(bob, bob, "c.test", 1000)), Accepted, Accepted, Accepted)
	c.expect(c.block(register(alice, alice, "b.test"), register(carol, carol, "a.test"), register(bob, bob, "c.test")),
		Accepted, Accepted, Accepted)
	reg := c.next - 1
	c.expect(c.block(c.transfer(bob, alice, "c.test", true)), Accepted)
	c.expect(c.block(revoke(carol, "a.test")), Accepted)
	v := c.e.View()
	h := c.next - 1

	names, err := v.ListedNames(h)
	if err != nil || strings.Join(names, ",") != "a.test,b.test,c.test" {
		t.Fatalf("ListedNames = %v, %v", names, err)
	}
	if n, err := v.NameCount(h); err != nil || n != 3 {
		t.Fatalf("NameCount = %d, %v", n, err)
	}
	if got, err := v.ListedNamesInNamespace("test", h); err != nil || strings.Join(got, ",") != "a.test,b.test,c.test" {
		t.Fatalf("ListedNamesInNamespace = %v, %v", got, err)
	}
	if got, err := v.ListedNamesInNamespace("nope", h); err != nil || got != nil {
		t.Fatalf("ListedNamesInNamespace(nope) = %v, %v", got, err)
	}
	// alice owns b.test and (by transfer) c.test; carol's a.test is revoked.
	if got, err := v.NamesOwnedBy(alice.addr, h); err != nil || strings.Join(got, ",") != "b.test,c.test" {
		t.Fatalf("NamesOwnedBy(alice) = %v, %v", got, err)
	}
	for _, k := range []testKey{bob, carol} {
		if got, err := v.NamesOwnedBy(k.addr, h); err != nil || len(got) != 0 {
			t.Fatalf("NamesOwnedBy(%s) = %v, %v", k.addr, got, err)
		}
	}
	if got, err := v.NamesOwnedBy("not-an-address", h); err != nil || got != nil {
		t.Fatalf("NamesOwnedBy(garbage) = %v, %v", got, err)
	}
	if ids, err := v.ReadyNamespaceIDs(); err != nil || strings.Join(ids, ",") != "test" {
		t.Fatalf("ReadyNamespaceIDs = %v, %v", ids, err)
	}

	// Lifetime 3 × multiplier 2 from registration: listed through reg+6
	// (ExpiryInclusive is off: alive while last_renewed + 6 >= h).
	ns, _ := v.Namespace("test")
	rec, _ := v.Name("b.test")
	if !v.Listed(rec, ns, reg+6) || v.Listed(rec, ns, reg+7) {
		t.Fatalf("Listed around expiry wrong (registered %d)", reg)
	}
	if v.Listed(rec, nil, h) {
		t.Fatalf("Listed without a namespace")
	}

	// Name price: coeff 1, base 2, flat buckets: 2 · 100 satoshis in epoch 2
	// (price multiplier 1.0); in epoch 4 the integer rules divide by 10.
	amt, units, ok, err := v.NamePrice("zzz.test", 300)
	if err != nil || !ok || units != UnitsBTC || amt.Cmp(big.NewInt(200)) != 0 {
		t.Fatalf("NamePrice epoch 2 = %v %s %v %v", amt, units, ok, err)
	}
	amt, units, ok, err = v.NamePrice("zzz.test", 330)
	if err != nil || !ok || units != UnitsBTC || amt.Cmp(big.NewInt(20)) != 0 {
		t.Fatalf("NamePrice epoch 3 = %v %s %v %v", amt, units, ok, err)
	}
	if _, _, ok, err := v.NamePrice("zzz.nope", 300); ok || err != nil {
		t.Fatalf("NamePrice in a missing namespace: ok %v err %v", ok, err)
	}
	if _, _, ok, _ := v.NamePrice("Bad Name", 300); ok {
		t.Fatalf("NamePrice of an invalid name")
	}
	// Namespace prices: BTC tables through epoch 3, STACKS from epoch 4.
	amt, units, ok = v.NamespacePrice("abcd", 300)
	if !ok || units != UnitsBTC || amt.Cmp(new(big.Int).SetUint64(btcNamespacePrices(1)[4])) != 0 {
		t.Fatalf("NamespacePrice epoch 2 = %v %s %v", amt, units, ok)
	}
	amt, units, ok = v.NamespacePrice("abcd", 380)
	if !ok || units != UnitsStacks || amt.Cmp(new(big.Int).SetUint64(stacksNamespacePrices()[4])) != 0 {
		t.Fatalf("NamespacePrice epoch 4 = %v %s %v", amt, units, ok)
	}
	if _, _, ok = v.NamespacePrice("Not Valid", 300); ok {
		t.Fatalf("NamespacePrice of an invalid ID")
	}
}

func TestScriptOfAddress(t *testing.T) {
	p := Regtest()
	k := newTestKey(p, "alice")
	if s, ok := p.ScriptOfAddress(k.addr); !ok || s != k.script {
		t.Fatalf("ScriptOfAddress = %s %v, want %s", s, ok, k.script)
	}
	if _, ok := Mainnet().ScriptOfAddress(k.addr); ok {
		t.Fatalf("a testnet address decoded under mainnet versions")
	}
}
