package testvectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spvcheck/spvcheck/ops"
)

// ReplayScenario is one line of replay/scenarios.jsonl or
// replay-final/sample.jsonl (see the READMEs next to them).
type ReplayScenario struct {
	Version     string          `json:"version"`
	Scenario    string          `json:"scenario"`
	Config      json.RawMessage `json:"config"`
	Blocks      []ReplayBlock   `json:"blocks"`
	Complete    bool            `json:"complete"`
	FieldsExact bool            `json:"fields_exact"`
	// FinalAccounts maps "address/TYPE" to the balance after the last
	// block (final-rule scenarios only).
	FinalAccounts map[string]string `json:"final_accounts"`
}

// ReplayBlock is one block of a scenario.
type ReplayBlock struct {
	Block         uint64     `json:"block"`
	Nvtx          int        `json:"nvtx"`
	Ops           []ReplayOp `json:"ops"`
	ConsensusHash string     `json:"consensus_hash"`
	OpsHash       string     `json:"ops_hash"`
}

// ReplayOp is one recorded operation with its outcome.
type ReplayOp struct {
	Vtxindex      int               `json:"vtxindex"`
	Txid          string            `json:"txid"`
	Opcode        string            `json:"opcode"`
	PayloadHex    string            `json:"payload_hex"`
	In            json.RawMessage   `json:"in"`
	Src           map[string]string `json:"src"`
	Outcome       string            `json:"outcome"`
	CheckedOpcode string            `json:"checked_opcode"`
	Reason        []string          `json:"reason"`
	Commit        json.RawMessage   `json:"commit"`
	Serialized    string            `json:"serialized"`
}

// renames013 returns the 0.13 parser's field names that differ for an
// opcode, mapped to the 0.14 / final names (replay/README.md "Fields of in";
// consensus-hash.md field lists).
func renames013(kind ops.Kind) map[string]string {
	switch kind {
	case ops.KindNamePreorder:
		return map[string]string{"preorder_name_hash": "preorder_hash"}
	case ops.KindNamespacePreorder, ops.KindNamespaceReveal:
		return map[string]string{"namespace_id_hash": "preorder_hash"}
	case ops.KindNameUpdate:
		return map[string]string{"name_hash": "name_consensus_hash", "update_hash": "value_hash"}
	case ops.KindNameTransfer:
		return map[string]string{"name_hash": "name_hash128"}
	case ops.KindNameImport:
		return map[string]string{"update_hash": "value_hash"}
	}
	return nil
}

// Op converts the recorded parser output into the engine's input at block
// height. Renewals are recognised by the stored op "::" (final rules); the
// older builds told renewals apart by state, which the engine does itself.
func (o *ReplayOp) Op(height uint64) (ops.Op, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(o.In, &m); err != nil {
		return ops.Op{}, fmt.Errorf("op %d: %w", o.Vtxindex, err)
	}
	kind := ops.Kind(o.Opcode)
	for from, to := range renames013(kind) {
		if v, ok := m[from]; ok {
			if _, dup := m[to]; !dup {
				m[to] = v
			}
			delete(m, from)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ops.Op{}, err
	}
	var op ops.Op
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&op); err != nil {
		return ops.Op{}, fmt.Errorf("op %d: %w", o.Vtxindex, err)
	}
	if op.OpString == "" {
		return ops.Op{}, fmt.Errorf("op %d: no op field", o.Vtxindex)
	}
	op.Opcode = ops.Opcode(op.OpString[0])
	if !op.Opcode.Valid() {
		return ops.Op{}, fmt.Errorf("op %d: unknown opcode %q", o.Vtxindex, op.OpString)
	}
	op.Kind = kind
	if kind == ops.KindNameRegistration && op.OpString == "::" {
		op.Kind = ops.KindNameRenewal
	}
	op.BlockHeight = height
	if op.Txid == "" {
		op.Txid = o.Txid
	}
	op.Vtxindex = o.Vtxindex
	return op, nil
}

// ReadReplay decodes every scenario of a replay vector file.
func ReadReplay(r io.Reader, name string) ([]*ReplayScenario, error) {
	var out []*ReplayScenario
	err := ReadJSONL(r, name, func(line int, s *ReplayScenario) error {
		if s.Version == "" || s.Scenario == "" || len(s.Config) == 0 {
			return &MalformedError{File: name, Line: line, Err: fmt.Errorf("scenario without version, name or config")}
		}
		out = append(out, s)
		return nil
	})
	return out, err
}
