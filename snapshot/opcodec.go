package snapshot

import (
	"math"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// The binary encoding of one ops.Op (inputs format 2): its opcode byte, a
// uvarint mask with bit i set for each field i below that the operation
// carries, then the values of those fields in bit order. A plain field is
// carried when it is not its zero value; a pointer field when it is not
// nil, whatever it points to. Values: strings are uvarint-length-prefixed
// bytes; unsigned integers uvarints; Vtxindex and the buckets zig-zag
// varints; KeepData one byte, 0 or 1; Buckets sixteen varints; Kind one
// byte, 1 to 12 for the kinds in the order of kindCode, or 0 followed by
// the kind as a string when it is none of those. The decoder accepts
// exactly what the encoder writes: an unknown bit, a carried plain field
// holding its zero value, a number out of its field's range, a varint
// longer than needed or a byte left over is malformed, so every operation
// has one encoding.
const (
	fieldKind = iota
	fieldOpString
	fieldTxid
	fieldVtxindex
	fieldBlockHeight
	fieldSender
	fieldAddress
	fieldSenderPubkey
	fieldRecipient
	fieldRecipientAddress
	fieldOpFee
	fieldBurnAddress
	fieldPreorderHash
	fieldConsensusHash
	fieldNameConsensusHash
	fieldName
	fieldValueHash
	fieldTokenFee
	fieldTokenUnits
	fieldKeepData
	fieldNameHash128
	fieldNamespaceID
	fieldLifetime
	fieldCoeff
	fieldBase
	fieldBuckets
	fieldNonalphaDiscount
	fieldNoVowelDiscount
	fieldVersion
	fieldMessageHash
	fieldScratchArea
	numOpFields
)

// kindCode is the one-byte code of a known kind, 0 for any other.
func kindCode(k ops.Kind) byte {
	switch k {
	case ops.KindNamePreorder:
		return 1
	case ops.KindNameRegistration:
		return 2
	case ops.KindNameRenewal:
		return 3
	case ops.KindNameUpdate:
		return 4
	case ops.KindNameTransfer:
		return 5
	case ops.KindNameRevoke:
		return 6
	case ops.KindNameImport:
		return 7
	case ops.KindNamespacePreorder:
		return 8
	case ops.KindNamespaceReveal:
		return 9
	case ops.KindNamespaceReady:
		return 10
	case ops.KindAnnounce:
		return 11
	case ops.KindTokenTransfer:
		return 12
	}
	return 0
}

// kindOfCode reverses kindCode for the codes 1 to 12.
func kindOfCode(c byte) (ops.Kind, bool) {
	switch c {
	case 1:
		return ops.KindNamePreorder, true
	case 2:
		return ops.KindNameRegistration, true
	case 3:
		return ops.KindNameRenewal, true
	case 4:
		return ops.KindNameUpdate, true
	case 5:
		return ops.KindNameTransfer, true
	case 6:
		return ops.KindNameRevoke, true
	case 7:
		return ops.KindNameImport, true
	case 8:
		return ops.KindNamespacePreorder, true
	case 9:
		return ops.KindNamespaceReveal, true
	case 10:
		return ops.KindNamespaceReady, true
	case 11:
		return ops.KindAnnounce, true
	case 12:
		return ops.KindTokenTransfer, true
	}
	return "", false
}

// opMask returns the mask of the fields op carries.
func opMask(op *ops.Op) uint64 {
	var m uint64
	bit := func(f int, on bool) {
		if on {
			m |= 1 << f
		}
	}
	bit(fieldKind, op.Kind != "")
	bit(fieldOpString, op.OpString != "")
	bit(fieldTxid, op.Txid != "")
	bit(fieldVtxindex, op.Vtxindex != 0)
	bit(fieldBlockHeight, op.BlockHeight != 0)
	bit(fieldSender, op.Sender != "")
	bit(fieldAddress, op.Address != "")
	bit(fieldSenderPubkey, op.SenderPubkey != nil)
	bit(fieldRecipient, op.Recipient != "")
	bit(fieldRecipientAddress, op.RecipientAddress != "")
	bit(fieldOpFee, op.OpFee != nil)
	bit(fieldBurnAddress, op.BurnAddress != "")
	bit(fieldPreorderHash, op.PreorderHash != "")
	bit(fieldConsensusHash, op.ConsensusHash != "")
	bit(fieldNameConsensusHash, op.NameConsensusHash != "")
	bit(fieldName, op.Name != "")
	bit(fieldValueHash, op.ValueHash != nil)
	bit(fieldTokenFee, op.TokenFee != nil)
	bit(fieldTokenUnits, op.TokenUnits != nil)
	bit(fieldKeepData, op.KeepData != nil)
	bit(fieldNameHash128, op.NameHash128 != "")
	bit(fieldNamespaceID, op.NamespaceID != "")
	bit(fieldLifetime, op.Lifetime != 0)
	bit(fieldCoeff, op.Coeff != 0)
	bit(fieldBase, op.Base != 0)
	bit(fieldBuckets, op.Buckets != nil)
	bit(fieldNonalphaDiscount, op.NonalphaDiscount != 0)
	bit(fieldNoVowelDiscount, op.NoVowelDiscount != 0)
	bit(fieldVersion, op.Version != 0)
	bit(fieldMessageHash, op.MessageHash != "")
	bit(fieldScratchArea, op.ScratchArea != nil)
	return m
}

func appendString(b []byte, s string) []byte {
	b = enc.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendOp appends the binary encoding of op.
func appendOp(b []byte, op *ops.Op) []byte {
	m := opMask(op)
	b = append(b, byte(op.Opcode))
	b = enc.AppendUvarint(b, m)
	has := func(f int) bool { return m&(1<<f) != 0 }
	if has(fieldKind) {
		if c := kindCode(op.Kind); c != 0 {
			b = append(b, c)
		} else {
			b = appendString(append(b, 0), string(op.Kind))
		}
	}
	if has(fieldOpString) {
		b = appendString(b, op.OpString)
	}
	if has(fieldTxid) {
		b = appendString(b, op.Txid)
	}
	if has(fieldVtxindex) {
		b = enc.AppendVarint(b, int64(op.Vtxindex))
	}
	if has(fieldBlockHeight) {
		b = enc.AppendUvarint(b, op.BlockHeight)
	}
	if has(fieldSender) {
		b = appendString(b, op.Sender)
	}
	if has(fieldAddress) {
		b = appendString(b, op.Address)
	}
	if has(fieldSenderPubkey) {
		b = appendString(b, *op.SenderPubkey)
	}
	if has(fieldRecipient) {
		b = appendString(b, op.Recipient)
	}
	if has(fieldRecipientAddress) {
		b = appendString(b, op.RecipientAddress)
	}
	if has(fieldOpFee) {
		b = enc.AppendUvarint(b, *op.OpFee)
	}
	if has(fieldBurnAddress) {
		b = appendString(b, op.BurnAddress)
	}
	if has(fieldPreorderHash) {
		b = appendString(b, op.PreorderHash)
	}
	if has(fieldConsensusHash) {
		b = appendString(b, op.ConsensusHash)
	}
	if has(fieldNameConsensusHash) {
		b = appendString(b, op.NameConsensusHash)
	}
	if has(fieldName) {
		b = appendString(b, op.Name)
	}
	if has(fieldValueHash) {
		b = appendString(b, *op.ValueHash)
	}
	if has(fieldTokenFee) {
		b = enc.AppendUvarint(b, *op.TokenFee)
	}
	if has(fieldTokenUnits) {
		b = appendString(b, *op.TokenUnits)
	}
	if has(fieldKeepData) {
		v := byte(0)
		if *op.KeepData {
			v = 1
		}
		b = append(b, v)
	}
	if has(fieldNameHash128) {
		b = appendString(b, op.NameHash128)
	}
	if has(fieldNamespaceID) {
		b = appendString(b, op.NamespaceID)
	}
	if has(fieldLifetime) {
		b = enc.AppendUvarint(b, uint64(op.Lifetime))
	}
	if has(fieldCoeff) {
		b = enc.AppendUvarint(b, uint64(op.Coeff))
	}
	if has(fieldBase) {
		b = enc.AppendUvarint(b, uint64(op.Base))
	}
	if has(fieldBuckets) {
		for _, v := range op.Buckets {
			b = enc.AppendVarint(b, int64(v))
		}
	}
	if has(fieldNonalphaDiscount) {
		b = enc.AppendUvarint(b, uint64(op.NonalphaDiscount))
	}
	if has(fieldNoVowelDiscount) {
		b = enc.AppendUvarint(b, uint64(op.NoVowelDiscount))
	}
	if has(fieldVersion) {
		b = enc.AppendUvarint(b, uint64(op.Version))
	}
	if has(fieldMessageHash) {
		b = appendString(b, op.MessageHash)
	}
	if has(fieldScratchArea) {
		b = appendString(b, *op.ScratchArea)
	}
	return b
}

// opReader decodes operations from a Decoder. With keep unset it checks
// them without building them (no allocation), for audits that do not
// replay.
type opReader struct {
	d    *enc.Decoder
	keep bool
	bad  bool
}

// plain reads a plain string field, which the encoder writes only when
// it is not empty.
func (r *opReader) plain() string {
	b := r.d.Bytes()
	if len(b) == 0 {
		r.bad = true
		return ""
	}
	if !r.keep {
		return ""
	}
	return string(b)
}

// ptr reads a pointer string field.
func (r *opReader) ptr() *string {
	b := r.d.Bytes()
	if !r.keep {
		return nil
	}
	s := string(b)
	return &s
}

// uint reads an unsigned field of at most max; nonzero requires it to be
// more than zero (a plain field).
func (r *opReader) uint(max uint64, nonzero bool) uint64 {
	v := r.d.Uvarint()
	if v > max || nonzero && v == 0 {
		r.bad = true
	}
	return v
}

// int reads a signed field that fits an int; nonzero as for uint.
func (r *opReader) int(nonzero bool) int {
	v := r.d.Varint()
	if v < math.MinInt || v > math.MaxInt || nonzero && v == 0 {
		r.bad = true
	}
	return int(v)
}

// read decodes one operation into op (left zero unless r.keep).
func (r *opReader) read(op *ops.Op) error {
	d := r.d
	opcode := d.Byte()
	m := d.Uvarint()
	if m>>numOpFields != 0 {
		return enc.ErrMalformed
	}
	var o ops.Op
	o.Opcode = ops.Opcode(opcode)
	has := func(f int) bool { return m&(1<<f) != 0 }
	if has(fieldKind) {
		if c := d.Byte(); c != 0 {
			k, ok := kindOfCode(c)
			r.bad = r.bad || !ok
			o.Kind = k
		} else {
			k := d.Bytes()
			r.bad = r.bad || len(k) == 0 || kindCode(ops.Kind(k)) != 0
			if r.keep {
				o.Kind = ops.Kind(k)
			}
		}
	}
	if has(fieldOpString) {
		o.OpString = r.plain()
	}
	if has(fieldTxid) {
		o.Txid = r.plain()
	}
	if has(fieldVtxindex) {
		o.Vtxindex = r.int(true)
	}
	if has(fieldBlockHeight) {
		o.BlockHeight = r.uint(math.MaxUint64, true)
	}
	if has(fieldSender) {
		o.Sender = r.plain()
	}
	if has(fieldAddress) {
		o.Address = r.plain()
	}
	if has(fieldSenderPubkey) {
		o.SenderPubkey = r.ptr()
	}
	if has(fieldRecipient) {
		o.Recipient = r.plain()
	}
	if has(fieldRecipientAddress) {
		o.RecipientAddress = r.plain()
	}
	if has(fieldOpFee) {
		if v := r.uint(math.MaxUint64, false); r.keep {
			o.OpFee = &v
		}
	}
	if has(fieldBurnAddress) {
		o.BurnAddress = r.plain()
	}
	if has(fieldPreorderHash) {
		o.PreorderHash = r.plain()
	}
	if has(fieldConsensusHash) {
		o.ConsensusHash = r.plain()
	}
	if has(fieldNameConsensusHash) {
		o.NameConsensusHash = r.plain()
	}
	if has(fieldName) {
		o.Name = r.plain()
	}
	if has(fieldValueHash) {
		o.ValueHash = r.ptr()
	}
	if has(fieldTokenFee) {
		if v := r.uint(math.MaxUint64, false); r.keep {
			o.TokenFee = &v
		}
	}
	if has(fieldTokenUnits) {
		o.TokenUnits = r.ptr()
	}
	if has(fieldKeepData) {
		v := d.Byte()
		r.bad = r.bad || v > 1
		if keep := v == 1; r.keep {
			o.KeepData = &keep
		}
	}
	if has(fieldNameHash128) {
		o.NameHash128 = r.plain()
	}
	if has(fieldNamespaceID) {
		o.NamespaceID = r.plain()
	}
	if has(fieldLifetime) {
		o.Lifetime = uint32(r.uint(math.MaxUint32, true))
	}
	if has(fieldCoeff) {
		o.Coeff = uint8(r.uint(math.MaxUint8, true))
	}
	if has(fieldBase) {
		o.Base = uint8(r.uint(math.MaxUint8, true))
	}
	if has(fieldBuckets) {
		var bs [16]int
		for i := range bs {
			bs[i] = r.int(false)
		}
		if r.keep {
			o.Buckets = &bs
		}
	}
	if has(fieldNonalphaDiscount) {
		o.NonalphaDiscount = uint8(r.uint(math.MaxUint8, true))
	}
	if has(fieldNoVowelDiscount) {
		o.NoVowelDiscount = uint8(r.uint(math.MaxUint8, true))
	}
	if has(fieldVersion) {
		o.Version = uint16(r.uint(math.MaxUint16, true))
	}
	if has(fieldMessageHash) {
		o.MessageHash = r.plain()
	}
	if has(fieldScratchArea) {
		o.ScratchArea = r.ptr()
	}
	if err := d.Err(); err != nil {
		return err
	}
	if r.bad {
		return enc.ErrMalformed
	}
	if r.keep {
		*op = o
	}
	return nil
}
