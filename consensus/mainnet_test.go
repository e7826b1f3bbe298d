package consensus

import (
	"testing"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

func TestMainnetFreezeAndGenesisParams(t *testing.T) {
	p := Mainnet()
	if p.FreezeHeight != 665750 || !p.RequireGenesis || !p.MissingGenesis() {
		t.Fatalf("mainnet: freeze %d, require genesis %v, missing %v", p.FreezeHeight, p.RequireGenesis, p.MissingGenesis())
	}
	if h, ok := p.FinalHeight(); !ok || h != 665750 {
		t.Fatalf("final height %d %v", h, ok)
	}
	for _, c := range []struct {
		h      uint64
		frozen bool
	}{{373601, false}, {665748, false}, {665749, false}, {665750, true}, {665751, true}, {900000, true}} {
		if p.Frozen(c.h) != c.frozen {
			t.Errorf("Frozen(%d) = %v", c.h, !c.frozen)
		}
	}
	// Epoch 3 ends at 547921; epoch 4 brings token-paid operations.
	if h, ok := p.FirstTokenBlock(); !ok || h != 547922 {
		t.Fatalf("mainnet first token block %d %v, want 547922", h, ok)
	}
	if h, ok := Regtest().FirstTokenBlock(); !ok || h != 361 {
		t.Fatalf("regtest first token block %d %v, want 361", h, ok)
	}
	r := Regtest()
	if r.FreezeHeight != 0 || r.Frozen(1<<40) || r.MissingGenesis() || len(r.Checkpoints) != 0 {
		t.Fatal("regtest has mainnet-only settings")
	}
	if _, ok := r.FinalHeight(); ok {
		t.Fatal("regtest has a final height")
	}
	tn := Testnet()
	if len(tn.Checkpoints) != 0 || tn.FreezeHeight != MainnetFreezeHeight {
		t.Fatal("testnet: mainnet checkpoints kept or freeze lost")
	}
	// The freeze is part of the rules: it changes the fingerprint, and a
	// preset without one keeps the fingerprint it had before the field.
	q := Mainnet()
	q.FreezeHeight = 0
	if q.Fingerprint() == p.Fingerprint() {
		t.Fatal("fingerprint ignores the freeze height")
	}
	q = Mainnet()
	q.Checkpoints = nil
	if q.Fingerprint() != p.Fingerprint() {
		t.Fatal("checkpoints change the fingerprint, though they change no state")
	}
}

func TestMainnetCheckpointTable(t *testing.T) {
	p := Mainnet()
	rows := p.Checkpoints
	if len(rows) != 9 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if i > 0 && rows[i-1].Height >= r.Height {
			t.Fatalf("rows not in height order at %d", r.Height)
		}
		if len(r.ConsensusHash) != 32 || r.Source == "" {
			t.Fatalf("row %d: hash %q source %q", r.Height, r.ConsensusHash, r.Source)
		}
		// The finding: every row from 398758 on must be reproduced.
		if r.MustReproduce != (r.Height >= 398758) {
			t.Errorf("row %d: must reproduce %v", r.Height, r.MustReproduce)
		}
		if r.Height >= p.FreezeHeight || r.Height < p.FirstBlock {
			t.Errorf("row %d outside the v1 chain", r.Height)
		}
	}
	if cp, ok := p.CheckpointAt(601574); !ok || cp.ConsensusHash != "a55d440eb192a1857739b0e0742fd312" {
		t.Fatalf("601574: %+v %v", cp, ok)
	}
	if _, ok := p.CheckpointAt(601575); ok {
		t.Fatal("a checkpoint at 601575")
	}
	if p.GenesisConsensusHash != "17ac43c1d8549c3181b200f1bf97eb7d" {
		t.Fatal("genesis snapshot hash")
	}
	r, ok := p.CheckCheckpoint(398758, "ccf9a90ae7a10dc83a9da7e02213eb20")
	if !ok || !r.Agree || r.Fatal() {
		t.Fatalf("agreeing row: %+v", r)
	}
	r, _ = p.CheckCheckpoint(398758, "00000000000000000000000000000000")
	if r.Agree || !r.Fatal() {
		t.Fatalf("mismatching required row: %+v", r)
	}
	r, _ = p.CheckCheckpoint(395190, "00000000000000000000000000000000")
	if r.Agree || r.Fatal() {
		t.Fatalf("mismatching informational row: %+v", r)
	}
}

// From the freeze height on, the engine ignores operations: a block's ops
// hash is that of no records, and an operation that would have been
// accepted one block earlier leaves no trace.
func TestFreezeIgnoresOperations(t *testing.T) {
	for _, frozen := range []bool{false, true} {
		p := Regtest()
		c := newTestChain(t, p)
		alice, bob := newTestKey(p, "alice"), newTestKey(p, "bob")
		c.skipTo(300)
		c.launch(alice, bob, "frze", 1000, 400000000)
		pre := c.preorder(alice, alice, "hello.frze", 1000)
		if frozen {
			p.FreezeHeight = c.next
		}
		res := c.block(pre)
		if !frozen {
			c.expect(res, Accepted)
			continue
		}
		if len(res.Ops) != 0 || res.OpsHash != digest.OpsHash(nil) {
			t.Fatalf("frozen block: %d results, ops hash %s", len(res.Ops), res.OpsHash)
		}
		// Nothing was stored: registering finds no preorder.
		res = c.block(register(alice, alice, "hello.frze"))
		if len(res.Ops) != 0 {
			t.Fatal("an operation after the freeze was processed")
		}
		p.FreezeHeight = 0
		c.expectCode(c.block(register(alice, alice, "hello.frze")), 0, ErrNoPreorder)
	}
}
