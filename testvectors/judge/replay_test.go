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
