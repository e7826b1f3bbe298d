package main

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/spvcheck/spvcheck/consensus/snv/snvcore"
)

// The module's functions take their arguments as bytes and give their
// outcome as JSON text (main_js.go moves both through linear memory); the
// JavaScript side (snv.js) parses it and throws an SNVError for a
// failure. The same functions run natively in the tests, which compare
// the two.

// outcome is one call's answer.
type outcome struct {
	OK     bool      `json:"ok"`
	Result any       `json:"result,omitempty"`
	Error  *errorOut `json:"error,omitempty"`
}

// errorOut is an snvcore.Error as the JavaScript SNVError carries it.
type errorOut struct {
	Code      string `json:"code"`
	Step      string `json:"step"`
	Message   string `json:"message"`
	StepIndex int    `json:"step_index"`
	Height    uint64 `json:"height"`
	Expected  string `json:"expected,omitempty"`
	Got       string `json:"got,omitempty"`
}

// proofResult is what a valid proof establishes.
type proofResult struct {
	TrustedHeight   uint64      `json:"trusted_height"`
	TrustedHash     string      `json:"trusted_consensus_hash"`
	Height          uint64      `json:"target_height"`
	ConsensusHash   string      `json:"target_consensus_hash"`
	OpsHash         string      `json:"ops_hash"`
	Steps           int         `json:"steps"`
	Selector        string      `json:"selector"`
	Selected        []recordOut `json:"selected"`
	BitcoinEvidence string      `json:"bitcoin_evidence"`
}

type recordOut struct {
	Opcode string            `json:"opcode"`
	Fields map[string]string `json:"fields"`
}

// answerResult is what verifyNameAnswer establishes: the proven name state,
// equal to the answer's.
type answerResult struct {
	snvcore.NameState
	ZonefileChecked bool        `json:"zonefile_checked"`
	Proof           proofResult `json:"proof"`
}

func marshal(o outcome) []byte {
	b, err := json.Marshal(o)
	if err != nil { // only plain strings and numbers: cannot fail
		return []byte(`{"ok":false,"error":{"code":"ErrInternal","step":"internal","message":"cannot encode the outcome"}}`)
	}
	return b
}

func failure(err error) []byte {
	var e *snvcore.Error
	if !errors.As(err, &e) {
		return marshal(outcome{Error: &errorOut{Code: "ErrInternal", Step: "internal", Message: err.Error(), StepIndex: -1}})
	}
	return marshal(outcome{Error: &errorOut{Code: e.Code.String(), Step: e.Code.Stage(), Message: e.Error(),
		StepIndex: e.Step, Height: e.Height, Expected: e.Expected, Got: e.Got}})
}

// verify decodes and checks a proof.
func verify(proof []byte, trustedHeight, trustedHash string) (*snvcore.Proof, *snvcore.Result, *proofResult, error) {
	h, err := strconv.ParseUint(trustedHeight, 10, 64)
	if err != nil || strconv.FormatUint(h, 10) != trustedHeight {
		e := &snvcore.Error{Code: snvcore.ErrTrustedHeight, Step: -1, Index: -1,
			Description: "trusted height " + strconv.Quote(trustedHeight) + " is not a decimal block height"}
		return nil, nil, nil, e
	}
	p, _, err := snvcore.Decode(proof)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := snvcore.Verify(p, h, trustedHash)
	if err != nil {
		return nil, nil, nil, err
	}
	out := &proofResult{TrustedHeight: h, TrustedHash: trustedHash, Height: res.Height,
		ConsensusHash: res.ConsensusHash, OpsHash: res.OpsHash, Steps: res.Steps,
		Selector: p.Select.String(), Selected: []recordOut{}, BitcoinEvidence: "absent"}
	if res.HasBitcoin {
		out.BitcoinEvidence = "present, not checked by this verifier"
	}
	for _, i := range res.Selected {
		r := &res.Records[i]
		fields := make(map[string]string, len(r.Values))
		for j, v := range r.Values {
			if j < len(r.Fields) {
				fields[r.Fields[j]] = v
			}
		}
		out.Selected = append(out.Selected, recordOut{Opcode: string(r.Opcode), Fields: fields})
	}
	return p, res, out, nil
}

// verifyProof is the module's verifyProof.
func verifyProof(proof []byte, trustedHeight, trustedHash string) []byte {
	_, _, out, err := verify(proof, trustedHeight, trustedHash)
	if err != nil {
		return failure(err)
	}
	return marshal(outcome{OK: true, Result: out})
}

// verifyNameAnswer is the module's verifyNameAnswer: the proof verifies,
// it is about name, and the answer says what it establishes.
func verifyNameAnswer(answer, proof []byte, trustedHeight, trustedHash, name string) []byte {
	a, err := snvcore.ParseNameAnswer(answer)
	if err != nil {
		return failure(err)
	}
	p, res, out, err := verify(proof, trustedHeight, trustedHash)
	if err != nil {
		return failure(err)
	}
	st, err := snvcore.NameStateOf(p, res, name)
	if err != nil {
		return failure(err)
	}
	if err := snvcore.CheckNameAnswer(st, a); err != nil {
		return failure(err)
	}
	return marshal(outcome{OK: true, Result: answerResult{NameState: *st, ZonefileChecked: a.Zonefile != nil, Proof: *out}})
}
