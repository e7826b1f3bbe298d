package scenario

import "fmt"

// ErrorCode identifies a kind of failure of a scenario run. Every error the
// package returns is an *Error carrying one of these codes; test for them
// with errors.Is(err, scenario.ErrVerdict).
type ErrorCode int

// The failures a run reports.
const (
	// ErrBadScript is returned when a script cannot be run as written: an
	// unknown or duplicate participant, a step whose height is already
	// behind the chain, an operation the encoders refuse.
	ErrBadScript ErrorCode = iota + 1

	// ErrNode is returned when the node does not behave: an RPC fails, the
	// chain is not fresh, a block is refused or is not the one mined, a
	// transaction is refused by relay policy.
	ErrNode

	// ErrFunds is returned when a participant cannot pay for an operation.
	ErrFunds

	// ErrNotDecoded is returned when a transaction the script broadcast is
	// not decoded as an operation in the block that holds it.
	ErrNotDecoded

	// ErrVerdict is returned when the replay engine's verdict on an
	// operation differs from the step's expectation.
	ErrVerdict

	// ErrReplay is returned when the replay engine cannot process a block
	// at all.
	ErrReplay
)

// String returns the constant's name.
func (c ErrorCode) String() string {
	switch c {
	case ErrBadScript:
		return "ErrBadScript"
	case ErrNode:
		return "ErrNode"
	case ErrFunds:
		return "ErrFunds"
	case ErrNotDecoded:
		return "ErrNotDecoded"
	case ErrVerdict:
		return "ErrVerdict"
	case ErrReplay:
		return "ErrReplay"
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error makes an ErrorCode usable as the target of errors.Is.
func (c ErrorCode) Error() string { return c.String() }

// Error is the error type of this package. Step is the 1-based index of the
// script step that failed (0 for setup), so a message always names the
// step, its block and its note.
type Error struct {
	Code        ErrorCode
	Step        int
	Description string
	Err         error
}

// Error returns the description followed by the cause, if any.
func (e *Error) Error() string {
	s := "scenario: " + e.Description
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes both the code and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

func newError(code ErrorCode, step int, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Step: step, Description: fmt.Sprintf(format, args...), Err: cause}
}
