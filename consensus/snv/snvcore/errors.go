package snvcore

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorCode identifies why a proof could not be built, decoded or verified.
// It is what `spvcheck verify-proof` reports and what tests assert.
type ErrorCode int

const (
	// ErrUnknownEncoding is returned by Decode for input that starts with
	// neither the binary magic nor a JSON object.
	ErrUnknownEncoding ErrorCode = iota + 1
	// ErrBadMagic: binary input does not start with "SNVP".
	ErrBadMagic
	// ErrUnsupportedVersion: a proof or Bitcoin-evidence version this
	// package does not know.
	ErrUnsupportedVersion
	// ErrTruncated: binary input ends inside a field.
	ErrTruncated
	// ErrTrailingData: bytes follow a complete binary proof, or a JSON
	// value follows the proof object.
	ErrTrailingData
	// ErrLimitExceeded: a count or length is above the encoding's bound
	// (MaxSteps, MaxPrevs, MaxRecords, MaxRecordLen, MaxTxLen,
	// MaxBranch, MaxHeaders, MaxNameLen).
	ErrLimitExceeded
	// ErrNonCanonical: input that no encoder writes (unknown flag bits or
	// selector kind, upper-case or wrongly sized hex, two selectors).
	ErrNonCanonical
	// ErrBadJSON: the JSON form is not a valid proof object.
	ErrBadJSON
	// ErrNotRepresentable: a proof the JSON form cannot carry exactly (a
	// record or name that is not valid UTF-8).
	ErrNotRepresentable

	// ErrTrustedHash: the caller's trusted consensus hash is not 32
	// lower-case hex characters.
	ErrTrustedHash
	// ErrTrustedHeight: the proof starts at another height than the one
	// the caller trusts.
	ErrTrustedHeight
	// ErrFirstBlock: the proof's first block differs from the one the
	// caller pinned, or lies above the trusted height.
	ErrFirstBlock
	// ErrTargetHeight: the target block is above the trusted height or
	// below the first block.
	ErrTargetHeight
	// ErrHeightRange: a height in the proof is above MaxHeight.
	ErrHeightRange
	// ErrStepHeight: a step is not at the height the skip list leads to.
	ErrStepHeight
	// ErrPrevCount: a step does not carry one consensus hash per previous
	// height (digest.PrevHeights).
	ErrPrevCount
	// ErrConsensusMismatch: a step's ops hash and previous hashes do not
	// hash to the consensus hash already trusted for its height.
	ErrConsensusMismatch
	// ErrMissingStep: the steps end before reaching the target block.
	ErrMissingStep
	// ErrExtraStep: steps follow the one at the target block.
	ErrExtraStep
	// ErrOpsHashMismatch: the target's records do not hash to its trusted
	// ops hash.
	ErrOpsHashMismatch
	// ErrRecordMalformed: an authenticated record is not a canonical
	// serialization (opcode, ':', length-prefixed values).
	ErrRecordMalformed
	// ErrNotSelected: no record of the target block matches the selector.
	ErrNotSelected

	// ErrBitcoinMissing: the caller requires Bitcoin evidence and the
	// proof has none.
	ErrBitcoinMissing
	// ErrTxMalformed: the evidence transaction does not decode, is not in
	// canonical encoding, or is 64 bytes long (ambiguous with a Merkle
	// node).
	ErrTxMalformed
	// ErrTxidMismatch: the evidence transaction is not the selected
	// operation's transaction.
	ErrTxidMismatch
	// ErrMerkleBranch: the branch does not lead from the transaction to
	// the header's Merkle root, or its index is out of range.
	ErrMerkleBranch
	// ErrProofOfWork: a header's hash is above its target, or its target
	// is not positive or above the network's limit.
	ErrProofOfWork
	// ErrHeaderLink: a header does not name the previous one as parent.
	ErrHeaderLink
	// ErrConfirmations: fewer headers than the caller asked for.
	ErrConfirmations

	// ErrSource: the chain source failed or lacks a height the proof
	// needs.
	ErrSource
	// ErrNotFound: Build found no record matching the selector.
	ErrNotFound
	// ErrNoBitcoinSource: Bitcoin evidence was asked for but the source
	// has no headers or blocks, or the selector names no transaction.
	ErrNoBitcoinSource

	// ErrAnswerMalformed: a name server's answer is not the JSON object
	// of GET /v1/names/{name} (status, address, zonefile_hash).
	ErrAnswerMalformed
	// ErrAnswerName: the proof is not about the name asked for (another
	// name, a namespace, or not a name selector).
	ErrAnswerName
	// ErrAnswerAddress: the answer's owner address is not the proven one.
	ErrAnswerAddress
	// ErrAnswerZonefileHash: the answer's zone-file hash is not the
	// proven one.
	ErrAnswerZonefileHash
	// ErrAnswerStatus: the answer's status (registered / revoked) is not
	// the proven one.
	ErrAnswerStatus
	// ErrZonefileMismatch: the zone file served with the answer does not
	// hash (RIPEMD160(SHA256)) to the proven zone-file hash.
	ErrZonefileMismatch
)

var codeNames = [...]string{
	ErrUnknownEncoding:    "ErrUnknownEncoding",
	ErrBadMagic:           "ErrBadMagic",
	ErrUnsupportedVersion: "ErrUnsupportedVersion",
	ErrTruncated:          "ErrTruncated",
	ErrTrailingData:       "ErrTrailingData",
	ErrLimitExceeded:      "ErrLimitExceeded",
	ErrNonCanonical:       "ErrNonCanonical",
	ErrBadJSON:            "ErrBadJSON",
	ErrNotRepresentable:   "ErrNotRepresentable",
	ErrTrustedHash:        "ErrTrustedHash",
	ErrTrustedHeight:      "ErrTrustedHeight",
	ErrFirstBlock:         "ErrFirstBlock",
	ErrTargetHeight:       "ErrTargetHeight",
	ErrHeightRange:        "ErrHeightRange",
	ErrStepHeight:         "ErrStepHeight",
	ErrPrevCount:          "ErrPrevCount",
	ErrConsensusMismatch:  "ErrConsensusMismatch",
	ErrMissingStep:        "ErrMissingStep",
	ErrExtraStep:          "ErrExtraStep",
	ErrOpsHashMismatch:    "ErrOpsHashMismatch",
	ErrRecordMalformed:    "ErrRecordMalformed",
	ErrNotSelected:        "ErrNotSelected",
	ErrBitcoinMissing:     "ErrBitcoinMissing",
	ErrTxMalformed:        "ErrTxMalformed",
	ErrTxidMismatch:       "ErrTxidMismatch",
	ErrMerkleBranch:       "ErrMerkleBranch",
	ErrProofOfWork:        "ErrProofOfWork",
	ErrHeaderLink:         "ErrHeaderLink",
	ErrConfirmations:      "ErrConfirmations",
	ErrSource:             "ErrSource",
	ErrNotFound:           "ErrNotFound",
	ErrNoBitcoinSource:    "ErrNoBitcoinSource",
	ErrAnswerMalformed:    "ErrAnswerMalformed",
	ErrAnswerName:         "ErrAnswerName",
	ErrAnswerAddress:      "ErrAnswerAddress",
	ErrAnswerZonefileHash: "ErrAnswerZonefileHash",
	ErrAnswerStatus:       "ErrAnswerStatus",
	ErrZonefileMismatch:   "ErrZonefileMismatch",
}

// String returns the constant's name.
func (c ErrorCode) String() string {
	if c > 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Stage names the verification step a code fails, for messages and the
// in-app verifier's errors: "decode" (the proof cannot be read), "trust"
// (the caller's trusted height or hash does not fit the proof), "heights",
// "consensus-chain" (the walk from the trusted consensus hash), "records"
// (the target block's records), "selection", "bitcoin" (the optional
// evidence), "source" (building), and "answer" (a name server's answer
// against what the proof establishes).
func (c ErrorCode) Stage() string {
	switch c {
	case ErrUnknownEncoding, ErrBadMagic, ErrUnsupportedVersion, ErrTruncated, ErrTrailingData,
		ErrLimitExceeded, ErrNonCanonical, ErrBadJSON, ErrNotRepresentable:
		return "decode"
	case ErrTrustedHash, ErrTrustedHeight:
		return "trust"
	case ErrFirstBlock, ErrTargetHeight, ErrHeightRange:
		return "heights"
	case ErrStepHeight, ErrPrevCount, ErrConsensusMismatch, ErrMissingStep, ErrExtraStep:
		return "consensus-chain"
	case ErrOpsHashMismatch, ErrRecordMalformed:
		return "records"
	case ErrNotSelected:
		return "selection"
	case ErrBitcoinMissing, ErrTxMalformed, ErrTxidMismatch, ErrMerkleBranch, ErrProofOfWork,
		ErrHeaderLink, ErrConfirmations:
		return "bitcoin"
	case ErrSource, ErrNotFound, ErrNoBitcoinSource:
		return "source"
	case ErrAnswerMalformed, ErrAnswerName, ErrAnswerAddress, ErrAnswerZonefileHash, ErrAnswerStatus,
		ErrZonefileMismatch:
		return "answer"
	}
	return "unknown"
}

// Error makes a code usable as an errors.Is target:
// errors.Is(err, snv.ErrConsensusMismatch).
func (c ErrorCode) Error() string { return c.String() }

// IsDecode reports whether the code means the proof could not be read at
// all (as opposed to read and found invalid).
func (c ErrorCode) IsDecode() bool { return c >= ErrUnknownEncoding && c <= ErrNotRepresentable }

// Error is the error type of this package. Step, Height and Index say where
// the failure is; Expected and Got what was compared.
type Error struct {
	Code ErrorCode
	// Step is the index of the failing skip-list step, -1 when the failure
	// is not in a step.
	Step int
	// Height is the block height concerned, when there is one.
	Height uint64
	// Index is a record, header or byte offset, -1 when not applicable.
	Index    int
	Expected string
	Got      string
	// Description says what failed in words.
	Description string
	// Err is an underlying error, if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("snv: ")
	if e.Step >= 0 {
		fmt.Fprintf(&b, "step %d (height %d): ", e.Step, e.Height)
	}
	b.WriteString(e.Description)
	if e.Expected != "" || e.Got != "" {
		fmt.Fprintf(&b, ": expected %s, got %s", e.Expected, e.Got)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	fmt.Fprintf(&b, " [%s]", e.Code)
	return b.String()
}

// Unwrap exposes both the code and the underlying error to errors.Is/As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// newError builds an Error outside any step.
func newError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Step: -1, Index: -1, Description: fmt.Sprintf(format, args...)}
}

// stepError builds an Error located at a step.
func stepError(code ErrorCode, step int, height uint64, expected, got, format string, args ...any) *Error {
	return &Error{Code: code, Step: step, Height: height, Index: -1, Expected: expected, Got: got,
		Description: fmt.Sprintf(format, args...)}
}

// CodeOf returns the ErrorCode of err, or 0 when err is not from this
// package.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
