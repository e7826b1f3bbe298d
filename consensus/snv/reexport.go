package snv

import (
	"fmt"

	"github.com/spvcheck/spvcheck/consensus/snv/snvcore"
)

// The proof document, its encodings, its errors and its records are
// package snvcore's, which has no Bitcoin dependencies so that small
// verifiers (cmd/snvwasm) can link it alone. They are re-exported here
// under their old names: a Proof built here is an snvcore.Proof.
type (
	Proof           = snvcore.Proof
	Step            = snvcore.Step
	SelectorKind    = snvcore.SelectorKind
	Selector        = snvcore.Selector
	BitcoinEvidence = snvcore.BitcoinEvidence
	Record          = snvcore.Record
	Encoding        = snvcore.Encoding
	ErrorCode       = snvcore.ErrorCode
	Error           = snvcore.Error
)

// Format versions, bounds and the encodings' markers: see snvcore.
const (
	Version        = snvcore.Version
	BitcoinVersion = snvcore.BitcoinVersion
	MaxHeight      = snvcore.MaxHeight
	MaxSteps       = snvcore.MaxSteps
	MaxPrevs       = snvcore.MaxPrevs
	MaxRecords     = snvcore.MaxRecords
	MaxRecordLen   = snvcore.MaxRecordLen
	MaxNameLen     = snvcore.MaxNameLen
	MaxTxLen       = snvcore.MaxTxLen
	MaxBranch      = snvcore.MaxBranch
	MaxHeaders     = snvcore.MaxHeaders
	Magic          = snvcore.Magic
	JSONFormat     = snvcore.JSONFormat

	SelectBlock    = snvcore.SelectBlock
	SelectName     = snvcore.SelectName
	SelectTxid     = snvcore.SelectTxid
	SelectVtxindex = snvcore.SelectVtxindex

	Binary = snvcore.Binary
	JSON   = snvcore.JSON
)

// Error codes: see snvcore.
const (
	ErrBadJSON            = snvcore.ErrBadJSON
	ErrBadMagic           = snvcore.ErrBadMagic
	ErrBitcoinMissing     = snvcore.ErrBitcoinMissing
	ErrZonefileMismatch   = snvcore.ErrZonefileMismatch
	ErrAnswerStatus       = snvcore.ErrAnswerStatus
	ErrAnswerZonefileHash = snvcore.ErrAnswerZonefileHash
	ErrAnswerAddress      = snvcore.ErrAnswerAddress
	ErrAnswerName         = snvcore.ErrAnswerName
	ErrAnswerMalformed    = snvcore.ErrAnswerMalformed
	ErrConfirmations      = snvcore.ErrConfirmations
	ErrConsensusMismatch  = snvcore.ErrConsensusMismatch
	ErrExtraStep          = snvcore.ErrExtraStep
	ErrFirstBlock         = snvcore.ErrFirstBlock
	ErrHeaderLink         = snvcore.ErrHeaderLink
	ErrHeightRange        = snvcore.ErrHeightRange
	ErrLimitExceeded      = snvcore.ErrLimitExceeded
	ErrMerkleBranch       = snvcore.ErrMerkleBranch
	ErrMissingStep        = snvcore.ErrMissingStep
	ErrNoBitcoinSource    = snvcore.ErrNoBitcoinSource
	ErrNonCanonical       = snvcore.ErrNonCanonical
	ErrNotFound           = snvcore.ErrNotFound
	ErrNotRepresentable   = snvcore.ErrNotRepresentable
	ErrNotSelected        = snvcore.ErrNotSelected
	ErrOpsHashMismatch    = snvcore.ErrOpsHashMismatch
	ErrPrevCount          = snvcore.ErrPrevCount
	ErrProofOfWork        = snvcore.ErrProofOfWork
	ErrRecordMalformed    = snvcore.ErrRecordMalformed
	ErrSource             = snvcore.ErrSource
	ErrStepHeight         = snvcore.ErrStepHeight
	ErrTargetHeight       = snvcore.ErrTargetHeight
	ErrTrailingData       = snvcore.ErrTrailingData
	ErrTruncated          = snvcore.ErrTruncated
	ErrTrustedHash        = snvcore.ErrTrustedHash
	ErrTrustedHeight      = snvcore.ErrTrustedHeight
	ErrTxMalformed        = snvcore.ErrTxMalformed
	ErrTxidMismatch       = snvcore.ErrTxidMismatch
	ErrUnknownEncoding    = snvcore.ErrUnknownEncoding
	ErrUnsupportedVersion = snvcore.ErrUnsupportedVersion
)

// ByName selects the records of a name (or namespace).
func ByName(name string) Selector { return snvcore.ByName(name) }

// ByTxid selects the records of a transaction given as the 64-hex txid
// string that records and block explorers show.
func ByTxid(txid string) (Selector, error) { return snvcore.ByTxid(txid) }

// ByVtxindex selects the records at a virtual transaction index.
func ByVtxindex(v uint64) Selector { return snvcore.ByVtxindex(v) }

// ParseRecord splits a canonical serialization: see snvcore.ParseRecord.
func ParseRecord(raw []byte) (Record, error) { return snvcore.ParseRecord(raw) }

// EncodeBinary writes p in the binary form: see snvcore.EncodeBinary.
func EncodeBinary(p *Proof) ([]byte, error) { return snvcore.EncodeBinary(p) }

// DecodeBinary reads the binary form: see snvcore.DecodeBinary.
func DecodeBinary(b []byte) (*Proof, error) { return snvcore.DecodeBinary(b) }

// EncodeJSON writes p in the JSON form: see snvcore.EncodeJSON.
func EncodeJSON(p *Proof) ([]byte, error) { return snvcore.EncodeJSON(p) }

// DecodeJSON reads the JSON form: see snvcore.DecodeJSON.
func DecodeJSON(b []byte) (*Proof, error) { return snvcore.DecodeJSON(b) }

// Encode writes p in encoding e.
func Encode(p *Proof, e Encoding) ([]byte, error) { return snvcore.Encode(p, e) }

// Decode reads either encoding, telling them apart by their first bytes.
func Decode(b []byte) (*Proof, Encoding, error) { return snvcore.Decode(b) }

// CodeOf returns the ErrorCode of err, or 0 when err is not from this
// package (or snvcore).
func CodeOf(err error) ErrorCode { return snvcore.CodeOf(err) }

// newError builds an Error outside any step.
func newError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Step: -1, Index: -1, Description: fmt.Sprintf(format, args...)}
}

func itoa(n uint64) string { return fmt.Sprint(n) }
