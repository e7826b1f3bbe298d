package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

// binary is the spvcheck executable built once for all tests in this file.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "spvcheck-cli-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "spvcheck")
	out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("building spvcheck: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// spvcheck runs the built binary with args and returns its output and exit
// code.
func spvcheck(t *testing.T, args ...string) result {
	t.Helper()
	return spvcheckEnv(t, nil, args...)
}

// noDefaultDatadir is the default data directory every test run sees, so
// that no test reads or writes the user's own: it never exists.
var noDefaultDatadir = filepath.Join(os.TempDir(), "spvcheck-test-no-default-datadir")

// testEnv is the environment of every spvcheck the tests run, plus extra.
func testEnv(extra ...string) []string {
	return append(append(os.Environ(), "SPVCHECK_DATADIR="+noDefaultDatadir), extra...)
}

// spvcheckEnv runs the built binary with extra environment variables.
func spvcheckEnv(t *testing.T, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = testEnv(extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("running spvcheck %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{stdout.String(), stderr.String(), code}
}

func (r result) expect(t *testing.T, code int, inOutput ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range inOutput {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Fatalf("output lacks %q\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "usage: spvcheck COMMAND"},
		{"help", []string{"help"}, 0, "verify-proof"},
		{"help for a command", []string{"help", "decode"}, 0, "usage: spvcheck decode TXHEX"},
		{"help for an unknown command", []string{"help", "frobnicate"}, 2, "unknown command"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command \"frobnicate\""},
		{"version", []string{"version"}, 0, "spvcheck "},
		{"unknown flag", []string{"decode", "--frobnicate", "00"}, 2, "spvcheck decode: unknown flag --frobnicate"},
		{"unknown single-dash flag", []string{"lookup", "a.id", "-frob"}, 2, "spvcheck lookup: unknown flag --frob"},
		{"flag without value", []string{"lookup", "a.id", "--datadir"}, 2, "spvcheck lookup: --datadir needs a value"},
		{"flag with a bad value", []string{"decode", "00", "--height", "x"}, 2, `spvcheck decode: invalid value "x" for --height`},
		{"help lists flags as typed", []string{"help", "lookup"}, 0, "  --datadir string"},
		{"-h prints the help", []string{"names", "-h"}, 0, "  --namespace"},
		{"decode without argument", []string{"decode"}, 2, "want exactly one TXHEX"},
		{"decode bad hex", []string{"decode", "zz"}, 2, "TXHEX is not hex"},
		{"decode not a transaction", []string{"decode", "0100"}, 2, "not a Bitcoin transaction"},
		{"decode unknown network", []string{"decode", "00", "--network", "dogecoin"}, 2, "unknown network"},
		{"vectors unknown kind", []string{"vectors", "frob", "x"}, 2, "unknown vector kind"},
		{"vectors missing file", []string{"vectors", "wire", "/nonexistent/file.jsonl"}, 2, "no such file"},
		{"lookup without datadir", []string{"lookup", "a.id"}, 2, "spvcheck-test-no-default-datadir"},
		{"lookup in an empty default", []string{"lookup", "a.id"}, 2, "run 'spvcheck sync'"},
		{"names missing datadir", []string{"names", "--datadir", "/nonexistent/dir"}, 2, "no such file"},
		{"audit missing path", []string{"audit", "/nonexistent/path"}, 2, "no such file"},
		{"verify-proof without trusted", []string{"verify-proof", "x"}, 2, "--trusted HEIGHT:CONSENSUSHASH is required"},
		{"verify-proof bad trusted", []string{"verify-proof", "x", "--trusted", "12:zz"}, 2, "want 32 hex digits"},
		{"import without a file", []string{"import", "x"}, 2, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spvcheck(t, tc.args...).expect(t, tc.code, tc.want)
		})
	}
}

// firstVectorTx returns a signed blockstack.js transaction and its record.
func firstVectorTx(t *testing.T, op string) (string, map[string]any) {
	t.Helper()
	var found map[string]any
	err := testvectors.ReadJSONLFile(testvectors.Path("blockstackjs", "vectors.jsonl"), func(_ int, r *map[string]any) error {
		if found == nil && (*r)["kind"] == "tx" && (*r)["op"] == op {
			found = *r
		}
		return nil
	})
	if err != nil || found == nil {
		t.Fatalf("no %s tx vector: %v", op, err)
	}
	return found["tx_hex"].(string), found
}

func TestDecode(t *testing.T) {
	txhex, rec := firstVectorTx(t, "NAME_PREORDER")
	r := spvcheck(t, "decode", txhex, "--height", "400000")
	r.expect(t, 0)
	var op map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &op); err != nil {
		t.Fatalf("decode output is not JSON: %v\n%s", err, r.stdout)
	}
	want := rec["expected_by_spec"].(map[string]any)["epoch1"].(map[string]any)["fields"].(map[string]any)
	for _, k := range []string{"preorder_hash", "consensus_hash", "sender", "address", "txid"} {
		if op[k] != want[k] {
			t.Errorf("%s = %v, want %v", k, op[k], want[k])
		}
	}
	// Flags after the positional argument, and --json on a rejection: a
	// 63-byte preorder is refused before epoch 4.
	skel := ""
	_ = testvectors.ReadJSONLFile(testvectors.Path("blockstackjs", "vectors.jsonl"), func(_ int, r *map[string]any) error {
		if skel == "" && (*r)["id"] == "058-NAME_PREORDER" {
			skel = (*r)["tx_hex"].(string)
		}
		return nil
	})
	r = spvcheck(t, "decode", skel, "--height", "400000", "--json")
	r.expect(t, 1, `"rejected": true`)
	// A transaction with no Blockstack data is not an operation.
	plain := "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0100ffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000"
	spvcheck(t, "decode", plain).expect(t, 1, "not a Blockstack operation")
	spvcheck(t, "decode", txhex, "--spent", "76a914,76a914").expect(t, 2, "--spent has 2 scripts for 1 inputs")
	spvcheck(t, "decode", txhex, "--spent", "76a914", "--height", "400000").expect(t, 1, "neither p2pkh nor p2sh")
	// A height is used as given or refused, never replaced by another.
	spvcheck(t, "decode", txhex, "--height", "0").expect(t, 2, "--height 0 is below mainnet's first Blockstack block 373601")
	spvcheck(t, "decode", txhex, "--height", "373600").expect(t, 2, "below mainnet's first Blockstack block")
	spvcheck(t, "decode", txhex, "--height", "373601", "--json").expect(t, 0, `"height": 373601`)
	// '-' reads the transaction from standard input.
	cmd := exec.Command(binary, "decode", "-", "--height", "400000")
	cmd.Stdin = strings.NewReader(txhex + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("decode - : %v", err)
	}
	var fromStdin map[string]any
	if err := json.Unmarshal(out, &fromStdin); err != nil || fromStdin["txid"] != want["txid"] {
		t.Fatalf("decode - printed %s (%v)", out, err)
	}
	cmd = exec.Command(binary, "decode", "-")
	cmd.Stdin = strings.NewReader("zz")
	if err := cmd.Run(); err == nil {
		t.Fatal("decode - accepted non-hex input")
	}
}

func TestVectors(t *testing.T) {
	for _, tc := range []struct{ kind, file string }{
		{"wire", "blockstackjs/vectors.jsonl"},
		{"consensus", "consensus/blocks.jsonl"},
		{"commits", "consensus/commits.jsonl"},
		{"chains", "consensus/chains.jsonl"},
		{"replay", "replay/scenarios.jsonl"},
		{"replay", "replay-final/sample.jsonl"},
		{"real-txs", "wire/real_txs.jsonl"},
	} {
		t.Run(tc.kind+"/"+tc.file, func(t *testing.T) {
			r := spvcheck(t, "vectors", tc.kind, testvectors.Path(strings.Split(tc.file, "/")...))
			r.expect(t, 0, " passed, 0 failed\n")
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if last := lines[len(lines)-1]; !strings.HasSuffix(last, " passed, 0 failed") || strings.HasPrefix(last, "0 passed") {
				t.Fatalf("last line %q", last)
			}
		})
	}
}

// The commits and chains judges read their companion files from beside
// FILE, or from the flags, and refuse a missing one.
func TestVectorsCompanionFiles(t *testing.T) {
	dir := t.TempDir()
	chains, err := os.ReadFile(testvectors.Path("consensus", "chains.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lone := filepath.Join(dir, "chains.jsonl")
	if err := os.WriteFile(lone, chains, 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "vectors", "chains", lone).expect(t, 2, "the blocks file (--blocks)")
	spvcheck(t, "vectors", "chains", lone, "--blocks", testvectors.Path("consensus", "blocks.jsonl")).expect(t, 0, " passed, 0 failed")
	spvcheck(t, "vectors", "commits", testvectors.Path("consensus", "commits.jsonl"), "--field-orders", filepath.Join(dir, "none.json")).
		expect(t, 2, "the field orders file (--field-orders)")
	spvcheck(t, "vectors", "chains", testvectors.Path("consensus", "blocks.jsonl")).expect(t, 2, "not a chain record")
}

// A vector file edited by one byte fails with a FAIL line naming the record;
// a file of another kind or a truncated file is malformed (exit 2).
func TestVectorsDetectTampering(t *testing.T) {
	src, err := os.ReadFile(testvectors.Path("consensus", "blocks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitN(src, []byte("\n"), 3)
	var rec map[string]any
	if err := json.Unmarshal(lines[1], &rec); err != nil {
		t.Fatal(err)
	}
	ch := rec["consensus_hash"].(string)
	flipped := "0" + ch[1:]
	if flipped == ch {
		flipped = "1" + ch[1:]
	}
	lines[1] = bytes.Replace(lines[1], []byte(`"consensus_hash":"`+ch+`"`), []byte(`"consensus_hash":"`+flipped+`"`), 1)
	dir := t.TempDir()
	tampered := filepath.Join(dir, "blocks.jsonl")
	if err := os.WriteFile(tampered, bytes.Join(lines, []byte("\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	r := spvcheck(t, "vectors", "consensus", tampered)
	r.expect(t, 1, "FAIL 0.13/", " 1 failed\n")

	truncated := filepath.Join(dir, "truncated.jsonl")
	if err := os.WriteFile(truncated, src[:len(lines[0])+40], 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "vectors", "consensus", truncated).expect(t, 2, "malformed record")
	spvcheck(t, "vectors", "consensus", testvectors.Path("consensus", "commits.jsonl")).expect(t, 2, "malformed record")
	spvcheck(t, "vectors", "replay", testvectors.Path("consensus", "blocks.jsonl")).expect(t, 2)
	spvcheck(t, "vectors", "wire", testvectors.Path("consensus", "blocks.jsonl")).expect(t, 2)
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "vectors", "wire", empty).expect(t, 2, "empty")
}

// A directory that is not a store is refused without being touched.
func TestNotAStore(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.txt")
	if err := os.WriteFile(junk, []byte("not a store"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"names", "--datadir", dir},
		{"lookup", "a.id", "--datadir", dir},
		{"audit", dir},
		{"export", "--datadir", dir, filepath.Join(t.TempDir(), "x.snap")},
		{"prove", "a.id", "--datadir", dir},
	} {
		spvcheck(t, args...).expect(t, 2)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("the directory was modified: %v %v", entries, err)
	}
	// A snapshot "file" that is not one.
	spvcheck(t, "audit", junk).expect(t, 2)
	spvcheck(t, "import", junk, "--datadir", filepath.Join(t.TempDir(), "new")).expect(t, 2)
	spvcheck(t, "verify-proof", junk, "--trusted", "300:00000000000000000000000000000000").expect(t, 2, "unreadable proof")
}

// Outside the source tree the demo cannot build the pinned btcd: it says so
// and how to proceed, instead of picking up some other btcd.
func TestDemoOutsideModule(t *testing.T) {
	cmd := exec.Command(binary, "demo", "--quiet")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "--btcd PATH") {
		t.Fatalf("no hint in:\n%s", out.String())
	}
}

// A sync stopped before its first block leaves a store with nothing in it:
// audit says there is nothing to verify and does not call that verified.
func TestAuditOfAnEmptyStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	spvcheck(t, "sync", "--network", "regtest", "--peer", "127.0.0.1:1", "--datadir", dir, "--peer-timeout", "1s").expect(t, 2)
	spvcheck(t, "audit", dir).expect(t, 2, "nothing to verify")
	spvcheck(t, "audit", dir, "--json").expect(t, 2, "nothing to verify")
}

// Built from a git checkout, version names the commit.
func TestVersionNamesTheCommit(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	r := spvcheck(t, "version")
	r.expect(t, 0, "spvcheck ", "go1.")
	if err != nil {
		t.Logf("not a git checkout (%v): the commit cannot be checked", err)
		return
	}
	r.expect(t, 0, "(commit "+string(head[:12]))
	spvcheck(t, "help").expect(t, 0, "version ")
	spvcheck(t, "--version").expect(t, 0, "(commit "+string(head[:12]))
}

// With --json a failure is a JSON object on stdout too, with a stable code.
func TestJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code string
	}{
		{[]string{"lookup", "a.id", "--datadir", "/nonexistent/dir", "--json"}, `"code": "unusable_input"`},
		{[]string{"lookup", "A.ID", "--json", "--datadir", "/nonexistent/dir"}, `"code": "usage"`},
		{[]string{"names", "--json", "--frob"}, `"code": "usage"`},
		{[]string{"audit", "/nonexistent/path", "--json"}, `"code": "unusable_input"`},
	} {
		r := spvcheck(t, tc.args...)
		r.expect(t, 2)
		var v map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("%v --json printed no JSON object on stdout: %v\n%s", tc.args, err, r.stdout)
		}
		if !strings.Contains(r.stdout, tc.code) {
			t.Errorf("%v: stdout lacks %s:\n%s", tc.args, tc.code, r.stdout)
		}
	}
	// A typed error keeps its package's code.
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte("not a proof"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := spvcheck(t, "verify-proof", junk, "--trusted", "300:00000000000000000000000000000000", "--json")
	if !strings.Contains(r.stdout, `"code": "Err`) {
		t.Errorf("verify-proof --json of junk: no typed code:\n%s", r.stdout)
	}
}
