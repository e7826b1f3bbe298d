package consensus

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
)

// drawHexish draws strings that are lower-case hex, upper-case hex, odd,
// empty or arbitrary, so that both string packings are exercised.
func drawHexish(t *rapid.T, label string) string {
	switch rapid.IntRange(0, 4).Draw(t, label+"/kind") {
	case 0:
		return rapid.StringMatching(`[0-9a-f]{0,8}`).Draw(t, label)
	case 1:
		return rapid.StringMatching(`[0-9A-Fa-f]{2,8}`).Draw(t, label)
	case 2:
		return ""
	default:
		return rapid.String().Draw(t, label)
	}
}

func drawOptHexish(t *rapid.T, label string) *string {
	if rapid.Bool().Draw(t, label+"?") {
		s := drawHexish(t, label)
		return &s
	}
	return nil
}

func drawNameRecord(t *rapid.T, l string) *NameRecord {
	s := func(x string) string { return drawHexish(t, l+x) }
	u := func(x string) uint64 { return rapid.Uint64Range(0, 1<<40).Draw(t, l+x) }
	return &NameRecord{Name: s("name"), PreorderHash: s("ph"), NameHash128: s("h128"), NamespaceID: s("ns"),
		NamespaceBlockNumber: u("nbn"), ValueHash: drawOptHexish(t, l+"vh"), Sender: s("sender"), SenderPubkey: drawOptHexish(t, l+"pk"),
		Address: s("addr"), BlockNumber: u("bn"), PreorderBlockNumber: u("pbn"), FirstRegistered: u("fr"),
		LastRenewed: u("lr"), Revoked: rapid.Bool().Draw(t, l+"rev"), Op: s("op"), Txid: s("txid"),
		Vtxindex: rapid.Int().Draw(t, l+"vtx"), OpFee: rapid.Float64().Draw(t, l+"fee"), Importer: drawOptHexish(t, l+"imp"),
		ImporterAddress: drawOptHexish(t, l+"impa"), ConsensusHash: drawOptHexish(t, l+"ch"), TokenFee: s("tf"),
		LastCreationOp: s("lco"), TransferHash: drawOptHexish(t, l+"th")}
}

// A delta entry decodes, against the base it was written on, to the entry
// itself; truncations fail or at least do not panic; trailing bytes fail.
func TestHistoryDeltaRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := &HistoryEntry{Op: drawHexish(t, "op"), Txid: drawHexish(t, "txid"), Height: rapid.Uint64().Draw(t, "h"),
			Vtxindex: rapid.Int().Draw(t, "vtx")}
		var base *NameRecord
		if rapid.Bool().Draw(t, "hasbase") {
			base = drawNameRecord(t, "base/")
		}
		if rapid.Bool().Draw(t, "hasrec") {
			x.Record = drawNameRecord(t, "rec/")
			if base != nil && rapid.Bool().Draw(t, "similar") {
				// Mostly equal to the base, as real deltas are.
				r := *base
				r.Op, r.Txid, r.Vtxindex = x.Op, x.Txid, x.Vtxindex
				r.ValueHash = drawOptHexish(t, "vh2")
				x.Record = &r
			}
		}
		if rapid.Bool().Draw(t, "haspre") {
			var fee *uint64
			if rapid.Bool().Draw(t, "hasfee") {
				f := rapid.Uint64().Draw(t, "fee")
				fee = &f
			}
			p := &Preorder{PreorderHash: drawHexish(t, "pph"), ConsensusHash: drawHexish(t, "pch"), Sender: drawHexish(t, "ps"),
				SenderPubkey: drawOptHexish(t, "ppk"), Address: drawHexish(t, "pa"), BlockNumber: rapid.Uint64().Draw(t, "pbn"),
				Op: drawHexish(t, "pop"), OpFee: fee, Txid: drawHexish(t, "ptx"), Vtxindex: rapid.Int().Draw(t, "pv"),
				BurnAddress: drawHexish(t, "pba"), TokenFee: drawHexish(t, "ptf"), TokenUnits: drawHexish(t, "ptu")}
			if rapid.Bool().Draw(t, "preasentry") {
				p.Txid, p.Vtxindex, p.BlockNumber = x.Txid, x.Vtxindex, x.Height
			}
			x.Preorder = p
		}
		b := encodeHistory(x, base)
		var got HistoryEntry
		if err := decodeHistory(b, base, &got); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if x.Record != nil && x.Record.OpFee != x.Record.OpFee {
			return // NaN never equals itself; its bits are checked below
		}
		if !reflect.DeepEqual(*x, got) {
			t.Fatalf("round trip:\n%+v\n%+v", x, got)
		}
		cut := rapid.IntRange(0, len(b)-1).Draw(t, "cut")
		_ = decodeHistory(b[:cut], base, &HistoryEntry{})
		if err := decodeHistory(append(append([]byte(nil), b...), 0), base, &HistoryEntry{}); err == nil {
			t.Fatal("trailing byte accepted")
		}
	})
}

// Entries of the older full form still read, and restart the delta chain.
func TestHistoryReadsFullEntries(t *testing.T) {
	r1 := &NameRecord{Name: "a.test", Op: ":", Txid: strings.Repeat("ab", 32), Sender: "76a914" + strings.Repeat("00", 20) + "88ac"}
	full, err := encodeValue(&HistoryEntry{Op: ":", Txid: r1.Txid, Height: 5, Record: r1})
	if err != nil {
		t.Fatal(err)
	}
	r2 := *r1
	r2.Op, r2.Txid = "+", strings.Repeat("cd", 32)
	delta := encodeHistory(&HistoryEntry{Op: "+", Txid: r2.Txid, Height: 6, Record: &r2}, r1)
	s := NewMemStore()
	if err := s.CommitBlock(&BlockCommit{Height: 6, Writes: []Write{
		{Key: codec.HistoryKey("a.test", 5, 0, 1), Value: full},
		{Key: codec.HistoryKey("a.test", 6, 0, 1), Value: delta},
	}}); err != nil {
		t.Fatal(err)
	}
	hist, err := NewView(Regtest(), s).NameHistory("a.test")
	if err != nil || len(hist) != 2 {
		t.Fatalf("history %v, %v", hist, err)
	}
	if !reflect.DeepEqual(hist[0].Record, r1) || !reflect.DeepEqual(hist[1].Record, &r2) {
		t.Fatalf("records %+v / %+v", hist[0].Record, hist[1].Record)
	}
}

// Over every recorded scenario, after every block: each name's record
// entries are those of the block before plus new ones (old entries never
// change), and its newest record is the name's current record (but for
// the revoked flag the 0.13 rules clear without an entry).
func TestHistoryTracksRecords(t *testing.T) {
	scenarios, err := readReplay(t)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range scenarios {
		p, err := ParamsFromVectorConfig(s.Version, s.Config)
		if err != nil {
			t.Fatal(err)
		}
		st := NewMemStore()
		e, err := NewEngine(p, st)
		if err != nil {
			t.Fatal(err)
		}
		prev := map[string][]HistoryEntry{}
		for _, blk := range s.Blocks {
			in := Block{Height: blk.Block}
			for i := range blk.Ops {
				op, err := blk.Ops[i].Op(blk.Block)
				if err != nil {
					t.Fatal(err)
				}
				if s.Version != "final-v1" && op.OpFee != nil && op.BurnAddress == "" {
					op.BurnAddress = p.BurnAddress
				}
				in.Ops = append(in.Ops, op)
			}
			if _, err := e.ProcessBlock(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			v := e.View()
			var names []string
			_ = st.Scan([]byte(codec.PrefixName), func(k, _ []byte) (bool, error) {
				key := string(k[len(codec.PrefixName):])
				names = append(names, key[strings.IndexByte(key, '/')+1:])
				return true, nil
			})
			for _, nm := range names {
				hist, err := v.NameHistory(nm)
				if err != nil {
					t.Fatalf("%s/%d: %v", s.Scenario, blk.Block, err)
				}
				// Entries are keyed by height: a registration's preorder
				// entry may sort before older entries. Record entries
				// are always appended.
				var recs []HistoryEntry
				for _, h := range hist {
					if h.Record != nil {
						recs = append(recs, h)
					}
				}
				old := prev[nm]
				if len(recs) < len(old) || (len(old) > 0 && !reflect.DeepEqual(recs[:len(old)], old)) {
					t.Fatalf("%s/%d: history of %s changed", s.Scenario, blk.Block, nm)
				}
				prev[nm] = recs
				var last *NameRecord
				for _, h := range hist {
					if h.Record != nil {
						last = h.Record
					}
				}
				cur, err := v.Name(nm)
				if err != nil || cur == nil || last == nil {
					t.Fatalf("%s/%d: %s: record %v, last entry %v, %v", s.Scenario, blk.Block, nm, cur, last, err)
				}
				want := *cur
				if p.Rules.ClearRevokedAtLifetime {
					want.Revoked = last.Revoked
				}
				if !reflect.DeepEqual(&want, last) {
					t.Fatalf("%s/%d: %s: newest entry\n%+v\nrecord\n%+v", s.Scenario, blk.Block, nm, last, cur)
				}
				checked++
			}
		}
	}
	t.Logf("%d name histories checked", checked)
}
