package ops

import "fmt"

// Opcode is the one byte that follows the magic bytes in an operation's
// OP_RETURN data. NAME_REGISTRATION and NAME_RENEWAL share ':'; they are told
// apart by the transaction's output count (see Op.Kind).
type Opcode byte

// The opcode bytes of Blockstack v1 (reference config.py:1006-1023).
const (
	OpNamePreorder      Opcode = '?'
	OpNameRegistration  Opcode = ':' // also NAME_RENEWAL
	OpNameUpdate        Opcode = '+'
	OpNameTransfer      Opcode = '>'
	OpNameRevoke        Opcode = '~'
	OpNameImport        Opcode = ';'
	OpNamespacePreorder Opcode = '*'
	OpNamespaceReveal   Opcode = '&'
	OpNamespaceReady    Opcode = '!'
	OpAnnounce          Opcode = '#'
	OpTokenTransfer     Opcode = '$'
)

// Kind names an operation the way the reference names it in its logs
// ("NAME_PREORDER", "NAME_RENEWAL", ...). Unlike Opcode it separates
// NAME_RENEWAL from NAME_REGISTRATION.
type Kind string

// All operation kinds.
const (
	KindNamePreorder      Kind = "NAME_PREORDER"
	KindNameRegistration  Kind = "NAME_REGISTRATION"
	KindNameRenewal       Kind = "NAME_RENEWAL"
	KindNameUpdate        Kind = "NAME_UPDATE"
	KindNameTransfer      Kind = "NAME_TRANSFER"
	KindNameRevoke        Kind = "NAME_REVOKE"
	KindNameImport        Kind = "NAME_IMPORT"
	KindNamespacePreorder Kind = "NAMESPACE_PREORDER"
	KindNamespaceReveal   Kind = "NAMESPACE_REVEAL"
	KindNamespaceReady    Kind = "NAMESPACE_READY"
	KindAnnounce          Kind = "ANNOUNCE"
	KindTokenTransfer     Kind = "TOKEN_TRANSFER"
)

// String returns the opcode as its one-character form.
func (o Opcode) String() string { return string(rune(o)) }

// Valid reports whether o is one of the twelve opcodes.
func (o Opcode) Valid() bool {
	switch o {
	case OpNamePreorder, OpNameRegistration, OpNameUpdate, OpNameTransfer,
		OpNameRevoke, OpNameImport, OpNamespacePreorder, OpNamespaceReveal,
		OpNamespaceReady, OpAnnounce, OpTokenTransfer:
		return true
	}
	return false
}

// Op is one parsed Blockstack operation: what the reference's db_parse hands
// to the state machine (wire-format.md §5). It is the single input type of
// the replay engine, whether it came from decoding a Bitcoin transaction or
// from a recorded vector.
//
// Optional values that the reference keeps as Python None are pointers (nil
// means None); strings that are always present when the operation carries
// them are plain strings, empty when the operation has no such field.
// Hex values are lower-case hex strings, as in the reference.
type Op struct {
	Opcode Opcode `json:"-"`
	Kind   Kind   `json:"opcode"`
	// OpString is the stored `op` field: the opcode character, except "::"
	// for renewals and ">>" / ">~" for transfers.
	OpString string `json:"op"`

	Txid     string `json:"txid"`
	Vtxindex int    `json:"vtxindex"`
	// BlockHeight is the height of the block holding the transaction; the
	// reference stores it as block_number, reveal_block, ready_block or
	// block_id depending on the operation.
	BlockHeight uint64 `json:"block_height"`

	// Sender is the hex scriptPubKey spent by input 0, Address its address.
	Sender  string `json:"sender"`
	Address string `json:"address"`
	// SenderPubkey is the hex public key proven to belong to Address by one
	// of the inputs (only for p2pkh senders), or nil.
	SenderPubkey *string `json:"sender_pubkey"`

	// Recipient is the hex script of the output that receives the name,
	// namespace or tokens (outputs[1]); RecipientAddress its address.
	Recipient        string `json:"recipient,omitempty"`
	RecipientAddress string `json:"recipient_address,omitempty"`

	// Payment outputs: OpFee is the value (satoshis) of the burn or fee
	// output, BurnAddress that output's address. Nil/empty when the
	// operation has no such output.
	OpFee       *uint64 `json:"op_fee,omitempty"`
	BurnAddress string  `json:"burn_address,omitempty"`

	// Payload fields.
	PreorderHash      string   `json:"preorder_hash,omitempty"`
	ConsensusHash     string   `json:"consensus_hash,omitempty"`
	NameConsensusHash string   `json:"name_consensus_hash,omitempty"`
	Name              string   `json:"name,omitempty"`
	ValueHash         *string  `json:"value_hash,omitempty"`
	TokenFee          *uint64  `json:"token_fee,omitempty"`
	TokenUnits        *string  `json:"token_units,omitempty"`
	KeepData          *bool    `json:"keep_data,omitempty"`
	NameHash128       string   `json:"name_hash128,omitempty"`
	NamespaceID       string   `json:"namespace_id,omitempty"`
	Lifetime          uint32   `json:"lifetime,omitempty"`
	Coeff             uint8    `json:"coeff,omitempty"`
	Base              uint8    `json:"base,omitempty"`
	Buckets           *[16]int `json:"buckets,omitempty"`
	NonalphaDiscount  uint8    `json:"nonalpha_discount,omitempty"`
	NoVowelDiscount   uint8    `json:"no_vowel_discount,omitempty"`
	Version           uint16   `json:"version,omitempty"`
	MessageHash       string   `json:"message_hash,omitempty"`
	ScratchArea       *string  `json:"scratch_area,omitempty"`
}

// IsRenewal reports whether the operation is a NAME_RENEWAL.
func (o *Op) IsRenewal() bool { return o.Kind == KindNameRenewal }

// String gives a short human description, for logs and errors.
func (o *Op) String() string {
	return fmt.Sprintf("%s %s at %d/%d", o.Kind, o.Txid, o.BlockHeight, o.Vtxindex)
}
