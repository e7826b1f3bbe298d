package consensus

import (
	"math/big"

	"github.com/spvcheck/spvcheck/consensus/canon"
)

// NameRecord is one row of the reference's name_records table
// (state-machine.md §1.3), as of the last operation on the name.
type NameRecord struct {
	Name                 string  `json:"name"`
	PreorderHash         string  `json:"preorder_hash"`
	NameHash128          string  `json:"name_hash128"`
	NamespaceID          string  `json:"namespace_id"`
	NamespaceBlockNumber uint64  `json:"namespace_block_number"`
	ValueHash            *string `json:"value_hash"`
	Sender               string  `json:"sender"`
	SenderPubkey         *string `json:"sender_pubkey"`
	Address              string  `json:"address"`
	BlockNumber          uint64  `json:"block_number"`
	PreorderBlockNumber  uint64  `json:"preorder_block_number"`
	FirstRegistered      uint64  `json:"first_registered"`
	LastRenewed          uint64  `json:"last_renewed"`
	Revoked              bool    `json:"revoked"`
	Op                   string  `json:"op"`
	Txid                 string  `json:"txid"`
	Vtxindex             int     `json:"vtxindex"`
	// OpFee is kept as a float64 because NAME_IMPORT stores float(price);
	// every other writer stores an integer (exact in a float64 below 2^53).
	OpFee           float64 `json:"op_fee"`
	Importer        *string `json:"importer"`
	ImporterAddress *string `json:"importer_address"`
	ConsensusHash   *string `json:"consensus_hash"`
	TokenFee        string  `json:"token_fee"`
	LastCreationOp  string  `json:"last_creation_op"`
	// TransferHash is what NAME_TRANSFER's consensus-hash quirk finds by
	// walking the history (§3.9): the consensus hash of the newest update
	// since the last registration/import, or nil for "the transfer's own".
	TransferHash *string `json:"transfer_hash"`
}

// Namespace is one row of the namespaces table (§1.2).
type Namespace struct {
	NamespaceID      string  `json:"namespace_id"`
	PreorderHash     string  `json:"preorder_hash"`
	Version          int     `json:"version"`
	Sender           string  `json:"sender"`
	SenderPubkey     *string `json:"sender_pubkey"`
	Address          string  `json:"address"`
	Recipient        string  `json:"recipient"`
	RecipientAddress string  `json:"recipient_address"`
	BlockNumber      uint64  `json:"block_number"`
	RevealBlock      uint64  `json:"reveal_block"`
	Op               string  `json:"op"`
	OpFee            uint64  `json:"op_fee"`
	Txid             string  `json:"txid"`
	Vtxindex         int     `json:"vtxindex"`
	Lifetime         uint64  `json:"lifetime"`
	Coeff            int     `json:"coeff"`
	Base             int     `json:"base"`
	Buckets          [16]int `json:"buckets"`
	NonalphaDiscount int     `json:"nonalpha_discount"`
	NoVowelDiscount  int     `json:"no_vowel_discount"`
	ReadyBlock       uint64  `json:"ready_block"`
	TokenFee         string  `json:"token_fee"`
}

// Ready reports whether the namespace is launched.
func (ns *Namespace) Ready() bool { return ns.Op == "!" }

// Preorder is one row of the preorders table (§1.1).
type Preorder struct {
	PreorderHash  string  `json:"preorder_hash"`
	ConsensusHash string  `json:"consensus_hash"`
	Sender        string  `json:"sender"`
	SenderPubkey  *string `json:"sender_pubkey"`
	Address       string  `json:"address"`
	BlockNumber   uint64  `json:"block_number"`
	Op            string  `json:"op"`
	OpFee         *uint64 `json:"op_fee"`
	Txid          string  `json:"txid"`
	Vtxindex      int     `json:"vtxindex"`
	BurnAddress   string  `json:"burn_address"`
	TokenFee      string  `json:"token_fee"`
	TokenUnits    string  `json:"token_units"`
}

// HistoryEntry is one accepted change of a name: the operation and the name
// record after it (a preorder consumed by a registration appears as its own
// entry with Op "?").
type HistoryEntry struct {
	Op       string      `json:"op"`
	Txid     string      `json:"txid"`
	Height   uint64      `json:"height"`
	Vtxindex int         `json:"vtxindex"`
	Record   *NameRecord `json:"record,omitempty"`
	Preorder *Preorder   `json:"preorder,omitempty"`
}

// Account is a token account's current state (§1.5). Amounts are decimal
// strings of arbitrary precision.
type Account struct {
	Address             string `json:"address"`
	Type                string `json:"type"`
	Credit              string `json:"credit_value"`
	Debit               string `json:"debit_value"`
	LockTransferBlockID uint64 `json:"lock_transfer_block_id"`
	ReceiveWhitelisted  bool   `json:"receive_whitelisted"`
}

// Balance returns credit − debit.
func (a *Account) Balance() *big.Int {
	c, _ := new(big.Int).SetString(a.Credit, 10)
	d, _ := new(big.Int).SetString(a.Debit, 10)
	if c == nil {
		c = new(big.Int)
	}
	if d == nil {
		d = new(big.Int)
	}
	return c.Sub(c, d)
}

// Vesting is one scheduled credit.
type Vesting struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Value   string `json:"value"`
}

// ownerIndex lists the names whose current owner script is one sender.
type ownerIndex struct {
	Names []string `json:"names"`
}

// scheduledEvent is an end-of-block action of the 0.13 rules.
type scheduledEvent struct {
	Kind string `json:"kind"` // "unrevoke" or "drop-reveal"
	ID   string `json:"id"`
}

// appendCanon renders a name record's consensus fields (NAMEREC, in the
// order of canon.FieldsFor's name record list). The NAME_IMPORT fee is a
// float (the reference stores float(price)); every other fee an int.
func (r *NameRecord) appendCanon(a *canon.Appender) {
	a.Str(r.Name)
	a.OptStr(r.ValueHash)
	a.Str(r.Sender)
	a.OptStr(r.SenderPubkey)
	a.Str(r.Address)
	a.Uint(r.BlockNumber)
	a.Uint(r.PreorderBlockNumber)
	a.Uint(r.FirstRegistered)
	a.Uint(r.LastRenewed)
	a.Bool(r.Revoked)
	a.Str(r.Op)
	a.Str(r.Txid)
	a.Int(int64(r.Vtxindex))
	if r.LastCreationOp == ";" {
		a.Float(r.OpFee)
	} else {
		a.Int(int64(r.OpFee))
	}
	a.OptStr(r.Importer)
	a.OptStr(r.ImporterAddress)
}

// appendCanon renders a namespace's NAMESPACE_REVEAL fields, plus
// ready_block for NAMESPACE_READY.
func (ns *Namespace) appendCanon(a *canon.Appender, ready bool) {
	a.Str(ns.NamespaceID)
	a.Str(ns.PreorderHash)
	a.Int(int64(ns.Version))
	a.Str(ns.Sender)
	a.OptStr(ns.SenderPubkey)
	a.Str(ns.Address)
	a.Str(ns.Recipient)
	a.Str(ns.RecipientAddress)
	a.Uint(ns.BlockNumber)
	a.Uint(ns.RevealBlock)
	a.Str(ns.Op)
	a.Str(ns.Txid)
	a.Int(int64(ns.Vtxindex))
	a.Uint(ns.Lifetime)
	a.Int(int64(ns.Coeff))
	a.Int(int64(ns.Base))
	a.IntList(ns.Buckets[:])
	a.Int(int64(ns.NonalphaDiscount))
	a.Int(int64(ns.NoVowelDiscount))
	if ready {
		a.Uint(ns.ReadyBlock)
	}
}

// appendCanon renders a preorder's fields in the order of its opcode's list
// ('?' NAME_PREORDER or '*' NAMESPACE_PREORDER).
func (p *Preorder) appendCanon(a *canon.Appender, opcode byte) {
	fee := func() {
		if p.OpFee == nil {
			a.None()
		} else {
			a.Uint(*p.OpFee)
		}
	}
	if opcode == '*' {
		a.Str(p.PreorderHash)
		a.Str(p.ConsensusHash)
		a.Str(p.Op)
		fee()
		a.Str(p.Txid)
		a.Int(int64(p.Vtxindex))
		a.Uint(p.BlockNumber)
		a.Str(p.Sender)
		a.OptStr(p.SenderPubkey)
		a.Str(p.Address)
		return
	}
	a.Str(p.PreorderHash)
	a.Str(p.ConsensusHash)
	a.Str(p.Sender)
	a.OptStr(p.SenderPubkey)
	a.Str(p.Address)
	a.Uint(p.BlockNumber)
	a.Str(p.Op)
	a.Str(p.Txid)
	a.Int(int64(p.Vtxindex))
	fee()
}
