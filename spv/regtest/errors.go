package regtest

import "fmt"

// ErrorCode identifies a kind of failure in this package. Every error
// returned by the package is an *Error carrying one of these codes, so
// callers test for a failure with errors.Is(err, regtest.ErrNodeExited)
// rather than by matching text.
type ErrorCode int

// The failures this package reports.
const (
	// ErrBuildFailed is returned when btcd cannot be built from the
	// module graph (no go tool, no module root, compile error).
	ErrBuildFailed ErrorCode = iota + 1

	// ErrStartFailed is returned when the btcd process cannot be started
	// or does not answer RPC before the start deadline.
	ErrStartFailed

	// ErrNodeExited is returned when the btcd process exits while it is
	// expected to be running.
	ErrNodeExited

	// ErrRPCTransport is returned when an RPC request cannot be sent or
	// its reply cannot be read (connection refused, timeout, bad HTTP).
	ErrRPCTransport

	// ErrRPCServer is returned when the node answers an RPC with an
	// error object; the *RPCError with the node's code is wrapped.
	ErrRPCServer

	// ErrRPCDecode is returned when a reply does not have the expected
	// shape (bad JSON, bad hex, bad block or transaction bytes).
	ErrRPCDecode

	// ErrInsufficientFunds is returned when the wallet holds too little
	// spendable value under a key to pay for a transaction.
	ErrInsufficientFunds

	// ErrBadTemplate is returned when a transaction template cannot be
	// completed: change slot out of range, dust change, negative values.
	ErrBadTemplate

	// ErrSigning is returned when an input cannot be signed.
	ErrSigning
)

var errorCodeNames = map[ErrorCode]string{
	ErrBuildFailed:       "ErrBuildFailed",
	ErrStartFailed:       "ErrStartFailed",
	ErrNodeExited:        "ErrNodeExited",
	ErrRPCTransport:      "ErrRPCTransport",
	ErrRPCServer:         "ErrRPCServer",
	ErrRPCDecode:         "ErrRPCDecode",
	ErrInsufficientFunds: "ErrInsufficientFunds",
	ErrBadTemplate:       "ErrBadTemplate",
	ErrSigning:           "ErrSigning",
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

	portClash bool // start failed because a chosen port was taken
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

// RPCError is the error object of a JSON-RPC reply: the node's numeric code
// (btcjson.RPCErrorCode values) and its message. It is wrapped inside an
// *Error with code ErrRPCServer.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }
