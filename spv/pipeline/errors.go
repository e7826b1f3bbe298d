package pipeline

import (
	"context"
	"errors"
	"fmt"
)

// ErrorCode identifies a kind of failure of a sync. Every error Run returns
// is an *Error carrying one of these codes, or the context's error when the
// caller's context ended. The cause stays reachable: errors.Is(err,
// pipeline.ErrSource) and errors.Is(err, spv.ErrPeerLost) both hold for a
// lost peer.
type ErrorCode int

// The failures a sync reports.
const (
	// ErrConfig is returned when the Config is unusable: no store, no
	// params, neither a Source nor a light-client configuration.
	ErrConfig ErrorCode = iota + 1

	// ErrStoreMismatch is returned when the store was built for another
	// network or under other consensus parameters than the Config's.
	ErrStoreMismatch

	// ErrSource is returned when the block source fails: no peer could be
	// reached, a peer is on another network, every peer went away, a block
	// could not be fetched. The spv error is wrapped.
	ErrSource

	// ErrSenders is returned when exact-mode sender lookup fails (the
	// node that serves previous transactions is unreachable or wrong).
	ErrSenders

	// ErrReplay is returned when the consensus engine cannot process a
	// block at all (not an operation's rejection, which is normal).
	ErrReplay

	// ErrStore is returned when the store cannot be read, committed to or
	// rewound for a reason other than the undo window.
	ErrStore

	// ErrRewindBeyondUndo is returned when the chain the store was built
	// on has been replaced below the oldest block the store can still
	// undo (snapshot Options.UndoWindow, or an import point): a reorg
	// deeper than the window, or a stored tip orphaned while offline by
	// more blocks than the window. The store is left as it was.
	ErrRewindBeyondUndo

	// ErrBadBlock is returned when the source delivers a block that fails
	// spvcheck's own checks, made before any operation is decoded: its
	// hash is not the verified header's, its Merkle root is not the
	// header's, a txid repeats, its coinbase is missing or doubled, or its
	// witness data does not match its commitment. Nothing of it is stored.
	ErrBadBlock
)

// String returns the constant's name.
func (c ErrorCode) String() string {
	switch c {
	case ErrConfig:
		return "ErrConfig"
	case ErrStoreMismatch:
		return "ErrStoreMismatch"
	case ErrSource:
		return "ErrSource"
	case ErrSenders:
		return "ErrSenders"
	case ErrReplay:
		return "ErrReplay"
	case ErrStore:
		return "ErrStore"
	case ErrRewindBeyondUndo:
		return "ErrRewindBeyondUndo"
	case ErrBadBlock:
		return "ErrBadBlock"
	}
	if name, ok := guardCodeName(c); ok {
		return name
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error makes an ErrorCode usable as the target of errors.Is.
func (c ErrorCode) Error() string { return c.String() }

// Error is the error type of this package: a code, a description of the
// particular failure and, when there is one, the underlying cause.
type Error struct {
	Code        ErrorCode
	Description string
	Err         error
}

// Error returns the description followed by the cause, if any.
func (e *Error) Error() string {
	if e.Err == nil {
		return "pipeline: " + e.Description
	}
	return "pipeline: " + e.Description + ": " + e.Err.Error()
}

// Unwrap exposes both the code and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Code}
	}
	return []error{e.Code, e.Err}
}

func newError(code ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Err: cause}
}

// isContextErr reports whether err is (or wraps) a context's end.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
