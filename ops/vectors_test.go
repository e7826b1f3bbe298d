package ops_test

import (
	"os"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
	"github.com/spvcheck/spvcheck/testvectors/judge"
)

// TestBlockstackJSVectors runs the wire judge over the blockstack.js vectors:
// every tx/skeleton verdict at six epoch heights, every helper, every
// rejection, and the encoders against every builder's inputs.
func TestBlockstackJSVectors(t *testing.T) {
	rep, err := judge.WireFile(testvectors.Path("blockstackjs", "vectors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Errorf("%s: %s", f.Key, f.Message)
	}
	for _, n := range rep.Notes {
		t.Log(n)
	}
	if rep.Passed < 400 {
		t.Errorf("only %d checks passed", rep.Passed)
	}
	t.Logf("%d passed, %d failed", rep.Passed, rep.Failed)
}

func TestWireJudgeRejectsMalformedFile(t *testing.T) {
	for _, bad := range []string{"", "not json\n", `{"id":"x"}` + "\n", `{"id":"1","kind":"tx"}` + "\n"} {
		if _, err := judge.Wire(strings.NewReader(bad), "bad.jsonl"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := judge.WireFile(os.DevNull + "/missing"); err == nil {
		t.Error("missing file: no error")
	}
}

// TestRealTxs runs the real-transaction judge: fixtures from the reference's
// own tests, with light-mode senders.
func TestRealTxs(t *testing.T) {
	rep, err := judge.RealTxsFile(testvectors.Path("wire", "real_txs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Errorf("%s: %s", f.Key, f.Message)
	}
	if rep.Passed != 16 {
		t.Errorf("%d passed, want all 16", rep.Passed)
	}
}
