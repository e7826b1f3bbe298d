package testvectors

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

// The embedded table is the file on disk, byte for byte, and the file is
// the one the README names (its sha256); every hash matches its zone file.
func TestZoneFiles(t *testing.T) {
	disk, err := os.ReadFile(Path(ZoneFilesName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, zoneFilesTxt) {
		t.Fatal("embedded zone-file table differs from the file")
	}
	sum := sha256.Sum256(disk)
	if got := hex.EncodeToString(sum[:]); got != "a256860023e6e5a17e07cc647cb01fe75605ecd70a648d9608be3f635874be0e" {
		t.Fatalf("name_zonefiles.txt sha256 %s, not the README's", got)
	}
	all, err := ZoneFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1631 {
		t.Fatalf("%d zone files, the README says 1,631", len(all))
	}
	seen := map[string]bool{}
	largest := 0
	for _, z := range all {
		if seen[z.Hash] {
			t.Errorf("hash %s twice", z.Hash)
		}
		seen[z.Hash] = true
		largest = max(largest, len(z.Bytes))
	}
	if largest != 34762 {
		t.Errorf("largest zone file %d bytes, the README says 34,762", largest)
	}
	// judecn.id's zone file: the value hash of the real NAME_UPDATE the
	// README mentions.
	zs, err := ZoneFilesByHash("737c631c7c5d911c6617993c21fba731363f1cfe")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(zs[0].Bytes), "$ORIGIN judecn.id\n$TTL 3600\n") {
		t.Errorf("judecn.id zone file starts %q", zs[0].Bytes[:40])
	}
	if _, err := ZoneFilesByHash("0000000000000000000000000000000000000000"); err == nil {
		t.Error("an unknown hash was found")
	}
}

func TestParseZoneFilesMalformed(t *testing.T) {
	good := "$ORIGIN a.id\\n$TTL 3600\\n"
	goodHash := ZoneHash([]byte("$ORIGIN a.id\n$TTL 3600\n"))
	for _, tc := range []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 0, "empty"},
		{"hash without zone file", goodHash + "\n", 1, "without a zone file"},
		{"short hash", "abc\n" + good + "\n", 1, "40-digit"},
		{"upper-case hash", strings.ToUpper(goodHash) + "\n" + good + "\n", 1, "40-digit"},
		{"wrong hash", strings.Repeat("0", 40) + "\n" + good + "\n", 2, "hashes to " + goodHash},
		{"escape not undone would mismatch", goodHash + "\n" + strings.ReplaceAll(good, `\n`, `\\n`) + "\n", 2, "hashes to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseZoneFiles(strings.NewReader(tc.in), "x.txt")
			var m *MalformedError
			if !errors.As(err, &m) || m.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a MalformedError at line %d containing %q", err, tc.line, tc.want)
			}
		})
	}
	zs, err := ParseZoneFiles(strings.NewReader(goodHash+"\n"+good+"\n"), "x.txt")
	if err != nil || len(zs) != 1 || string(zs[0].Bytes) != "$ORIGIN a.id\n$TTL 3600\n" || zs[0].Hash != goodHash {
		t.Fatalf("got %+v, %v", zs, err)
	}
}
