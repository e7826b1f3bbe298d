// Package sfile reads and writes the framing of a snapshot file: the
// checksummed header, the checksummed sections of length-prefixed entries,
// and the end marker with the digest of the whole file. It knows nothing of
// what the entries mean; package snapshot gives them meaning and verifies
// them. The layout is documented in snapshot/doc.go.
//
// The reader streams: it holds one entry at a time, never allocates more
// than MaxEntry for one, and grows its buffer only as bytes arrive, so a
// hostile length costs no more memory than the bytes that back it.
package sfile
