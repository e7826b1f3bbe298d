package snapshot

import (
	"io"

	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// ReadFileInfo reads and checks only the header of a snapshot file: whose
// chain it holds and where it ends. The rest of the file is not verified; use
// Import or AuditFile for that.
func ReadFileInfo(r io.Reader) (*FileInfo, error) {
	h, err := sfile.NewReader(r).Header()
	if err != nil {
		return nil, fileErr(err, "reading the snapshot header")
	}
	return fileInfo(h), nil
}
