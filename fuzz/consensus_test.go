package fuzz

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/testvectors"
)

// FuzzEngineBlock feeds arbitrary parsed operations (JSON of ops.Op, the
// engine's input type) to the replay engine in blocks of every Regtest epoch.
// Whatever the fields hold, the engine must neither panic nor fail the
// block (a bad operation is a rejection, never a block error), and two
// engines fed the same block must agree on its consensus hash.
func FuzzEngineBlock(f *testing.F) {
	n := 0
	err := testvectors.ReadJSONLFile(testvectors.Path("replay-final", "sample.jsonl"), func(_ int, s *testvectors.ReplayScenario) error {
		for _, b := range s.Blocks {
			for i := range b.Ops {
				if n > 200 {
					return nil
				}
				op, err := b.Ops[i].Op(b.Block)
				if err != nil {
					return err
				}
				js, err := json.Marshal(op)
				if err != nil {
					return err
				}
				f.Add(js, uint8(n%200))
				n++
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opJSON []byte, skip uint8) {
		var op ops.Op
		if json.Unmarshal(opJSON, &op) != nil {
			return
		}
		if len(op.OpString) > 0 {
			op.Opcode = ops.Opcode(op.OpString[0])
		}
		var hashes [2]string
		for run := range hashes {
			p := consensus.Regtest()
			eng, err := consensus.NewEngine(p, consensus.NewMemStore())
			if err != nil {
				t.Fatal(err)
			}
			h := p.FirstBlock
			for ; h < p.FirstBlock+uint64(skip); h++ {
				if _, err := eng.ProcessBlock(context.Background(), consensus.Block{Height: h}); err != nil {
					t.Fatal(err)
				}
			}
			o := op
			o.BlockHeight = h
			res, err := eng.ProcessBlock(context.Background(), consensus.Block{Height: h, Ops: []ops.Op{o, o}})
			if err != nil {
				t.Fatalf("block error on an operation: %v", err)
			}
			hashes[run] = res.ConsensusHash
		}
		if hashes[0] != hashes[1] {
			t.Fatalf("nondeterministic consensus hash")
		}
	})
}
