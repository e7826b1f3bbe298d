package snvcore

import (
	"encoding/hex"
	"encoding/json"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// NameAnswer is the part of a name server's answer to GET /v1/names/{name}
// (the Core API, core-api.md) that a name proof can establish. Other
// members of the answer are ignored.
type NameAnswer struct {
	Status       string  `json:"status"`
	Address      string  `json:"address"`
	ZonefileHash *string `json:"zonefile_hash"`
	// Zonefile is the zone file text served with the answer, if any; it
	// is checked against the proven hash, which blockstack.js never does.
	Zonefile *string `json:"zonefile"`
}

// ParseNameAnswer reads a /v1/names/{name} answer body.
func ParseNameAnswer(body []byte) (*NameAnswer, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		e := newError(ErrAnswerMalformed, "the answer is not a JSON object")
		e.Err = err
		return nil, e
	}
	for _, k := range []string{"status", "address", "zonefile_hash"} {
		if _, ok := raw[k]; !ok {
			return nil, newError(ErrAnswerMalformed, "the answer has no %q member", k)
		}
	}
	var a NameAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		e := newError(ErrAnswerMalformed, "the answer's status, address, zonefile_hash or zonefile has the wrong type")
		e.Err = err
		return nil, e
	}
	return &a, nil
}

// NameState is what a verified name proof establishes about a name: its
// record after the last operation on it in the target block.
type NameState struct {
	Name string `json:"name"`
	// Address is the owner's address; ZonefileHash the zone-file hash
	// ("" for none); Status "registered" or "revoked".
	Address      string `json:"address"`
	ZonefileHash string `json:"zonefile_hash"`
	Status       string `json:"status"`
	// Op and Txid are the operation's; Height and ConsensusHash the block
	// it was committed in.
	Op            string `json:"op"`
	Txid          string `json:"txid"`
	Height        uint64 `json:"height"`
	ConsensusHash string `json:"consensus_hash"`
}

// NameStateOf reads the proven state of name from a verified result. The
// proof must have selected name (not a namespace, txid or block): a proof
// for another name is ErrAnswerName.
//
// A proof shows the name's record as committed in its target block. It
// cannot show that no later operation changed the name before the trusted
// height: SNV proves what happened, not that nothing happened since.
func NameStateOf(p *Proof, res *Result, name string) (*NameState, error) {
	if p.Select.Kind != SelectName || p.Select.Name != name {
		e := newError(ErrAnswerName, "the proof is not about the name asked for")
		e.Expected, e.Got = "name "+name, p.Select.String()
		return nil, e
	}
	op := res.Op()
	if op == nil {
		return nil, newError(ErrAnswerName, "the proof selects no record")
	}
	got, ok := op.Field("name")
	if !ok || got != name {
		e := newError(ErrAnswerName, "the proven record is not the name's (a namespace or another name)")
		e.Expected, e.Got = name, got
		return nil, e
	}
	st := &NameState{Name: name, Height: res.Height, ConsensusHash: res.ConsensusHash, Status: "registered"}
	st.Address, _ = op.Field("address")
	st.ZonefileHash, _ = op.Field("value_hash")
	st.Op, _ = op.Field("op")
	st.Txid, _ = op.Field("txid")
	if revoked, _ := op.Field("revoked"); revoked == "True" {
		st.Status = "revoked"
	}
	return st, nil
}

// CheckNameAnswer compares a name server's answer with the proven state:
// the owner address, the zone-file hash (null for none) and the status
// must be equal, and a zone file served with the answer must hash to the
// proven hash. The first difference is returned.
func CheckNameAnswer(st *NameState, a *NameAnswer) error {
	if a.Address != st.Address {
		e := newError(ErrAnswerAddress, "the answer's owner address is not the proven one")
		e.Expected, e.Got = st.Address, a.Address
		return e
	}
	got := "null"
	if a.ZonefileHash != nil {
		got = *a.ZonefileHash
	}
	want := "null"
	if st.ZonefileHash != "" {
		want = st.ZonefileHash
	}
	if got != want {
		e := newError(ErrAnswerZonefileHash, "the answer's zone-file hash is not the proven one")
		e.Expected, e.Got = want, got
		return e
	}
	if a.Status != st.Status {
		e := newError(ErrAnswerStatus, "the answer's status is not the proven one")
		e.Expected, e.Got = st.Status, a.Status
		return e
	}
	if a.Zonefile != nil {
		if st.ZonefileHash == "" {
			return newError(ErrZonefileMismatch, "a zone file was served for a name with no proven zone-file hash")
		}
		var h [20]byte
		digest.Hash160Into(&h, []byte(*a.Zonefile))
		if hex.EncodeToString(h[:]) != st.ZonefileHash {
			e := newError(ErrZonefileMismatch, "the served zone file does not hash to the proven zone-file hash")
			e.Expected, e.Got = st.ZonefileHash, hex.EncodeToString(h[:])
			return e
		}
	}
	return nil
}
