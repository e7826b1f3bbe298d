package snapshot

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"

	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// FileInfo is the header of a snapshot file: whose chain it is and where it
// ends.
type FileInfo struct {
	Version           uint64
	Network           string
	ParamsFingerprint string
	// First and Tip are the heights of the first and last block.
	First, Tip       uint64
	TipBlockHash     [32]byte
	TipConsensusHash string
}

func fileInfo(h *sfile.Header) *FileInfo {
	return &FileInfo{
		Version: h.Version, Network: h.Network, ParamsFingerprint: h.ParamsFingerprint,
		First: h.First, Tip: h.Tip, TipBlockHash: h.TipBlockHash,
		TipConsensusHash: hex.EncodeToString(h.TipConsensusHash[:]),
	}
}

// DivergenceKind says which check a block failed.
type DivergenceKind int

// The checks an audit makes.
const (
	// DivergentOpsHash: the ops hash recomputed from the block's records
	// differs from the stored ops hash.
	DivergentOpsHash DivergenceKind = iota + 1
	// DivergentConsensusHash: the consensus hash recomputed from the stored
	// ops hash and earlier consensus hashes differs from the stored one.
	DivergentConsensusHash
	// DivergentReplay: replaying the block's inputs gave another consensus
	// hash than the stored one.
	DivergentReplay
	// DivergentState: after replaying every block, a state key differs.
	DivergentState
)

func (k DivergenceKind) String() string {
	switch k {
	case DivergentOpsHash:
		return "ops hash"
	case DivergentConsensusHash:
		return "consensus hash"
	case DivergentReplay:
		return "replayed consensus hash"
	case DivergentState:
		return "state"
	}
	return "unknown"
}

// Divergence is one block whose stored data disagrees with recomputation.
// Expected is the recomputed value, Actual the stored one (hex for hashes,
// raw for state values; "<absent>" for a missing key).
type Divergence struct {
	Height   uint64
	Kind     DivergenceKind
	Key      []byte // the state key, for DivergentState
	Expected string
	Actual   string
}

// fileSink receives the verified contents of a snapshot file as they are
// read. Entries arrive in file order; slices are only valid during a call.
type fileSink interface {
	begin(hdr *sfile.Header) error
	chainEntry(h uint64, sum *blockSummary) error
	blockEntry(h uint64, records, inputs []byte, decodedInputs []ops.Op) error
	stateEntry(key, value []byte) error
}

type readOptions struct {
	network, params string
	sink            fileSink
	// keepGoing records hash divergences instead of failing on the first,
	// so an audit can report the lowest divergent height.
	keepGoing bool
	progress  func(Progress)
}

// Progress reports how far a long import, export or audit has got.
type Progress struct {
	Phase  string // "chain", "blocks", "state", "replay"
	Height uint64 // the block just handled (0 in the state phase)
	Tip    uint64
}

// fileReader verifies a snapshot file while streaming it.
type fileReader struct {
	r    *sfile.Reader
	o    readOptions
	hdr  *sfile.Header
	ops  [][32]byte // ops hash per height from First
	chs  [][16]byte // consensus hash per height from First
	divs []Divergence

	blocks  uint64 // blocks-section entries read
	lastKey []byte // last state key read
	hasKey  bool
	// stateKeys counts state entries.
	stateKeys uint64
}

func fileErr(err error, where string) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, sfile.ErrMagic):
		return wrapError(ErrFileMagic, err, "%s", where)
	case errors.Is(err, sfile.ErrTruncated):
		return wrapError(ErrFileTruncated, err, "%s", where)
	case errors.Is(err, sfile.ErrChecksum):
		return wrapError(ErrFileChecksum, err, "%s", where)
	case errors.Is(err, sfile.ErrMalformed), errors.Is(err, enc.ErrMalformed):
		return wrapError(ErrFileMalformed, err, "%s", where)
	}
	return wrapError(ErrFileMalformed, err, "%s", where)
}

// fileContents is what reading a whole snapshot file found.
type fileContents struct {
	info      *FileInfo
	divs      []Divergence // with keepGoing, the first of each kind
	stateKeys uint64
}

// readSnapshot reads and verifies a whole snapshot file, handing its
// contents to o.sink.
func readSnapshot(ctx context.Context, in io.Reader, o readOptions) (*fileContents, error) {
	fr := &fileReader{r: sfile.NewReader(in), o: o}
	if err := fr.read(ctx); err != nil {
		return nil, err
	}
	return &fileContents{info: fileInfo(fr.hdr), divs: fr.divs, stateKeys: fr.stateKeys}, nil
}

func (fr *fileReader) read(ctx context.Context) error {
	hdr, err := fr.r.Header()
	if err != nil {
		return fileErr(err, "reading the header")
	}
	fr.hdr = hdr
	if hdr.Version < oldestFormatVersion || hdr.Version > FormatVersion {
		return newError(ErrFormatVersion, "snapshot file version %d, this build reads %d to %d", hdr.Version, oldestFormatVersion, FormatVersion)
	}
	if fr.o.network != "" && hdr.Network != fr.o.network {
		return newError(ErrNetworkMismatch, "snapshot is for network %q, not %q", hdr.Network, fr.o.network)
	}
	if fr.o.params != "" && hdr.ParamsFingerprint != fr.o.params {
		return newError(ErrParamsMismatch, "snapshot was built with parameters %q, not %q", hdr.ParamsFingerprint, fr.o.params)
	}
	if hdr.Network == "" || hdr.ParamsFingerprint == "" || hdr.Tip < hdr.First {
		return newError(ErrFileMalformed, "header: network %q, params %q, blocks %d..%d", hdr.Network, hdr.ParamsFingerprint, hdr.First, hdr.Tip)
	}
	if fr.o.sink != nil {
		if err := fr.o.sink.begin(hdr); err != nil {
			return err
		}
	}
	for _, step := range []struct {
		tag   byte
		name  string
		entry func(context.Context, []byte) error
	}{
		{sfile.TagChain, "chain", fr.chainEntry},
		{sfile.TagBlocks, "blocks", fr.blockEntry},
		{sfile.TagState, "state", fr.stateEntry},
	} {
		if err := fr.section(ctx, step.tag, step.name, step.entry); err != nil {
			return err
		}
	}
	if err := fr.r.End(); err != nil {
		return fileErr(err, "reading the end marker")
	}
	return nil
}

func (fr *fileReader) section(ctx context.Context, tag byte, name string, entry func(context.Context, []byte) error) error {
	if err := fr.r.BeginSection(tag); err != nil {
		return fileErr(err, "opening the "+name+" section")
	}
	count := uint64(0)
	for {
		if count%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p, err := fr.r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileErr(err, "reading the "+name+" section")
		}
		if err := entry(ctx, p); err != nil {
			return err
		}
		count++
	}
	// Sections that carry one entry per block must reach the tip.
	if tag != sfile.TagState {
		if want := fr.hdr.Tip - fr.hdr.First + 1; count != want {
			return newError(ErrChainBroken, "%s section holds %d blocks, the header says %d", name, count, want)
		}
	}
	return nil
}

func (fr *fileReader) report(phase string, h uint64) {
	if fr.o.progress != nil && (h%1000 == 0 || h == fr.hdr.Tip) {
		fr.o.progress(Progress{Phase: phase, Height: h, Tip: fr.hdr.Tip})
	}
}

// diverge records a divergence, or fails with it unless keepGoing.
func (fr *fileReader) diverge(d Divergence) error {
	code := ErrOpsHashMismatch
	if d.Kind == DivergentConsensusHash {
		code = ErrConsensusHashMismatch
	}
	if !fr.o.keepGoing {
		return newError(code, "block %d: %s is %s, recomputed %s", d.Height, d.Kind, d.Actual, d.Expected)
	}
	for _, prev := range fr.divs {
		if prev.Kind == d.Kind {
			return nil
		}
	}
	fr.divs = append(fr.divs, d)
	return nil
}

func (fr *fileReader) chainEntry(_ context.Context, p []byte) error {
	want := fr.hdr.First + uint64(len(fr.chs))
	d := enc.NewDecoder(p)
	h := d.Uint64()
	sum, ok := decodeSummary(d.Fixed(summarySize))
	if d.Finish() != nil || !ok {
		return newError(ErrFileMalformed, "chain entry %d is %d bytes", want, len(p))
	}
	if h != want || h > fr.hdr.Tip {
		return newError(ErrChainBroken, "chain entry for block %d where block %d belongs", h, want)
	}
	fr.ops = append(fr.ops, sum.OpsHash)
	fr.chs = append(fr.chs, sum.ConsensusHash)
	wantCH, err := recomputeConsensusHash(h, fr.hdr.First, sum.OpsHash, func(p uint64) [16]byte { return fr.chs[p-fr.hdr.First] })
	if err != nil {
		return wrapError(ErrFileMalformed, err, "chain entry %d", h)
	}
	if got := hex.EncodeToString(sum.ConsensusHash[:]); got != wantCH {
		if err := fr.diverge(Divergence{Height: h, Kind: DivergentConsensusHash, Expected: wantCH, Actual: got}); err != nil {
			return err
		}
	}
	if h == fr.hdr.Tip && (sum.BlockHash != fr.hdr.TipBlockHash || sum.ConsensusHash != fr.hdr.TipConsensusHash) {
		return newError(ErrChainBroken, "block %d disagrees with the header's tip", h)
	}
	if fr.o.sink != nil {
		if err := fr.o.sink.chainEntry(h, &sum); err != nil {
			return err
		}
	}
	fr.report("chain", h)
	return nil
}

// recomputeConsensusHash returns the consensus hash block h must have, from
// its ops hash and the stored consensus hashes of the blocks it commits to
// (chAt looks them up; every height it is asked for is below h).
func recomputeConsensusHash(h, first uint64, opsHash [32]byte, chAt func(uint64) [16]byte) (string, error) {
	prevs := digest.PrevHeights(h, first)
	hexes := make([]string, len(prevs))
	for i, p := range prevs {
		c := chAt(p)
		hexes[i] = hex.EncodeToString(c[:])
	}
	return digest.ConsensusHash(hex.EncodeToString(opsHash[:]), hexes)
}

// encodeBlockEntry is the payload of one blocks-section entry: the height,
// then the store's encodings of the records and the inputs.
func encodeBlockEntry(h uint64, records, inputs []byte) []byte {
	b := enc.AppendUint64(make([]byte, 0, 8+2*binaryLenMax+len(records)+len(inputs)), h)
	b = enc.AppendBytes(b, records)
	return enc.AppendBytes(b, inputs)
}

const binaryLenMax = 10

func (fr *fileReader) blockEntry(_ context.Context, p []byte) error {
	want := fr.hdr.First + fr.blocks
	d := enc.NewDecoder(p)
	h := d.Uint64()
	rawRecords := d.Bytes()
	rawInputs := d.Bytes()
	if d.Finish() != nil {
		return newError(ErrFileMalformed, "block entry %d is malformed", want)
	}
	if h != want || h > fr.hdr.Tip {
		return newError(ErrChainBroken, "block entry for block %d where block %d belongs", h, want)
	}
	records, err := decodeRecords(rawRecords)
	if err != nil {
		return wrapError(ErrFileMalformed, err, "records of block %d", h)
	}
	inputs, err := decodeInputs(fr.hdr.Version, rawInputs)
	if err != nil {
		return wrapError(ErrFileMalformed, err, "inputs of block %d", h)
	}
	stored := fr.ops[h-fr.hdr.First]
	if got, want := hex.EncodeToString(stored[:]), digest.OpsHash(records); got != want {
		if err := fr.diverge(Divergence{Height: h, Kind: DivergentOpsHash, Expected: want, Actual: got}); err != nil {
			return err
		}
	}
	if fr.o.sink != nil {
		if err := fr.o.sink.blockEntry(h, rawRecords, rawInputs, inputs); err != nil {
			return err
		}
	}
	fr.blocks++
	fr.report("blocks", h)
	return nil
}

// encodeStateEntry is the payload of one state-section entry.
func encodeStateEntry(key, value []byte) []byte {
	b := enc.AppendBytes(make([]byte, 0, binaryLenMax+len(key)+len(value)), key)
	return append(b, value...)
}

func (fr *fileReader) stateEntry(_ context.Context, p []byte) error {
	d := enc.NewDecoder(p)
	key := d.Bytes()
	value := d.Fixed(d.Len())
	if d.Finish() != nil {
		return newError(ErrFileMalformed, "malformed state entry")
	}
	if fr.hasKey && bytes.Compare(fr.lastKey, key) >= 0 {
		return newError(ErrFileMalformed, "state key %x out of order", key)
	}
	fr.lastKey = append(fr.lastKey[:0], key...)
	fr.hasKey = true
	fr.stateKeys++
	if fr.o.sink != nil {
		return fr.o.sink.stateEntry(key, value)
	}
	return nil
}
