package judge

import (
	"bytes"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

func blocksPath() string  { return testvectors.Path("consensus", "blocks.jsonl") }
func commitsPath() string { return testvectors.Path("consensus", "commits.jsonl") }
func ordersPath() string  { return testvectors.Path("consensus", "field_orders.json") }

func TestConsensusVectors(t *testing.T) {
	rep, err := ConsensusFile(blocksPath())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Passed != 3462 {
		t.Fatalf("want 3462 passed, 0 failed:\n%s", out.String())
	}
	if got := out.String(); got != "3462 passed, 0 failed\n" {
		t.Fatalf("report text %q", got)
	}
}

// The judge must be able to fail: every recorded quantity, changed, is
// reported once against the right block.
func TestConsensusDetectsTampering(t *testing.T) {
	data, err := os.ReadFile(blocksPath())
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	// Line 2 is 0.13/name_import_expire_isdead/257, one op, one prev.
	line := string(lines[1])
	cases := map[string]struct{ old, new, want string }{
		"serialized op": {"1:*,9:400000000", "1:*,9:400000001", "ops hash from serialized_ops"},
		"leaf hash":     {`"leaf_hashes":["535a`, `"leaf_hashes":["635a`, "leaf_hashes"},
		"prev height":   {`"prev_heights":[256]`, `"prev_heights":[255]`, "prev heights"},
		"prev hash":     {`"prev_consensus_hashes":["2a91`, `"prev_consensus_hashes":["3a91`, "consensus Merkle root"},
		"merkle root":   {`"consensus_merkle_root":"339a`, `"consensus_merkle_root":"439a`, "consensus Merkle root"},
		"consensus":     {`"consensus_hash":"50fb`, `"consensus_hash":"60fb`, "consensus hash"},
		"reported":      {`"reported_consensus_hash":"50fb`, `"reported_consensus_hash":"60fb`, "reported by the reference"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(line, c.old) {
				t.Fatalf("fixture line lacks %q", c.old)
			}
			bad := strings.Replace(line, c.old, c.new, 1)
			rep, err := Consensus(strings.NewReader(string(lines[0])+"\n"+bad+"\n"), "tampered")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Passed != 1 || rep.Failed == 0 {
				t.Fatalf("passed %d failed %d", rep.Passed, rep.Failed)
			}
			for _, f := range rep.Failures {
				if f.Key != "0.13/name_import_expire_isdead/257" {
					t.Errorf("failure keyed %q", f.Key)
				}
			}
			if !strings.Contains(rep.Failures[0].Message, c.want) {
				t.Errorf("first failure %q, want it to mention %q", rep.Failures[0].Message, c.want)
			}
		})
	}
}

func TestConsensusMalformedFile(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"not json":   "hello\n",
		"wrong type": `{"block":"x"}` + "\n",
	} {
		if _, err := Consensus(strings.NewReader(in), name); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			var me *testvectors.MalformedError
			if !errors.As(err, &me) {
				t.Errorf("%s: error %v is not a MalformedError", name, err)
			}
		}
	}
}

func judgeVectorCommits(t *testing.T) (*Report, []knownDeviation) {
	t.Helper()
	open := func(p string) *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	rep, dev, err := judgeCommits(CommitsInput{
		Commits: open(commitsPath()), CommitsName: "commits",
		Blocks: open(blocksPath()), BlocksName: "blocks",
		FieldOrders: open(ordersPath()), FieldOrdersName: "field_orders",
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep, dev
}

// TestCommitVectors: every committed record serializes to its logged bytes,
// except exactly the 0.13 first-time NAME_IMPORTs, which the test finds on
// its own from commits.jsonl.
func TestCommitVectors(t *testing.T) {
	rep, dev := judgeVectorCommits(t)
	if !rep.OK() {
		var out bytes.Buffer
		_ = rep.WriteText(&out)
		t.Fatalf("commit failures:\n%s", out.String())
	}

	// Independently: scan commits.jsonl in block/vtxindex order per scenario
	// and list the 0.13 NAME_IMPORTs whose name no earlier commit carried.
	var all []*testvectors.CommitRecord
	err := testvectors.ReadJSONLFile(commitsPath(), func(_ int, c *testvectors.CommitRecord) error {
		all = append(all, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Version+a.Scenario != b.Version+b.Scenario {
			return a.Version+"/"+a.Scenario < b.Version+"/"+b.Scenario
		}
		if a.Block != b.Block {
			return a.Block < b.Block
		}
		return a.Vtxindex < b.Vtxindex
	})
	seen := map[string]bool{}
	want := map[string]string{}
	for _, c := range all {
		name, _ := c.Commit["name"].(string)
		if name == "" {
			continue
		}
		id := c.Version + "/" + c.Scenario + "/" + name
		if c.Version == "0.13" && c.Opcode == "NAME_IMPORT" && !seen[id] {
			want[c.Key()] = name
		}
		seen[id] = true
	}
	got := map[string]string{}
	for _, d := range dev {
		got[d.key] = d.name
	}
	if len(got) != len(dev) {
		t.Errorf("duplicate deviations: %v", dev)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("expected known deviation %s (%s) not reported", k, n)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("deviation %s is not a 0.13 first-time NAME_IMPORT", k)
		}
	}
	if len(all) != rep.Passed+len(dev) {
		t.Errorf("%d commits, %d passed + %d deviations", len(all), rep.Passed, len(dev))
	}
	// The vectors as shipped: 2294 commits, 32 first-time 0.13 imports.
	if len(all) != 2294 || len(dev) != 32 {
		t.Errorf("%d commits and %d deviations, want 2294 and 32", len(all), len(dev))
	}
	t.Logf("%d commits pass, %d known 0.13 deviations", rep.Passed, len(dev))
}

// A commit whose value changes, or whose field list is not a recorded one,
// must fail.
func TestCommitsDetectTampering(t *testing.T) {
	commits, err := os.ReadFile(commitsPath())
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := os.ReadFile(blocksPath())
	if err != nil {
		t.Fatal(err)
	}
	orders, err := os.ReadFile(ordersPath())
	if err != nil {
		t.Fatal(err)
	}
	run := func(c, b, o []byte) *Report {
		rep, err := Commits(CommitsInput{
			Commits: bytes.NewReader(c), Blocks: bytes.NewReader(b), FieldOrders: bytes.NewReader(o),
			CommitsName: "c", BlocksName: "b", FieldOrdersName: "o",
		})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// A json-format value with its type changed (int 400000000 -> float).
	bad := tamperLine(t, commits, `"op_fee":400000000,"opcode":"NAMESPACE_PREORDER"`,
		`"op_fee":400000000.0,"opcode":"NAMESPACE_PREORDER"`)
	if rep := run(bad, blocks, orders); rep.Failed != 1 {
		t.Errorf("int turned float: %d failures", rep.Failed)
	}
	// A kv value.
	bad = tamperLine(t, commits, `"op_fee":"400000000","preorder_hash"`, `"op_fee":"400000001","preorder_hash"`)
	if rep := run(bad, blocks, orders); rep.Failed != 1 {
		t.Errorf("kv value change: %d failures", rep.Failed)
	}
	// A field renamed in field_orders.json.
	badOrders := bytes.Replace(orders, []byte(`"preorder_name_hash"`), []byte(`"preorder_name_hash2"`), 1)
	if rep := run(commits, blocks, badOrders); rep.Failed == 0 {
		t.Error("field order change not detected")
	}
	// A dropped commit leaves its serialized op uncovered.
	nl := bytes.IndexByte(commits, '\n')
	if rep := run(commits[nl+1:], blocks, orders); rep.Failed != 1 {
		t.Errorf("dropped commit: %d failures", rep.Failed)
	}
}

// tamperLine replaces every occurrence of old in the first line holding it
// (a commit line repeats values in accept and commit).
func tamperLine(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		if bytes.Contains(l, []byte(old)) {
			lines[i] = bytes.ReplaceAll(l, []byte(old), []byte(new))
			return bytes.Join(lines, []byte("\n"))
		}
	}
	t.Fatalf("no line holds %q", old)
	return nil
}
