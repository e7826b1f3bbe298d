package judge

import (
	"fmt"
	"io"
	"os"
)

// Failure is one record that did not match, identified by its key (the
// record's id, or scenario/block).
type Failure struct {
	Key     string `json:"key"`
	Message string `json:"message"`
}

// Report is the outcome of judging one vector file.
type Report struct {
	Passed   int       `json:"passed"`
	Failed   int       `json:"failed"`
	Failures []Failure `json:"failures,omitempty"`
	// Notes are informational lines (documented, expected deviations), never
	// failures.
	Notes []string `json:"notes,omitempty"`
}

// Pass records a matching record.
func (r *Report) Pass() { r.Passed++ }

// Fail records a mismatch.
func (r *Report) Fail(key, format string, args ...any) {
	r.Failed++
	r.Failures = append(r.Failures, Failure{Key: key, Message: fmt.Sprintf(format, args...)})
}

// Check records a pass when err is nil and a failure otherwise.
func (r *Report) Check(key string, err error) {
	if err != nil {
		r.Fail(key, "%v", err)
		return
	}
	r.Pass()
}

// OK reports whether nothing failed.
func (r *Report) OK() bool { return r.Failed == 0 }

// WriteText prints one line per failure and the closing line
// "N passed, M failed", the contract of `spvcheck vectors`.
func (r *Report) WriteText(w io.Writer) error {
	for _, f := range r.Failures {
		if _, err := fmt.Fprintf(w, "FAIL %s: %s\n", f.Key, f.Message); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
	return err
}

// judgeFile opens a vector file and judges it with judge; the XxxFile
// variants of every judge share it.
func judgeFile(path string, judge func(io.Reader, string) (*Report, error)) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening vectors: %w", err)
	}
	defer f.Close()
	return judge(f, path)
}
