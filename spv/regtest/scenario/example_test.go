package scenario_test

import (
	"context"
	"fmt"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
)

// A namespace and one name, from preorder to zone file, on a fresh regtest
// node; every verdict is checked as its block is replayed.
func ExampleRunner() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	node, err := regtest.Start(ctx, regtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop()

	script := &scenario.Script{
		Name: "example", Seed: "example",
		Participants: []scenario.Participant{
			{Name: "creator", Source: scenario.WalletKey, Funding: 500_000_000},
			{Name: "alice", Source: scenario.WalletKey},
		},
		Steps: []scenario.Step{
			{Height: 256, Note: "preorder a namespace", Ops: []scenario.Expect{
				scenario.Accept(scenario.NamespacePreorder{From: "creator", ID: "demo", Revealer: "creator", BTC: 400_000_000}),
			}},
			{Height: 257, Note: "reveal it", Ops: []scenario.Expect{
				scenario.Accept(scenario.NamespaceReveal{From: "creator", ID: "demo", Revealer: "creator", Version: 1,
					Lifetime: 1000, Coeff: 1, Base: 2, Buckets: [16]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
					NonalphaDiscount: 1, NoVowelDiscount: 1}),
			}},
			{Height: 258, Note: "launch it", Ops: []scenario.Expect{
				scenario.Accept(scenario.NamespaceReady{From: "creator", ID: "demo"}),
			}},
			{Height: 259, Note: "alice preorders", Ops: []scenario.Expect{
				scenario.Accept(scenario.NamePreorder{From: "alice", Name: "alice.demo", Owner: "alice", BTC: 10_000}),
			}},
			{Height: 260, Note: "and registers; a second registration finds no preorder", Ops: []scenario.Expect{
				scenario.Accept(scenario.NameRegistration{From: "alice", Name: "alice.demo", Owner: "alice"}),
				scenario.Reject(consensus.ErrNoPreorder, scenario.NameRegistration{From: "creator", Name: "bob.demo", Owner: "creator"}),
			}},
			{Height: 261, Note: "alice publishes her zone file", Ops: []scenario.Expect{
				scenario.Accept(scenario.NameUpdate{From: "alice", Name: "alice.demo", Zone: "$ORIGIN alice.demo"}),
			}},
		},
	}
	runner := &scenario.Runner{Node: node, Progress: func(p scenario.Progress) {
		fmt.Printf("step %d/%d, block %d: %s\n", p.Step, p.Steps, p.Height, p.Note)
		for _, o := range p.Ops {
			fmt.Printf("  %s: %s\n", o.Op, o.Verdict)
		}
	}}
	res, err := runner.Run(ctx, script)
	if err != nil {
		fmt.Println(err)
		return
	}
	addr, _ := script.Addresses()
	st := res.Names["alice.demo"]
	fmt.Println("alice.demo owned by alice:", st.Owner == addr["alice"])
	fmt.Println("zone file hash:", st.ValueHash == scenario.ZoneHash("$ORIGIN alice.demo"))
	// Output:
	// step 0/6, block 101: setup: 101 blocks mined, 2 participants funded
	// step 1/6, block 256: preorder a namespace
	//   NAMESPACE_PREORDER demo by creator for creator (400000000 sat): accepted
	// step 2/6, block 257: reveal it
	//   NAMESPACE_REVEAL demo v1 by creator to creator: accepted
	// step 3/6, block 258: launch it
	//   NAMESPACE_READY demo by creator: accepted
	// step 4/6, block 259: alice preorders
	//   NAME_PREORDER alice.demo by alice for alice (10000 sat): accepted
	// step 5/6, block 260: and registers; a second registration finds no preorder
	//   NAME_REGISTRATION alice.demo by alice for alice: accepted
	//   NAME_REGISTRATION bob.demo by creator for creator: rejected with ErrNoPreorder
	// step 6/6, block 261: alice publishes her zone file
	//   NAME_UPDATE alice.demo by alice: accepted
	// alice.demo owned by alice: true
	// zone file hash: true
}
