package consensus

import (
	"context"
	"testing"
)

// Each rule variant of the recorded test builds (state-machine.md §10) is
// needed: turning it off makes the recorded runs that use it disagree with
// their recorded consensus hashes in at least one block.
func TestRuleVariantsAreExercised(t *testing.T) {
	scenarios, err := readReplay(t)
	if err != nil {
		t.Fatal(err)
	}
	variants := []struct {
		name string
		on   func(*Rules) bool
		off  func(*Rules)
	}{
		{"AllowP2SHWithoutMultisig", func(r *Rules) bool { return r.AllowP2SHWithoutMultisig }, func(r *Rules) { r.AllowP2SHWithoutMultisig = false }},
		{"ExpiryInclusive", func(r *Rules) bool { return r.ExpiryInclusive }, func(r *Rules) { r.ExpiryInclusive = false }},
		{"ClearRevokedAtLifetime", func(r *Rules) bool { return r.ClearRevokedAtLifetime }, func(r *Rules) { r.ClearRevokedAtLifetime = false }},
		{"SameBlockReady", func(r *Rules) bool { return r.SameBlockReady }, func(r *Rules) { r.SameBlockReady = false }},
		{"RenewalSenderPubkeyFromTx", func(r *Rules) bool { return r.RenewalSenderPubkeyFromTx }, func(r *Rules) { r.RenewalSenderPubkeyFromTx = false }},
		{"RenewalByState", func(r *Rules) bool { return r.RenewalByState }, func(r *Rules) { r.RenewalByState = false }},
	}
	for _, v := range variants {
		mismatched, scen := 0, 0
		for _, s := range scenarios {
			p, err := ParamsFromVectorConfig(s.Version, s.Config)
			if err != nil {
				t.Fatal(err)
			}
			if !v.on(&p.Rules) {
				continue
			}
			v.off(&p.Rules)
			e, _ := NewEngine(p, NewMemStore())
			bad := false
			for _, blk := range s.Blocks {
				in := Block{Height: blk.Block}
				for i := range blk.Ops {
					op, err := blk.Ops[i].Op(blk.Block)
					if err != nil {
						t.Fatal(err)
					}
					if op.OpFee != nil && op.BurnAddress == "" {
						op.BurnAddress = p.BurnAddress
					}
					in.Ops = append(in.Ops, op)
				}
				res, err := e.ProcessBlock(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				if res.ConsensusHash != blk.ConsensusHash {
					bad = true
					break
				}
			}
			if bad {
				mismatched++
			}
			scen++
		}
		t.Logf("%s: %d of %d scenarios that use it diverge without it", v.name, mismatched, scen)
		if mismatched == 0 {
			t.Errorf("%s is never exercised by the recorded runs", v.name)
		}
	}
}
