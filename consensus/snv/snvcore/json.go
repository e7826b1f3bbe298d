package snvcore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"

	"github.com/spvcheck/spvcheck/consensus/digest"
)

// JSONFormat is the value of the "format" member of a JSON proof.
const JSONFormat = "spvcheck-snv-proof"

type jsonProof struct {
	Format        string        `json:"format"`
	Version       int           `json:"version"`
	FirstBlock    uint64        `json:"first_block"`
	TrustedHeight uint64        `json:"trusted_height"`
	TargetHeight  uint64        `json:"target_height"`
	Select        jsonSelector  `json:"select"`
	Steps         []jsonStep    `json:"steps"`
	Records       []string      `json:"records"`
	Bitcoin       *jsonEvidence `json:"bitcoin,omitempty"`
}

type jsonSelector struct {
	Name     *string `json:"name,omitempty"`
	Txid     *string `json:"txid,omitempty"`
	Vtxindex *uint64 `json:"vtxindex,omitempty"`
}

type jsonStep struct {
	Height  uint64   `json:"height"`
	OpsHash string   `json:"ops_hash"`
	Prev    []string `json:"prev_consensus_hashes"`
}

type jsonEvidence struct {
	Version int      `json:"version"`
	Header  string   `json:"header"`
	Tx      string   `json:"tx"`
	TxIndex uint32   `json:"tx_index"`
	Branch  []string `json:"merkle_branch"`
	Headers []string `json:"headers"`
}

// EncodeJSON writes p in the JSON form, indented, with a final newline.
func EncodeJSON(p *Proof) ([]byte, error) {
	if err := checkBounds(p); err != nil {
		return nil, err
	}
	if !validUTF8(p) {
		return nil, newError(ErrNotRepresentable, "a record or the name is not valid UTF-8; use the binary form")
	}
	j := jsonProof{
		Format: JSONFormat, Version: Version,
		FirstBlock: p.FirstBlock, TrustedHeight: p.TrustedHeight, TargetHeight: p.TargetHeight,
		Steps: make([]jsonStep, len(p.Steps)), Records: make([]string, len(p.Records)),
	}
	switch p.Select.Kind {
	case SelectName:
		j.Select.Name = &p.Select.Name
	case SelectTxid:
		s := hex.EncodeToString(p.Select.Txid[:])
		j.Select.Txid = &s
	case SelectVtxindex:
		j.Select.Vtxindex = &p.Select.Vtxindex
	}
	for i, s := range p.Steps {
		js := jsonStep{Height: s.Height, OpsHash: hex.EncodeToString(s.OpsHash[:]), Prev: make([]string, len(s.Prev))}
		for k, h := range s.Prev {
			js.Prev[k] = hex.EncodeToString(h[:])
		}
		j.Steps[i] = js
	}
	for i, r := range p.Records {
		j.Records[i] = string(r)
	}
	if ev := p.Bitcoin; ev != nil {
		je := &jsonEvidence{Version: BitcoinVersion, Header: hex.EncodeToString(ev.Header[:]),
			Tx: hex.EncodeToString(ev.Tx), TxIndex: ev.TxIndex,
			Branch: make([]string, len(ev.Branch)), Headers: make([]string, len(ev.Headers))}
		for i, h := range ev.Branch {
			je.Branch[i] = hex.EncodeToString(h[:])
		}
		for i, h := range ev.Headers {
			je.Headers[i] = hex.EncodeToString(h[:])
		}
		j.Bitcoin = je
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // opcodes '>' and '&' stay readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(&j); err != nil {
		return nil, newError(ErrNotRepresentable, "%v", err)
	}
	return buf.Bytes(), nil
}

// DecodeJSON reads a JSON proof strictly: unknown members, a wrong format
// or version, hex that is not lower-case or not of the right size, and
// anything after the object are errors.
func DecodeJSON(b []byte) (*Proof, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var j jsonProof
	if err := dec.Decode(&j); err != nil {
		e := newError(ErrBadJSON, "not a JSON proof")
		e.Err = err
		return nil, e
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, newError(ErrTrailingData, "data after the JSON proof")
	}
	if j.Format != JSONFormat {
		return nil, newError(ErrBadJSON, "format %q, want %q", j.Format, JSONFormat)
	}
	if j.Version != Version {
		return nil, newError(ErrUnsupportedVersion, "proof version %d, this package reads %d", j.Version, Version)
	}
	p := &Proof{FirstBlock: j.FirstBlock, TrustedHeight: j.TrustedHeight, TargetHeight: j.TargetHeight}
	set := 0
	if j.Select.Name != nil {
		set++
		p.Select = Selector{Kind: SelectName, Name: *j.Select.Name}
	}
	if j.Select.Txid != nil {
		set++
		p.Select = Selector{Kind: SelectTxid}
		if err := decodeHex(p.Select.Txid[:], *j.Select.Txid); err != nil {
			return nil, err
		}
	}
	if j.Select.Vtxindex != nil {
		set++
		p.Select = Selector{Kind: SelectVtxindex, Vtxindex: *j.Select.Vtxindex}
	}
	if set > 1 {
		return nil, newError(ErrNonCanonical, "more than one selector")
	}
	if len(j.Steps) > 0 {
		p.Steps = make([]Step, len(j.Steps))
	}
	for i, js := range j.Steps {
		s := &p.Steps[i]
		s.Height = js.Height
		if err := decodeHex(s.OpsHash[:], js.OpsHash); err != nil {
			return nil, err
		}
		if len(js.Prev) > MaxPrevs {
			return nil, newError(ErrLimitExceeded, "step %d: %d previous hashes", i, len(js.Prev))
		}
		if len(js.Prev) > 0 {
			s.Prev = make([][16]byte, len(js.Prev))
		}
		for k, h := range js.Prev {
			if err := decodeHex(s.Prev[k][:], h); err != nil {
				return nil, err
			}
		}
	}
	if len(j.Records) > 0 {
		p.Records = make([][]byte, len(j.Records))
	}
	for i, r := range j.Records {
		p.Records[i] = []byte(r)
	}
	if je := j.Bitcoin; je != nil {
		if je.Version != BitcoinVersion {
			return nil, newError(ErrUnsupportedVersion, "Bitcoin evidence version %d, this package reads %d", je.Version, BitcoinVersion)
		}
		ev := &BitcoinEvidence{TxIndex: je.TxIndex}
		if err := decodeHex(ev.Header[:], je.Header); err != nil {
			return nil, err
		}
		if len(je.Tx) > 2*MaxTxLen {
			return nil, newError(ErrLimitExceeded, "transaction longer than %d bytes", MaxTxLen)
		}
		ev.Tx = make([]byte, len(je.Tx)/2)
		if err := decodeHex(ev.Tx, je.Tx); err != nil {
			return nil, err
		}
		if len(je.Branch) > 0 {
			ev.Branch = make([][32]byte, len(je.Branch))
		}
		for i, h := range je.Branch {
			if i >= MaxBranch {
				return nil, newError(ErrLimitExceeded, "Merkle branch longer than %d", MaxBranch)
			}
			if err := decodeHex(ev.Branch[i][:], h); err != nil {
				return nil, err
			}
		}
		if len(je.Headers) > 0 {
			ev.Headers = make([][80]byte, len(je.Headers))
		}
		for i, h := range je.Headers {
			if err := decodeHex(ev.Headers[i][:], h); err != nil {
				return nil, err
			}
		}
		p.Bitcoin = ev
	}
	if err := checkBounds(p); err != nil {
		return nil, err
	}
	return p, nil
}

// Encoding names a proof encoding.
type Encoding int

const (
	// Binary is the compact form starting with Magic.
	Binary Encoding = iota + 1
	// JSON is the human-readable form.
	JSON
)

func (e Encoding) String() string {
	switch e {
	case Binary:
		return "binary"
	case JSON:
		return "json"
	}
	return "unknown"
}

// Decode reads a proof in either encoding, telling them apart by the
// first bytes: Magic for binary, '{' (after white space) for JSON.
func Decode(b []byte) (*Proof, Encoding, error) {
	if bytes.HasPrefix(b, []byte(Magic)) {
		p, err := DecodeBinary(b)
		return p, Binary, err
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		p, err := DecodeJSON(b)
		return p, JSON, err
	}
	return nil, 0, newError(ErrUnknownEncoding, "neither a binary (%q) nor a JSON proof", Magic)
}

// Encode writes p in the given encoding.
func Encode(p *Proof, e Encoding) ([]byte, error) {
	switch e {
	case Binary:
		return EncodeBinary(p)
	case JSON:
		return EncodeJSON(p)
	}
	return nil, newError(ErrUnknownEncoding, "unknown encoding %d", int(e))
}

// decodeHex fills dst from a lower-case hex string of exactly its size.
// (digest.DecodeLowerHex allocates nothing, which matters to the
// WebAssembly verifier, where this is a fifth of decoding a proof.)
func decodeHex(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return newError(ErrNonCanonical, "hash %q is not %d hex characters", s, 2*len(dst))
	}
	if !digest.DecodeLowerHex(dst, s) {
		return newError(ErrNonCanonical, "hash %q is not lower-case hex", s)
	}
	return nil
}
