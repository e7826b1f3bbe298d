package main_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2/base58"

	"github.com/spvcheck/spvcheck/ops/c32"
	"github.com/spvcheck/spvcheck/testvectors"
)

// The public sample is well-formed, and a missing store is unusable input.
func TestCompareGenesisSample(t *testing.T) {
	sample := testvectors.Path("stacks2", "chainstate-test.txt")
	spvcheck(t, "compare-genesis", sample, "--datadir", filepath.Join(t.TempDir(), "none")).expect(t, 2, "data directory")
	bad := filepath.Join(t.TempDir(), "bad.txt")
	raw, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(strings.Replace(string(raw), "1.id,", "0.id,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "compare-genesis", bad, "--datadir", t.TempDir()).expect(t, 2, "line 12", "listed twice")
	spvcheck(t, "compare-genesis", "--datadir", t.TempDir()).expect(t, 2, "usage")
}

// sync --network mainnet with no peer reachable fails within a bounded
// time, with exit 2 and a clear message; a bad genesis file is refused
// before any network use.
func TestMainnetSyncUnreachable(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	spvcheck(t, "sync", "--network", "mainnet", "--peer", deadPeer(t), "--datadir", dir, "--peer-timeout", "2s").
		expect(t, 2, "check --peer")
	if d := time.Since(start); d > 45*time.Second {
		t.Fatalf("sync took %s to give up", d)
	}
	g := filepath.Join(t.TempDir(), "genesis.jsonl")
	if err := os.WriteFile(g, []byte("{\"address\": 7}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "sync", "--network", "mainnet", "--peer", deadPeer(t), "--datadir", dir, "--genesis", g).
		expect(t, 2, "genesis line 1")
	spvcheck(t, "sync", "--network", "regtest", "--datadir", dir).expect(t, 2, "no DNS seeds")
}

// stateName is one row of `names --all --json`.
type stateName struct {
	Name   string  `json:"name"`
	Owner  string  `json:"owner_address"`
	Zone   *string `json:"zonefile_hash"`
	Status string  `json:"status"`
}

// compareGenesisOnStore builds chainstate files from the store's own name
// table (names --all --json, owners re-encoded with package c32) and
// checks compare-genesis on them: the faithful file agrees, each
// alteration is reported by name, a malformed file is refused.
func compareGenesisOnStore(t *testing.T, dir string) {
	r := spvcheck(t, "names", "--datadir", dir, "--all", "--json")
	r.expect(t, 0)
	var table struct {
		Names []stateName `json:"names"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &table); err != nil {
		t.Fatal(err)
	}
	stx := func(b58 string) string {
		h, v, err := base58.CheckDecode(b58)
		if err != nil {
			t.Fatalf("%s: %v", b58, err)
		}
		sv, ok := c32.VersionFromBase58(v)
		if !ok {
			t.Fatalf("%s: version %d", b58, v)
		}
		a, err := c32.Address(sv, h)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	row := func(n stateName) string {
		z := ""
		if n.Zone != nil {
			z = *n.Zone
		}
		return fmt.Sprintf("%s,%s,%s", n.Name, stx(n.Owner), z)
	}
	var kept []string
	var revoked, expired *stateName
	for i, n := range table.Names {
		switch n.Status {
		case "registered", "imported":
			kept = append(kept, row(n))
		case "revoked":
			revoked = &table.Names[i]
		case "expired", "grace-period":
			expired = &table.Names[i]
		}
	}
	if len(kept) < 3 || revoked == nil || expired == nil {
		t.Fatalf("the store lacks the names this test needs: %d kept, revoked %v, expired %v", len(kept), revoked, expired)
	}
	write := func(rows []string) string {
		rows = append([]string(nil), rows...)
		sort.Strings(rows) // the name comes first, and ',' sorts below every name character
		f := filepath.Join(t.TempDir(), "chainstate.txt")
		body := "-----BEGIN NAMESPACES-----\nnamespace_id,address,buckets,base,coeff,nonalpha_discount,no_vowel_discount,lifetime\n-----END NAMESPACES-----\n" +
			"-----BEGIN NAMES-----\nname,address,zonefile_hash\n" + strings.Join(rows, "\n") + "\n-----END NAMES-----\n" +
			"-----BEGIN STX BALANCES-----\naddress,balance\n-----END STX BALANCES-----\n"
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	name := func(row string) string { return row[:strings.IndexByte(row, ',')] }

	spvcheck(t, "compare-genesis", write(kept), "--datadir", dir).expect(t, 0, "0 differences")
	spvcheck(t, "compare-genesis", write(kept), "--datadir", dir, "--json").expect(t, 0, `"equal": true`)

	missing := append(append([]string(nil), kept[:1]...), kept[2:]...)
	spvcheck(t, "compare-genesis", write(missing), "--datadir", dir).expect(t, 1, name(kept[1])+": in the verified state", "1 differences")
	other := stx("1FzTxL9Mxnm2fdmnQEArfhzJHevwbvcH6d")
	extra := append(append([]string(nil), kept...), "zzzextra."+strings.SplitN(name(kept[0]), ".", 2)[1]+","+other+",")
	spvcheck(t, "compare-genesis", write(extra), "--datadir", dir, "--json").expect(t, 1, `"missing-from-state"`, "zzzextra.")

	owner := append([]string(nil), kept...)
	f := strings.Split(owner[0], ",")
	owner[0] = f[0] + "," + other + "," + f[2]
	spvcheck(t, "compare-genesis", write(owner), "--datadir", dir).expect(t, 1, name(kept[0])+": owner "+other)

	hash := append([]string(nil), kept...)
	f = strings.Split(hash[2], ",")
	hash[2] = f[0] + "," + f[1] + "," + strings.Repeat("ab", 20)
	spvcheck(t, "compare-genesis", write(hash), "--datadir", dir).expect(t, 1, name(kept[2])+": zone-file hash")

	for _, n := range []*stateName{revoked, expired} {
		spvcheck(t, "compare-genesis", write(append(append([]string(nil), kept...), row(*n))), "--datadir", dir).
			expect(t, 1, n.Name+": in the file", "but not in the verified state")
	}

	malformed := append(append([]string(nil), kept...), name(kept[0])+",notanaddress,")
	spvcheck(t, "compare-genesis", write(malformed), "--datadir", dir).expect(t, 2, "line ")
}

// deadPeer is a loopback address nothing listens on.
func deadPeer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
