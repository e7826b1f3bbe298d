package testvectors

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// MalformedError reports a line of a vector file that is not a valid record.
type MalformedError struct {
	File string
	Line int
	Err  error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("%s:%d: malformed record: %v", e.File, e.Line, e.Err)
}

func (e *MalformedError) Unwrap() error { return e.Err }

// ReadJSONL decodes every non-empty line of r into a new T and calls fn with
// it and its 1-based line number. name is used in errors. Unknown fields are
// allowed (the files carry provenance notes), but every line must be a JSON
// object that decodes into T.
func ReadJSONL[T any](r io.Reader, name string, fn func(line int, rec *T) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if b[0] != '{' {
			return &MalformedError{File: name, Line: line, Err: fmt.Errorf("not a JSON object")}
		}
		rec := new(T)
		if err := json.Unmarshal(b, rec); err != nil {
			return &MalformedError{File: name, Line: line, Err: err}
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if line == 0 {
		return &MalformedError{File: name, Line: 0, Err: fmt.Errorf("file is empty")}
	}
	return nil
}

// ReadJSONLFile is ReadJSONL on a file path.
func ReadJSONLFile[T any](path string, fn func(line int, rec *T) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening vectors: %w", err)
	}
	defer f.Close()
	return ReadJSONL(f, path, fn)
}
