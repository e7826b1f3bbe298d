package zonefiles

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
)

// MaxSize is the largest zone file accepted, in bytes (the reference's
// RPC_MAX_ZONEFILE_LEN, config.py:209).
const MaxSize = 40960

// HashLen is the length of a zone-file hash in hex digits.
const HashLen = 40

// ErrorCode identifies one kind of failure of this package; every code is
// an error, matched with errors.Is.
type ErrorCode int

const (
	// ErrTooLarge: the zone file is longer than MaxSize bytes.
	ErrTooLarge ErrorCode = iota + 1
	// ErrBadHash: a string that is not 40 hex digits was given as a hash.
	ErrBadHash
	// ErrHashMismatch: bytes do not hash to the hash they were given with.
	ErrHashMismatch
	// ErrMalformed: an export file entry that cannot be read.
	ErrMalformed
)

func (c ErrorCode) Error() string {
	switch c {
	case ErrTooLarge:
		return "zone file too large"
	case ErrBadHash:
		return "not a zone-file hash"
	case ErrHashMismatch:
		return "zone file does not match its hash"
	case ErrMalformed:
		return "malformed zone-file entry"
	}
	return fmt.Sprintf("zonefiles error %d", int(c))
}

// Hash returns the zone-file hash of b: RIPEMD160(SHA256(b)) in lower-case
// hex.
func Hash(b []byte) string { return hex.EncodeToString(address.Hash160(b)) }

// ValidHash reports whether h is a zone-file hash: 40 hex digits (either
// case).
func ValidHash(h string) bool {
	if len(h) != HashLen {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// Store is a directory of zone files. It is safe for concurrent use, also
// by several processes: every write is a rename of a complete file.
type Store struct {
	dir string
}

// Open returns the store in dir, creating the directory if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("zonefiles: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(hash string) string {
	return filepath.Join(s.dir, hash[:2], hash)
}

// Put stores b under its hash and returns the hash. Storing a file that is
// already there is a no-op.
func (s *Store) Put(b []byte) (string, error) {
	if len(b) > MaxSize {
		return "", fmt.Errorf("zonefiles: %d bytes: %w", len(b), ErrTooLarge)
	}
	h := Hash(b)
	if old, ok, err := s.Get(h); err == nil && ok && bytes.Equal(old, b) {
		return h, nil
	}
	p := s.path(h)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("zonefiles: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+h+"-*")
	if err != nil {
		return "", fmt.Errorf("zonefiles: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("zonefiles: storing %s: %w", h, err)
	}
	return h, nil
}

// Get returns the zone file with hash h. ok is false when the store does
// not hold it. Bytes that no longer hash to h are removed and reported as
// absent.
func (s *Store) Get(h string) (b []byte, ok bool, err error) {
	if !ValidHash(h) {
		return nil, false, fmt.Errorf("zonefiles: %q: %w", h, ErrBadHash)
	}
	h = strings.ToLower(h)
	p := s.path(h)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("zonefiles: %w", err)
	}
	defer f.Close()
	b, err = io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, false, fmt.Errorf("zonefiles: reading %s: %w", h, err)
	}
	n := len(b)
	if n > MaxSize || Hash(b) != h {
		// Damaged or replaced behind our back: never serve it.
		os.Remove(p)
		return nil, false, nil
	}
	return b, true, nil
}

// Has reports whether the store holds a valid zone file with hash h.
func (s *Store) Has(h string) (bool, error) {
	_, ok, err := s.Get(h)
	return ok, err
}

// Hashes returns the hashes of the files in the store, sorted, without
// re-hashing them.
func (s *Store) Hashes() ([]string, error) {
	var out []string
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		name := d.Name()
		if len(name) == HashLen && ValidHash(name) && filepath.Base(filepath.Dir(path)) == name[:2] {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("zonefiles: %w", err)
	}
	return out, nil // WalkDir visits in lexical order
}
