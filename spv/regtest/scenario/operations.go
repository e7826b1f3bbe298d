package scenario

import (
	"fmt"

	"github.com/spvcheck/spvcheck/ops"
)

// Operation is one Blockstack operation a participant broadcasts. The
// concrete types below name participants instead of addresses and zone
// files instead of hashes; the Runner fills in addresses and the consensus
// hash of the latest block when it builds the transaction.
type Operation interface {
	// Sender is the participant whose coin funds input 0.
	Sender() string
	// String describes the operation for progress output and errors.
	String() string
	// parties lists every participant the operation names.
	parties() []string
	// args builds the encoder arguments.
	args(env opEnv) (ops.Args, error)
}

// opEnv is what an operation needs from the run to become encoder
// arguments.
type opEnv interface {
	address(participant string) string
	// consensusHash is the consensus hash of the latest replayed block.
	consensusHash() string
}

// zeroConsensusHash is the all-zero consensus hash that a TOKEN_TRANSFER
// may quote from epoch 5 on.
const zeroConsensusHash = "00000000000000000000000000000000"

func tokens(n uint64) *uint64 {
	if n == 0 {
		return nil
	}
	return &n
}

func payment(btc int64, stacks uint64) ops.Payment {
	return ops.Payment{BTC: btc, Tokens: tokens(stacks)}
}

func price(btc int64, stacks uint64) string {
	if stacks > 0 {
		return fmt.Sprintf("%d µSTX", stacks)
	}
	return fmt.Sprintf("%d sat", btc)
}

// NamespacePreorder commits to a namespace id and its revealer, paying the
// namespace price: BTC before epoch 4, STACKS from epoch 4 on.
type NamespacePreorder struct {
	From, ID, Revealer string
	BTC                int64
	Stacks             uint64
}

func (o NamespacePreorder) Sender() string    { return o.From }
func (o NamespacePreorder) parties() []string { return []string{o.From, o.Revealer} }
func (o NamespacePreorder) String() string {
	return fmt.Sprintf("NAMESPACE_PREORDER %s by %s for %s (%s)", o.ID, o.From, o.Revealer, price(o.BTC, o.Stacks))
}
func (o NamespacePreorder) args(env opEnv) (ops.Args, error) {
	return ops.NamespacePreorderArgs{
		NamespaceID: o.ID, ConsensusHash: env.consensusHash(),
		SenderAddress: env.address(o.From), RevealAddress: env.address(o.Revealer),
		Payment: payment(o.BTC, o.Stacks),
	}, nil
}

// NamespaceReveal reveals a preordered namespace and its pricing rules;
// the revealer may import names until it readies the namespace.
type NamespaceReveal struct {
	From, ID, Revealer string
	Version            uint16
	Lifetime           uint32
	Coeff, Base        uint8
	Buckets            [16]uint8
	NonalphaDiscount   uint8
	NoVowelDiscount    uint8
}

func (o NamespaceReveal) Sender() string    { return o.From }
func (o NamespaceReveal) parties() []string { return []string{o.From, o.Revealer} }
func (o NamespaceReveal) String() string {
	return fmt.Sprintf("NAMESPACE_REVEAL %s v%d by %s to %s", o.ID, o.Version, o.From, o.Revealer)
}
func (o NamespaceReveal) args(env opEnv) (ops.Args, error) {
	return ops.NamespaceRevealArgs{
		NamespaceID: o.ID, Version: o.Version, Lifetime: o.Lifetime,
		Coeff: o.Coeff, Base: o.Base, Buckets: o.Buckets,
		NonalphaDiscount: o.NonalphaDiscount, NoVowelDiscount: o.NoVowelDiscount,
		RevealAddress: env.address(o.Revealer),
	}, nil
}

// NamespaceReady launches a revealed namespace (sent by its revealer).
type NamespaceReady struct{ From, ID string }

func (o NamespaceReady) Sender() string    { return o.From }
func (o NamespaceReady) parties() []string { return []string{o.From} }
func (o NamespaceReady) String() string    { return fmt.Sprintf("NAMESPACE_READY %s by %s", o.ID, o.From) }
func (o NamespaceReady) args(opEnv) (ops.Args, error) {
	return ops.NamespaceReadyArgs{NamespaceID: o.ID}, nil
}

// NameImport gives a name in a revealed namespace to Owner with a zone
// file, sent by the revealer or a member of its import keychain.
type NameImport struct{ From, Name, Owner, Zone string }

func (o NameImport) Sender() string    { return o.From }
func (o NameImport) parties() []string { return []string{o.From, o.Owner} }
func (o NameImport) String() string {
	return fmt.Sprintf("NAME_IMPORT %s by %s for %s", o.Name, o.From, o.Owner)
}
func (o NameImport) args(env opEnv) (ops.Args, error) {
	if o.Zone == "" {
		return nil, fmt.Errorf("%s: an import needs a zone file", o)
	}
	return ops.NameImportArgs{Name: o.Name, RecipientAddress: env.address(o.Owner), ValueHash: ZoneHash(o.Zone)}, nil
}

// NamePreorder commits to a name and the address that will own it,
// paying its price (BTC, or STACKS from epoch 4 on) to the burn address,
// or to the participant PayTo (a version-2 namespace's creator).
type NamePreorder struct {
	From, Name, Owner string
	BTC               int64
	Stacks            uint64
	PayTo             string
}

func (o NamePreorder) Sender() string { return o.From }
func (o NamePreorder) parties() []string {
	if o.PayTo != "" {
		return []string{o.From, o.Owner, o.PayTo}
	}
	return []string{o.From, o.Owner}
}
func (o NamePreorder) String() string {
	to := ""
	if o.PayTo != "" {
		to = " paid to " + o.PayTo
	}
	return fmt.Sprintf("NAME_PREORDER %s by %s for %s (%s%s)", o.Name, o.From, o.Owner, price(o.BTC, o.Stacks), to)
}
func (o NamePreorder) args(env opEnv) (ops.Args, error) {
	a := ops.NamePreorderArgs{
		Name: o.Name, ConsensusHash: env.consensusHash(),
		SenderAddress: env.address(o.From), RegisterAddress: env.address(o.Owner),
		Payment: payment(o.BTC, o.Stacks),
	}
	if o.PayTo != "" {
		a.BurnAddress = env.address(o.PayTo)
	}
	return a, nil
}

// NameRegistration reveals a preordered name, from the preorderer, giving
// it to Owner; a Zone (epoch 3 on) sets its zone file in the same step.
type NameRegistration struct{ From, Name, Owner, Zone string }

func (o NameRegistration) Sender() string    { return o.From }
func (o NameRegistration) parties() []string { return []string{o.From, o.Owner} }
func (o NameRegistration) String() string {
	return fmt.Sprintf("NAME_REGISTRATION %s by %s for %s", o.Name, o.From, o.Owner)
}
func (o NameRegistration) args(env opEnv) (ops.Args, error) {
	return ops.NameRegistrationArgs{Name: o.Name, OwnerAddress: env.address(o.Owner), ValueHash: ZoneHash(o.Zone)}, nil
}

// NameRenewal extends a name's lifetime, paid by its owner. NewOwner
// (epoch 3 on) also transfers it and Zone sets a new zone file; empty
// NewOwner keeps the owner.
type NameRenewal struct {
	From, Name, NewOwner, Zone string
	BTC                        int64
	Stacks                     uint64
}

func (o NameRenewal) Sender() string { return o.From }
func (o NameRenewal) owner() string {
	if o.NewOwner == "" {
		return o.From
	}
	return o.NewOwner
}
func (o NameRenewal) parties() []string { return []string{o.From, o.owner()} }
func (o NameRenewal) String() string {
	if o.NewOwner != "" && o.NewOwner != o.From {
		return fmt.Sprintf("NAME_RENEWAL %s by %s, transferring to %s (%s)", o.Name, o.From, o.NewOwner, price(o.BTC, o.Stacks))
	}
	return fmt.Sprintf("NAME_RENEWAL %s by %s (%s)", o.Name, o.From, price(o.BTC, o.Stacks))
}
func (o NameRenewal) args(env opEnv) (ops.Args, error) {
	return ops.NameRenewalArgs{
		Name: o.Name, NewOwnerAddress: env.address(o.owner()), OwnerAddress: env.address(o.From),
		Payment: payment(o.BTC, o.Stacks), ValueHash: ZoneHash(o.Zone),
	}, nil
}

// NameUpdate sets a name's zone file, sent by its owner.
type NameUpdate struct{ From, Name, Zone string }

func (o NameUpdate) Sender() string    { return o.From }
func (o NameUpdate) parties() []string { return []string{o.From} }
func (o NameUpdate) String() string    { return fmt.Sprintf("NAME_UPDATE %s by %s", o.Name, o.From) }
func (o NameUpdate) args(env opEnv) (ops.Args, error) {
	if o.Zone == "" {
		return nil, fmt.Errorf("%s: an update needs a zone file", o)
	}
	return ops.NameUpdateArgs{Name: o.Name, ConsensusHash: env.consensusHash(), ValueHash: ZoneHash(o.Zone)}, nil
}

// NameTransfer gives a name to another owner, keeping or clearing its
// zone file hash.
type NameTransfer struct {
	From, Name, To string
	KeepData       bool
}

func (o NameTransfer) Sender() string    { return o.From }
func (o NameTransfer) parties() []string { return []string{o.From, o.To} }
func (o NameTransfer) String() string {
	data := "dropping its zone file"
	if o.KeepData {
		data = "keeping its zone file"
	}
	return fmt.Sprintf("NAME_TRANSFER %s from %s to %s, %s", o.Name, o.From, o.To, data)
}
func (o NameTransfer) args(env opEnv) (ops.Args, error) {
	return ops.NameTransferArgs{Name: o.Name, ConsensusHash: env.consensusHash(), NewOwnerAddress: env.address(o.To), KeepData: o.KeepData}, nil
}

// NameRevoke kills a name for good (until it expires), sent by its owner.
type NameRevoke struct{ From, Name string }

func (o NameRevoke) Sender() string    { return o.From }
func (o NameRevoke) parties() []string { return []string{o.From} }
func (o NameRevoke) String() string    { return fmt.Sprintf("NAME_REVOKE %s by %s", o.Name, o.From) }
func (o NameRevoke) args(opEnv) (ops.Args, error) {
	return ops.NameRevokeArgs{Name: o.Name}, nil
}

// Announce broadcasts the hash of a message; it changes no state.
type Announce struct{ From, Message string }

func (o Announce) Sender() string    { return o.From }
func (o Announce) parties() []string { return []string{o.From} }
func (o Announce) String() string    { return fmt.Sprintf("ANNOUNCE by %s: %q", o.From, o.Message) }
func (o Announce) args(opEnv) (ops.Args, error) {
	return ops.AnnounceArgs{MessageHash: messageHash(o.Message)}, nil
}

// TokenTransfer sends Amount µSTX (epoch 4 on). ZeroConsensusHash quotes
// the all-zero hash, which epoch 5 allows.
type TokenTransfer struct {
	From, To          string
	Amount            uint64
	ZeroConsensusHash bool
	Memo              string
}

func (o TokenTransfer) Sender() string    { return o.From }
func (o TokenTransfer) parties() []string { return []string{o.From, o.To} }
func (o TokenTransfer) String() string {
	return fmt.Sprintf("TOKEN_TRANSFER %d µSTX from %s to %s", o.Amount, o.From, o.To)
}
func (o TokenTransfer) args(env opEnv) (ops.Args, error) {
	ch := env.consensusHash()
	if o.ZeroConsensusHash {
		ch = zeroConsensusHash
	}
	return ops.TokenTransferArgs{RecipientAddress: env.address(o.To), ConsensusHash: ch, Amount: o.Amount, ScratchArea: []byte(o.Memo)}, nil
}
