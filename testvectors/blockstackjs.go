package testvectors

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// BlockstackJSRecord is one line of blockstackjs/vectors.jsonl. Kind is
// "meta", "helper", "tx", "skeleton" or "reject"; the fields used depend on
// it.
type BlockstackJSRecord struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`

	// helper and reject records
	Fn           string          `json:"fn"`
	Input        json.RawMessage `json:"input"`
	Output       json.RawMessage `json:"output"`
	PublicKeyHex string          `json:"public_key_hex"`
	Error        string          `json:"error"`
	Source       string          `json:"source"`

	// tx and skeleton records
	Op                 string                  `json:"op"`
	Builder            string                  `json:"builder"`
	Network            string                  `json:"network"`
	MagicBytes         string                  `json:"magic_bytes"`
	Inputs             *BuilderInputs          `json:"inputs"`
	TxHex              string                  `json:"tx_hex"`
	UnsignedTxHex      string                  `json:"unsigned_tx_hex"`
	OpReturnPayloadHex string                  `json:"op_return_payload_hex"`
	Decoded            *DecodedTx              `json:"decoded"`
	ExpectedBySpec     map[string]EpochVerdict `json:"expected_by_spec"`
}

// BuilderInputs are the arguments a blockstack.js builder was called with
// (the union over all builders; absent arguments are nil/zero).
type BuilderInputs struct {
	Name               *string     `json:"name"`
	NamespaceID        *string     `json:"namespace_id"`
	ConsensusHash      *string     `json:"consensus_hash"`
	PreorderAddress    *string     `json:"preorder_address"`
	RegisterAddress    *string     `json:"register_address"`
	RevealAddress      *string     `json:"reveal_address"`
	DestinationAddress *string     `json:"destination_address"`
	OwnerAddress       *string     `json:"owner_address"`
	NextOwnerAddress   *string     `json:"next_owner_address"`
	LastOwnerAddress   *string     `json:"last_owner_address"`
	NewOwner           *string     `json:"new_owner"`
	RecipientAddress   *string     `json:"recipient_address"`
	PaymentAddress     *string     `json:"payment_address"`
	SenderAddress      *string     `json:"sender_address"`
	ImporterAddress    *string     `json:"importer_address"`
	BurnAddress        *string     `json:"burn_address"`
	Burn               *Amount     `json:"burn"`
	NamePrice          *Amount     `json:"name_price"`
	NamespacePrice     *Amount     `json:"namespace_price"`
	ValueHash          *string     `json:"value_hash"`
	ValueHashEffective *string     `json:"value_hash_effective"`
	BurnTokenAmountHex *string     `json:"burn_token_amount_hex"`
	KeepZonefile       *bool       `json:"keep_zonefile"`
	ZonefileHash       *string     `json:"zonefile_hash"`
	MessageHash        *string     `json:"message_hash"`
	TokenType          *string     `json:"token_type"`
	TokenAmount        *string     `json:"token_amount"`
	ScratchArea        *string     `json:"scratch_area"`
	Namespace          *NamespaceJ `json:"namespace"`
	// Utxos are the coins the transaction builder could spend, by address.
	Utxos map[string][]Utxo `json:"utxos"`
}

// Utxo is one coin offered to a transaction builder.
type Utxo struct {
	TxHash    string `json:"tx_hash"`
	TxOutputN uint32 `json:"tx_output_n"`
	Value     int64  `json:"value"`
}

// Amount is a blockstack.js price or burn: units ("BTC" or "STACKS") and a
// decimal amount. A bare JSON number means BTC.
type Amount struct {
	Units  string
	Amount string
}

// UnmarshalJSON accepts {"units","amount"} objects and bare numbers.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var obj struct {
		Units  string          `json:"units"`
		Amount json.RawMessage `json:"amount"`
	}
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		a.Units = obj.Units
		a.Amount = strings.Trim(string(obj.Amount), `"`)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	a.Units, a.Amount = "BTC", n.String()
	return nil
}

// Uint64 parses the amount.
func (a *Amount) Uint64() (uint64, error) { return strconv.ParseUint(a.Amount, 10, 64) }

// NamespaceJ is a BlockstackNamespace's parameters.
type NamespaceJ struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Lifetime int64  `json:"lifetime"`
	Coeff    int    `json:"coeff"`
	Base     int    `json:"base"`
	Buckets  []int  `json:"buckets"`
	Nonalpha int    `json:"nonalpha"`
	Novowel  int    `json:"novowel"`
}

// DecodedTx is bitcoinjs's view of a record's transaction.
type DecodedTx struct {
	Txid    string      `json:"txid"`
	Version int32       `json:"version"`
	Inputs  []DecodedIn `json:"inputs"`
	Outputs []DecodedOut
}

// UnmarshalJSON keeps the outputs list under its JSON name.
func (d *DecodedTx) UnmarshalJSON(b []byte) error {
	type plain struct {
		Txid    string       `json:"txid"`
		Version int32        `json:"version"`
		Inputs  []DecodedIn  `json:"inputs"`
		Outputs []DecodedOut `json:"outputs"`
	}
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*d = DecodedTx(p)
	return nil
}

// DecodedIn is one input of a DecodedTx.
type DecodedIn struct {
	PrevTxid     string `json:"prev_txid"`
	PrevVout     uint32 `json:"prev_vout"`
	ScriptSigHex string `json:"script_sig_hex"`
}

// DecodedOut is one output of a DecodedTx.
type DecodedOut struct {
	N         int     `json:"n"`
	Value     int64   `json:"value"`
	ScriptHex string  `json:"script_hex"`
	Address   *string `json:"address"`
}

// EpochVerdict is the verdict a spec-derived decoder reached at one epoch
// height: accepted with these fields, or rejected for this reason.
type EpochVerdict struct {
	Height uint64                     `json:"height"`
	Accept bool                       `json:"accept"`
	Reason string                     `json:"reason"`
	Fields map[string]json.RawMessage `json:"fields"`
}

// NamedVerdict is an EpochVerdict with its epoch key ("epoch1"...).
type NamedVerdict struct {
	Epoch string
	EpochVerdict
}

// Verdicts returns the record's verdicts in epoch order.
func (r *BlockstackJSRecord) Verdicts() []NamedVerdict {
	keys := make([]string, 0, len(r.ExpectedBySpec))
	for k := range r.ExpectedBySpec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]NamedVerdict, 0, len(keys))
	for _, k := range keys {
		out = append(out, NamedVerdict{Epoch: k, EpochVerdict: r.ExpectedBySpec[k]})
	}
	return out
}

// OutputString returns a helper record's output when it is a JSON string.
func (r *BlockstackJSRecord) OutputString() (string, error) {
	var s string
	if err := json.Unmarshal(r.Output, &s); err != nil {
		return "", fmt.Errorf("%s: output is not a string: %w", r.ID, err)
	}
	return s, nil
}

// ReadBlockstackJS reads a blockstack.js vector file.
func ReadBlockstackJS(r io.Reader, name string) ([]*BlockstackJSRecord, error) {
	var recs []*BlockstackJSRecord
	err := ReadJSONL(r, name, func(line int, rec *BlockstackJSRecord) error {
		if rec.ID == "" || rec.Kind == "" {
			return &MalformedError{File: name, Line: line, Err: fmt.Errorf("record without id or kind")}
		}
		if (rec.Kind == "tx" || rec.Kind == "skeleton") && (rec.TxHex == "" || rec.Inputs == nil || len(rec.ExpectedBySpec) == 0) {
			return &MalformedError{File: name, Line: line, Err: fmt.Errorf("%s record %s lacks tx_hex, inputs or expected_by_spec", rec.Kind, rec.ID)}
		}
		recs = append(recs, rec)
		return nil
	})
	return recs, err
}
