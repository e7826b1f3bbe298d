package spv

import "fmt"

// ErrorCode identifies a kind of failure of the light client. Every error
// the package returns is an *Error carrying one of these codes (or a
// context error when the caller's context ended), so callers branch with
// errors.Is(err, spv.ErrPeerLost) and never on text.
type ErrorCode int

// The failures the light client reports.
const (
	// ErrConfig is returned by New when the Config is unusable.
	ErrConfig ErrorCode = iota + 1

	// ErrDatabase is returned when the header database cannot be opened
	// or the chain service cannot be created on it.
	ErrDatabase

	// ErrPeerUnreachable is returned by Start when no peer connected in
	// time and a peer address refuses or drops TCP connections.
	ErrPeerUnreachable

	// ErrWrongNetwork is returned by Start when a peer answers on a
	// different Bitcoin network than Config.Params.
	ErrWrongNetwork

	// ErrHandshakeFailed is returned by Start when a peer accepts TCP
	// but does not complete the version handshake.
	ErrHandshakeFailed

	// ErrNoPeers is returned by Start when no peer connected within
	// Config.PeerTimeout for a reason the probe could not name.
	ErrNoPeers

	// ErrPeerLost is returned by WaitSynced and Blocks when every peer
	// has been disconnected for longer than Config.PeerTimeout.
	ErrPeerLost

	// ErrFetchBlock is returned when a block cannot be fetched (or fails
	// neutrino's checks against its header) within Config.FetchTimeout.
	ErrFetchBlock

	// ErrResumeMismatch is returned by Follow and CatchUp when the
	// cursor's hash is not the header chain's block at the cursor's
	// height and that chain reaches above it (a longer, heavier competing
	// chain): the consumer's last block was orphaned while it was not
	// running. Rewind the store by one block and resume from there. A
	// chain that ends at or below the cursor is never a reason to rewind:
	// the client waits for it within Config.StallTimeout (see Stall).
	ErrResumeMismatch

	// ErrReorgTooDeep is returned by Blocks when a reorganisation reaches
	// below the oldest delivered block it still remembers
	// (Config.MaxReorgDepth).
	ErrReorgTooDeep

	// ErrNotStarted is returned when a method needing a running client is
	// called before Start or after Stop.
	ErrNotStarted

	// ErrHeaderStore is returned when neutrino's header store cannot
	// answer a lookup it should be able to answer.
	ErrHeaderStore

	// ErrSpentOutput is returned by the exact sender lookup when a
	// previous output cannot be fetched from the node.
	ErrSpentOutput

	// ErrStalled is returned by WaitSynced when the peers announced more
	// than they delivered and no peer made progress within two
	// Config.StallTimeout windows (the first drops the peers whose claims
	// were not met). The description names the peers and their claims.
	ErrStalled

	// ErrLowWork is returned by Follow and CatchUp when the peers have
	// nothing more to give and their verified header chain still does not
	// reach the network's trust floor: it ends below the network's last
	// checkpoint, or holds less than Config.MinChainWork. Such a chain is
	// refused; nothing above the last checkpoint it reaches is delivered.
	ErrLowWork
)

var errorCodeNames = map[ErrorCode]string{
	ErrConfig:          "ErrConfig",
	ErrDatabase:        "ErrDatabase",
	ErrPeerUnreachable: "ErrPeerUnreachable",
	ErrWrongNetwork:    "ErrWrongNetwork",
	ErrHandshakeFailed: "ErrHandshakeFailed",
	ErrNoPeers:         "ErrNoPeers",
	ErrPeerLost:        "ErrPeerLost",
	ErrFetchBlock:      "ErrFetchBlock",
	ErrResumeMismatch:  "ErrResumeMismatch",
	ErrReorgTooDeep:    "ErrReorgTooDeep",
	ErrNotStarted:      "ErrNotStarted",
	ErrHeaderStore:     "ErrHeaderStore",
	ErrSpentOutput:     "ErrSpentOutput",
	ErrStalled:         "ErrStalled",
	ErrLowWork:         "ErrLowWork",
}

// String returns the constant's name.
func (c ErrorCode) String() string {
	if s, ok := errorCodeNames[c]; ok {
		return s
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
	if e.Err != nil {
		return e.Description + ": " + e.Err.Error()
	}
	return e.Description
}

// Unwrap exposes both the code and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

func newError(code ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Err: cause}
}
