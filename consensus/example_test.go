package consensus

import (
	"context"
	"fmt"

	"github.com/spvcheck/spvcheck/ops"
)

// ExampleEngine launches a namespace and registers a name on the Regtest
// chain, then looks the name up.
func ExampleEngine() {
	p := Regtest()
	store := NewMemStore()
	eng, err := NewEngine(p, store)
	if err != nil {
		panic(err)
	}
	// testChain only builds operations here (deterministic keys, recent
	// consensus hashes); the blocks go through eng.ProcessBlock.
	c := &testChain{p: p, s: store, e: eng}
	alice, bob := newTestKey(p, "alice"), newTestKey(p, "bob")
	height := p.FirstBlock
	process := func(op func() ops.Op) {
		var list []ops.Op
		if op != nil {
			o := op()
			o.Vtxindex, o.Txid = 1, fmt.Sprintf("%064x", height)
			list = append(list, o)
		}
		res, err := eng.ProcessBlock(context.Background(), Block{Height: height, Ops: list})
		if err != nil {
			panic(err)
		}
		c.next = height + 1
		height++
		for _, r := range res.Ops {
			fmt.Println(res.Height, r.Kind, r.Outcome)
		}
	}
	process(nil) // block 256: no operations, but a consensus hash
	process(func() ops.Op { return c.nsPreorder(alice, bob, "demo", 400000000, nil) })
	process(func() ops.Op { return nsReveal(alice, bob, "demo", 1, 1000, 1, 2, flatBuckets, 1, 1) })
	process(func() ops.Op { return nsReady(bob, "demo") })
	process(func() ops.Op { return c.preorder(alice, alice, "hello.demo", 1000) })
	process(func() ops.Op { return register(alice, alice, "hello.demo") })

	rec, err := eng.View().Name("hello.demo")
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Name, "owned by alice:", rec.Address == alice.addr, "registered at", rec.FirstRegistered)
	// Output:
	// 257 NAMESPACE_PREORDER accepted
	// 258 NAMESPACE_REVEAL accepted
	// 259 NAMESPACE_READY accepted
	// 260 NAME_PREORDER accepted
	// 261 NAME_REGISTRATION accepted
	// hello.demo owned by alice: true registered at 261
}
