package judge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

// A tx record's verdicts are judged at whatever heights they name, not
// only the six epochs the shipped file uses: each record's last verdict,
// copied to a later height under a new key (its block_number with it), is
// judged there too (no epoch starts between the two heights, so the
// verdict stays right).
func TestWireVerdictsAtAnyHeight(t *testing.T) {
	raw, err := os.ReadFile(testvectors.Path("blockstackjs", "vectors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := Wire(bytes.NewReader(raw), "vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	added := 0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		var verdicts map[string]map[string]json.RawMessage
		if v, ok := rec["expected_by_spec"]; ok && json.Unmarshal(v, &verdicts) == nil && verdicts["epoch6"] != nil {
			late := map[string]json.RawMessage{}
			for k, v := range verdicts["epoch6"] {
				late[k] = v
			}
			late["height"] = json.RawMessage("665000")
			if f, ok := late["fields"]; ok {
				var fields map[string]json.RawMessage
				if err := json.Unmarshal(f, &fields); err != nil {
					t.Fatal(err)
				}
				if _, ok := fields["block_number"]; ok {
					fields["block_number"] = json.RawMessage("665000")
				}
				late["fields"], _ = json.Marshal(fields)
			}
			verdicts["at665000"] = late
			b, _ := json.Marshal(verdicts)
			rec["expected_by_spec"] = b
			line, _ = json.Marshal(rec)
			added++
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	if added == 0 {
		t.Fatal("no record has an epoch6 verdict")
	}
	rep, err := Wire(&out, "vectors-plus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Passed != base.Passed+added {
		var b bytes.Buffer
		_ = rep.WriteText(&b)
		t.Fatalf("%d passed (base %d, %d verdicts added), %d failed\n%s", rep.Passed, base.Passed, added, rep.Failed, b.String())
	}
}
