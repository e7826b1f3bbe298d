package consensus

import (
	"encoding/json"
	"fmt"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
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

var errCorrupt = codec.ErrCorrupt

func encNameRecord(e *codec.Encoder, r *NameRecord) {
	e.S(r.Name)
	e.S(r.PreorderHash)
	e.S(r.NameHash128)
	e.S(r.NamespaceID)
	e.U(r.NamespaceBlockNumber)
	e.Os(r.ValueHash)
	e.S(r.Sender)
	e.Os(r.SenderPubkey)
	e.S(r.Address)
	e.U(r.BlockNumber)
	e.U(r.PreorderBlockNumber)
	e.U(r.FirstRegistered)
	e.U(r.LastRenewed)
	e.Bo(r.Revoked)
	e.S(r.Op)
	e.S(r.Txid)
	e.I(int64(r.Vtxindex))
	e.F(r.OpFee)
	e.Os(r.Importer)
	e.Os(r.ImporterAddress)
	e.Os(r.ConsensusHash)
	e.S(r.TokenFee)
	e.S(r.LastCreationOp)
	e.Os(r.TransferHash)
}

func decNameRecord(d *codec.Decoder, r *NameRecord) {
	r.Name = d.S()
	r.PreorderHash = d.S()
	r.NameHash128 = d.S()
	r.NamespaceID = d.S()
	r.NamespaceBlockNumber = d.U()
	r.ValueHash = d.Os()
	r.Sender = d.S()
	r.SenderPubkey = d.Os()
	r.Address = d.S()
	r.BlockNumber = d.U()
	r.PreorderBlockNumber = d.U()
	r.FirstRegistered = d.U()
	r.LastRenewed = d.U()
	r.Revoked = d.Bo()
	r.Op = d.S()
	r.Txid = d.S()
	r.Vtxindex = int(d.I())
	r.OpFee = d.F()
	r.Importer = d.Os()
	r.ImporterAddress = d.Os()
	r.ConsensusHash = d.Os()
	r.TokenFee = d.S()
	r.LastCreationOp = d.S()
	r.TransferHash = d.Os()
}

func encPreorder(e *codec.Encoder, p *Preorder) {
	e.S(p.PreorderHash)
	e.S(p.ConsensusHash)
	e.S(p.Sender)
	e.Os(p.SenderPubkey)
	e.S(p.Address)
	e.U(p.BlockNumber)
	e.S(p.Op)
	e.Ou(p.OpFee)
	e.S(p.Txid)
	e.I(int64(p.Vtxindex))
	e.S(p.BurnAddress)
	e.S(p.TokenFee)
	e.S(p.TokenUnits)
}

func decPreorder(d *codec.Decoder, p *Preorder) {
	p.PreorderHash = d.S()
	p.ConsensusHash = d.S()
	p.Sender = d.S()
	p.SenderPubkey = d.Os()
	p.Address = d.S()
	p.BlockNumber = d.U()
	p.Op = d.S()
	p.OpFee = d.Ou()
	p.Txid = d.S()
	p.Vtxindex = int(d.I())
	p.BurnAddress = d.S()
	p.TokenFee = d.S()
	p.TokenUnits = d.S()
}

func encNamespace(e *codec.Encoder, ns *Namespace) {
	e.S(ns.NamespaceID)
	e.S(ns.PreorderHash)
	e.I(int64(ns.Version))
	e.S(ns.Sender)
	e.Os(ns.SenderPubkey)
	e.S(ns.Address)
	e.S(ns.Recipient)
	e.S(ns.RecipientAddress)
	e.U(ns.BlockNumber)
	e.U(ns.RevealBlock)
	e.S(ns.Op)
	e.U(ns.OpFee)
	e.S(ns.Txid)
	e.I(int64(ns.Vtxindex))
	e.U(ns.Lifetime)
	e.I(int64(ns.Coeff))
	e.I(int64(ns.Base))
	for _, b := range ns.Buckets {
		e.I(int64(b))
	}
	e.I(int64(ns.NonalphaDiscount))
	e.I(int64(ns.NoVowelDiscount))
	e.U(ns.ReadyBlock)
	e.S(ns.TokenFee)
}

func decNamespace(d *codec.Decoder, ns *Namespace) {
	ns.NamespaceID = d.S()
	ns.PreorderHash = d.S()
	ns.Version = int(d.I())
	ns.Sender = d.S()
	ns.SenderPubkey = d.Os()
	ns.Address = d.S()
	ns.Recipient = d.S()
	ns.RecipientAddress = d.S()
	ns.BlockNumber = d.U()
	ns.RevealBlock = d.U()
	ns.Op = d.S()
	ns.OpFee = d.U()
	ns.Txid = d.S()
	ns.Vtxindex = int(d.I())
	ns.Lifetime = d.U()
	ns.Coeff = int(d.I())
	ns.Base = int(d.I())
	for i := range ns.Buckets {
		ns.Buckets[i] = int(d.I())
	}
	ns.NonalphaDiscount = int(d.I())
	ns.NoVowelDiscount = int(d.I())
	ns.ReadyBlock = d.U()
	ns.TokenFee = d.S()
}

// encodeValue renders a state value.
func encodeValue(v any) ([]byte, error) {
	return appendValue(make([]byte, 0, 512), v)
}

// appendValue appends the encoding of a state value to dst.
func appendValue(dst []byte, v any) ([]byte, error) {
	e := &codec.Encoder{B: dst}
	switch x := v.(type) {
	case *NameRecord:
		e.B = append(e.B, tagNameRecord)
		encNameRecord(e, x)
	case *Namespace:
		e.B = append(e.B, tagNamespace)
		encNamespace(e, x)
	case *[]Preorder:
		e.B = append(e.B, tagPreorders)
		e.U(uint64(len(*x)))
		for i := range *x {
			encPreorder(e, &(*x)[i])
		}
	case *Account:
		e.B = append(e.B, tagAccount)
		e.S(x.Address)
		e.S(x.Type)
		e.S(x.Credit)
		e.S(x.Debit)
		e.U(x.LockTransferBlockID)
		e.Bo(x.ReceiveWhitelisted)
	case *ownerIndex:
		e.B = append(e.B, tagOwnerIndex)
		e.U(uint64(len(x.Names)))
		for _, n := range x.Names {
			e.S(n)
		}
	case *HistoryEntry:
		e.B = append(e.B, tagHistory)
		e.S(x.Op)
		e.S(x.Txid)
		e.U(x.Height)
		e.I(int64(x.Vtxindex))
		e.Bo(x.Record != nil)
		if x.Record != nil {
			encNameRecord(e, x.Record)
		}
		e.Bo(x.Preorder != nil)
		if x.Preorder != nil {
			encPreorder(e, x.Preorder)
		}
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("consensus: encoding state: %w", err)
		}
		return append(dst, b...), nil
	}
	return e.B, nil
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
		d := codec.NewStringDecoder(b[1:])
		d.Opts = box.opts[:]
		decNameRecord(d, &box.r)
		if d.Err != nil || len(d.B) != 0 {
			return nil, errCorrupt
		}
		return any(&box.r).(*T), nil
	}
	if _, ok := any((*T)(nil)).(*ownerIndex); ok && len(b) > 1 && b[0] == tagOwnerIndex && b[1] <= uint8(len(ownerIndexBox{}.room)) {
		// A short list (its count is one varint byte): the index and the
		// list in one allocation.
		box := new(ownerIndexBox)
		d := codec.NewStringDecoder(b[1:])
		n := d.U()
		box.idx.Names = box.room[:n]
		for i := range box.idx.Names {
			box.idx.Names[i] = d.S()
		}
		if d.Err != nil || len(d.B) != 0 {
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
	tag := func(t byte) (*codec.Decoder, error) {
		if len(b) == 0 || b[0] != t {
			return nil, errCorrupt
		}
		return codec.NewStringDecoder(b[1:]), nil
	}
	var d *codec.Decoder
	var err error
	switch x := v.(type) {
	case *NameRecord:
		if d, err = tag(tagNameRecord); err == nil {
			decNameRecord(d, x)
		}
	case *Namespace:
		if d, err = tag(tagNamespace); err == nil {
			decNamespace(d, x)
		}
	case *[]Preorder:
		if d, err = tag(tagPreorders); err == nil {
			n := d.U()
			if n > uint64(len(d.B)) {
				return errCorrupt
			}
			rows := make([]Preorder, n)
			for i := range rows {
				decPreorder(d, &rows[i])
			}
			*x = rows
		}
	case *Account:
		if d, err = tag(tagAccount); err == nil {
			x.Address, x.Type, x.Credit, x.Debit = d.S(), d.S(), d.S(), d.S()
			x.LockTransferBlockID = d.U()
			x.ReceiveWhitelisted = d.Bo()
		}
	case *ownerIndex:
		if d, err = tag(tagOwnerIndex); err == nil {
			n := d.U()
			if n > uint64(len(d.B)) {
				return errCorrupt
			}
			x.Names = make([]string, n)
			for i := range x.Names {
				x.Names[i] = d.S()
			}
		}
	case *HistoryEntry:
		if d, err = tag(tagHistory); err == nil {
			x.Op, x.Txid, x.Height, x.Vtxindex = d.S(), d.S(), d.U(), int(d.I())
			if d.Bo() {
				x.Record = new(NameRecord)
				decNameRecord(d, x.Record)
			}
			if d.Bo() {
				x.Preorder = new(Preorder)
				decPreorder(d, x.Preorder)
			}
		}
	default:
		return json.Unmarshal(b, v)
	}
	if err != nil {
		return err
	}
	if d.Err != nil || len(d.B) != 0 {
		return errCorrupt
	}
	return nil
}
