package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

// queriesUsersAsk runs the everyday queries on the demo's store: invalid
// names refused with the rule they break, the record as of a height and by
// txid, namespaces, owners, prices and balances.
func queriesUsersAsk(t *testing.T, dir string, tip uint64, tipHash string) {
	for _, tc := range []struct {
		name, want string
	}{
		{"ALICE.CLUB", `did you mean "alice.club"`},
		{"A..b", "2 dots"},
		{"", "empty"},
		{strings.Repeat("a", 2000) + ".id", "more than 37"},
		{"alice", "no namespace"},
		{"al ice.club", "not allowed"},
	} {
		spvcheck(t, "lookup", tc.name, "--datadir", dir).expect(t, 2, "invalid name", tc.want)
		if tc.name != "alice" { // prove also takes namespace IDs, and "alice" could be one
			spvcheck(t, "prove", tc.name, "--datadir", dir).expect(t, 2, tc.want)
		}
	}
	spvcheck(t, "names", "--datadir", dir, "--namespace", "CLUB").expect(t, 2, "lower case")
	spvcheck(t, "zonefiles", "check", "/dev/null", "Alice.club", "--datadir", dir).expect(t, 2, "lower case")

	var l struct {
		Summary struct {
			Owner string `json:"owner_address"`
		} `json:"summary"`
		History []struct {
			Height uint64 `json:"height"`
			Op     string `json:"op"`
			Txid   string `json:"txid"`
			Owner  string `json:"owner_address"`
		} `json:"history"`
	}
	r := spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--json")
	r.expect(t, 0)
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || len(l.History) < 3 {
		t.Fatalf("lookup --json: %v\n%s", err, r.stdout)
	}
	// The registration: the record as of its block, and found by its txid.
	reg := l.History[1]
	if reg.Op != "NAME_REGISTRATION" {
		t.Fatalf("alice.club's second operation is %s", reg.Op)
	}
	h := strconv.FormatUint(reg.Height, 10)
	spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--at", h).
		expect(t, 0, "as of           block "+h, "owner           "+reg.Owner, "NAME_REGISTRATION in block "+h)
	spvcheck(t, "lookup", strings.ToUpper(reg.Txid), "--datadir", dir, "--json").
		expect(t, 0, `"as_of": `+h, `"last_txid": "`+reg.Txid+`"`, `"owner_address": "`+reg.Owner+`"`)
	spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--at", "1").expect(t, 2, "outside the verified blocks")
	spvcheck(t, "prove", "alice.club", "--datadir", dir, "--at", "300").
		expect(t, 1, "block 300 holds no accepted operation on name alice.club", "its operations are in blocks "+strconv.FormatUint(l.History[0].Height, 10))
	spvcheck(t, "prove", "alice.club", "--datadir", dir, "--at", h, "-o", filepath.Join(t.TempDir(), "p")).expect(t, 0, "in block "+h)
	spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--at", "256", "--json").expect(t, 1, `"found": false`)
	spvcheck(t, "lookup", strings.Repeat("ab", 32), "--datadir", dir).expect(t, 1, "no accepted name operation with txid")

	spvcheck(t, "namespaces", "--datadir", dir).expect(t, 0, "4 namespaces, verified at block "+strconv.FormatUint(tip, 10), "club", "never expire")
	spvcheck(t, "namespaces", "club", "--datadir", dir, "--json").expect(t, 0, `"namespace_id": "club"`, `"buckets"`, tipHash)
	spvcheck(t, "namespaces", "nope", "--datadir", dir).expect(t, 1, `no namespace "nope"`)
	spvcheck(t, "namespaces", "CLUB", "--datadir", dir).expect(t, 2, "lower case")

	spvcheck(t, "owned", l.Summary.Owner, "--datadir", dir, "--json").expect(t, 0, `"alice.club"`, tipHash)
	spvcheck(t, "owned", "not-an-address", "--datadir", dir).expect(t, 2, "not a regtest address")

	spvcheck(t, "price", "zz.club", "--datadir", dir).expect(t, 0, "micro-STX at block "+strconv.FormatUint(tip+1, 10))
	spvcheck(t, "price", "zz.blog", "--datadir", dir, "--json").expect(t, 0, `"units": "BTC"`)
	spvcheck(t, "price", "zz.nowhere", "--datadir", dir).expect(t, 1, "does not exist")
	spvcheck(t, "price", "ZZ.club", "--datadir", dir).expect(t, 2, "lower case")
	spvcheck(t, "price", "newns", "--datadir", dir).expect(t, 0, "newns costs")

	// The zone file alice.club committed to (a real mainnet zone file the
	// demo's history announces) matches; 'zonefile' is the same command.
	var zl struct {
		Summary struct {
			Zone *string `json:"zonefile_hash"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--json").stdout), &zl); err != nil || zl.Summary.Zone == nil {
		t.Fatalf("alice.club has no zone-file hash (%v)", err)
	}
	zfs, err := testvectors.ZoneFilesByHash(*zl.Summary.Zone)
	if err != nil {
		t.Fatal(err)
	}
	zoneFile := filepath.Join(t.TempDir(), "alice.zone")
	if err := os.WriteFile(zoneFile, zfs[0].Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "zonefile", "check", zoneFile, "alice.club", "--datadir", dir).expect(t, 0, "match: ", *zl.Summary.Zone)
	spvcheck(t, "zonefiles", "check", zoneFile, "alice.blog", "--datadir", dir).expect(t, 1, "no match")

	// JSON leaves < and > as they are.
	odd := filepath.Join(t.TempDir(), "zone<1>.txt")
	if err := os.WriteFile(odd, []byte("$ORIGIN alice.club\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "zonefiles", "check", odd, "alice.club", "--datadir", dir, "--json").expect(t, 1, `zone<1>.txt"`, `"match": false`)

	// Every key a command prints with --json is in the schema its help
	// documents.
	for _, args := range [][]string{
		{"status"}, {"lookup", "alice.club"}, {"lookup", "alice.club", "--at", h}, {"names"}, {"namespaces"},
		{"namespaces", "club"}, {"owned", l.Summary.Owner}, {"price", "zz.club"}, {"balance", "--all"},
		{"audit", dir}, {"zonefiles", "check", "/dev/null", "alice.club"},
	} {
		full := append(append([]string(nil), args...), "--json")
		if args[0] != "audit" {
			full = append(full, "--datadir", dir)
		}
		r := spvcheck(t, full...)
		var top map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &top); err != nil {
			t.Fatalf("%v: not one JSON object: %v\n%s", full, err, r.stdout)
		}
		help := spvcheck(t, "help", args[0]).stdout
		for k, v := range top {
			if !strings.Contains(help, `"`+k+`"`) {
				t.Errorf("%v prints %q, which 'spvcheck help %s' does not document", full, k, args[0])
			}
			if string(v) == "null" && k != "zonefile_hash" && k != "tip" {
				t.Errorf("%v prints %q as null", full, k)
			}
		}
	}

	spvcheck(t, "balance", "--all", "--datadir", dir).expect(t, 0, "STACKS", "accounts, verified at block")
	spvcheck(t, "balance", l.Summary.Owner, "--datadir", dir, "--json").expect(t, 0, `"accounts": [`)
}
