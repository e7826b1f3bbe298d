package consensus

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

func optStr(t *rapid.T, label string) *string {
	if rapid.Bool().Draw(t, label+"?") {
		s := rapid.String().Draw(t, label)
		return &s
	}
	return nil
}

// Every binary-encoded state value decodes to itself, and no truncation or
// corruption of an encoding decodes without error or panics.
func TestCodecRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := func(l string) uint64 { return rapid.Uint64().Draw(t, l) }
		s := func(l string) string { return rapid.String().Draw(t, l) }
		rec := &NameRecord{Name: s("name"), PreorderHash: s("ph"), NameHash128: s("h128"), NamespaceID: s("ns"),
			NamespaceBlockNumber: u("nbn"), ValueHash: optStr(t, "vh"), Sender: s("sender"), SenderPubkey: optStr(t, "pk"),
			Address: s("addr"), BlockNumber: u("bn"), PreorderBlockNumber: u("pbn"), FirstRegistered: u("fr"),
			LastRenewed: u("lr"), Revoked: rapid.Bool().Draw(t, "rev"), Op: s("op"), Txid: s("txid"),
			Vtxindex: rapid.Int().Draw(t, "vtx"), OpFee: rapid.Float64().Draw(t, "fee"), Importer: optStr(t, "imp"),
			ImporterAddress: optStr(t, "impa"), ConsensusHash: optStr(t, "ch"), TokenFee: s("tf"),
			LastCreationOp: s("lco"), TransferHash: optStr(t, "th")}
		fee := u("pfee")
		pre := Preorder{PreorderHash: s("pph"), ConsensusHash: s("pch"), Sender: s("ps"), SenderPubkey: optStr(t, "ppk"),
			Address: s("pa"), BlockNumber: u("pbn2"), Op: s("pop"), OpFee: &fee, Txid: s("ptx"), Vtxindex: rapid.Int().Draw(t, "pv"),
			BurnAddress: s("pba"), TokenFee: s("ptf"), TokenUnits: s("ptu")}
		ns := &Namespace{NamespaceID: s("id"), Version: rapid.Int().Draw(t, "ver"), Sender: s("nss"), SenderPubkey: optStr(t, "nspk"),
			Lifetime: u("life"), Coeff: rapid.Int().Draw(t, "coeff"), Base: rapid.Int().Draw(t, "base"), ReadyBlock: u("rb"), TokenFee: s("ntf")}
		for i := range ns.Buckets {
			ns.Buckets[i] = rapid.Int().Draw(t, "bucket")
		}
		rows := []Preorder{pre, pre}
		values := []any{rec, ns, &rows, &Account{Address: s("aa"), Type: "STACKS", Credit: "5", Debit: "1", LockTransferBlockID: u("lock"), ReceiveWhitelisted: true},
			&ownerIndex{Names: []string{s("n1"), s("n2")}}, &HistoryEntry{Op: ":", Txid: s("htx"), Height: u("hh"), Record: rec, Preorder: &pre}}
		for _, v := range values {
			b, err := encodeValue(v)
			if err != nil {
				t.Fatal(err)
			}
			out := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := decodeValue(b, out); err != nil {
				t.Fatalf("%T: %v", v, err)
			}
			if !reflect.DeepEqual(v, out) && !(rec.OpFee != rec.OpFee) { // NaN never equals itself
				t.Fatalf("%T round trip: %+v != %+v", v, v, out)
			}
			cut := rapid.IntRange(0, len(b)-1).Draw(t, "cut")
			_ = decodeValue(b[:cut], reflect.New(reflect.TypeOf(v).Elem()).Interface())
			if err := decodeValue(append(append([]byte(nil), b...), 0), reflect.New(reflect.TypeOf(v).Elem()).Interface()); err == nil {
				t.Fatalf("%T: trailing byte accepted", v)
			}
		}
	})
}
