package ops

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"

	"github.com/btcsuite/btcd/wire/v2"
)

// Payload lengths (reference config.py:1074-1118).
const (
	lenPreorderHash  = 20
	lenConsensusHash = 16
	lenValueHash     = 20
	lenNameHash      = 16
	lenTokens        = 8
	lenTokenUnits    = 19
	lenRevealFixed   = 17 // lifetime..version, before the namespace ID
	lenAnnounce      = 20

	// MaxDataLength is the largest OP_RETURN data the encoders produce:
	// standard relay policy carries at most 80 bytes.
	MaxDataLength = 80
	// DustMinimum is the value blockstack.js gives to recipient and
	// placeholder outputs (5500 satoshis).
	DustMinimum = 5500
)

// DecodeContext is where a transaction is decoded: the network (address
// versions and magic), the block height and the epoch features in force at
// that height, and the transaction's position in its block.
type DecodeContext struct {
	Network  Network
	Height   uint64
	Features Features
	// Vtxindex is the transaction's index in its block (0 = coinbase).
	Vtxindex int
}

// ContextAt returns the DecodeContext for a height on a network whose epochs
// are given by sched (e.g. MainnetSchedule()).
func ContextAt(net Network, sched Schedule, height uint64) DecodeContext {
	return DecodeContext{Network: net, Height: height, Features: sched.FeaturesAt(height)}
}

// Decode turns one Bitcoin transaction into the Blockstack operation it
// carries, exactly as the reference's indexer and db_parse would.
//
// spent[i] is the scriptPubKey of the output spent by tx.TxIn[i]: exact
// scripts from a node or indexer (nil for a coinbase input, which spends
// nothing), or the result of LightSpentScripts (see also DecodeLight). The
// transaction must be the witness-stripped view the reference saw (its txid
// is the legacy txid; witnesses are ignored anyway).
//
// Errors are *Error values. IsIgnored(err) is true for transactions that are
// not Blockstack operations at all (no data, other magic, unknown opcode);
// every other code names the rule that rejected the operation.
func Decode(tx *wire.MsgTx, spent [][]byte, dc DecodeContext) (*Op, error) {
	return decode(tx, spent, dc, nil)
}

func decode(tx *wire.MsgTx, spent [][]byte, dc DecodeContext, kv *keyValidator) (*Op, error) {
	data, err := opData(tx, dc.Network)
	if err != nil {
		return nil, err
	}
	snd, serr := senderOf(tx, spent, dc.Network)
	if serr != nil {
		serr.Kind = kindOfData(data, len(tx.TxOut))
		return nil, serr
	}
	return decodeData(tx, data, snd, dc, kv)
}

// DecodeTemplate decodes an unsigned transaction template (a builder's
// skeleton, usually without inputs) by the payload and output rules alone:
// no sender rules apply and the sender fields stay empty. The reference never
// sees such transactions; this is for checking templates before funding them
// and for comparing with blockstack.js skeletons. NAMESPACE_REVEAL's
// preorder hash needs the sender, so it stays empty here.
func DecodeTemplate(tx *wire.MsgTx, dc DecodeContext) (*Op, error) {
	data, err := opData(tx, dc.Network)
	if err != nil {
		return nil, err
	}
	return decodeData(tx, data, nil, dc, nil)
}

// opData applies the framing rules: last nulldata output, magic, opcode.
func opData(tx *wire.MsgTx, net Network) ([]byte, error) {
	data, ok := NullData(tx)
	if !ok {
		return nil, newError(ErrNoNullData, "", "no OP_RETURN <push> data")
	}
	if !net.hasMagic(data) {
		return nil, newError(ErrWrongMagic, "", "data does not start with magic %q", net.Magic[:])
	}
	if len(data) < 3 {
		return nil, newError(ErrNoOpcode, "", "data has no opcode byte")
	}
	if !Opcode(data[2]).Valid() {
		return nil, newError(ErrUnknownOpcode, "", "unknown opcode 0x%02x", data[2])
	}
	return data, nil
}

func kindOfData(data []byte, nOut int) Kind {
	k := kindOf(Opcode(data[2]))
	if k == KindNameRegistration && nOut >= 4 {
		return KindNameRenewal
	}
	return k
}

func kindOf(o Opcode) Kind {
	switch o {
	case OpNamePreorder:
		return KindNamePreorder
	case OpNameRegistration:
		return KindNameRegistration
	case OpNameUpdate:
		return KindNameUpdate
	case OpNameTransfer:
		return KindNameTransfer
	case OpNameRevoke:
		return KindNameRevoke
	case OpNameImport:
		return KindNameImport
	case OpNamespacePreorder:
		return KindNamespacePreorder
	case OpNamespaceReveal:
		return KindNamespaceReveal
	case OpNamespaceReady:
		return KindNamespaceReady
	case OpAnnounce:
		return KindAnnounce
	case OpTokenTransfer:
		return KindTokenTransfer
	}
	return ""
}

// decoder carries one decoding.
type decoder struct {
	tx      *wire.MsgTx
	payload []byte
	snd     *sender
	dc      DecodeContext
	op      *Op
	kv      *keyValidator
}

func decodeData(tx *wire.MsgTx, data []byte, snd *sender, dc DecodeContext, kv *keyValidator) (*Op, error) {
	opc := Opcode(data[2])
	d := &decoder{tx: tx, payload: data[3:], snd: snd, dc: dc, kv: kv}
	d.op = &Op{
		Opcode:      opc,
		Kind:        kindOf(opc),
		OpString:    string(rune(opc)),
		Txid:        tx.TxHash().String(),
		Vtxindex:    dc.Vtxindex,
		BlockHeight: dc.Height,
	}
	if snd != nil {
		d.op.Sender = hex.EncodeToString(snd.script)
		d.op.Address = snd.address
	}
	var err error
	switch opc {
	case OpNamePreorder:
		err = d.namePreorder()
	case OpNameRegistration:
		err = d.nameRegistration()
	case OpNameUpdate:
		err = d.nameUpdate()
	case OpNameTransfer:
		err = d.nameTransfer()
	case OpNameRevoke:
		err = d.nameRevoke()
	case OpNameImport:
		err = d.nameImport()
	case OpNamespacePreorder:
		err = d.namespacePreorder()
	case OpNamespaceReveal:
		err = d.namespaceReveal()
	case OpNamespaceReady:
		err = d.namespaceReady()
	case OpAnnounce:
		err = d.announce()
	case OpTokenTransfer:
		err = d.tokenTransfer()
	}
	if err != nil {
		return nil, err
	}
	return d.op, nil
}

func (d *decoder) fail(code ErrorCode, format string, args ...any) error {
	return newError(code, d.op.Kind, format, args...)
}

// checkOutputTypes is check_tx_output_types(outputs[:n]).
func (d *decoder) checkOutputTypes(n int) error {
	for i, out := range d.tx.TxOut {
		if i >= n {
			break
		}
		if !outputTypeOK(out.PkScript) {
			return d.fail(ErrOutputType, "output %d is not OP_RETURN, p2pkh or p2sh", i)
		}
	}
	return nil
}

// recipient reads outputs[1] as the recipient (script and address).
func (d *decoder) recipient() error {
	if len(d.tx.TxOut) < 2 {
		return d.fail(ErrOutputCount, "needs a recipient output, has %d outputs", len(d.tx.TxOut))
	}
	s := d.tx.TxOut[1].PkScript
	addr, ok := d.dc.Network.ScriptAddress(s)
	if !ok {
		return d.fail(ErrNoAddress, "recipient output has no address")
	}
	d.op.Recipient = hex.EncodeToString(s)
	d.op.RecipientAddress = addr
	return nil
}

// burn reads outputs[i] as the fee output.
func (d *decoder) burn(i int) error {
	out := d.tx.TxOut[i]
	addr, ok := d.dc.Network.ScriptAddress(out.PkScript)
	if !ok {
		return d.fail(ErrNoAddress, "fee output %d has no address", i)
	}
	fee := uint64(out.Value)
	d.op.OpFee = &fee
	d.op.BurnAddress = addr
	return nil
}

// pubkey sets sender_pubkey when found.
func (d *decoder) pubkey() {
	if k := senderPubkey(d.tx, d.snd, d.kv); k != nil {
		s := hex.EncodeToString(k)
		d.op.SenderPubkey = &s
	}
}

func u64(b []byte) *uint64 {
	v := binary.BigEndian.Uint64(b)
	return &v
}

func strp(s string) *string { return &s }

func (d *decoder) namePreorder() error {
	if err := d.checkOutputTypes(3); err != nil {
		return err
	}
	d.pubkey()
	p := d.payload
	const base = lenPreorderHash + lenConsensusHash
	if len(p) < base {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need %d", len(p), base)
	}
	d.op.PreorderHash = hex.EncodeToString(p[:lenPreorderHash])
	d.op.ConsensusHash = hex.EncodeToString(p[lenPreorderHash:base])
	if len(p) > base {
		if !d.dc.Features.Has(FeatureNameopsCostTokens) {
			return d.fail(ErrEpochFeature, "token fields (payload of %d bytes) before NAMEOPS_COST_TOKENS", len(p))
		}
		if len(p) != base+lenTokens+lenTokenUnits {
			return d.fail(ErrPayloadLength, "payload of %d bytes, need %d or %d", len(p), base, base+lenTokens+lenTokenUnits)
		}
		d.op.TokenFee = u64(p[base : base+lenTokens])
		d.op.TokenUnits = strp(trimNUL(p[base+lenTokens:]))
	}
	if len(d.tx.TxOut) != 3 {
		return d.fail(ErrOutputCount, "needs exactly 3 outputs, has %d", len(d.tx.TxOut))
	}
	return d.burn(2)
}

func trimNUL(b []byte) string { return string(bytes.Trim(b, "\x00")) }

func (d *decoder) nameRegistration() error {
	if err := d.checkOutputTypes(2); err != nil {
		return err
	}
	if err := d.recipient(); err != nil {
		return err
	}
	d.pubkey()
	renewal := len(d.tx.TxOut) >= 4
	if renewal {
		d.op.Kind = KindNameRenewal
		d.op.OpString = "::"
		if err := d.burn(3); err != nil {
			return err
		}
	}
	name, valueHash, tokenFee, err := d.registrationPayload()
	if err != nil {
		return err
	}
	d.op.Name = name
	d.op.ValueHash = valueHash
	if !renewal {
		if tokenFee != nil && *tokenFee != 0 {
			return d.fail(ErrRegistrationTokenFee, "registration carries token fee %d", *tokenFee)
		}
		// The reference's registration record does not carry token_fee.
		return nil
	}
	if tokenFee == nil {
		return d.fail(ErrRenewalTokenFee, "57-byte renewal payload without token field from epoch 4 on")
	}
	d.op.TokenFee = tokenFee
	return nil
}

// registrationPayload parses the three payload forms of ':'
// (register.py:1036-1085).
func (d *decoder) registrationPayload() (name string, valueHash *string, tokenFee *uint64, err error) {
	p := d.payload
	f := d.dc.Features
	zero := uint64(0)
	tokenFee = &zero
	name = string(p)
	if f.Has(FeatureOpRegisterUpdate) || f.Has(FeatureOpRenewTransferUpdate) {
		const nv = MaxNameLength + lenValueHash
		if len(p) >= nv {
			valueHash = strp(hex.EncodeToString(p[MaxNameLength:nv]))
			name = string(bytes.TrimRight(p[:MaxNameLength], "\x00"))
			switch {
			case f.Has(FeatureNameopsCostTokens) && len(p) == nv+lenTokens:
				tokenFee = u64(p[nv:])
			case f.Has(FeatureNameopsCostTokens) && len(p) == nv:
				tokenFee = nil
			case len(p) != nv:
				return "", nil, nil, d.fail(ErrPayloadLength, "payload of %d bytes at height %d", len(p), d.dc.Height)
			}
		}
	}
	if !IsNameValid(name) {
		return "", nil, nil, d.fail(ErrInvalidName, "invalid name %q", name)
	}
	return name, valueHash, tokenFee, nil
}

func (d *decoder) nameUpdate() error {
	d.pubkey()
	p := d.payload
	if len(p) != lenNameHash+lenValueHash {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need %d", len(p), lenNameHash+lenValueHash)
	}
	d.op.NameConsensusHash = hex.EncodeToString(p[:lenNameHash])
	d.op.ValueHash = strp(hex.EncodeToString(p[lenNameHash:]))
	return nil
}

func (d *decoder) nameTransfer() error {
	if err := d.checkOutputTypes(2); err != nil {
		return err
	}
	if err := d.recipient(); err != nil {
		return err
	}
	d.pubkey()
	p := d.payload
	if len(p) != 1+lenNameHash+lenConsensusHash {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need %d", len(p), 1+lenNameHash+lenConsensusHash)
	}
	var keep bool
	switch p[0] {
	case '>':
		keep = true
	case '~':
	default:
		return d.fail(ErrTransferDisposition, "disposition byte 0x%02x is neither '>' nor '~'", p[0])
	}
	d.op.KeepData = &keep
	d.op.OpString = ">" + string(p[0])
	d.op.NameHash128 = hex.EncodeToString(p[1 : 1+lenNameHash])
	d.op.ConsensusHash = hex.EncodeToString(p[1+lenNameHash:])
	return nil
}

func (d *decoder) nameRevoke() error {
	// The reference's revoke record never carries sender_pubkey.
	name := string(d.payload)
	if !IsNameValid(name) {
		return d.fail(ErrInvalidName, "invalid name %q", name)
	}
	d.op.Name = name
	return nil
}

func (d *decoder) nameImport() error {
	if err := d.checkOutputTypes(3); err != nil {
		return err
	}
	if err := d.recipient(); err != nil {
		return err
	}
	if len(d.tx.TxOut) < 3 {
		return d.fail(ErrOutputCount, "needs a value-hash output, has %d outputs", len(d.tx.TxOut))
	}
	vs := d.tx.TxOut[2].PkScript
	var h []byte
	switch {
	case isP2PKH(vs):
		h = vs[3:23]
	case isP2SH(vs):
		h = vs[2:22]
	default:
		return d.fail(ErrNoAddress, "value-hash output 2 has no address")
	}
	d.op.ValueHash = strp(hex.EncodeToString(h))
	d.pubkey()
	name := string(d.payload)
	if !IsNameValid(name) {
		return d.fail(ErrInvalidName, "invalid name %q", name)
	}
	d.op.Name = name
	return nil
}

func (d *decoder) namespacePreorder() error {
	if err := d.checkOutputTypes(3); err != nil {
		return err
	}
	d.pubkey()
	if len(d.tx.TxOut) < 3 {
		return d.fail(ErrOutputCount, "needs a fee output, has %d outputs", len(d.tx.TxOut))
	}
	if err := d.burn(2); err != nil {
		return err
	}
	p := d.payload
	const base = lenPreorderHash + lenConsensusHash
	if len(p) < base {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need %d", len(p), base)
	}
	d.op.PreorderHash = hex.EncodeToString(p[:lenPreorderHash])
	d.op.ConsensusHash = hex.EncodeToString(p[lenPreorderHash:base])
	stacks := d.dc.Features.Has(FeatureStacksBuyNamespaces)
	switch {
	case len(p) > base && !stacks:
		return d.fail(ErrEpochFeature, "token field (payload of %d bytes) before STACKS_BUY_NAMESPACES", len(p))
	case len(p) > base && len(p) != base+lenTokens:
		return d.fail(ErrPayloadLength, "payload of %d bytes, need %d", len(p), base+lenTokens)
	case len(p) > base:
		d.op.TokenFee = u64(p[base:])
	case stacks:
		return d.fail(ErrEpochFeature, "token field is mandatory from STACKS_BUY_NAMESPACES on")
	}
	return nil
}

func (d *decoder) namespaceReveal() error {
	if err := d.checkOutputTypes(2); err != nil {
		return err
	}
	if len(d.tx.TxOut) != 3 {
		return d.fail(ErrOutputCount, "needs exactly 3 outputs, has %d", len(d.tx.TxOut))
	}
	if err := d.recipient(); err != nil {
		return err
	}
	d.pubkey()
	p := d.payload
	if len(p) < lenRevealFixed+1 {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need at least %d", len(p), lenRevealFixed+1)
	}
	d.op.Lifetime = binary.BigEndian.Uint32(p[0:4])
	d.op.Coeff = p[4]
	d.op.Base = p[5]
	var buckets [16]int
	for i := 0; i < 8; i++ {
		buckets[2*i] = int(p[6+i] >> 4)
		buckets[2*i+1] = int(p[6+i] & 0x0f)
	}
	d.op.Buckets = &buckets
	d.op.NonalphaDiscount = p[14] >> 4
	d.op.NoVowelDiscount = p[14] & 0x0f
	d.op.Version = binary.BigEndian.Uint16(p[15:17])
	id := string(p[lenRevealFixed:])
	d.op.NamespaceID = id
	if _, err := B40ToBin(id); err != nil {
		// The reference's hash_name raises here (e.g. a trailing newline).
		return d.fail(ErrInvalidNamespaceID, "namespace ID %q is not base-40", id)
	}
	if d.snd != nil {
		h, _ := PreorderHash(id, d.snd.script, d.op.RecipientAddress)
		d.op.PreorderHash = h
	}
	// namespacereveal_sanity_check (namespacereveal.py:66-107); the length
	// can only exceed 19, it is at least 1 here.
	if !IsB40(id) || len(id) > MaxNamespaceIDLength || bytes.ContainsAny(p[lenRevealFixed:], "+.") {
		return d.fail(ErrInvalidNamespaceID, "invalid namespace ID %q", id)
	}
	if v := d.op.Version; v < 1 || v > 3 {
		return d.fail(ErrNamespaceParams, "unknown namespace version %d", v)
	}
	if d.op.NonalphaDiscount == 0 || d.op.NoVowelDiscount == 0 {
		return d.fail(ErrNamespaceParams, "discounts must be 1..15")
	}
	return nil
}

func (d *decoder) namespaceReady() error {
	d.pubkey()
	p := d.payload
	if len(p) == 0 || p[0] != '.' {
		return d.fail(ErrNamespaceDelimiter, "payload does not start with '.'")
	}
	id := string(p[1:])
	if !IsNamespaceIDValid(id) {
		return d.fail(ErrInvalidNamespaceID, "invalid namespace ID %q", id)
	}
	d.op.NamespaceID = id
	return nil
}

func (d *decoder) announce() error {
	d.pubkey()
	if len(d.payload) != lenAnnounce {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need %d", len(d.payload), lenAnnounce)
	}
	d.op.MessageHash = hex.EncodeToString(d.payload)
	return nil
}

func (d *decoder) tokenTransfer() error {
	// The reference's token-transfer record never carries sender_pubkey.
	if err := d.checkOutputTypes(2); err != nil {
		return err
	}
	if err := d.recipient(); err != nil {
		return err
	}
	if !d.dc.Features.Has(FeatureTokenTransfer) {
		return d.fail(ErrEpochFeature, "token transfers need TOKEN_TRANSFER")
	}
	p := d.payload
	const fixed = lenConsensusHash + lenTokenUnits + lenTokens
	if len(p) < fixed {
		return d.fail(ErrPayloadLength, "payload of %d bytes, need at least %d", len(p), fixed)
	}
	d.op.ConsensusHash = hex.EncodeToString(p[:lenConsensusHash])
	d.op.TokenUnits = strp(trimNUL(p[lenConsensusHash : lenConsensusHash+lenTokenUnits]))
	d.op.TokenFee = u64(p[lenConsensusHash+lenTokenUnits : fixed])
	d.op.ScratchArea = strp(hex.EncodeToString(p[fixed:]))
	return nil
}

// ParseRawTx deserializes a raw transaction as the reference indexer saw
// it. Serialized transactions are ambiguous in one place: a transaction with
// no inputs (a builder's skeleton) starts 00 01 after the version, which is
// also the segwit marker. The witness-free reading is tried first and kept
// when it consumes every byte; otherwise the witness serialization is read
// (its witnesses are then ignored: the txid is the legacy txid).
func ParseRawTx(raw []byte) (*wire.MsgTx, error) {
	tx := new(wire.MsgTx)
	r := bytes.NewReader(raw)
	if err := tx.DeserializeNoWitness(r); err == nil && r.Len() == 0 {
		return tx, nil
	}
	tx = new(wire.MsgTx)
	r = bytes.NewReader(raw)
	if err := tx.Deserialize(r); err != nil {
		return nil, newError(ErrMalformedTx, "", "raw transaction: %v", err)
	}
	if r.Len() != 0 {
		return nil, newError(ErrMalformedTx, "", "raw transaction: %d trailing bytes", r.Len())
	}
	return tx, nil
}
