package testvectors

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/address/v2"
)

// zoneFilesTxt is zonefiles/name_zonefiles.txt, embedded so that the demo
// scenario, which announces some of these zone files, works from an
// installed binary as well as from the source tree.
//
//go:embed zonefiles/name_zonefiles.txt
var zoneFilesTxt []byte

// ZoneFilesName is the path of the real zone-file table below the
// testvectors directory, for Path and for error messages.
const ZoneFilesName = "zonefiles/name_zonefiles.txt"

// ZoneFile is one real mainnet zone file of zonefiles/name_zonefiles.txt.
type ZoneFile struct {
	// Hash is RIPEMD160(SHA256(Bytes)) in lowercase hex, the value hash a
	// name operation writes on chain.
	Hash string
	// Bytes is the zone file itself.
	Bytes []byte
}

// ZoneHash returns the zone-file hash of b: RIPEMD160(SHA256(b)) in
// lowercase hex.
func ZoneHash(b []byte) string { return hex.EncodeToString(address.Hash160(b)) }

// ParseZoneFiles reads the format of name_zonefiles.txt: pairs of lines, a
// 40-digit lowercase hex hash, then the zone file on one line with every
// newline written as the two characters `\` `n`. It undoes only that escape
// and checks every hash against its zone file; a file that breaks the
// format or whose hash does not match is a MalformedError naming the line.
// name is used in errors.
func ParseZoneFiles(r io.Reader, name string) ([]ZoneFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var out []ZoneFile
	line := 0
	var hash string
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if line%2 == 1 {
			if !isLowerHex(string(text), 40) {
				return nil, &MalformedError{File: name, Line: line, Err: fmt.Errorf("want a 40-digit lowercase hex zone-file hash, got %q", truncate(text))}
			}
			hash = string(text)
			continue
		}
		zone := bytes.ReplaceAll(text, []byte(`\n`), []byte("\n"))
		if got := ZoneHash(zone); got != hash {
			return nil, &MalformedError{File: name, Line: line, Err: fmt.Errorf("zone file hashes to %s, the line before says %s", got, hash)}
		}
		out = append(out, ZoneFile{Hash: hash, Bytes: zone})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if line%2 == 1 {
		return nil, &MalformedError{File: name, Line: line, Err: fmt.Errorf("hash without a zone file")}
	}
	if len(out) == 0 {
		return nil, &MalformedError{File: name, Line: 0, Err: fmt.Errorf("file is empty")}
	}
	return out, nil
}

// ZoneFilesExport returns a reader of the embedded name_zonefiles.txt as
// it is, for importers of that format (spvcheck's demo loads it into its
// data directory under the Atlas rule).
func ZoneFilesExport() io.Reader { return bytes.NewReader(zoneFilesTxt) }

// ZoneFiles returns the 1,631 real zone files of name_zonefiles.txt in file
// order, every hash checked. Each call parses the embedded table afresh
// (a few milliseconds), so callers own what they get.
func ZoneFiles() ([]ZoneFile, error) {
	return ParseZoneFiles(bytes.NewReader(zoneFilesTxt), ZoneFilesName)
}

// ZoneFilesByHash returns the real zone files with the given hashes, in
// the order asked, or an error naming the first hash the table lacks.
func ZoneFilesByHash(hashes ...string) ([]ZoneFile, error) {
	all, err := ZoneFiles()
	if err != nil {
		return nil, err
	}
	byHash := make(map[string]ZoneFile, len(all))
	for _, z := range all {
		byHash[z.Hash] = z
	}
	out := make([]ZoneFile, 0, len(hashes))
	for _, h := range hashes {
		z, ok := byHash[h]
		if !ok {
			return nil, fmt.Errorf("%s holds no zone file with hash %q", ZoneFilesName, h)
		}
		out = append(out, z)
	}
	return out, nil
}

func truncate(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
