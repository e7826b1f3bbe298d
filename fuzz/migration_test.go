package fuzz

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/ops/c32"
	"github.com/spvcheck/spvcheck/snapshot/migration"
	"github.com/spvcheck/spvcheck/testvectors"
)

// FuzzC32CheckDecode: whatever c32check string decodes re-encodes to one
// that decodes to the same bytes. Seeded with the c32check vectors.
func FuzzC32CheckDecode(f *testing.F) {
	raw, err := os.ReadFile(testvectors.Path("c32", "vectors.json"))
	if err != nil {
		f.Fatal(err)
	}
	var v struct {
		CheckEncode []struct {
			C32check string `json:"c32check"`
		} `json:"check_encode"`
		Invalid []string `json:"invalid_check_decode"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || len(v.CheckEncode) == 0 {
		f.Fatalf("c32 vectors: %v", err)
	}
	for _, c := range v.CheckEncode {
		f.Add(c.C32check)
	}
	for _, s := range v.Invalid {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, data, err := c32.CheckDecode(s)
		if err != nil {
			return
		}
		again, err := c32.CheckEncode(v, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, d2, err := c32.CheckDecode(again); err != nil || hex.EncodeToString(d2) != hex.EncodeToString(data) {
			t.Fatalf("%s decoded to %x, re-encoded as %s", s, data, again)
		}
	})
}

// FuzzChainstateNames: any input either parses into sorted, valid rows that
// survive a write and read, or fails with a FormatError.
func FuzzChainstateNames(f *testing.F) {
	raw, err := os.ReadFile(testvectors.Path("stacks2", "chainstate-test.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(raw))
	f.Add("-----BEGIN NAMES-----\nname,address,zonefile_hash\n-----END NAMES-----\n")
	f.Fuzz(func(t *testing.T, in string) {
		names, err := migration.ReadNames(strings.NewReader(in))
		if err != nil {
			var fe *migration.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := migration.WriteNames(&buf, names); err != nil {
			t.Fatal(err)
		}
		again, err := migration.ReadNames(&buf)
		if err != nil || len(again) != len(names) {
			t.Fatalf("rewritten table: %v (%d of %d rows)", err, len(again), len(names))
		}
		if d := migration.Compare(names, again); len(d) != 0 {
			t.Fatalf("rewritten table differs: %v", d)
		}
	})
}
