package main

import (
	"context"
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
		run(ctx, c.args, &out, &errOut, false)
		if !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out.String(), errOut.String())
		}
	}
}
