package snapshot

import "fmt"

// ErrorCode identifies one kind of failure of the store, the snapshot file
// codec or the audit. Every code is itself an error, so callers test for a
// failure with errors.Is(err, snapshot.ErrHeightGap) and never by matching
// strings; errors.As with *Error gives the description as well.
type ErrorCode int

// The failures this package reports.
const (
	// ErrNotAStore is returned when a directory holds files that are not a
	// spvcheck store (not a Pebble database, or one without store metadata).
	// The directory is left exactly as it was.
	ErrNotAStore ErrorCode = iota + 1

	// ErrStoreNotFound is returned when a store is opened read-only, or
	// imported into, at a directory that holds no store.
	ErrStoreNotFound

	// ErrCorrupt is returned when the store's own bookkeeping cannot be
	// decoded or contradicts itself: a damaged undo record, a missing block
	// summary below the tip, an unreadable Pebble database.
	ErrCorrupt

	// ErrFormatVersion is returned for a store or snapshot file written in a
	// format version this build does not read.
	ErrFormatVersion

	// ErrNetworkMismatch is returned when a store or snapshot file belongs to
	// another network than the one asked for.
	ErrNetworkMismatch

	// ErrParamsMismatch is returned when a store or snapshot file was built
	// with other consensus parameters than the ones asked for.
	ErrParamsMismatch

	// ErrMissingIdentity is returned when a new store is created without a
	// network name or parameters fingerprint.
	ErrMissingIdentity

	// ErrReadOnly is returned by a write to a store opened read-only.
	ErrReadOnly

	// ErrClosed is returned by any use of a closed store.
	ErrClosed

	// ErrInvalidCommit is returned for a BlockCommit that breaks its contract:
	// nil, writes not sorted or repeated, hashes that are not lower-case hex
	// of the right length, or (with Options.VerifyPriors) a write whose
	// Prior is not the value the key held.
	ErrInvalidCommit

	// ErrHeightGap is returned when a block's height is not the one after the
	// tip.
	ErrHeightGap

	// ErrRewindBeyondWindow is returned when a rewind reaches a block whose
	// undo record has been pruned (older than the undo window, or below the
	// height a snapshot file was imported at).
	ErrRewindBeyondWindow

	// ErrRewindBeyondHeight is returned when a rewind asks for more blocks
	// than the store holds.
	ErrRewindBeyondHeight

	// ErrNoSuchHeight is returned by a per-height getter for a height the
	// store holds no block for.
	ErrNoSuchHeight

	// ErrFileMagic is returned when a snapshot file does not start with the
	// snapshot magic.
	ErrFileMagic

	// ErrFileTruncated is returned when a snapshot file ends early.
	ErrFileTruncated

	// ErrFileChecksum is returned when a header or section checksum of a
	// snapshot file does not match its contents.
	ErrFileChecksum

	// ErrFileMalformed is returned when a snapshot file's structure is wrong:
	// unknown or misplaced section, oversized or undecodable entry, keys out
	// of order, bytes after the end marker.
	ErrFileMalformed

	// ErrChainBroken is returned when the per-height data of a snapshot file
	// or store is not one consecutive chain from the first block to the tip,
	// or its tip disagrees with the header.
	ErrChainBroken

	// ErrOpsHashMismatch is returned when a block's ops hash recomputed from
	// its committed records differs from the stored one.
	ErrOpsHashMismatch

	// ErrConsensusHashMismatch is returned when a block's consensus hash
	// recomputed from its ops hash and earlier consensus hashes differs from
	// the stored one.
	ErrConsensusHashMismatch

	// ErrDestinationExists is returned when an import target directory
	// already exists.
	ErrDestinationExists

	// ErrStoreLocked is returned when a store is already open, in this
	// process or another: Pebble allows one user of a directory at a time.
	ErrStoreLocked
)

// String returns the code's name.
func (c ErrorCode) String() string {
	switch c {
	case ErrNotAStore:
		return "ErrNotAStore"
	case ErrStoreNotFound:
		return "ErrStoreNotFound"
	case ErrCorrupt:
		return "ErrCorrupt"
	case ErrFormatVersion:
		return "ErrFormatVersion"
	case ErrNetworkMismatch:
		return "ErrNetworkMismatch"
	case ErrParamsMismatch:
		return "ErrParamsMismatch"
	case ErrMissingIdentity:
		return "ErrMissingIdentity"
	case ErrReadOnly:
		return "ErrReadOnly"
	case ErrClosed:
		return "ErrClosed"
	case ErrInvalidCommit:
		return "ErrInvalidCommit"
	case ErrHeightGap:
		return "ErrHeightGap"
	case ErrRewindBeyondWindow:
		return "ErrRewindBeyondWindow"
	case ErrRewindBeyondHeight:
		return "ErrRewindBeyondHeight"
	case ErrNoSuchHeight:
		return "ErrNoSuchHeight"
	case ErrFileMagic:
		return "ErrFileMagic"
	case ErrFileTruncated:
		return "ErrFileTruncated"
	case ErrFileChecksum:
		return "ErrFileChecksum"
	case ErrFileMalformed:
		return "ErrFileMalformed"
	case ErrChainBroken:
		return "ErrChainBroken"
	case ErrOpsHashMismatch:
		return "ErrOpsHashMismatch"
	case ErrConsensusHashMismatch:
		return "ErrConsensusHashMismatch"
	case ErrDestinationExists:
		return "ErrDestinationExists"
	case ErrStoreLocked:
		return "ErrStoreLocked"
	}
	return fmt.Sprintf("Unknown ErrorCode (%d)", int(c))
}

// Error makes every code usable as an errors.Is target.
func (c ErrorCode) Error() string { return c.String() }

// Error is a failure of this package: a code, a description saying what was
// found, and the underlying cause when there is one.
type Error struct {
	Code        ErrorCode
	Description string
	Err         error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("snapshot: %s: %v", e.Description, e.Err)
	}
	return "snapshot: " + e.Description
}

// Unwrap exposes both the code and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// newError builds an *Error with a formatted description.
func newError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// wrapError builds an *Error that wraps cause.
func wrapError(code ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Err: cause}
}
