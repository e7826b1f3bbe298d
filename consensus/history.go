package consensus

import (
	"encoding/hex"
	"math"
	"slices"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// History entries are written once and read only by View.NameHistory, yet
// a name gathers one per accepted operation, so they dominate the state's
// size. The engine writes them compactly (tagHistoryDelta): the entry's
// op, txid, height and vtxindex; a preorder without the fields that repeat
// the entry; and the name record as the fields that differ from the record
// before the operation (the previous entry's record, or none for a new
// name), with the hex strings (txids, hashes, scripts, keys) packed to
// bytes. NameHistory rebuilds each record by replaying the deltas in key
// order. Entries of the older full form (tagHistory) still decode, and a
// full entry restarts the chain, so a store written by an earlier build
// reads the same.
const tagHistoryDelta byte = tagHistory + 1

// Field bits of a record delta, in NameRecord declaration order, plus two
// bits for a Txid and Vtxindex equal to the entry's own.
const (
	hdName = 1 << iota
	hdPreorderHash
	hdNameHash128
	hdNamespaceID
	hdNamespaceBlockNumber
	hdValueHash
	hdSender
	hdSenderPubkey
	hdAddress
	hdBlockNumber
	hdPreorderBlockNumber
	hdFirstRegistered
	hdLastRenewed
	hdRevoked
	hdOp
	hdTxid
	hdVtxindex
	hdOpFee
	hdImporter
	hdImporterAddress
	hdConsensusHash
	hdTokenFee
	hdLastCreationOp
	hdTransferHash
	hdTxidIsEntry
	hdVtxindexIsEntry
	hdAll = 1<<24 - 1
)

// Preorder flags of a delta entry.
const (
	hpTxidIsEntry = 1 << iota
	hpVtxindexIsEntry
	hpBlockIsHeight
)

// hs writes a string, packing lower-case hex to bytes: uvarint(n<<1|1) and
// n bytes for hex, uvarint(len<<1) and the bytes otherwise. One pass: the
// packing is undone if a byte turns out not to be lower-case hex.
func (e *encoder) hs(v string) {
	if n := len(v); n > 0 && n%2 == 0 {
		start := len(e.b)
		e.u(uint64(n/2)<<1 | 1)
		e.b = slices.Grow(e.b, n/2)
		if digest.DecodeLowerHex(e.b[len(e.b):len(e.b)+n/2], v) {
			e.b = e.b[:len(e.b)+n/2]
			return
		}
		e.b = e.b[:start]
	}
	e.u(uint64(len(v)) << 1)
	e.b = append(e.b, v...)
}

func (d *decoder) hs() string {
	n := d.u()
	if n&1 == 0 {
		return d.raw(n >> 1)
	}
	n >>= 1
	if n > uint64(len(d.b)) || n == 0 {
		d.fail()
		return ""
	}
	s := hex.EncodeToString(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (e *encoder) ohs(v *string) {
	e.bo(v != nil)
	if v != nil {
		e.hs(*v)
	}
}

func (d *decoder) ohs() *string {
	if !d.bo() {
		return nil
	}
	s := d.hs()
	return &s
}

func optEq(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// encodeHistory renders a history entry whose record (if any) follows base,
// the name's record before the entry (nil for none).
func encodeHistory(x *HistoryEntry, base *NameRecord) []byte {
	return appendHistory(make([]byte, 0, 256), x, base)
}

// appendHistory appends encodeHistory(x, base) to dst.
func appendHistory(dst []byte, x *HistoryEntry, base *NameRecord) []byte {
	e := encoder{b: dst}
	e.b = append(e.b, tagHistoryDelta)
	e.s(x.Op)
	e.hs(x.Txid)
	e.u(x.Height)
	e.i(int64(x.Vtxindex))
	e.bo(x.Preorder != nil)
	if p := x.Preorder; p != nil {
		var flags uint64
		if p.Txid == x.Txid {
			flags |= hpTxidIsEntry
		}
		if p.Vtxindex == x.Vtxindex {
			flags |= hpVtxindexIsEntry
		}
		if p.BlockNumber == x.Height {
			flags |= hpBlockIsHeight
		}
		e.u(flags)
		e.hs(p.PreorderHash)
		e.hs(p.ConsensusHash)
		e.hs(p.Sender)
		e.ohs(p.SenderPubkey)
		e.s(p.Address)
		if flags&hpBlockIsHeight == 0 {
			e.u(p.BlockNumber)
		}
		e.s(p.Op)
		e.ou(p.OpFee)
		if flags&hpTxidIsEntry == 0 {
			e.hs(p.Txid)
		}
		if flags&hpVtxindexIsEntry == 0 {
			e.i(int64(p.Vtxindex))
		}
		e.s(p.BurnAddress)
		e.s(p.TokenFee)
		e.s(p.TokenUnits)
	}
	e.bo(x.Record != nil)
	if r := x.Record; r != nil {
		if base == nil {
			base = &NameRecord{}
		}
		var m uint64 = hdRevoked // always written: the 0.13 unrevoke changes it without an entry
		set := func(bit uint64, differs bool) {
			if differs {
				m |= bit
			}
		}
		set(hdName, r.Name != base.Name)
		set(hdPreorderHash, r.PreorderHash != base.PreorderHash)
		set(hdNameHash128, r.NameHash128 != base.NameHash128)
		set(hdNamespaceID, r.NamespaceID != base.NamespaceID)
		set(hdNamespaceBlockNumber, r.NamespaceBlockNumber != base.NamespaceBlockNumber)
		set(hdValueHash, !optEq(r.ValueHash, base.ValueHash))
		set(hdSender, r.Sender != base.Sender)
		set(hdSenderPubkey, !optEq(r.SenderPubkey, base.SenderPubkey))
		set(hdAddress, r.Address != base.Address)
		set(hdBlockNumber, r.BlockNumber != base.BlockNumber)
		set(hdPreorderBlockNumber, r.PreorderBlockNumber != base.PreorderBlockNumber)
		set(hdFirstRegistered, r.FirstRegistered != base.FirstRegistered)
		set(hdLastRenewed, r.LastRenewed != base.LastRenewed)
		set(hdOp, r.Op != base.Op)
		set(hdTxid, r.Txid != base.Txid)
		set(hdVtxindex, r.Vtxindex != base.Vtxindex)
		// Bit-exact float comparison: -0 and NaN payloads survive.
		set(hdOpFee, math.Float64bits(r.OpFee) != math.Float64bits(base.OpFee))
		set(hdImporter, !optEq(r.Importer, base.Importer))
		set(hdImporterAddress, !optEq(r.ImporterAddress, base.ImporterAddress))
		set(hdConsensusHash, !optEq(r.ConsensusHash, base.ConsensusHash))
		set(hdTokenFee, r.TokenFee != base.TokenFee)
		set(hdLastCreationOp, r.LastCreationOp != base.LastCreationOp)
		set(hdTransferHash, !optEq(r.TransferHash, base.TransferHash))
		if m&hdTxid != 0 && r.Txid == x.Txid {
			m = m&^hdTxid | hdTxidIsEntry
		}
		if m&hdVtxindex != 0 && r.Vtxindex == x.Vtxindex {
			m = m&^hdVtxindex | hdVtxindexIsEntry
		}
		e.u(m)
		if m&hdName != 0 {
			e.s(r.Name)
		}
		if m&hdPreorderHash != 0 {
			e.hs(r.PreorderHash)
		}
		if m&hdNameHash128 != 0 {
			e.hs(r.NameHash128)
		}
		if m&hdNamespaceID != 0 {
			e.s(r.NamespaceID)
		}
		if m&hdNamespaceBlockNumber != 0 {
			e.u(r.NamespaceBlockNumber)
		}
		if m&hdValueHash != 0 {
			e.ohs(r.ValueHash)
		}
		if m&hdSender != 0 {
			e.hs(r.Sender)
		}
		if m&hdSenderPubkey != 0 {
			e.ohs(r.SenderPubkey)
		}
		if m&hdAddress != 0 {
			e.s(r.Address)
		}
		if m&hdBlockNumber != 0 {
			e.u(r.BlockNumber)
		}
		if m&hdPreorderBlockNumber != 0 {
			e.u(r.PreorderBlockNumber)
		}
		if m&hdFirstRegistered != 0 {
			e.u(r.FirstRegistered)
		}
		if m&hdLastRenewed != 0 {
			e.u(r.LastRenewed)
		}
		e.bo(r.Revoked)
		if m&hdOp != 0 {
			e.s(r.Op)
		}
		if m&hdTxid != 0 {
			e.hs(r.Txid)
		}
		if m&hdVtxindex != 0 {
			e.i(int64(r.Vtxindex))
		}
		if m&hdOpFee != 0 {
			e.f(r.OpFee)
		}
		if m&hdImporter != 0 {
			e.ohs(r.Importer)
		}
		if m&hdImporterAddress != 0 {
			e.os(r.ImporterAddress)
		}
		if m&hdConsensusHash != 0 {
			e.ohs(r.ConsensusHash)
		}
		if m&hdTokenFee != 0 {
			e.s(r.TokenFee)
		}
		if m&hdLastCreationOp != 0 {
			e.s(r.LastCreationOp)
		}
		if m&hdTransferHash != 0 {
			e.ohs(r.TransferHash)
		}
	}
	return e.b
}

// decodeHistory parses a history entry of either form into x; a delta
// record is applied to prev, the record of the name's previous entry (nil
// for none). The returned record is x's own.
func decodeHistory(b []byte, prev *NameRecord, x *HistoryEntry) error {
	if len(b) > 0 && b[0] == tagHistory {
		return decodeValue(b, x)
	}
	if len(b) == 0 || b[0] != tagHistoryDelta {
		return errCorrupt
	}
	d := &decoder{b: b[1:]}
	x.Op, x.Txid, x.Height, x.Vtxindex = d.s(), d.hs(), d.u(), int(d.i())
	x.Preorder, x.Record = nil, nil
	if d.bo() {
		p := new(Preorder)
		flags := d.u()
		p.PreorderHash = d.hs()
		p.ConsensusHash = d.hs()
		p.Sender = d.hs()
		p.SenderPubkey = d.ohs()
		p.Address = d.s()
		p.BlockNumber = x.Height
		if flags&hpBlockIsHeight == 0 {
			p.BlockNumber = d.u()
		}
		p.Op = d.s()
		p.OpFee = d.ou()
		p.Txid = x.Txid
		if flags&hpTxidIsEntry == 0 {
			p.Txid = d.hs()
		}
		p.Vtxindex = x.Vtxindex
		if flags&hpVtxindexIsEntry == 0 {
			p.Vtxindex = int(d.i())
		}
		p.BurnAddress = d.s()
		p.TokenFee = d.s()
		p.TokenUnits = d.s()
		x.Preorder = p
	}
	if d.bo() {
		r := new(NameRecord)
		if prev != nil {
			*r = *prev
		}
		m := d.u()
		if m > hdAll|hdTxidIsEntry|hdVtxindexIsEntry {
			return errCorrupt
		}
		if m&hdName != 0 {
			r.Name = d.s()
		}
		if m&hdPreorderHash != 0 {
			r.PreorderHash = d.hs()
		}
		if m&hdNameHash128 != 0 {
			r.NameHash128 = d.hs()
		}
		if m&hdNamespaceID != 0 {
			r.NamespaceID = d.s()
		}
		if m&hdNamespaceBlockNumber != 0 {
			r.NamespaceBlockNumber = d.u()
		}
		if m&hdValueHash != 0 {
			r.ValueHash = d.ohs()
		}
		if m&hdSender != 0 {
			r.Sender = d.hs()
		}
		if m&hdSenderPubkey != 0 {
			r.SenderPubkey = d.ohs()
		}
		if m&hdAddress != 0 {
			r.Address = d.s()
		}
		if m&hdBlockNumber != 0 {
			r.BlockNumber = d.u()
		}
		if m&hdPreorderBlockNumber != 0 {
			r.PreorderBlockNumber = d.u()
		}
		if m&hdFirstRegistered != 0 {
			r.FirstRegistered = d.u()
		}
		if m&hdLastRenewed != 0 {
			r.LastRenewed = d.u()
		}
		r.Revoked = d.bo()
		if m&hdOp != 0 {
			r.Op = d.s()
		}
		if m&hdTxid != 0 {
			r.Txid = d.hs()
		}
		if m&hdTxidIsEntry != 0 {
			r.Txid = x.Txid
		}
		if m&hdVtxindex != 0 {
			r.Vtxindex = int(d.i())
		}
		if m&hdVtxindexIsEntry != 0 {
			r.Vtxindex = x.Vtxindex
		}
		if m&hdOpFee != 0 {
			r.OpFee = d.f()
		}
		if m&hdImporter != 0 {
			r.Importer = d.ohs()
		}
		if m&hdImporterAddress != 0 {
			r.ImporterAddress = d.os()
		}
		if m&hdConsensusHash != 0 {
			r.ConsensusHash = d.ohs()
		}
		if m&hdTokenFee != 0 {
			r.TokenFee = d.s()
		}
		if m&hdLastCreationOp != 0 {
			r.LastCreationOp = d.s()
		}
		if m&hdTransferHash != 0 {
			r.TransferHash = d.ohs()
		}
		x.Record = r
	}
	if d.err != nil || len(d.b) != 0 {
		return errCorrupt
	}
	return nil
}
