package judge

import (
	"os"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

func runReplay(t *testing.T, path string) {
	t.Helper()
	rep, err := ReplayFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	_ = rep.WriteText(&sb)
	if os.Getenv("REPLAY_VERBOSE") != "" {
		t.Log(sb.String())
	}
	for _, n := range rep.Notes {
		t.Log(n)
	}
	if !rep.OK() {
		lines := strings.SplitAfter(sb.String(), "\n")
		if len(lines) > 60 {
			lines = append(lines[:60], "...\n", lines[len(lines)-2])
		}
		t.Fatalf("%s", strings.Join(lines, ""))
	}
	t.Logf("%d passed", rep.Passed)
}

func TestReplayScenarios(t *testing.T) {
	runReplay(t, testvectors.Path("replay", "scenarios.jsonl"))
}

func TestReplayFinal(t *testing.T) {
	runReplay(t, testvectors.Path("replay-final", "sample.jsonl"))
}

func TestReplayMalformed(t *testing.T) {
	for _, in := range []string{"", "not json\n", `{"version":"0.13"}` + "\n"} {
		if _, err := Replay(strings.NewReader(in), "bad"); err == nil {
			t.Errorf("Replay(%q) accepted a malformed file", in)
		}
	}
}

// A scenario whose recorded outcome or hash is wrong is reported as a
// failure keyed scenario/block/vtxindex, not a pass.
func TestReplayDetectsMismatch(t *testing.T) {
	line := `{"version":"final-v1","scenario":"x","config":{"rules":"final-v1","first_block":256,"FIRST_BLOCK_MAINNET":256,"epochs":[{"end_block":-1,"features":[],"namespaces":{"*":{"NAMESPACE_LIFETIME_MULTIPLIER":1}},"namespace_prices":[0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]},` +
		`"blocks":[{"block":256,"nvtx":0,"ops":[],"consensus_hash":"2a9148d8b13939723d2aca16c75c6d68"},` +
		`{"block":257,"nvtx":1,"ops":[{"vtxindex":1,"txid":"ab","opcode":"NAME_REVOKE","in":{"opcode":"NAME_REVOKE","op":"~","name":"a.b","sender":"00","address":"m"},"outcome":"accepted"}],"consensus_hash":"00000000000000000000000000000000"}]}` + "\n"
	rep, err := Replay(strings.NewReader(line), "x")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed != 1 || rep.Failed != 2 || rep.Failures[0].Key != "x/257/1" || rep.Failures[1].Key != "x/257" {
		t.Fatalf("report %+v", rep)
	}
}
