package consensus

import (
	"math"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
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
	e := codec.Encoder{B: dst}
	e.B = append(e.B, tagHistoryDelta)
	e.S(x.Op)
	e.Hs(x.Txid)
	e.U(x.Height)
	e.I(int64(x.Vtxindex))
	e.Bo(x.Preorder != nil)
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
		e.U(flags)
		e.Hs(p.PreorderHash)
		e.Hs(p.ConsensusHash)
		e.Hs(p.Sender)
		e.Ohs(p.SenderPubkey)
		e.S(p.Address)
		if flags&hpBlockIsHeight == 0 {
			e.U(p.BlockNumber)
		}
		e.S(p.Op)
		e.Ou(p.OpFee)
		if flags&hpTxidIsEntry == 0 {
			e.Hs(p.Txid)
		}
		if flags&hpVtxindexIsEntry == 0 {
			e.I(int64(p.Vtxindex))
		}
		e.S(p.BurnAddress)
		e.S(p.TokenFee)
		e.S(p.TokenUnits)
	}
	e.Bo(x.Record != nil)
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
		e.U(m)
		if m&hdName != 0 {
			e.S(r.Name)
		}
		if m&hdPreorderHash != 0 {
			e.Hs(r.PreorderHash)
		}
		if m&hdNameHash128 != 0 {
			e.Hs(r.NameHash128)
		}
		if m&hdNamespaceID != 0 {
			e.S(r.NamespaceID)
		}
		if m&hdNamespaceBlockNumber != 0 {
			e.U(r.NamespaceBlockNumber)
		}
		if m&hdValueHash != 0 {
			e.Ohs(r.ValueHash)
		}
		if m&hdSender != 0 {
			e.Hs(r.Sender)
		}
		if m&hdSenderPubkey != 0 {
			e.Ohs(r.SenderPubkey)
		}
		if m&hdAddress != 0 {
			e.S(r.Address)
		}
		if m&hdBlockNumber != 0 {
			e.U(r.BlockNumber)
		}
		if m&hdPreorderBlockNumber != 0 {
			e.U(r.PreorderBlockNumber)
		}
		if m&hdFirstRegistered != 0 {
			e.U(r.FirstRegistered)
		}
		if m&hdLastRenewed != 0 {
			e.U(r.LastRenewed)
		}
		e.Bo(r.Revoked)
		if m&hdOp != 0 {
			e.S(r.Op)
		}
		if m&hdTxid != 0 {
			e.Hs(r.Txid)
		}
		if m&hdVtxindex != 0 {
			e.I(int64(r.Vtxindex))
		}
		if m&hdOpFee != 0 {
			e.F(r.OpFee)
		}
		if m&hdImporter != 0 {
			e.Ohs(r.Importer)
		}
		if m&hdImporterAddress != 0 {
			e.Os(r.ImporterAddress)
		}
		if m&hdConsensusHash != 0 {
			e.Ohs(r.ConsensusHash)
		}
		if m&hdTokenFee != 0 {
			e.S(r.TokenFee)
		}
		if m&hdLastCreationOp != 0 {
			e.S(r.LastCreationOp)
		}
		if m&hdTransferHash != 0 {
			e.Ohs(r.TransferHash)
		}
	}
	return e.B
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
	d := &codec.Decoder{B: b[1:]}
	x.Op, x.Txid, x.Height, x.Vtxindex = d.S(), d.Hs(), d.U(), int(d.I())
	x.Preorder, x.Record = nil, nil
	if d.Bo() {
		p := new(Preorder)
		flags := d.U()
		p.PreorderHash = d.Hs()
		p.ConsensusHash = d.Hs()
		p.Sender = d.Hs()
		p.SenderPubkey = d.Ohs()
		p.Address = d.S()
		p.BlockNumber = x.Height
		if flags&hpBlockIsHeight == 0 {
			p.BlockNumber = d.U()
		}
		p.Op = d.S()
		p.OpFee = d.Ou()
		p.Txid = x.Txid
		if flags&hpTxidIsEntry == 0 {
			p.Txid = d.Hs()
		}
		p.Vtxindex = x.Vtxindex
		if flags&hpVtxindexIsEntry == 0 {
			p.Vtxindex = int(d.I())
		}
		p.BurnAddress = d.S()
		p.TokenFee = d.S()
		p.TokenUnits = d.S()
		x.Preorder = p
	}
	if d.Bo() {
		r := new(NameRecord)
		if prev != nil {
			*r = *prev
		}
		m := d.U()
		if m > hdAll|hdTxidIsEntry|hdVtxindexIsEntry {
			return errCorrupt
		}
		if m&hdName != 0 {
			r.Name = d.S()
		}
		if m&hdPreorderHash != 0 {
			r.PreorderHash = d.Hs()
		}
		if m&hdNameHash128 != 0 {
			r.NameHash128 = d.Hs()
		}
		if m&hdNamespaceID != 0 {
			r.NamespaceID = d.S()
		}
		if m&hdNamespaceBlockNumber != 0 {
			r.NamespaceBlockNumber = d.U()
		}
		if m&hdValueHash != 0 {
			r.ValueHash = d.Ohs()
		}
		if m&hdSender != 0 {
			r.Sender = d.Hs()
		}
		if m&hdSenderPubkey != 0 {
			r.SenderPubkey = d.Ohs()
		}
		if m&hdAddress != 0 {
			r.Address = d.S()
		}
		if m&hdBlockNumber != 0 {
			r.BlockNumber = d.U()
		}
		if m&hdPreorderBlockNumber != 0 {
			r.PreorderBlockNumber = d.U()
		}
		if m&hdFirstRegistered != 0 {
			r.FirstRegistered = d.U()
		}
		if m&hdLastRenewed != 0 {
			r.LastRenewed = d.U()
		}
		r.Revoked = d.Bo()
		if m&hdOp != 0 {
			r.Op = d.S()
		}
		if m&hdTxid != 0 {
			r.Txid = d.Hs()
		}
		if m&hdTxidIsEntry != 0 {
			r.Txid = x.Txid
		}
		if m&hdVtxindex != 0 {
			r.Vtxindex = int(d.I())
		}
		if m&hdVtxindexIsEntry != 0 {
			r.Vtxindex = x.Vtxindex
		}
		if m&hdOpFee != 0 {
			r.OpFee = d.F()
		}
		if m&hdImporter != 0 {
			r.Importer = d.Ohs()
		}
		if m&hdImporterAddress != 0 {
			r.ImporterAddress = d.Os()
		}
		if m&hdConsensusHash != 0 {
			r.ConsensusHash = d.Ohs()
		}
		if m&hdTokenFee != 0 {
			r.TokenFee = d.S()
		}
		if m&hdLastCreationOp != 0 {
			r.LastCreationOp = d.S()
		}
		if m&hdTransferHash != 0 {
			r.TransferHash = d.Ohs()
		}
		x.Record = r
	}
	if d.Err != nil || len(d.B) != 0 {
		return errCorrupt
	}
	return nil
}
