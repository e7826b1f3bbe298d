package ops

import (
	"encoding/binary"
	"encoding/hex"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// OutputRole says what a template output is for.
type OutputRole uint8

// The output roles of a Template.
const (
	// RoleData is the OP_RETURN output carrying the operation.
	RoleData OutputRole = iota
	// RoleChange is the sender's change: the transaction builder sets its
	// value (the template holds blockstack.js's placeholder, DustMinimum).
	RoleChange
	// RoleRecipient receives the name, namespace or tokens.
	RoleRecipient
	// RoleBurn pays the operation's fee (burn address or namespace creator).
	RoleBurn
	// RoleValueHash is NAME_IMPORT's zone-file hash dressed as a p2pkh output.
	RoleValueHash
)

// String names the role.
func (r OutputRole) String() string {
	switch r {
	case RoleData:
		return "data"
	case RoleChange:
		return "change"
	case RoleRecipient:
		return "recipient"
	case RoleBurn:
		return "burn"
	case RoleValueHash:
		return "value-hash"
	}
	return "unknown"
}

// TemplateOutput is one output of a Template.
type TemplateOutput struct {
	Role   OutputRole
	Script []byte
	Value  int64
}

// Template is an operation ready to be funded and signed: its OP_RETURN data
// and its outputs in the reference's order (the order the decoder reads them
// in). Builders add inputs, fill the change output's value (or append a
// change output after the template's outputs when it has no change slot),
// and sign. Input 0 must spend the sender's (owner's, preorderer's) coin.
type Template struct {
	Kind Kind
	// Data is the OP_RETURN data: magic, opcode, payload.
	Data    []byte
	Outputs []TemplateOutput
}

// ChangeIndex returns the index of the change output, or -1 if the template
// has none.
func (t *Template) ChangeIndex() int {
	for i, o := range t.Outputs {
		if o.Role == RoleChange {
			return i
		}
	}
	return -1
}

// Tx returns the template as an unsigned version-1 transaction without
// inputs, byte for byte what blockstack.js's skeleton builders return.
func (t *Template) Tx() *wire.MsgTx {
	tx := wire.NewMsgTx(1)
	for _, o := range t.Outputs {
		tx.AddTxOut(wire.NewTxOut(o.Value, append([]byte(nil), o.Script...)))
	}
	return tx
}

// Check decodes the template's transaction by the payload and output rules
// at a height (see DecodeTemplate), so a builder can see whether the
// reference would accept this form there (payload forms depend on the epoch).
func (t *Template) Check(dc DecodeContext) (*Op, error) {
	return DecodeTemplate(t.Tx(), dc)
}

// DataScript returns OP_RETURN <data> with the minimal push encoding, the
// one bitcoinjs's payments.embed uses: a direct push up to 75 bytes,
// PUSHDATA1 up to 255, PUSHDATA2 (and PUSHDATA4) beyond.
func DataScript(data []byte) []byte {
	s := make([]byte, 0, len(data)+6)
	s = append(s, opReturn)
	switch n := len(data); {
	case n <= 75:
		s = append(s, byte(n))
	case n <= 0xff:
		s = append(s, opPushdata1, byte(n))
	case n <= 0xffff:
		s = append(s, opPushdata1+1, byte(n), byte(n>>8))
	default:
		s = append(s, opPushdata4, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	return append(s, data...)
}

// Args is implemented by the argument struct of every operation.
type Args interface {
	// Encode validates the arguments and builds the operation's template
	// for a network (addresses are checked against it; its magic is used).
	Encode(net Network) (*Template, error)
}

type builder struct {
	net  Network
	kind Kind
	t    *Template
	err  error
}

func newBuilder(net Network, kind Kind, op byte, payloadCap int) *builder {
	d := make([]byte, 0, 3+payloadCap)
	d = append(d, net.Magic[0], net.Magic[1], op)
	return &builder{net: net, kind: kind, t: &Template{Kind: kind, Data: d}}
}

func (b *builder) failf(code ErrorCode, format string, args ...any) {
	if b.err == nil {
		b.err = newError(code, b.kind, format, args...)
	}
}

func (b *builder) put(p []byte) { b.t.Data = append(b.t.Data, p...) }

// hexField appends a hex argument of exactly n bytes.
func (b *builder) hexField(what, h string, n int) {
	v, err := hex.DecodeString(h)
	if err != nil || len(v) != n {
		b.failf(ErrInvalidHash, "%s %q: want %d hex-encoded bytes", what, h, n)
		v = make([]byte, n)
	}
	b.put(v)
}

func (b *builder) u64(v uint64) {
	var x [8]byte
	binary.BigEndian.PutUint64(x[:], v)
	b.put(x[:])
}

// out appends an output paying an address.
func (b *builder) out(role OutputRole, what, addr string, value int64) {
	s, err := b.net.AddressScript(addr)
	if err != nil {
		b.failf(ErrInvalidAddress, "%s: %v", what, err)
		return
	}
	b.t.Outputs = append(b.t.Outputs, TemplateOutput{Role: role, Script: s, Value: value})
}

func (b *builder) name(fqn string) {
	if !IsNameValid(fqn) {
		b.failf(ErrInvalidName, "invalid name %q", fqn)
	}
}

func (b *builder) namespaceID(id string) {
	if !IsNamespaceIDValid(id) {
		b.failf(ErrInvalidNamespaceID, "invalid namespace ID %q", id)
	}
}

func (b *builder) preorderHash(what, name, senderAddr, registerAddr string) {
	if registerAddr == "" {
		// blockstack.js hashes an empty string here; such a preorder can
		// never be registered (wire-format §4.1), so we refuse.
		b.failf(ErrInvalidAddress, "%s is required", what)
	} else if _, err := b.net.AddressScript(registerAddr); err != nil {
		b.failf(ErrInvalidAddress, "%s: %v", what, err)
	}
	script, err := b.net.AddressScript(senderAddr)
	if err != nil {
		b.failf(ErrInvalidAddress, "sender address: %v", err)
	}
	h, err := PreorderHash(name, script, registerAddr)
	if err != nil {
		b.failf(ErrInvalidName, "%v", err)
		h = hex.EncodeToString(make([]byte, 20))
	}
	b.hexField("preorder hash", h, lenPreorderHash)
}

func (b *builder) done() (*Template, error) {
	if b.err == nil && len(b.t.Data) > MaxDataLength {
		b.failf(ErrPayloadTooLong, "data of %d bytes exceeds %d", len(b.t.Data), MaxDataLength)
	}
	if b.err != nil {
		return nil, b.err
	}
	b.t.Outputs = append([]TemplateOutput{{Role: RoleData, Script: DataScript(b.t.Data)}}, b.t.Outputs...)
	return b.t, nil
}

func (b *builder) burnAddr(a string) string {
	if a == "" {
		return b.net.BurnAddress()
	}
	return a
}

// Payment is what a preorder or renewal pays: satoshis to the burn (or
// creator) output, or a token amount in the payload (the BTC output then
// carries DustMinimum, as blockstack.js does).
type Payment struct {
	// BTC is the satoshi amount paid when Tokens is nil.
	BTC int64
	// Tokens, when set, pays in tokens of TokenUnits ("STACKS" if empty).
	Tokens     *uint64
	TokenUnits string
}

func (p Payment) btcValue() int64 {
	if p.Tokens != nil {
		return DustMinimum
	}
	return p.BTC
}

// NamePreorderArgs builds a NAME_PREORDER: [OP_RETURN, change, burn].
type NamePreorderArgs struct {
	Name          string
	ConsensusHash string // hex, 16 bytes
	// SenderAddress is the preorderer: it funds input 0 and gets the change.
	SenderAddress string
	// RegisterAddress is the address the NAME_REGISTRATION will send the
	// name to (its outputs[1]); it is hashed into the preorder.
	RegisterAddress string
	// BurnAddress defaults to the network's burn address.
	BurnAddress string
	Payment     Payment
}

// Encode implements Args.
func (a NamePreorderArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNamePreorder, byte(OpNamePreorder), 63)
	b.name(a.Name)
	b.preorderHash("register address", a.Name, a.SenderAddress, a.RegisterAddress)
	b.hexField("consensus hash", a.ConsensusHash, lenConsensusHash)
	if a.Payment.Tokens != nil {
		b.u64(*a.Payment.Tokens)
		b.tokenUnits(a.Payment.TokenUnits, false)
	}
	b.out(RoleChange, "sender address", a.SenderAddress, DustMinimum)
	b.out(RoleBurn, "burn address", b.burnAddr(a.BurnAddress), a.Payment.btcValue())
	return b.done()
}

// tokenUnits writes a 19-byte NUL-padded unit name (right-padded, or
// left-padded as blockstack.js's token transfer does).
func (b *builder) tokenUnits(u string, leftPad bool) {
	if u == "" {
		u = "STACKS"
	}
	if len(u) > lenTokenUnits {
		b.failf(ErrInvalidArgument, "token units %q longer than %d bytes", u, lenTokenUnits)
		u = u[:lenTokenUnits]
	}
	f := make([]byte, lenTokenUnits)
	if leftPad {
		copy(f[lenTokenUnits-len(u):], u)
	} else {
		copy(f, u)
	}
	b.put(f)
}

// NameRegistrationArgs builds a NAME_REGISTRATION: [OP_RETURN, owner].
// Input 0 must spend the preorderer's coin.
type NameRegistrationArgs struct {
	Name string
	// OwnerAddress receives the name: the RegisterAddress of the preorder.
	OwnerAddress string
	// ValueHash (hex, 20 bytes) selects the 57-byte name+zone-file form
	// (epoch 3 on); empty gives the name-only form.
	ValueHash string
}

// Encode implements Args.
func (a NameRegistrationArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNameRegistration, byte(OpNameRegistration), 57)
	b.registrationPayload(a.Name, a.ValueHash, nil)
	b.out(RoleRecipient, "owner address", a.OwnerAddress, DustMinimum)
	return b.done()
}

func (b *builder) registrationPayload(name, valueHash string, tokens *uint64) {
	b.name(name)
	if tokens != nil && valueHash == "" {
		valueHash = hex.EncodeToString(make([]byte, lenValueHash))
	}
	if valueHash == "" {
		b.put([]byte(name))
		return
	}
	f := make([]byte, MaxNameLength)
	copy(f, name)
	b.put(f)
	b.hexField("value hash", valueHash, lenValueHash)
	if tokens != nil {
		b.u64(*tokens)
	}
}

// NameRenewalArgs builds a NAME_RENEWAL: [OP_RETURN, new owner, current
// owner's change, burn]. Input 0 must spend the current owner's coin.
type NameRenewalArgs struct {
	Name string
	// NewOwnerAddress receives the name (the current owner to keep it).
	NewOwnerAddress string
	// OwnerAddress is the current owner; it gets the change output.
	OwnerAddress string
	BurnAddress  string
	Payment      Payment
	// ValueHash optionally sets the zone-file hash. A token payment always
	// uses the 65-byte form (zero value hash when empty). Note that a BTC
	// renewal with a value hash is the 57-byte form, which the reference
	// refuses from epoch 4 on (check with Template.Check).
	ValueHash string
}

// Encode implements Args.
func (a NameRenewalArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNameRenewal, byte(OpNameRegistration), 65)
	b.registrationPayload(a.Name, a.ValueHash, a.Payment.Tokens)
	b.out(RoleRecipient, "new owner address", a.NewOwnerAddress, DustMinimum)
	b.out(RoleChange, "owner address", a.OwnerAddress, DustMinimum)
	b.out(RoleBurn, "burn address", b.burnAddr(a.BurnAddress), a.Payment.btcValue())
	return b.done()
}

// NameUpdateArgs builds a NAME_UPDATE: [OP_RETURN]. Input 0 must spend the
// owner's coin.
type NameUpdateArgs struct {
	Name          string
	ConsensusHash string // hex, 16 bytes: a recent consensus hash
	ValueHash     string // hex, 20 bytes
}

// Encode implements Args.
func (a NameUpdateArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNameUpdate, byte(OpNameUpdate), 36)
	b.name(a.Name)
	if v, err := hex.DecodeString(a.ConsensusHash); err != nil || len(v) != lenConsensusHash {
		b.failf(ErrInvalidHash, "consensus hash %q: want 16 hex-encoded bytes", a.ConsensusHash)
	}
	b.hexField("name consensus hash", UpdateHash(a.Name, a.ConsensusHash), lenNameHash)
	b.hexField("value hash", a.ValueHash, lenValueHash)
	return b.done()
}

// NameTransferArgs builds a NAME_TRANSFER: [OP_RETURN, new owner]. Input 0
// must spend the owner's coin.
type NameTransferArgs struct {
	Name            string
	ConsensusHash   string // hex, 16 bytes
	NewOwnerAddress string
	KeepData        bool
}

// Encode implements Args.
func (a NameTransferArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNameTransfer, byte(OpNameTransfer), 33)
	b.name(a.Name)
	if a.KeepData {
		b.put([]byte{'>'})
	} else {
		b.put([]byte{'~'})
	}
	b.hexField("name hash", NameHash128(a.Name), lenNameHash)
	b.hexField("consensus hash", a.ConsensusHash, lenConsensusHash)
	b.out(RoleRecipient, "new owner address", a.NewOwnerAddress, DustMinimum)
	return b.done()
}

// NameRevokeArgs builds a NAME_REVOKE: [OP_RETURN]. Input 0 must spend the
// owner's coin.
type NameRevokeArgs struct{ Name string }

// Encode implements Args.
func (a NameRevokeArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNameRevoke, byte(OpNameRevoke), len(a.Name))
	b.name(a.Name)
	b.put([]byte(a.Name))
	return b.done()
}

// NameImportArgs builds a NAME_IMPORT: [OP_RETURN, recipient, value hash].
// Input 0 must spend the namespace revealer's (or an import key's) coin, and
// it must be p2pkh.
type NameImportArgs struct {
	Name             string
	RecipientAddress string
	ValueHash        string // hex, 20 bytes: the zone-file hash
}

// Encode implements Args.
func (a NameImportArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNameImport, byte(OpNameImport), len(a.Name))
	b.name(a.Name)
	b.put([]byte(a.Name))
	b.out(RoleRecipient, "recipient address", a.RecipientAddress, DustMinimum)
	v, err := hex.DecodeString(a.ValueHash)
	if err != nil || len(v) != lenValueHash {
		b.failf(ErrInvalidHash, "value hash %q: want 20 hex-encoded bytes", a.ValueHash)
	} else {
		b.t.Outputs = append(b.t.Outputs, TemplateOutput{Role: RoleValueHash, Script: P2PKHScript(v), Value: DustMinimum})
	}
	return b.done()
}

// NamespacePreorderArgs builds a NAMESPACE_PREORDER: [OP_RETURN, change,
// burn]. The burn output always pays the network's burn address.
type NamespacePreorderArgs struct {
	NamespaceID   string
	ConsensusHash string // hex, 16 bytes
	SenderAddress string
	// RevealAddress is the NAMESPACE_REVEAL's outputs[1] (the creator).
	RevealAddress string
	// Payment: BTC before epoch 4; Tokens (STACKS) from epoch 4 on.
	Payment Payment
}

// Encode implements Args.
func (a NamespacePreorderArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNamespacePreorder, byte(OpNamespacePreorder), 44)
	b.namespaceID(a.NamespaceID)
	b.preorderHash("reveal address", a.NamespaceID, a.SenderAddress, a.RevealAddress)
	b.hexField("consensus hash", a.ConsensusHash, lenConsensusHash)
	if a.Payment.Tokens != nil {
		b.u64(*a.Payment.Tokens)
	}
	b.out(RoleChange, "sender address", a.SenderAddress, DustMinimum)
	b.out(RoleBurn, "burn address", net.BurnAddress(), a.Payment.btcValue())
	return b.done()
}

// NamespaceRevealArgs builds a NAMESPACE_REVEAL: [OP_RETURN, reveal
// address]. The reference requires exactly three outputs: append the change
// output. Input 0 must spend the namespace preorderer's coin, p2pkh.
type NamespaceRevealArgs struct {
	NamespaceID      string
	Version          uint16 // 1 burn, 2 pay creator (epoch 3+), 3 STACKS (epoch 4+)
	Lifetime         uint32
	Coeff            uint8
	Base             uint8
	Buckets          [16]uint8 // each 0..15
	NonalphaDiscount uint8     // 1..15
	NoVowelDiscount  uint8     // 1..15
	RevealAddress    string
}

// RevealPayload returns the payload without magic and opcode (what
// blockstack.js's BlockstackNamespace.toHexPayload gives).
func (a NamespaceRevealArgs) RevealPayload() ([]byte, error) {
	if !IsNamespaceIDValid(a.NamespaceID) {
		return nil, newError(ErrInvalidNamespaceID, KindNamespaceReveal, "invalid namespace ID %q", a.NamespaceID)
	}
	if a.Version < 1 || a.Version > 3 {
		return nil, newError(ErrInvalidArgument, KindNamespaceReveal, "version %d is not 1, 2 or 3", a.Version)
	}
	if a.NonalphaDiscount < 1 || a.NonalphaDiscount > 15 || a.NoVowelDiscount < 1 || a.NoVowelDiscount > 15 {
		return nil, newError(ErrInvalidArgument, KindNamespaceReveal, "discounts must be 1..15")
	}
	p := make([]byte, lenRevealFixed, lenRevealFixed+len(a.NamespaceID))
	binary.BigEndian.PutUint32(p[0:4], a.Lifetime)
	p[4], p[5] = a.Coeff, a.Base
	for i, e := range a.Buckets {
		if e > 15 {
			return nil, newError(ErrInvalidArgument, KindNamespaceReveal, "bucket %d exponent %d exceeds 15", i, e)
		}
		if i%2 == 0 {
			p[6+i/2] = e << 4
		} else {
			p[6+i/2] |= e
		}
	}
	p[14] = a.NonalphaDiscount<<4 | a.NoVowelDiscount
	binary.BigEndian.PutUint16(p[15:17], a.Version)
	return append(p, a.NamespaceID...), nil
}

// Encode implements Args.
func (a NamespaceRevealArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNamespaceReveal, byte(OpNamespaceReveal), lenRevealFixed+len(a.NamespaceID))
	p, err := a.RevealPayload()
	if err != nil {
		return nil, err
	}
	b.put(p)
	b.out(RoleRecipient, "reveal address", a.RevealAddress, DustMinimum)
	return b.done()
}

// NamespaceReadyArgs builds a NAMESPACE_READY: [OP_RETURN]. Input 0 must
// spend the reveal address's coin.
type NamespaceReadyArgs struct{ NamespaceID string }

// Encode implements Args.
func (a NamespaceReadyArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindNamespaceReady, byte(OpNamespaceReady), 1+len(a.NamespaceID))
	b.namespaceID(a.NamespaceID)
	b.put([]byte("." + a.NamespaceID))
	return b.done()
}

// AnnounceArgs builds an ANNOUNCE: [OP_RETURN].
type AnnounceArgs struct {
	MessageHash string // hex, 20 bytes
}

// Encode implements Args.
func (a AnnounceArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindAnnounce, byte(OpAnnounce), lenAnnounce)
	b.hexField("message hash", a.MessageHash, lenAnnounce)
	return b.done()
}

// MaxScratchArea is blockstack.js's limit on a token transfer's scratch
// area, which keeps the data within 80 bytes.
const MaxScratchArea = 34

// TokenTransferArgs builds a TOKEN_TRANSFER: [OP_RETURN, recipient]. Input 0
// must spend the token sender's coin.
type TokenTransferArgs struct {
	RecipientAddress string
	ConsensusHash    string // hex, 16 bytes (all zeros allowed from epoch 5)
	TokenUnits       string // "STACKS" if empty
	Amount           uint64
	ScratchArea      []byte
}

// Encode implements Args.
func (a TokenTransferArgs) Encode(net Network) (*Template, error) {
	b := newBuilder(net, KindTokenTransfer, byte(OpTokenTransfer), 43+len(a.ScratchArea))
	b.hexField("consensus hash", a.ConsensusHash, lenConsensusHash)
	b.tokenUnits(a.TokenUnits, true)
	b.u64(a.Amount)
	if len(a.ScratchArea) > MaxScratchArea {
		b.failf(ErrInvalidArgument, "scratch area of %d bytes exceeds %d", len(a.ScratchArea), MaxScratchArea)
	}
	b.put(a.ScratchArea)
	b.out(RoleRecipient, "recipient address", a.RecipientAddress, DustMinimum)
	return b.done()
}

// Coerce re-encodes a base58 address of any network for this one, keeping
// its kind (p2pkh or p2sh), as blockstack.js's coerceAddress does.
func (n Network) Coerce(addr string) (string, error) {
	s, err := n.anyAddressScript(addr)
	if err != nil {
		return "", err
	}
	a, _ := n.ScriptAddress(s)
	return a, nil
}

// anyAddressScript decodes a base58 address of mainnet or testnet.
func (n Network) anyAddressScript(addr string) ([]byte, error) {
	for _, m := range []Network{n, Mainnet(), Testnet()} {
		if s, err := m.AddressScript(addr); err == nil {
			return s, nil
		}
	}
	return nil, newError(ErrInvalidAddress, "", "address %q is not a base58 p2pkh/p2sh address", addr)
}

// PubKeyAddress returns the p2pkh address of a serialized public key (its
// hash160 as encoded, compressed or not).
func (n Network) PubKeyAddress(pubkey []byte) string {
	return n.P2PKHAddress(address.Hash160(pubkey))
}

// EncodeData returns the OP_RETURN data (magic, opcode, payload) of a
// decoded operation in canonical form: decoding a transaction whose data is
// replaced by EncodeData(op) gives op again. Where the reference accepts
// several byte forms for one operation, one is chosen: token units are
// right-padded in preorders and left-padded in token transfers (as
// blockstack.js writes them); a registration or renewal with a value hash
// uses the 65-byte form when the epoch counts tokens (renewals only) and the
// 57-byte form otherwise. dc supplies the magic and the epoch features.
func EncodeData(op *Op, dc DecodeContext) ([]byte, error) {
	b := newBuilder(dc.Network, op.Kind, byte(op.Opcode), 80)
	switch op.Kind {
	case KindNamePreorder, KindNamespacePreorder:
		b.hexField("preorder hash", op.PreorderHash, lenPreorderHash)
		b.hexField("consensus hash", op.ConsensusHash, lenConsensusHash)
		if op.TokenFee != nil {
			b.u64(*op.TokenFee)
			if op.Kind == KindNamePreorder {
				units := ""
				if op.TokenUnits != nil {
					units = *op.TokenUnits
				}
				if units == "" {
					b.put(make([]byte, lenTokenUnits))
				} else {
					b.tokenUnits(units, false)
				}
			}
		}
	case KindNameRegistration, KindNameRenewal:
		vh := ""
		if op.ValueHash != nil {
			vh = *op.ValueHash
		}
		var tokens *uint64
		if op.Kind == KindNameRenewal && vh != "" && dc.Features.Has(FeatureNameopsCostTokens) {
			tokens = op.TokenFee
		}
		if vh == "" {
			b.put([]byte(op.Name))
		} else {
			f := make([]byte, MaxNameLength)
			copy(f, op.Name)
			b.put(f)
			b.hexField("value hash", vh, lenValueHash)
			if tokens != nil {
				b.u64(*tokens)
			}
		}
	case KindNameUpdate:
		b.hexField("name consensus hash", op.NameConsensusHash, lenNameHash)
		if op.ValueHash == nil {
			b.failf(ErrInvalidHash, "no value hash")
		} else {
			b.hexField("value hash", *op.ValueHash, lenValueHash)
		}
	case KindNameTransfer:
		if op.KeepData != nil && *op.KeepData {
			b.put([]byte{'>'})
		} else {
			b.put([]byte{'~'})
		}
		b.hexField("name hash", op.NameHash128, lenNameHash)
		b.hexField("consensus hash", op.ConsensusHash, lenConsensusHash)
	case KindNameRevoke, KindNameImport:
		b.put([]byte(op.Name))
	case KindNamespaceReveal:
		p := make([]byte, lenRevealFixed)
		binary.BigEndian.PutUint32(p[0:4], op.Lifetime)
		p[4], p[5] = op.Coeff, op.Base
		if op.Buckets != nil {
			for i, e := range op.Buckets {
				p[6+i/2] |= byte(e&0x0f) << (4 * (1 - i%2))
			}
		}
		p[14] = op.NonalphaDiscount<<4 | op.NoVowelDiscount&0x0f
		binary.BigEndian.PutUint16(p[15:17], op.Version)
		b.put(p)
		b.put([]byte(op.NamespaceID))
	case KindNamespaceReady:
		b.put([]byte("." + op.NamespaceID))
	case KindAnnounce:
		b.hexField("message hash", op.MessageHash, lenAnnounce)
	case KindTokenTransfer:
		b.hexField("consensus hash", op.ConsensusHash, lenConsensusHash)
		units := ""
		if op.TokenUnits != nil {
			units = *op.TokenUnits
		}
		if units == "" {
			b.put(make([]byte, lenTokenUnits))
		} else {
			b.tokenUnits(units, true)
		}
		fee := uint64(0)
		if op.TokenFee != nil {
			fee = *op.TokenFee
		}
		b.u64(fee)
		scratch := ""
		if op.ScratchArea != nil {
			scratch = *op.ScratchArea
		}
		s, err := hex.DecodeString(scratch)
		if err != nil {
			b.failf(ErrInvalidHash, "scratch area %q is not hex", scratch)
		}
		b.put(s)
	default:
		return nil, newError(ErrInvalidArgument, op.Kind, "unknown operation kind")
	}
	if b.err != nil {
		return nil, b.err
	}
	return b.t.Data, nil
}
