package snapshot

import (
	"bytes"
	"encoding/json"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// blockSummary is what the store keeps per height besides records, inputs
// and undo: the block's identity and its two hashes, in binary.
type blockSummary struct {
	BlockHash     [32]byte
	OpsHash       [32]byte
	ConsensusHash [16]byte
}

const summarySize = 32 + 32 + 16

func (s *blockSummary) encode() []byte { return s.append(make([]byte, 0, summarySize)) }

func (s *blockSummary) append(b []byte) []byte {
	b = append(b, s.BlockHash[:]...)
	b = append(b, s.OpsHash[:]...)
	return append(b, s.ConsensusHash[:]...)
}

func decodeSummary(b []byte) (blockSummary, bool) {
	var s blockSummary
	if len(b) != summarySize {
		return s, false
	}
	copy(s.BlockHash[:], b[:32])
	copy(s.OpsHash[:], b[32:64])
	copy(s.ConsensusHash[:], b[64:])
	return s, true
}

// parseHexHash decodes into dst a lower-case hex hash of exactly
// len(dst) bytes.
func parseHexHash(s string, dst []byte) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := hexDigit(s[2*i])
		lo, ok2 := hexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// hexDigit is the value of a lower-case hex digit.
func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// encodeRecords encodes a block's committed records: a count, then each
// record length-prefixed.
func encodeRecords(records [][]byte) []byte {
	size := 10
	for _, r := range records {
		size += 10 + len(r)
	}
	return appendRecords(make([]byte, 0, size), records)
}

func appendRecords(b []byte, records [][]byte) []byte {
	b = enc.AppendUvarint(b, uint64(len(records)))
	for _, r := range records {
		b = enc.AppendBytes(b, r)
	}
	return b
}

// decodeRecords reverses encodeRecords; the records it returns are copies.
func decodeRecords(b []byte) ([][]byte, error) {
	d := enc.NewDecoder(b)
	n := d.Count(1)
	records := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		records = append(records, bytes.Clone(d.Bytes()))
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return records, nil
}

// Inputs formats: a block's parsed operations are stored as a uvarint
// count followed by the operations, in the store's format version. Format
// 2 writes each with appendOp (see opcodec.go). Format 1, which stores of
// that version keep using, writes each as its opcode byte and its JSON form
// (which leaves the opcode out) as length-prefixed bytes; Go's JSON encoding
// of a struct is deterministic, so equal inputs encode equally.
const (
	inputsJSON   = 1
	inputsBinary = 2
)

// appendInputs appends a block's parsed operations in format version v.
func appendInputs(b []byte, v uint64, inputs []ops.Op) ([]byte, error) {
	b = enc.AppendUvarint(b, uint64(len(inputs)))
	for i := range inputs {
		if v == inputsBinary {
			b = appendOp(b, &inputs[i])
			continue
		}
		j, err := json.Marshal(&inputs[i])
		if err != nil {
			return nil, err
		}
		b = append(b, byte(inputs[i].Opcode))
		b = enc.AppendBytes(b, j)
	}
	return b, nil
}

// encodeInputs encodes a block's parsed operations in the current format.
func encodeInputs(inputs []ops.Op) []byte {
	b, _ := appendInputs(nil, inputsBinary, inputs) // binary cannot fail
	return b
}

// decodeInputs reverses appendInputs for format version v; format 1
// rejects unknown JSON fields.
func decodeInputs(v uint64, b []byte) ([]ops.Op, error) {
	if v == inputsBinary {
		return readBinaryInputs(b, true)
	}
	d := enc.NewDecoder(b)
	n := d.Count(3)
	inputs := make([]ops.Op, n)
	for i := 0; i < n; i++ {
		opcode := d.Byte()
		j := d.Bytes()
		if d.Err() != nil {
			return nil, d.Err()
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&inputs[i]); err != nil {
			return nil, err
		}
		if dec.More() {
			return nil, enc.ErrMalformed
		}
		inputs[i].Opcode = ops.Opcode(opcode)
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return inputs, nil
}

// readBinaryInputs decodes format-2 inputs, or with keep unset only checks
// them (returning nil), without allocating.
func readBinaryInputs(b []byte, keep bool) ([]ops.Op, error) {
	d := enc.NewCanonicalDecoder(b)
	n := d.Count(2)
	var inputs []ops.Op
	if keep {
		inputs = make([]ops.Op, n)
	}
	r := opReader{d: d, keep: keep}
	for i := 0; i < n; i++ {
		var op *ops.Op
		if keep {
			op = &inputs[i]
		}
		if err := r.read(op); err != nil {
			return nil, err
		}
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return inputs, nil
}

// checkInputs checks encoded inputs of format version v without building
// them: enough for an audit that does not replay, at a fraction of the
// cost. Format 2 is checked completely, format 1 for its framing and that
// each operation is well-formed JSON.
func checkInputs(v uint64, b []byte) error {
	if v == inputsBinary {
		_, err := readBinaryInputs(b, false)
		return err
	}
	d := enc.NewDecoder(b)
	n := d.Count(3)
	for i := 0; i < n; i++ {
		d.Byte()
		if j := d.Bytes(); d.Err() == nil && !validJSON(j) {
			return enc.ErrMalformed
		}
	}
	return d.Finish()
}

// undoEntry is the value one key held before a block wrote it; present is
// false when the key did not exist.
type undoEntry struct {
	Key     []byte
	Present bool
	Value   []byte
}

// appendUndoEntry appends one entry of an undo record: the key, then 1 and
// the value it held, or 0 when it held none. An undo record is a count of
// entries followed by the entries (see decodeUndo).
func appendUndoEntry(b, key []byte, present bool, value []byte) []byte {
	b = enc.AppendBytes(b, key)
	if !present {
		return append(b, 0)
	}
	return enc.AppendBytes(append(b, 1), value)
}

func decodeUndo(b []byte) ([]undoEntry, error) {
	d := enc.NewDecoder(b)
	n := d.Count(2)
	entries := make([]undoEntry, 0, n)
	for i := 0; i < n; i++ {
		e := undoEntry{Key: d.Bytes()}
		switch d.Byte() {
		case 0:
		case 1:
			e.Present = true
			e.Value = d.Bytes()
		default:
			return nil, enc.ErrMalformed
		}
		entries = append(entries, e)
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return entries, nil
}
