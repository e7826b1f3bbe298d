package consensus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// State value encoding (see keys.go). The hot records — names, namespaces,
// preorder rows, accounts, owner indexes and history entries — use a
// compact binary form: one tag byte naming the type, then the fields in
// declaration order as unsigned/signed varints, length-prefixed strings,
// optional strings (0 = nil, else length+1), single-byte booleans and
// 8-byte big-endian IEEE floats. Everything else (vesting, scheduled
// events, keychains) is JSON. Both forms are deterministic.
const (
	tagNameRecord byte = 0xB1 + iota
	tagNamespace
	tagPreorders
	tagAccount
	tagOwnerIndex
	tagHistory
)

var errCorrupt = errors.New("consensus: corrupt state value")

type encoder struct{ b []byte }

// u appends v as a uvarint; most values (lengths, small counts) take one
// byte, appended without a call.
func (e *encoder) u(v uint64) {
	if v < 0x80 {
		e.b = append(e.b, byte(v))
		return
	}
	e.b = binary.AppendUvarint(e.b, v)
}
func (e *encoder) i(v int64)  { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) s(v string) { e.u(uint64(len(v))); e.b = append(e.b, v...) }
func (e *encoder) bo(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) f(v float64) { e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(v)) }
func (e *encoder) os(v *string) {
	if v == nil {
		e.u(0)
		return
	}
	e.u(uint64(len(*v)) + 1)
	e.b = append(e.b, *v...)
}
func (e *encoder) ou(v *uint64) {
	if v == nil {
		e.bo(false)
		return
	}
	e.bo(true)
	e.u(*v)
}

type decoder struct {
	b   []byte
	err error
	// src, when set, is the whole value as one string, and d.b its tail
	// still to read: strings are cut from it rather than copied one by one
	// (one allocation per value instead of one per field).
	src string
	// opts, when set, is room for the optional strings that os returns
	// pointers to (instead of a new string each).
	opts []string
}

// newStringDecoder decodes b, whose strings share one copy of it.
func newStringDecoder(b []byte) *decoder { return &decoder{b: b, src: string(b)} }

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

// u reads a uvarint; a one-byte one (most lengths) without a call.
func (d *decoder) u() uint64 {
	if b := d.b; len(b) > 0 && b[0] < 0x80 {
		d.b = b[1:]
		return uint64(b[0])
	}
	return d.uLong()
}

func (d *decoder) uLong() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}
func (d *decoder) i() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}
func (d *decoder) raw(n uint64) string {
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	var s string
	if d.src != "" {
		off := len(d.src) - len(d.b)
		s = d.src[off : off+int(n)]
	} else {
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}
func (d *decoder) s() string { return d.raw(d.u()) }
func (d *decoder) bo() bool {
	if len(d.b) < 1 || d.b[0] > 1 {
		d.fail()
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}
func (d *decoder) f() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := math.Float64frombits(binary.BigEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}
func (d *decoder) os() *string {
	n := d.u()
	if n == 0 {
		return nil
	}
	if len(d.opts) > 0 {
		p := &d.opts[0]
		d.opts = d.opts[1:]
		*p = d.raw(n - 1)
		return p
	}
	return newString(d.raw(n - 1))
}

// newString returns a pointer to a new copy of s (its own function, so
// that only this path allocates).
func newString(s string) *string { return &s }
func (d *decoder) ou() *uint64 {
	if !d.bo() {
		return nil
	}
	v := d.u()
	return &v
}

func (e *encoder) nameRecord(r *NameRecord) {
	e.s(r.Name)
	e.s(r.PreorderHash)
	e.s(r.NameHash128)
	e.s(r.NamespaceID)
	e.u(r.NamespaceBlockNumber)
	e.os(r.ValueHash)
	e.s(r.Sender)
	e.os(r.SenderPubkey)
	e.s(r.Address)
	e.u(r.BlockNumber)
	e.u(r.PreorderBlockNumber)
	e.u(r.FirstRegistered)
	e.u(r.LastRenewed)
	e.bo(r.Revoked)
	e.s(r.Op)
	e.s(r.Txid)
	e.i(int64(r.Vtxindex))
	e.f(r.OpFee)
	e.os(r.Importer)
	e.os(r.ImporterAddress)
	e.os(r.ConsensusHash)
	e.s(r.TokenFee)
	e.s(r.LastCreationOp)
	e.os(r.TransferHash)
}

func (d *decoder) nameRecord(r *NameRecord) {
	r.Name = d.s()
	r.PreorderHash = d.s()
	r.NameHash128 = d.s()
	r.NamespaceID = d.s()
	r.NamespaceBlockNumber = d.u()
	r.ValueHash = d.os()
	r.Sender = d.s()
	r.SenderPubkey = d.os()
	r.Address = d.s()
	r.BlockNumber = d.u()
	r.PreorderBlockNumber = d.u()
	r.FirstRegistered = d.u()
	r.LastRenewed = d.u()
	r.Revoked = d.bo()
	r.Op = d.s()
	r.Txid = d.s()
	r.Vtxindex = int(d.i())
	r.OpFee = d.f()
	r.Importer = d.os()
	r.ImporterAddress = d.os()
	r.ConsensusHash = d.os()
	r.TokenFee = d.s()
	r.LastCreationOp = d.s()
	r.TransferHash = d.os()
}

func (e *encoder) preorder(p *Preorder) {
	e.s(p.PreorderHash)
	e.s(p.ConsensusHash)
	e.s(p.Sender)
	e.os(p.SenderPubkey)
	e.s(p.Address)
	e.u(p.BlockNumber)
	e.s(p.Op)
	e.ou(p.OpFee)
	e.s(p.Txid)
	e.i(int64(p.Vtxindex))
	e.s(p.BurnAddress)
	e.s(p.TokenFee)
	e.s(p.TokenUnits)
}

func (d *decoder) preorder(p *Preorder) {
	p.PreorderHash = d.s()
	p.ConsensusHash = d.s()
	p.Sender = d.s()
	p.SenderPubkey = d.os()
	p.Address = d.s()
	p.BlockNumber = d.u()
	p.Op = d.s()
	p.OpFee = d.ou()
	p.Txid = d.s()
	p.Vtxindex = int(d.i())
	p.BurnAddress = d.s()
	p.TokenFee = d.s()
	p.TokenUnits = d.s()
}

func (e *encoder) namespace(ns *Namespace) {
	e.s(ns.NamespaceID)
	e.s(ns.PreorderHash)
	e.i(int64(ns.Version))
	e.s(ns.Sender)
	e.os(ns.SenderPubkey)
	e.s(ns.Address)
	e.s(ns.Recipient)
	e.s(ns.RecipientAddress)
	e.u(ns.BlockNumber)
	e.u(ns.RevealBlock)
	e.s(ns.Op)
	e.u(ns.OpFee)
	e.s(ns.Txid)
	e.i(int64(ns.Vtxindex))
	e.u(ns.Lifetime)
	e.i(int64(ns.Coeff))
	e.i(int64(ns.Base))
	for _, b := range ns.Buckets {
		e.i(int64(b))
	}
	e.i(int64(ns.NonalphaDiscount))
	e.i(int64(ns.NoVowelDiscount))
	e.u(ns.ReadyBlock)
	e.s(ns.TokenFee)
}

func (d *decoder) namespace(ns *Namespace) {
	ns.NamespaceID = d.s()
	ns.PreorderHash = d.s()
	ns.Version = int(d.i())
	ns.Sender = d.s()
	ns.SenderPubkey = d.os()
	ns.Address = d.s()
	ns.Recipient = d.s()
	ns.RecipientAddress = d.s()
	ns.BlockNumber = d.u()
	ns.RevealBlock = d.u()
	ns.Op = d.s()
	ns.OpFee = d.u()
	ns.Txid = d.s()
	ns.Vtxindex = int(d.i())
	ns.Lifetime = d.u()
	ns.Coeff = int(d.i())
	ns.Base = int(d.i())
	for i := range ns.Buckets {
		ns.Buckets[i] = int(d.i())
	}
	ns.NonalphaDiscount = int(d.i())
	ns.NoVowelDiscount = int(d.i())
	ns.ReadyBlock = d.u()
	ns.TokenFee = d.s()
}

// encodeValue renders a state value.
func encodeValue(v any) ([]byte, error) {
	return appendValue(make([]byte, 0, 512), v)
}

// appendValue appends the encoding of a state value to dst.
func appendValue(dst []byte, v any) ([]byte, error) {
	e := &encoder{b: dst}
	switch x := v.(type) {
	case *NameRecord:
		e.b = append(e.b, tagNameRecord)
		e.nameRecord(x)
	case *Namespace:
		e.b = append(e.b, tagNamespace)
		e.namespace(x)
	case *[]Preorder:
		e.b = append(e.b, tagPreorders)
		e.u(uint64(len(*x)))
		for i := range *x {
			e.preorder(&(*x)[i])
		}
	case *Account:
		e.b = append(e.b, tagAccount)
		e.s(x.Address)
		e.s(x.Type)
		e.s(x.Credit)
		e.s(x.Debit)
		e.u(x.LockTransferBlockID)
		e.bo(x.ReceiveWhitelisted)
	case *ownerIndex:
		e.b = append(e.b, tagOwnerIndex)
		e.u(uint64(len(x.Names)))
		for _, n := range x.Names {
			e.s(n)
		}
	case *HistoryEntry:
		e.b = append(e.b, tagHistory)
		e.s(x.Op)
		e.s(x.Txid)
		e.u(x.Height)
		e.i(int64(x.Vtxindex))
		e.bo(x.Record != nil)
		if x.Record != nil {
			e.nameRecord(x.Record)
		}
		e.bo(x.Preorder != nil)
		if x.Preorder != nil {
			e.preorder(x.Preorder)
		}
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("consensus: encoding state: %w", err)
		}
		return append(dst, b...), nil
	}
	return e.b, nil
}

// nameRecordBox is a decoded name record with room for its optional
// strings, so that decoding one takes one allocation, not up to seven.
type nameRecordBox struct {
	r    NameRecord
	opts [6]string
}

// decodeNew decodes b into a new value of type T (see decodeValue).
func decodeNew[T any](b []byte) (*T, error) {
	if _, ok := any((*T)(nil)).(*NameRecord); ok {
		if len(b) == 0 || b[0] != tagNameRecord {
			return nil, errCorrupt
		}
		box := new(nameRecordBox)
		d := newStringDecoder(b[1:])
		d.opts = box.opts[:]
		d.nameRecord(&box.r)
		if d.err != nil || len(d.b) != 0 {
			return nil, errCorrupt
		}
		return any(&box.r).(*T), nil
	}
	if _, ok := any((*T)(nil)).(*ownerIndex); ok && len(b) > 1 && b[0] == tagOwnerIndex && b[1] <= uint8(len(ownerIndexBox{}.room)) {
		// A short list (its count is one varint byte): the index and the
		// list in one allocation.
		box := new(ownerIndexBox)
		d := newStringDecoder(b[1:])
		n := d.u()
		box.idx.Names = box.room[:n]
		for i := range box.idx.Names {
			box.idx.Names[i] = d.s()
		}
		if d.err != nil || len(d.b) != 0 {
			return nil, errCorrupt
		}
		return any(&box.idx).(*T), nil
	}
	t := new(T)
	if err := decodeValue(b, t); err != nil {
		return nil, err
	}
	return t, nil
}

// decodeValue parses a state value into v (a pointer of the matching type).
func decodeValue(b []byte, v any) error {
	tag := func(t byte) (*decoder, error) {
		if len(b) == 0 || b[0] != t {
			return nil, errCorrupt
		}
		return newStringDecoder(b[1:]), nil
	}
	var d *decoder
	var err error
	switch x := v.(type) {
	case *NameRecord:
		if d, err = tag(tagNameRecord); err == nil {
			d.nameRecord(x)
		}
	case *Namespace:
		if d, err = tag(tagNamespace); err == nil {
			d.namespace(x)
		}
	case *[]Preorder:
		if d, err = tag(tagPreorders); err == nil {
			n := d.u()
			if n > uint64(len(d.b)) {
				return errCorrupt
			}
			rows := make([]Preorder, n)
			for i := range rows {
				d.preorder(&rows[i])
			}
			*x = rows
		}
	case *Account:
		if d, err = tag(tagAccount); err == nil {
			x.Address, x.Type, x.Credit, x.Debit = d.s(), d.s(), d.s(), d.s()
			x.LockTransferBlockID = d.u()
			x.ReceiveWhitelisted = d.bo()
		}
	case *ownerIndex:
		if d, err = tag(tagOwnerIndex); err == nil {
			n := d.u()
			if n > uint64(len(d.b)) {
				return errCorrupt
			}
			x.Names = make([]string, n)
			for i := range x.Names {
				x.Names[i] = d.s()
			}
		}
	case *HistoryEntry:
		if d, err = tag(tagHistory); err == nil {
			x.Op, x.Txid, x.Height, x.Vtxindex = d.s(), d.s(), d.u(), int(d.i())
			if d.bo() {
				x.Record = new(NameRecord)
				d.nameRecord(x.Record)
			}
			if d.bo() {
				x.Preorder = new(Preorder)
				d.preorder(x.Preorder)
			}
		}
	default:
		return json.Unmarshal(b, v)
	}
	if err != nil {
		return err
	}
	if d.err != nil || len(d.b) != 0 {
		return errCorrupt
	}
	return nil
}
