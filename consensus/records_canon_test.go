package consensus

import (
	"testing"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"pgregory.net/rapid"
)

// The engine renders records with canon.Appender (appendCanon); these are
// the same records as canon.Record maps, rendered by canon.Serialize, so
// that tests can check the two agree field by field.

func strOrNone(s *string) canon.Value {
	if s == nil {
		return canon.None()
	}
	return canon.Str(*s)
}

// canonRecord renders a name record's consensus fields (NAMEREC).
func (r *NameRecord) canonRecord() canon.Record {
	fee := canon.Int(int64(r.OpFee))
	if r.LastCreationOp == ";" {
		fee = canon.Float(r.OpFee)
	}
	return canon.Record{
		"name":                  canon.Str(r.Name),
		"value_hash":            strOrNone(r.ValueHash),
		"sender":                canon.Str(r.Sender),
		"sender_pubkey":         strOrNone(r.SenderPubkey),
		"address":               canon.Str(r.Address),
		"block_number":          canon.Uint(r.BlockNumber),
		"preorder_block_number": canon.Uint(r.PreorderBlockNumber),
		"first_registered":      canon.Uint(r.FirstRegistered),
		"last_renewed":          canon.Uint(r.LastRenewed),
		"revoked":               canon.Bool(r.Revoked),
		"op":                    canon.Str(r.Op),
		"txid":                  canon.Str(r.Txid),
		"vtxindex":              canon.Int(int64(r.Vtxindex)),
		"op_fee":                fee,
		"importer":              strOrNone(r.Importer),
		"importer_address":      strOrNone(r.ImporterAddress),
	}
}

func (ns *Namespace) canonRecord() canon.Record {
	return canon.Record{
		"namespace_id":      canon.Str(ns.NamespaceID),
		"preorder_hash":     canon.Str(ns.PreorderHash),
		"version":           canon.Int(int64(ns.Version)),
		"sender":            canon.Str(ns.Sender),
		"sender_pubkey":     strOrNone(ns.SenderPubkey),
		"address":           canon.Str(ns.Address),
		"recipient":         canon.Str(ns.Recipient),
		"recipient_address": canon.Str(ns.RecipientAddress),
		"block_number":      canon.Uint(ns.BlockNumber),
		"reveal_block":      canon.Uint(ns.RevealBlock),
		"op":                canon.Str(ns.Op),
		"txid":              canon.Str(ns.Txid),
		"vtxindex":          canon.Int(int64(ns.Vtxindex)),
		"lifetime":          canon.Uint(ns.Lifetime),
		"coeff":             canon.Int(int64(ns.Coeff)),
		"base":              canon.Int(int64(ns.Base)),
		"buckets":           canon.IntList(ns.Buckets[:]),
		"nonalpha_discount": canon.Int(int64(ns.NonalphaDiscount)),
		"no_vowel_discount": canon.Int(int64(ns.NoVowelDiscount)),
		"ready_block":       canon.Uint(ns.ReadyBlock),
	}
}

func (p *Preorder) canonRecord() canon.Record {
	fee := canon.None()
	if p.OpFee != nil {
		fee = canon.Uint(*p.OpFee)
	}
	return canon.Record{
		"preorder_hash":  canon.Str(p.PreorderHash),
		"consensus_hash": canon.Str(p.ConsensusHash),
		"sender":         canon.Str(p.Sender),
		"sender_pubkey":  strOrNone(p.SenderPubkey),
		"address":        canon.Str(p.Address),
		"block_number":   canon.Uint(p.BlockNumber),
		"op":             canon.Str(p.Op),
		"txid":           canon.Str(p.Txid),
		"vtxindex":       canon.Int(int64(p.Vtxindex)),
		"op_fee":         fee,
	}
}

// The engine's appendCanon renderings equal canon.Serialize of the map
// records for every field list they feed, random records and both fee forms.
func TestAppendCanonMatchesRecords(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := func(l string) uint64 { return rapid.Uint64().Draw(t, l) }
		s := func(l string) string { return rapid.String().Draw(t, l) }
		rec := &NameRecord{Name: s("name"), PreorderHash: s("ph"), NameHash128: s("h128"), NamespaceID: s("ns"),
			NamespaceBlockNumber: u("nbn"), ValueHash: optStr(t, "vh"), Sender: s("sender"), SenderPubkey: optStr(t, "pk"),
			Address: s("addr"), BlockNumber: u("bn"), PreorderBlockNumber: u("pbn"), FirstRegistered: u("fr"),
			LastRenewed: u("lr"), Revoked: rapid.Bool().Draw(t, "rev"), Op: s("op"), Txid: s("txid"),
			Vtxindex: rapid.Int().Draw(t, "vtx"), OpFee: float64(rapid.Int64Range(0, 1<<53).Draw(t, "fee")), Importer: optStr(t, "imp"),
			ImporterAddress: optStr(t, "impa"), ConsensusHash: optStr(t, "ch"), TokenFee: s("tf"),
			LastCreationOp: rapid.SampledFrom([]string{"?", ";"}).Draw(t, "lco"), TransferHash: optStr(t, "th")}
		var fee *uint64
		if rapid.Bool().Draw(t, "hasfee") {
			f := u("pfee")
			fee = &f
		}
		pre := &Preorder{PreorderHash: s("pph"), ConsensusHash: s("pch"), Sender: s("ps"), SenderPubkey: optStr(t, "ppk"),
			Address: s("pa"), BlockNumber: u("pbn2"), Op: s("pop"), OpFee: fee, Txid: s("ptx"), Vtxindex: rapid.Int().Draw(t, "pv"),
			BurnAddress: s("pba"), TokenFee: s("ptf"), TokenUnits: s("ptu")}
		ns := &Namespace{NamespaceID: s("id"), PreorderHash: s("nph"), Version: rapid.Int().Draw(t, "ver"), Sender: s("nss"),
			SenderPubkey: optStr(t, "nspk"), Address: s("nsa"), Recipient: s("nsr"), RecipientAddress: s("nsra"),
			BlockNumber: u("nsbn"), RevealBlock: u("nsrb"), Op: s("nsop"), Txid: s("nstx"), Vtxindex: rapid.Int().Draw(t, "nsv"),
			Lifetime: u("life"), Coeff: rapid.Int().Draw(t, "coeff"), Base: rapid.Int().Draw(t, "base"),
			NonalphaDiscount: rapid.Int().Draw(t, "na"), NoVowelDiscount: rapid.Int().Draw(t, "nv"), ReadyBlock: u("rb")}
		for i := range ns.Buckets {
			ns.Buckets[i] = rapid.Int().Draw(t, "bucket")
		}
		cases := []struct {
			opcode byte
			rec    canon.Record
			render func(*canon.Appender)
		}{
			{'~', rec.canonRecord(), rec.appendCanon},
			{'?', pre.canonRecord(), func(a *canon.Appender) { pre.appendCanon(a, '?') }},
			{'*', pre.canonRecord(), func(a *canon.Appender) { pre.appendCanon(a, '*') }},
			{'&', ns.canonRecord(), func(a *canon.Appender) { ns.appendCanon(a, false) }},
			{'!', ns.canonRecord(), func(a *canon.Appender) { ns.appendCanon(a, true) }},
		}
		for _, c := range cases {
			want, err := canon.Serialize(c.opcode, canon.FieldsFor(c.opcode), c.rec)
			if err != nil {
				t.Fatal(err)
			}
			a := canon.NewAppender(nil, c.opcode)
			c.render(&a)
			if string(a.Bytes()) != string(want) {
				t.Fatalf("opcode %q:\nappender %q\nrecord   %q", c.opcode, a.Bytes(), want)
			}
		}
	})
}
