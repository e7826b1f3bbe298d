package snvcore

import (
	"encoding/binary"
	"unicode/utf8"
)

// Magic starts every binary proof.
const Magic = "SNVP"

const flagBitcoin = 1

// EncodeBinary writes p in the compact binary form (see the package
// documentation). It fails only for a proof beyond the format's bounds.
func EncodeBinary(p *Proof) ([]byte, error) {
	if err := checkBounds(p); err != nil {
		return nil, err
	}
	size := 4 + 2 + 24 + 1 + 2 + len(p.Select.Name) + 32 + 2 + 4
	for _, s := range p.Steps {
		size += 8 + 32 + 1 + 16*len(s.Prev)
	}
	for _, r := range p.Records {
		size += 4 + len(r)
	}
	b := make([]byte, 0, size)
	b = append(b, Magic...)
	b = append(b, Version)
	flags := byte(0)
	if p.Bitcoin != nil {
		flags |= flagBitcoin
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint64(b, p.FirstBlock)
	b = binary.BigEndian.AppendUint64(b, p.TrustedHeight)
	b = binary.BigEndian.AppendUint64(b, p.TargetHeight)
	b = append(b, byte(p.Select.Kind))
	switch p.Select.Kind {
	case SelectName:
		b = binary.BigEndian.AppendUint16(b, uint16(len(p.Select.Name)))
		b = append(b, p.Select.Name...)
	case SelectTxid:
		b = append(b, p.Select.Txid[:]...)
	case SelectVtxindex:
		b = binary.BigEndian.AppendUint64(b, p.Select.Vtxindex)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(p.Steps)))
	for _, s := range p.Steps {
		b = binary.BigEndian.AppendUint64(b, s.Height)
		b = append(b, s.OpsHash[:]...)
		b = append(b, byte(len(s.Prev)))
		for _, h := range s.Prev {
			b = append(b, h[:]...)
		}
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(p.Records)))
	for _, r := range p.Records {
		b = binary.BigEndian.AppendUint32(b, uint32(len(r)))
		b = append(b, r...)
	}
	if ev := p.Bitcoin; ev != nil {
		b = append(b, BitcoinVersion)
		b = append(b, ev.Header[:]...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(ev.Tx)))
		b = append(b, ev.Tx...)
		b = binary.BigEndian.AppendUint32(b, ev.TxIndex)
		b = append(b, byte(len(ev.Branch)))
		for _, h := range ev.Branch {
			b = append(b, h[:]...)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(ev.Headers)))
		for _, h := range ev.Headers {
			b = append(b, h[:]...)
		}
	}
	return b, nil
}

// checkBounds rejects proofs no decoder would accept.
func checkBounds(p *Proof) error {
	if p == nil {
		return newError(ErrNotRepresentable, "no proof")
	}
	limit := func(what string, n, max int) error {
		if n > max {
			return newError(ErrLimitExceeded, "%s: %d above the bound %d", what, n, max)
		}
		return nil
	}
	if p.Select.Kind > SelectVtxindex {
		return newError(ErrNonCanonical, "unknown selector kind %d", p.Select.Kind)
	}
	if p.Select.Kind != SelectName && p.Select.Name != "" ||
		p.Select.Kind != SelectTxid && p.Select.Txid != ([32]byte{}) ||
		p.Select.Kind != SelectVtxindex && p.Select.Vtxindex != 0 {
		return newError(ErrNonCanonical, "selector carries a value its kind does not use")
	}
	if err := limit("selector name", len(p.Select.Name), MaxNameLen); err != nil {
		return err
	}
	if err := limit("steps", len(p.Steps), MaxSteps); err != nil {
		return err
	}
	for _, s := range p.Steps {
		if err := limit("previous hashes", len(s.Prev), MaxPrevs); err != nil {
			return err
		}
	}
	if err := limit("records", len(p.Records), MaxRecords); err != nil {
		return err
	}
	for _, r := range p.Records {
		if err := limit("record length", len(r), MaxRecordLen); err != nil {
			return err
		}
	}
	if ev := p.Bitcoin; ev != nil {
		if err := limit("transaction length", len(ev.Tx), MaxTxLen); err != nil {
			return err
		}
		if err := limit("Merkle branch", len(ev.Branch), MaxBranch); err != nil {
			return err
		}
		if err := limit("headers", len(ev.Headers), MaxHeaders); err != nil {
			return err
		}
	}
	return nil
}

// reader is a bounds-checked cursor over hostile input.
type reader struct {
	b   []byte
	off int
	err *Error
}

func (r *reader) fail(code ErrorCode, format string, args ...any) {
	if r.err == nil {
		r.err = newError(code, format, args...)
		r.err.Index = r.off
	}
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail(ErrTruncated, "input ends inside %s", what)
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u8(what string) uint8 {
	if b := r.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16(what string) uint16 {
	if b := r.take(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if b := r.take(8, what); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// count reads a count, checks it against max and against the bytes left
// (each item needs at least minSize), so no allocation outgrows the input.
func (r *reader) count(n uint64, max, minSize int, what string) int {
	if r.err != nil {
		return 0
	}
	if n > uint64(max) {
		r.fail(ErrLimitExceeded, "%s: %d above the bound %d", what, n, max)
		return 0
	}
	if minSize > 0 && n > uint64((len(r.b)-r.off)/minSize) {
		r.fail(ErrTruncated, "input ends inside %s", what)
		return 0
	}
	return int(n)
}

// DecodeBinary reads a binary proof. It accepts exactly the bytes
// EncodeBinary writes: anything else is an error, never a panic, so
// EncodeBinary(DecodeBinary(b)) == b for every accepted b.
func DecodeBinary(b []byte) (*Proof, error) {
	r := &reader{b: b}
	if string(r.take(4, "magic")) != Magic {
		return nil, newError(ErrBadMagic, "input does not start with %q", Magic)
	}
	if v := r.u8("version"); r.err == nil && v != Version {
		return nil, newError(ErrUnsupportedVersion, "proof version %d, this package reads %d", v, Version)
	}
	flags := r.u8("flags")
	if r.err == nil && flags&^flagBitcoin != 0 {
		r.fail(ErrNonCanonical, "unknown flags %#x", flags)
	}
	p := &Proof{}
	p.FirstBlock = r.u64("first block")
	p.TrustedHeight = r.u64("trusted height")
	p.TargetHeight = r.u64("target height")
	p.Select.Kind = SelectorKind(r.u8("selector kind"))
	switch p.Select.Kind {
	case SelectBlock:
	case SelectName:
		n := r.count(uint64(r.u16("name length")), MaxNameLen, 1, "name")
		p.Select.Name = string(r.take(n, "name"))
	case SelectTxid:
		copy(p.Select.Txid[:], r.take(32, "txid"))
	case SelectVtxindex:
		p.Select.Vtxindex = r.u64("vtxindex")
	default:
		r.fail(ErrNonCanonical, "unknown selector kind %d", p.Select.Kind)
	}
	if n := r.count(uint64(r.u16("step count")), MaxSteps, 8+32+1, "steps"); n > 0 {
		p.Steps = make([]Step, n)
		for i := range p.Steps {
			s := &p.Steps[i]
			s.Height = r.u64("step height")
			copy(s.OpsHash[:], r.take(32, "ops hash"))
			if m := r.count(uint64(r.u8("previous hash count")), MaxPrevs, 16, "previous hashes"); m > 0 {
				s.Prev = make([][16]byte, m)
				for j := range s.Prev {
					copy(s.Prev[j][:], r.take(16, "previous hash"))
				}
			}
		}
	}
	if n := r.count(uint64(r.u32("record count")), MaxRecords, 4, "records"); n > 0 {
		p.Records = make([][]byte, n)
		for i := range p.Records {
			m := r.count(uint64(r.u32("record length")), MaxRecordLen, 1, "record")
			p.Records[i] = append([]byte{}, r.take(m, "record")...)
		}
	}
	if flags&flagBitcoin != 0 && r.err == nil {
		if v := r.u8("evidence version"); r.err == nil && v != BitcoinVersion {
			return nil, newError(ErrUnsupportedVersion, "Bitcoin evidence version %d, this package reads %d", v, BitcoinVersion)
		}
		ev := &BitcoinEvidence{}
		copy(ev.Header[:], r.take(80, "header"))
		n := r.count(uint64(r.u32("transaction length")), MaxTxLen, 1, "transaction")
		ev.Tx = append([]byte{}, r.take(n, "transaction")...)
		ev.TxIndex = r.u32("transaction index")
		if m := r.count(uint64(r.u8("branch length")), MaxBranch, 32, "Merkle branch"); m > 0 {
			ev.Branch = make([][32]byte, m)
			for i := range ev.Branch {
				copy(ev.Branch[i][:], r.take(32, "branch hash"))
			}
		}
		if m := r.count(uint64(r.u32("header count")), MaxHeaders, 80, "headers"); m > 0 {
			ev.Headers = make([][80]byte, m)
			for i := range ev.Headers {
				copy(ev.Headers[i][:], r.take(80, "header"))
			}
		}
		p.Bitcoin = ev
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(b) {
		e := newError(ErrTrailingData, "%d bytes after the proof", len(b)-r.off)
		e.Index = r.off
		return nil, e
	}
	return p, nil
}

// validUTF8 reports whether every record and the name are valid UTF-8,
// which the JSON form needs to carry them exactly.
func validUTF8(p *Proof) bool {
	if !utf8.ValidString(p.Select.Name) {
		return false
	}
	for _, r := range p.Records {
		if !utf8.Valid(r) {
			return false
		}
	}
	return true
}
