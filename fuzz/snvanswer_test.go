package fuzz

import (
	"testing"

	"github.com/spvcheck/spvcheck/consensus/snv/snvcore"
)

// FuzzNameAnswer: the in-app verifier's answer check (snvcore) never
// panics on a server's answer, and every refusal is a typed error of the
// answer stage; an answer passes only with the proven address, zone-file
// hash and status.
func FuzzNameAnswer(f *testing.F) {
	st := &snvcore.NameState{Name: "alice.club", Address: "mpcb8LoTLFwn5ESpLDVdio5wymbFurKpjM",
		ZonefileHash: "cc365526d6686b4cc9f8b2a93b755657f85c667e", Status: "registered"}
	f.Add([]byte(`{"status": "registered", "address": "mpcb8LoTLFwn5ESpLDVdio5wymbFurKpjM", "zonefile_hash": "cc365526d6686b4cc9f8b2a93b755657f85c667e", "zonefile": null}`))
	f.Add([]byte(`{"status": "revoked", "address": "x", "zonefile_hash": null, "zonefile": "alice.club v1"}`))
	f.Add([]byte(`{"status": "available"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := snvcore.ParseNameAnswer(body)
		if err != nil {
			if snvcore.CodeOf(err) != snvcore.ErrAnswerMalformed {
				t.Fatalf("parse: %v", err)
			}
			return
		}
		err = snvcore.CheckNameAnswer(st, a)
		if err != nil {
			if snvcore.CodeOf(err).Stage() != "answer" {
				t.Fatalf("check: %v", err)
			}
			return
		}
		if a.Address != st.Address || a.Status != st.Status || a.ZonefileHash == nil || *a.ZonefileHash != st.ZonefileHash {
			t.Fatalf("accepted %+v", a)
		}
	})
}
