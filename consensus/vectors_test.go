package consensus

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

// Fields the replay vectors mark "unknown" in src (values the logs did not
// carry) must not influence any hash: replaying with every such field
// replaced by a different value gives the same consensus hash for every
// block (testvectors/replay/README.md, "Provenance rules").
func TestUnknownVectorFieldsDoNotMatter(t *testing.T) {
	scenarios, err := readReplay(t)
	if err != nil {
		t.Fatal(err)
	}
	mutated, checked := 0, 0
	for _, s := range scenarios {
		p, err := ParamsFromVectorConfig(s.Version, s.Config)
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewEngine(p, NewMemStore())
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range s.Blocks {
			in := Block{Height: blk.Block}
			for i := range blk.Ops {
				rop := blk.Ops[i]
				var m map[string]any
				if err := json.Unmarshal(rop.In, &m); err != nil {
					t.Fatal(err)
				}
				for f, why := range rop.Src {
					if !strings.HasPrefix(why, "unknown") {
						continue
					}
					mutated++
					switch m[f].(type) {
					case string, nil:
						m[f] = "03" + strings.Repeat("5a", 32)
					default:
						t.Fatalf("%s: unknown field %s has type %T", s.Scenario, f, m[f])
					}
				}
				b, _ := json.Marshal(m)
				rop.In = b
				op, err := rop.Op(blk.Block)
				if err != nil {
					t.Fatal(err)
				}
				if s.Version != "final-v1" && op.OpFee != nil && op.BurnAddress == "" {
					op.BurnAddress = p.BurnAddress
				}
				in.Ops = append(in.Ops, op)
			}
			res, err := e.ProcessBlock(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if res.ConsensusHash != blk.ConsensusHash {
				t.Fatalf("%s/%d: consensus hash changed when unknown fields changed", s.Scenario, blk.Block)
			}
		}
	}
	if mutated == 0 {
		t.Fatal("no unknown fields found; the test checks nothing")
	}
	t.Logf("%d unknown fields changed, %d blocks unchanged", mutated, checked)
}

func readReplay(t *testing.T) ([]*testvectors.ReplayScenario, error) {
	t.Helper()
	var out []*testvectors.ReplayScenario
	err := testvectors.ReadJSONLFile(testvectors.Path("replay", "scenarios.jsonl"), func(_ int, s *testvectors.ReplayScenario) error {
		out = append(out, s)
		return nil
	})
	return out, err
}
