package sfile

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Magic opens every snapshot file.
const Magic = "SPVCSNAP"

// Section tags, in the order sections appear.
const (
	TagChain  byte = 'C'
	TagBlocks byte = 'B'
	TagState  byte = 'S'
	TagEnd    byte = 'E'
)

// Limits that bound what a reader accepts.
const (
	MaxEntry      = 64 << 20 // bytes in one entry
	MaxIdentifier = 1024     // bytes of the network name or params fingerprint
)

// Failures of the framing. Package snapshot turns them into its own codes.
var (
	ErrMagic     = errors.New("not a snapshot file")
	ErrTruncated = errors.New("file ends early")
	ErrChecksum  = errors.New("checksum mismatch")
	ErrMalformed = errors.New("malformed framing")
)

// Header is the identity of a snapshot: which chain, which rules, which tip.
type Header struct {
	Version           uint64
	Network           string
	ParamsFingerprint string
	First, Tip        uint64
	TipBlockHash      [32]byte
	TipConsensusHash  [16]byte
}

// Writer writes a snapshot file.
type Writer struct {
	w         *bufio.Writer
	file      hash.Hash // every byte written
	section   hash.Hash // bytes of the open section
	inSection bool
	scratch   [binary.MaxVarintLen64]byte
	err       error
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), file: sha256.New(), section: sha256.New()}
}

func (w *Writer) write(p []byte) {
	if w.err != nil {
		return
	}
	w.file.Write(p)
	if w.inSection {
		w.section.Write(p)
	}
	_, w.err = w.w.Write(p)
}

func (w *Writer) writeUvarint(v uint64) {
	n := binary.PutUvarint(w.scratch[:], v)
	w.write(w.scratch[:n])
}

// Header writes the header and its checksum.
func (w *Writer) Header(h *Header) error {
	var b []byte
	b = append(b, Magic...)
	b = binary.AppendUvarint(b, h.Version)
	b = binary.AppendUvarint(b, uint64(len(h.Network)))
	b = append(b, h.Network...)
	b = binary.AppendUvarint(b, uint64(len(h.ParamsFingerprint)))
	b = append(b, h.ParamsFingerprint...)
	b = binary.BigEndian.AppendUint64(b, h.First)
	b = binary.BigEndian.AppendUint64(b, h.Tip)
	b = append(b, h.TipBlockHash[:]...)
	b = append(b, h.TipConsensusHash[:]...)
	sum := sha256.Sum256(b)
	w.write(b)
	w.write(sum[:])
	return w.err
}

// BeginSection opens the section with the given tag.
func (w *Writer) BeginSection(tag byte) error {
	w.section.Reset()
	w.inSection = true
	w.write([]byte{tag})
	return w.err
}

// Entry writes one entry of the open section; p must not be empty.
func (w *Writer) Entry(p []byte) error {
	if len(p) == 0 || len(p) > MaxEntry {
		return fmt.Errorf("sfile: entry of %d bytes", len(p))
	}
	w.writeUvarint(uint64(len(p)))
	w.write(p)
	return w.err
}

// EndSection writes the terminator and the section checksum.
func (w *Writer) EndSection() error {
	w.writeUvarint(0)
	sum := w.section.Sum(nil)
	w.inSection = false
	w.write(sum)
	return w.err
}

// Close writes the end marker and the digest of the whole file, and
// flushes. It does not close the underlying writer.
func (w *Writer) Close() error {
	w.write([]byte{TagEnd})
	w.write(w.file.Sum(nil))
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

// Reader reads a snapshot file.
type Reader struct {
	r         *bufio.Reader
	file      hash.Hash
	section   hash.Hash
	inSection bool
	buf       []byte
	one       [1]byte
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), file: sha256.New(), section: sha256.New()}
}

func eof(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrTruncated
	}
	return err
}

// readHashed reads exactly len(p) bytes into p, hashing them.
func (r *Reader) readHashed(p []byte) error {
	if _, err := io.ReadFull(r.r, p); err != nil {
		return eof(err)
	}
	r.file.Write(p)
	if r.inSection {
		r.section.Write(p)
	}
	return nil
}

// readChecksum reads a stored SHA-256 and compares it with want.
func (r *Reader) readChecksum(want []byte) error {
	var got [sha256.Size]byte
	if _, err := io.ReadFull(r.r, got[:]); err != nil {
		return eof(err)
	}
	r.file.Write(got[:])
	if string(got[:]) != string(want) {
		return ErrChecksum
	}
	return nil
}

func (r *Reader) readUvarint() (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if err := r.readHashed(r.one[:]); err != nil {
			return 0, err
		}
		b := r.one[0]
		if shift == 63 && b > 1 {
			return 0, ErrMalformed
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			if b == 0 && shift > 0 {
				return 0, ErrMalformed // non-minimal encoding
			}
			return v, nil
		}
	}
}

// readN reads n bytes into the reusable buffer, growing it only as bytes
// arrive.
func (r *Reader) readN(n uint64) ([]byte, error) {
	r.buf = r.buf[:0]
	for n > 0 {
		chunk := min(n, 1<<20)
		start := len(r.buf)
		r.buf = append(r.buf, make([]byte, chunk)...)
		if err := r.readHashed(r.buf[start:]); err != nil {
			return nil, err
		}
		n -= chunk
	}
	return r.buf, nil
}

// Header reads and checks the header. The caller checks the version.
func (r *Reader) Header() (*Header, error) {
	magic := make([]byte, len(Magic))
	if _, err := io.ReadFull(r.r, magic); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrMagic
		}
		return nil, err
	}
	if string(magic) != Magic {
		return nil, ErrMagic
	}
	// The header is checksummed like a section that starts at the magic.
	r.file.Write(magic)
	r.section.Reset()
	r.section.Write(magic)
	r.inSection = true
	h := &Header{}
	var err error
	uvarint := func() uint64 {
		var v uint64
		if err == nil {
			v, err = r.readUvarint()
		}
		return v
	}
	read := func(p []byte) {
		if err == nil {
			err = r.readHashed(p)
		}
	}
	str := func() string {
		n := uvarint()
		if err == nil && n > MaxIdentifier {
			err = fmt.Errorf("%w: identifier of %d bytes", ErrMalformed, n)
		}
		if err != nil {
			return ""
		}
		p := make([]byte, n)
		read(p)
		return string(p)
	}
	h.Version = uvarint()
	h.Network = str()
	h.ParamsFingerprint = str()
	var u [8]byte
	read(u[:])
	h.First = binary.BigEndian.Uint64(u[:])
	read(u[:])
	h.Tip = binary.BigEndian.Uint64(u[:])
	read(h.TipBlockHash[:])
	read(h.TipConsensusHash[:])
	r.inSection = false
	if err != nil {
		return nil, err
	}
	if err := r.readChecksum(r.section.Sum(nil)); err != nil {
		return nil, err
	}
	return h, nil
}

// BeginSection reads the tag of the next section and requires it to be tag.
func (r *Reader) BeginSection(tag byte) error {
	r.section.Reset()
	r.inSection = true
	if err := r.readHashed(r.one[:]); err != nil {
		return err
	}
	if r.one[0] != tag {
		return fmt.Errorf("%w: section %q where %q belongs", ErrMalformed, r.one[0], tag)
	}
	return nil
}

// Next returns the next entry of the open section, valid until the next
// call. At the terminator it checks the section checksum and returns
// io.EOF.
func (r *Reader) Next() ([]byte, error) {
	n, err := r.readUvarint()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		r.inSection = false
		if err := r.readChecksum(r.section.Sum(nil)); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	if n > MaxEntry {
		return nil, fmt.Errorf("%w: entry of %d bytes", ErrMalformed, n)
	}
	return r.readN(n)
}

// End reads the end marker and the file digest and requires the input to
// end there.
func (r *Reader) End() error {
	if err := r.readHashed(r.one[:]); err != nil {
		return err
	}
	if r.one[0] != TagEnd {
		return fmt.Errorf("%w: %q where the end marker belongs", ErrMalformed, r.one[0])
	}
	if err := r.readChecksum(r.file.Sum(nil)); err != nil {
		return err
	}
	if _, err := r.r.ReadByte(); err != io.EOF {
		if err == nil {
			return fmt.Errorf("%w: bytes after the end marker", ErrMalformed)
		}
		return err
	}
	return nil
}
