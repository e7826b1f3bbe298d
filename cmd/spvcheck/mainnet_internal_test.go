package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
)

// A mainnet store or file replayed without the genesis allocation is
// marked unverified from block 547922 by audit; one with another
// fingerprint (a genesis file was given) or another network is not.
func TestUnverifiedFor(t *testing.T) {
	fp := consensus.Mainnet().Fingerprint()
	for _, c := range []struct {
		network, fp string
		tip         uint64
		want        string
	}{
		{"mainnet", fp, 547921, ""},
		{"mainnet", fp, 547922, "unverified: no genesis allocation (from block 547922)"},
		{"mainnet", fp, 665750, "unverified: no genesis allocation (from block 547922)"},
		{"mainnet", "other", 665750, ""},
		{"regtest", consensus.Regtest().Fingerprint(), 441, ""},
		{"nonsense", fp, 665750, ""},
	} {
		if got := unverifiedFor(c.network, c.fp, c.tip); got != c.want {
			t.Errorf("unverifiedFor(%s, %.8s, %d) = %q, want %q", c.network, c.fp, c.tip, got, c.want)
		}
	}
}

// An answer's marks: the unverified mark and the freeze, printed for
// humans.
func TestVerifiedAtNotes(t *testing.T) {
	at := &verifiedAt{Height: 665750, Unverified: "unverified: no genesis allocation (from block 547922)", FreezeHeight: 665750, Final: true}
	var b strings.Builder
	at.printNotes(&b)
	for _, want := range []string{"WARNING: unverified: no genesis allocation", "--genesis FILE", "final: operations from block 665750 on are ignored"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("notes lack %q:\n%s", want, b.String())
		}
	}
}

// status and names print a store's unverified mark, in text and JSON.
func TestMarkShownByCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	net, err := networkByName("regtest")
	if err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Open(ctx, filepath.Join(dir, storeSubdir), net.StoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := consensus.NewEngine(net.Consensus, s)
	if err != nil {
		t.Fatal(err)
	}
	for h := net.Consensus.FirstBlock; h <= net.Consensus.FirstBlock+2; h++ {
		if _, err := eng.ProcessBlock(ctx, consensus.Block{Height: h}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetUnverified(snapshot.Unverified{Reason: snapshot.ReasonNoGenesis, From: net.Consensus.FirstBlock + 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "--datadir", dir}, "trust          unverified: no genesis allocation (from block 257)"},
		{[]string{"status", "--datadir", dir, "--json"}, `"unverified": "unverified: no genesis allocation (from block 257)"`},
		{[]string{"names", "--datadir", dir}, "WARNING: unverified: no genesis allocation (from block 257)"},
		{[]string{"names", "--datadir", dir, "--json"}, `"unverified_reason": "no genesis allocation"`},
		{[]string{"lookup", "nobody.demo", "--datadir", dir}, "WARNING: unverified"},
	} {
		var out, errOut strings.Builder
		run(ctx, c.args, strings.NewReader(""), &out, &errOut, false)
		if !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out.String(), errOut.String())
		}
	}
}

// A store synced with a genesis allocation records it: later commands
// rebuild its rules, its snapshot file imports only with the same
// --genesis, and the imported store works as the original.
func TestGenesisRecordedAndImported(t *testing.T) {
	ctx := context.Background()
	net, err := networkByName("regtest")
	if err != nil {
		t.Fatal(err)
	}
	p := net.Consensus
	p.Genesis = p.Genesis[:1] // another allocation than the preset's
	var raw []byte
	for _, g := range p.Genesis {
		line, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(append(raw, line...), '\n')
	}
	genesis := filepath.Join(t.TempDir(), "genesis.jsonl")
	if err := os.WriteFile(genesis, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	s, err := snapshot.Open(ctx, filepath.Join(src, storeSubdir), snapshot.Options{Network: "regtest", ParamsFingerprint: p.Fingerprint()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetGenesisData(raw); err != nil {
		t.Fatal(err)
	}
	eng, err := consensus.NewEngine(p, s)
	if err != nil {
		t.Fatal(err)
	}
	for h := p.FirstBlock; h <= p.FirstBlock+2; h++ {
		if _, err := eng.ProcessBlock(ctx, consensus.Block{Height: h}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cli := func(want int, args ...string) string {
		t.Helper()
		var out, errOut strings.Builder
		if code := run(ctx, args, strings.NewReader(""), &out, &errOut, false); code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out.String(), errOut.String())
		}
		return out.String() + errOut.String()
	}
	cli(0, "names", "--datadir", src)
	cli(0, "status", "--datadir", src)
	file := filepath.Join(t.TempDir(), "g.snap")
	cli(0, "export", "--datadir", src, file)
	if out := cli(2, "import", file, "--datadir", filepath.Join(t.TempDir(), "plain")); !strings.Contains(out, "parameters") {
		t.Fatalf("import without --genesis: %s", out)
	}
	dst := filepath.Join(t.TempDir(), "with")
	cli(0, "import", file, "--datadir", dst, "--genesis", genesis)
	cli(0, "names", "--datadir", dst)
	cli(0, "audit", dst)
}
