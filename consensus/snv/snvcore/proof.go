package snvcore

import (
	"encoding/hex"
)

// Version is the proof format version written by this package, in both
// encodings.
const Version = 1

// BitcoinVersion is the version of the optional Bitcoin-evidence section.
const BitcoinVersion = 1

// Bounds of the encodings. A decoder rejects anything larger before
// allocating for it, so hostile input cannot exhaust memory.
const (
	// MaxHeight bounds the first, trusted and target heights a verifier
	// accepts (Bitcoin heights are far below it), keeping the skip-list
	// arithmetic away from uint64 overflow.
	MaxHeight = 1<<32 - 1
	// MaxSteps bounds the skip-list walk: it halves the distance at every
	// step, so 64-bit heights never need more than 2*64.
	MaxSteps = 128
	// MaxPrevs bounds the previous hashes of one step (one per power of
	// two below the height).
	MaxPrevs = 64
	// MaxRecords bounds the records of the target block.
	MaxRecords = 1 << 16
	// MaxRecordLen bounds one serialized record.
	MaxRecordLen = 1 << 20
	// MaxNameLen bounds a selector name.
	MaxNameLen = 1024
	// MaxTxLen bounds the evidence transaction (Bitcoin's block weight
	// limit).
	MaxTxLen = 4_000_000
	// MaxBranch bounds the Merkle branch depth.
	MaxBranch = 32
	// MaxHeaders bounds the headers after the target block.
	MaxHeaders = 1 << 16
)

// Proof is a self-contained simplified name verification proof: everything
// needed to check, from one trusted (height, consensus hash), that a block
// committed exactly these records. See the package documentation.
type Proof struct {
	// FirstBlock is the chain's first Blockstack block, which fixes the
	// previous heights of every step.
	FirstBlock uint64
	// TrustedHeight is the height whose consensus hash the verifier
	// trusts; the first step is at this height.
	TrustedHeight uint64
	// TargetHeight is the block whose records are proven; the last step
	// is at this height.
	TargetHeight uint64
	// Select says which record(s) of the target block the proof is about.
	Select Selector
	// Steps lead from the trusted height down to the target.
	Steps []Step
	// Records are the target block's canonical serialized records, the
	// leaves of its ops hash, in transaction order.
	Records [][]byte
	// Bitcoin is the optional evidence tying the selected operation's
	// transaction to proof of work.
	Bitcoin *BitcoinEvidence
}

// Step is one block on the way from the trusted height to the target.
type Step struct {
	Height uint64
	// OpsHash is the block's ops hash, as the bytes its hex string names.
	OpsHash [32]byte
	// Prev are the consensus hashes of digest.PrevHeights(Height,
	// FirstBlock), nearest first.
	Prev [][16]byte
}

// SelectorKind says how a Selector picks records.
type SelectorKind uint8

const (
	// SelectBlock selects no single operation: the proof is about the
	// whole block's records.
	SelectBlock SelectorKind = iota
	// SelectName selects the records whose name (or namespace_id) field
	// equals Name.
	SelectName
	// SelectTxid selects the records whose txid field equals Txid.
	SelectTxid
	// SelectVtxindex selects the records whose vtxindex field equals
	// Vtxindex.
	SelectVtxindex
)

// Selector picks records of the target block.
type Selector struct {
	Kind     SelectorKind
	Name     string
	Txid     [32]byte // as the record's hex txid string reads (display order)
	Vtxindex uint64
}

// ByName selects the records of a name (or namespace).
func ByName(name string) Selector { return Selector{Kind: SelectName, Name: name} }

// ByTxid selects the records of a transaction given as the 64-hex txid
// string that records and block explorers show.
func ByTxid(txid string) (Selector, error) {
	b, err := hex.DecodeString(txid)
	if err != nil || len(b) != 32 || hex.EncodeToString(b) != txid {
		return Selector{}, newError(ErrNonCanonical, "txid %q is not 64 lower-case hex characters", txid)
	}
	s := Selector{Kind: SelectTxid}
	copy(s.Txid[:], b)
	return s, nil
}

// ByVtxindex selects the records at a virtual transaction index.
func ByVtxindex(v uint64) Selector { return Selector{Kind: SelectVtxindex, Vtxindex: v} }

// String renders the selector for messages.
func (s Selector) String() string {
	switch s.Kind {
	case SelectName:
		return "name " + s.Name
	case SelectTxid:
		return "txid " + hex.EncodeToString(s.Txid[:])
	case SelectVtxindex:
		return "vtxindex " + itoa(s.Vtxindex)
	}
	return "whole block"
}

// BitcoinEvidence ties the selected operation's transaction to Bitcoin
// proof of work: the header of the target block, the transaction with its
// Merkle branch, and the headers of the blocks that follow it.
type BitcoinEvidence struct {
	// Header is the target block's 80-byte header.
	Header [80]byte
	// Tx is the transaction in Bitcoin wire encoding (witness data
	// allowed; the txid excludes it).
	Tx []byte
	// TxIndex is the transaction's position in the block; its bits say,
	// from the bottom of the tree up, whether the sibling is on the left.
	TxIndex uint32
	// Branch are the sibling hashes from the transaction up to the root,
	// in internal byte order.
	Branch [][32]byte
	// Headers are the headers of the blocks right after the target, in
	// height order: a subset of the chain up to the trusted height (see
	// BuildOptions.Confirmations).
	Headers [][80]byte
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
