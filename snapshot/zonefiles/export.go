package zonefiles

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Entry is one zone file of an export file.
type Entry struct {
	// Line is the 1-based line number of the entry's hash line.
	Line int
	// Hash is the hash line, lower-cased.
	Hash string
	// Data is the zone file's bytes.
	Data []byte
	// Err is nil for a usable entry; otherwise an error wrapping
	// ErrMalformed, ErrBadHash, ErrTooLarge or ErrHashMismatch, and Data may
	// be nil.
	Err error
}

// maxLine bounds one line of an export file: a zone file of MaxSize bytes
// that is all newlines doubles in its escaped form.
const maxLine = 2*MaxSize + 64

// ParseExport reads an export file (hash line, escaped zone-file line,
// repeated) and calls fn for every entry in order until fn returns an
// error. An entry that cannot be used is passed with Err set and reading
// goes on; ParseExport itself fails only on an I/O error, an over-long
// line, or fn's error.
func ParseExport(r io.Reader, fn func(Entry) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		hashLine := strings.TrimRight(sc.Text(), "\r")
		if hashLine == "" {
			continue // blank separator lines are tolerated
		}
		e := Entry{Line: line, Hash: strings.ToLower(strings.TrimSpace(hashLine))}
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return fmt.Errorf("zonefiles: line %d: %w", line+1, err)
			}
			e.Err = fmt.Errorf("zonefiles: line %d: hash without a zone file: %w", line, ErrMalformed)
			return fn(e)
		}
		line++
		body := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		switch {
		case !ValidHash(e.Hash):
			e.Err = fmt.Errorf("zonefiles: line %d: %q: %w", e.Line, hashLine, ErrBadHash)
		default:
			data := bytes.ReplaceAll(body, []byte(`\n`), []byte("\n"))
			switch {
			case len(data) > MaxSize:
				e.Err = fmt.Errorf("zonefiles: line %d: %d bytes: %w", line, len(data), ErrTooLarge)
			case Hash(data) != e.Hash:
				e.Err = fmt.Errorf("zonefiles: line %d: hashes to %s, not %s: %w", line, Hash(data), e.Hash, ErrHashMismatch)
			default:
				e.Data = data
			}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("zonefiles: line %d: %w", line+1, err)
	}
	return nil
}
