package ops

import (
	"errors"
	"fmt"
)

// ErrorCode identifies one reason why a transaction did not yield an
// operation, or why an encoder refused its arguments. Codes are what callers
// compare (with errors.Is against an Error carrying only the code, or with
// errors.As and a switch); descriptions are for humans.
type ErrorCode int

// The first group of codes means "not a Blockstack transaction": the
// reference indexer silently skips such transactions. Use IsIgnored to test
// for the whole group.
const (
	// ErrNoNullData: the transaction has no output of the form
	// OP_RETURN <single push>, or its last OP_RETURN output is malformed.
	ErrNoNullData ErrorCode = iota
	// ErrWrongMagic: the OP_RETURN data does not start with the magic bytes.
	ErrWrongMagic
	// ErrNoOpcode: the OP_RETURN data is the magic bytes and nothing else.
	ErrNoOpcode
	// ErrUnknownOpcode: the byte after the magic is none of the opcodes.
	ErrUnknownOpcode

	// numIgnoredCodes marks the end of the "ignored" group.
	numIgnoredCodes
)

// The codes below mean "a Blockstack operation, rejected by rule X": the
// reference's db_parse returned None (or raised) for it.
const (
	// ErrNoInputs: the transaction has no inputs, so there is no sender.
	ErrNoInputs ErrorCode = iota + 100
	// ErrSpentScripts: the spent-script list does not have one entry per input.
	ErrSpentScripts
	// ErrSenderType: some input spends an output that is not p2pkh or p2sh
	// (native segwit, p2pk, bare multisig, coinbase, non-standard).
	ErrSenderType
	// ErrOutputType: one of the outputs the operation reads is not
	// OP_RETURN, p2pkh or p2sh.
	ErrOutputType
	// ErrOutputCount: the transaction has the wrong number of outputs for
	// the operation (e.g. a NAME_PREORDER without exactly three).
	ErrOutputCount
	// ErrNoAddress: an output that must carry an address (recipient, burn,
	// NAME_IMPORT value hash) has a script without one.
	ErrNoAddress
	// ErrPayloadLength: the payload has a length the operation never takes.
	ErrPayloadLength
	// ErrEpochFeature: the payload form needs an epoch feature that is not
	// in force at this height (or is mandatory from this height on).
	ErrEpochFeature
	// ErrInvalidName: the name is not a valid fully-qualified name.
	ErrInvalidName
	// ErrInvalidNamespaceID: the namespace ID is not valid.
	ErrInvalidNamespaceID
	// ErrRegistrationTokenFee: a NAME_REGISTRATION carries a non-zero token
	// fee.
	ErrRegistrationTokenFee
	// ErrRenewalTokenFee: a NAME_RENEWAL lacks the token field that the
	// epoch requires (57-byte payload from epoch 4 on).
	ErrRenewalTokenFee
	// ErrTransferDisposition: a NAME_TRANSFER's first byte is neither '>'
	// nor '~'.
	ErrTransferDisposition
	// ErrNamespaceDelimiter: a NAMESPACE_READY payload does not start with '.'.
	ErrNamespaceDelimiter
	// ErrNamespaceParams: a NAMESPACE_REVEAL carries an unknown version or a
	// discount outside 1..15.
	ErrNamespaceParams

	// numRejectCodes marks the end of the "rejected" group.
	numRejectCodes
)

// Codes returned by encoders and helpers for arguments they refuse.
const (
	// ErrInvalidHash: a hex hash argument has the wrong length or is not hex.
	ErrInvalidHash ErrorCode = iota + 200
	// ErrInvalidAddress: an address does not decode for the network, or a
	// script has no address.
	ErrInvalidAddress
	// ErrInvalidAmount: an amount does not fit its field.
	ErrInvalidAmount
	// ErrInvalidArgument: another argument is out of range (scratch area too
	// long, token units too long, namespace parameters out of range).
	ErrInvalidArgument
	// ErrPayloadTooLong: the encoded payload would not fit an OP_RETURN of
	// 80 data bytes.
	ErrPayloadTooLong
	// ErrMalformedTx: raw transaction bytes do not deserialize.
	ErrMalformedTx
	// ErrDuplicateTxid: a block holds the same transaction twice (the
	// CVE-2012-2459 malleation, which keeps the block's Merkle root and
	// hash). ScanBlock refuses such a block rather than return an
	// operation twice.
	ErrDuplicateTxid

	// numArgumentCodes marks the end of the encoders' group.
	numArgumentCodes
)

// String returns the code's constant name.
func (c ErrorCode) String() string {
	switch c {
	case ErrNoNullData:
		return "ErrNoNullData"
	case ErrWrongMagic:
		return "ErrWrongMagic"
	case ErrNoOpcode:
		return "ErrNoOpcode"
	case ErrUnknownOpcode:
		return "ErrUnknownOpcode"
	case ErrNoInputs:
		return "ErrNoInputs"
	case ErrSpentScripts:
		return "ErrSpentScripts"
	case ErrSenderType:
		return "ErrSenderType"
	case ErrOutputType:
		return "ErrOutputType"
	case ErrOutputCount:
		return "ErrOutputCount"
	case ErrNoAddress:
		return "ErrNoAddress"
	case ErrPayloadLength:
		return "ErrPayloadLength"
	case ErrEpochFeature:
		return "ErrEpochFeature"
	case ErrInvalidName:
		return "ErrInvalidName"
	case ErrInvalidNamespaceID:
		return "ErrInvalidNamespaceID"
	case ErrRegistrationTokenFee:
		return "ErrRegistrationTokenFee"
	case ErrRenewalTokenFee:
		return "ErrRenewalTokenFee"
	case ErrTransferDisposition:
		return "ErrTransferDisposition"
	case ErrNamespaceDelimiter:
		return "ErrNamespaceDelimiter"
	case ErrNamespaceParams:
		return "ErrNamespaceParams"
	case ErrInvalidHash:
		return "ErrInvalidHash"
	case ErrInvalidAddress:
		return "ErrInvalidAddress"
	case ErrInvalidAmount:
		return "ErrInvalidAmount"
	case ErrInvalidArgument:
		return "ErrInvalidArgument"
	case ErrPayloadTooLong:
		return "ErrPayloadTooLong"
	case ErrMalformedTx:
		return "ErrMalformedTx"
	case ErrDuplicateTxid:
		return "ErrDuplicateTxid"
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error makes every code an error, so errors.Is(err, ops.ErrInvalidName)
// tests for it, as in the other packages.
func (c ErrorCode) Error() string { return c.String() }

// Ignored reports whether the code means "not a Blockstack transaction".
func (c ErrorCode) Ignored() bool { return c >= 0 && c < numIgnoredCodes }

// Error is the error type of this package: a code and a description.
type Error struct {
	Code        ErrorCode
	Description string
	// Kind is the operation being decoded or encoded, if known.
	Kind Kind
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Kind != "" {
		return fmt.Sprintf("%s: %s", e.Kind, e.Description)
	}
	return e.Description
}

// Is lets errors.Is match the error's code, so callers can write
// errors.Is(err, ops.ErrInvalidName), or match any *Error with the same
// code, as in errors.Is(err, &ops.Error{Code: ops.ErrInvalidName}).
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return t == e.Code
	case *Error:
		return t.Code == e.Code
	}
	return false
}

func newError(code ErrorCode, kind Kind, format string, args ...any) *Error {
	return &Error{Code: code, Kind: kind, Description: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err if it is (or wraps) an *Error.
func CodeOf(err error) (ErrorCode, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// IsIgnored reports whether err says the transaction is not a Blockstack
// transaction at all (no data, other magic, unknown opcode), as opposed to a
// Blockstack operation that a rule rejected.
func IsIgnored(err error) bool {
	c, ok := CodeOf(err)
	return ok && c.Ignored()
}
