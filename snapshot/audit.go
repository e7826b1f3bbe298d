package snapshot

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// Verdict is the outcome of an audit.
type Verdict int

// Verdicts, numbered as the CLI's exit codes.
const (
	// Verified: every check passed.
	Verified Verdict = 0
	// Divergent: the data could be read, but some block disagrees with
	// recomputation; the report names the first one.
	Divergent Verdict = 1
	// Unreadable: the store or file could not be read to the end (corrupt,
	// truncated, wrong network or format); the report's Err says why.
	Unreadable Verdict = 2
)

func (v Verdict) String() string {
	switch v {
	case Verified:
		return "verified"
	case Divergent:
		return "divergent"
	case Unreadable:
		return "unreadable"
	}
	return "unknown"
}

// ExitCode is the process exit status the CLI reports the verdict with.
func (v Verdict) ExitCode() int { return int(v) }

// Replayer re-executes one block: it applies the block's inputs to st,
// which holds the state after the previous block, and commits the block to
// st with st.CommitBlock. The consensus engine is one, through a small
// adapter over its block processing.
type Replayer interface {
	ReplayBlock(ctx context.Context, st consensus.Store, height uint64, blockHash [32]byte, inputs []ops.Op) error
}

// ReplayFunc adapts a function to Replayer.
type ReplayFunc func(ctx context.Context, st consensus.Store, height uint64, blockHash [32]byte, inputs []ops.Op) error

// ReplayBlock calls f.
func (f ReplayFunc) ReplayBlock(ctx context.Context, st consensus.Store, height uint64, blockHash [32]byte, inputs []ops.Op) error {
	return f(ctx, st, height, blockHash, inputs)
}

// AuditOptions configure an audit.
type AuditOptions struct {
	// Replayer, when set, rebuilds the state from every block's stored
	// inputs and compares each block's consensus hash and the final state
	// with the stored ones.
	Replayer Replayer
	// ScratchFS and ScratchDir hold the replayed state; the default is an
	// in-memory filesystem. ScratchDir must not exist; it is removed after.
	ScratchFS  vfs.FS
	ScratchDir string
	// VerifyPriors opens the scratch store with Options.VerifyPriors, so
	// that the replay also checks every prior value the Replayer hands to
	// CommitBlock; a wrong one fails that block's replay.
	VerifyPriors bool
	// Progress, if set, hears how far the audit got.
	Progress func(Progress)
}

// AuditReport is what an audit found.
type AuditReport struct {
	Verdict           Verdict
	Network           string
	ParamsFingerprint string
	First, Tip        uint64
	// Blocks is how many blocks were checked; Replayed says whether their
	// inputs were replayed too.
	Blocks   uint64
	Replayed bool
	// StateKeys is how many state entries were read.
	StateKeys        uint64
	TipConsensusHash string
	// Divergence is the lowest block that failed a check (nil unless
	// Divergent).
	Divergence *Divergence
	// Err says why the verdict is Unreadable.
	Err error
}

func (r *AuditReport) unreadable(err error) *AuditReport {
	r.Verdict, r.Err = Unreadable, err
	return r
}

// settle picks the lowest divergent block as the verdict; of two checks
// failing at one height, the more basic (ops hash before consensus hash
// before replay before state) names the cause.
func (r *AuditReport) settle(divs []Divergence) *AuditReport {
	for i := range divs {
		d := &divs[i]
		if r.Divergence == nil || d.Height < r.Divergence.Height ||
			d.Height == r.Divergence.Height && d.Kind < r.Divergence.Kind {
			r.Divergence = d
		}
	}
	if r.Divergence != nil {
		r.Verdict = Divergent
	}
	return r
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// AuditStore recomputes every block's ops hash from its stored records and
// every consensus hash from the stored skip list, and with a Replayer also
// replays the stored inputs and compares consensus hashes and final state.
// It reads a consistent Pebble snapshot of the store. The error is non-nil
// only when the audit itself could not run (cancelled, scratch space
// unusable); a bad store gives a report with verdict Unreadable.
func AuditStore(ctx context.Context, s *Store, opts AuditOptions) (*AuditReport, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	a := &storeAudit{
		snap: snap, opts: opts, format: s.format,
		rep: &AuditReport{Network: s.opts.Network, ParamsFingerprint: s.opts.ParamsFingerprint},
	}
	first, tip, err := chainBounds(snap)
	if errors.Is(err, ErrNoSuchHeight) {
		return a.rep, nil // nothing stored, nothing wrong
	}
	if err != nil {
		return a.rep.unreadable(err), nil
	}
	a.first, a.tip = first, tip
	a.rep.First, a.rep.Tip = first, tip
	steps := []func(context.Context) error{a.checkChain, a.readState}
	if opts.Replayer != nil {
		steps = append(steps, a.replay)
	}
	for _, step := range steps {
		err := step(ctx)
		if isCancel(err) || errors.Is(err, errAuditFailed) {
			return nil, err
		}
		if err != nil {
			return a.rep.unreadable(err), nil
		}
	}
	return a.rep.settle(a.divs), nil
}

// errAuditFailed marks failures of the audit itself (its scratch space),
// as opposed to failures to read what is audited.
var errAuditFailed = errors.New("snapshot: audit could not run")

// storeAudit is one audit of a store, as of a Pebble snapshot.
type storeAudit struct {
	snap       *pebble.Snapshot
	format     uint64 // the store's format version
	opts       AuditOptions
	rep        *AuditReport
	first, tip uint64
	chs        [][16]byte // stored consensus hash per height from first
	divs       []Divergence
}

// keep records the first divergence of each kind.
func (a *storeAudit) keep(d Divergence) {
	for _, p := range a.divs {
		if p.Kind == d.Kind {
			return
		}
	}
	a.divs = append(a.divs, d)
}

// checkChain walks every block: its records against its ops hash, its ops
// hash and earlier consensus hashes against its consensus hash, and the
// framing of its inputs.
func (a *storeAudit) checkChain(ctx context.Context) error {
	recordsAt, err := newHeightCursor(a.snap, prefixRecords, a.first)
	if err != nil {
		return err
	}
	defer recordsAt.close()
	inputsAt, err := newHeightCursor(a.snap, prefixInputs, a.first)
	if err != nil {
		return err
	}
	defer inputsAt.close()
	next := a.first
	err = iterBlocks(ctx, a.snap, a.first, func(b Block) (bool, error) {
		if b.Height != next || b.Height > a.tip {
			return false, newError(ErrCorrupt, "stored chain has block %d where %d belongs", b.Height, next)
		}
		if err := a.checkBlock(b, recordsAt, inputsAt); err != nil {
			return false, err
		}
		a.rep.Blocks++
		a.rep.TipConsensusHash = b.ConsensusHash
		if a.opts.Progress != nil && (b.Height%1000 == 0 || b.Height == a.tip) {
			a.opts.Progress(Progress{Phase: "chain", Height: b.Height, Tip: a.tip})
		}
		next++
		return true, nil
	})
	if err != nil {
		return err
	}
	if next != a.tip+1 {
		return newError(ErrCorrupt, "stored chain ends at %d, the tip is %d", next-1, a.tip)
	}
	return nil
}

func (a *storeAudit) checkBlock(b Block, recordsAt, inputsAt *heightCursor) error {
	sum, _ := checkCommitHashes(b)
	a.chs = append(a.chs, sum.ConsensusHash)
	raw, ok, err := recordsAt.at(b.Height)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ErrCorrupt, "block %d has no records", b.Height)
	}
	records, err := decodeRecords(raw)
	if err != nil {
		return wrapError(ErrCorrupt, err, "records of block %d", b.Height)
	}
	raw, ok, err = inputsAt.at(b.Height)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ErrCorrupt, "block %d has no inputs", b.Height)
	}
	if err := checkInputs(a.format, raw); err != nil {
		return wrapError(ErrCorrupt, err, "inputs of block %d", b.Height)
	}
	if want := digest.OpsHash(records); want != b.OpsHash {
		a.keep(Divergence{Height: b.Height, Kind: DivergentOpsHash, Expected: want, Actual: b.OpsHash})
	}
	want, err := recomputeConsensusHash(b.Height, a.first, sum.OpsHash, func(p uint64) [16]byte { return a.chs[p-a.first] })
	if err != nil {
		return wrapError(ErrCorrupt, err, "block %d", b.Height)
	}
	if want != b.ConsensusHash {
		a.keep(Divergence{Height: b.Height, Kind: DivergentConsensusHash, Expected: want, Actual: b.ConsensusHash})
	}
	return nil
}

// readState reads all of the state once, so damage to it surfaces even
// without a replay to compare it with.
func (a *storeAudit) readState(context.Context) error {
	return scanState(a.snap, nil, func(k, v []byte) (bool, error) {
		a.rep.StateKeys++
		return true, nil
	})
}

// replay rebuilds the state from the stored inputs, comparing each block's
// consensus hash, then the final state, and stops at the first difference.
func (a *storeAudit) replay(ctx context.Context) error {
	rp, err := newReplay(ctx, a.opts, a.rep)
	if err != nil {
		return errors.Join(errAuditFailed, err)
	}
	defer rp.close()
	a.rep.Replayed = true
	for h := a.first; ; h++ {
		inputs, err := readInputs(a.snap, a.format, h)
		if err != nil {
			return err
		}
		b, err := readBlock(a.snap, h)
		if err != nil {
			return err
		}
		div, err := rp.block(ctx, h, b.BlockHash, inputs, a.chs[h-a.first])
		if err != nil {
			return err // only cancellation gets here
		}
		if div != nil {
			a.divs = append(a.divs, *div)
			return nil
		}
		if h == a.tip {
			break
		}
	}
	div, err := rp.compareState(a.tip, func(fn func(k, v []byte) (bool, error)) error {
		return scanState(a.snap, nil, fn)
	})
	if err != nil {
		return err
	}
	if div != nil {
		a.divs = append(a.divs, *div)
	}
	return nil
}

// AuditFile verifies a snapshot file like Import does, without writing it
// anywhere, and reports the lowest divergent block rather than stopping at
// the first one found. With a Replayer it also replays the file's inputs
// and compares consensus hashes and the final state with the file's.
func AuditFile(ctx context.Context, r io.Reader, opts AuditOptions) (*AuditReport, error) {
	rep := &AuditReport{}
	ro := readOptions{keepGoing: true, progress: opts.Progress}
	var sink *auditSink
	if opts.Replayer != nil {
		sink = &auditSink{ctx: ctx, opts: opts, rep: rep}
		ro.sink = sink
		defer sink.close()
	}
	got, err := readSnapshot(ctx, r, ro)
	if sink != nil && sink.fatal != nil {
		return nil, sink.fatal
	}
	if isCancel(err) {
		return nil, err
	}
	if err != nil {
		return rep.unreadable(err), nil
	}
	info, divs := got.info, got.divs
	rep.StateKeys = got.stateKeys
	rep.Network, rep.ParamsFingerprint = info.Network, info.ParamsFingerprint
	rep.First, rep.Tip, rep.TipConsensusHash = info.First, info.Tip, info.TipConsensusHash
	rep.Blocks = info.Tip - info.First + 1
	if sink != nil {
		if sink.div == nil {
			if d := sink.finishState(info.Tip); d != nil {
				sink.div = d
			}
		}
		if sink.fatal != nil {
			return nil, sink.fatal
		}
		if sink.div != nil {
			divs = append(divs, *sink.div)
		}
		rep.Replayed = true
	}
	return rep.settle(divs), nil
}

// replay rebuilds state in a scratch store, one block at a time.
type replay struct {
	opts  AuditOptions
	fs    vfs.FS
	dir   string
	store *Store
}

func newReplay(ctx context.Context, opts AuditOptions, rep *AuditReport) (*replay, error) {
	rp := &replay{opts: opts, fs: opts.ScratchFS, dir: opts.ScratchDir}
	if rp.fs == nil {
		rp.fs = vfs.NewMem()
	}
	if rp.dir == "" {
		rp.dir = "replay"
	}
	if _, err := rp.fs.Stat(rp.dir); err == nil {
		return nil, newError(ErrDestinationExists, "scratch directory %s already exists", rp.dir)
	}
	st, err := Open(ctx, rp.dir, Options{
		Network: rep.Network, ParamsFingerprint: rep.ParamsFingerprint, FS: rp.fs, UndoWindow: 1,
		VerifyPriors: opts.VerifyPriors,
	})
	if err != nil {
		return nil, err
	}
	rp.store = st
	return rp, nil
}

func (rp *replay) close() {
	if rp.store != nil {
		rp.store.Close()
		_ = rp.fs.RemoveAll(rp.dir)
	}
}

// block replays block h and compares its consensus hash with stored.
func (rp *replay) block(ctx context.Context, h uint64, hash [32]byte, inputs []ops.Op, stored [16]byte) (*Divergence, error) {
	want := hex.EncodeToString(stored[:])
	if err := rp.opts.Replayer.ReplayBlock(ctx, rp.store, h, hash, inputs); err != nil {
		if isCancel(err) {
			return nil, err
		}
		return &Divergence{Height: h, Kind: DivergentReplay, Expected: "replay failed: " + err.Error(), Actual: want}, nil
	}
	got, err := rp.store.ConsensusHash(h)
	if err != nil {
		return &Divergence{Height: h, Kind: DivergentReplay, Expected: "replay committed no block", Actual: want}, nil
	}
	if got != want {
		return &Divergence{Height: h, Kind: DivergentReplay, Expected: got, Actual: want}, nil
	}
	if rp.opts.Progress != nil && h%1000 == 0 {
		rp.opts.Progress(Progress{Phase: "replay", Height: h})
	}
	return nil, nil
}

const absent = "<absent>"

// compareState walks the replayed state and the stored state (as produced
// by scan, in key order) side by side and returns the first difference.
func (rp *replay) compareState(tip uint64, scan func(fn func(k, v []byte) (bool, error)) error) (*Divergence, error) {
	it, err := rp.store.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixState}})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	valid := it.First()
	var div *Divergence
	err = scan(func(k, v []byte) (bool, error) {
		div = rp.stateStep(it, &valid, tip, k, v)
		return div == nil, nil
	})
	if err != nil || div != nil {
		return div, err
	}
	if valid {
		return &Divergence{Height: tip, Kind: DivergentState, Key: bytes.Clone(it.Key()[1:]),
			Expected: string(it.Value()), Actual: absent}, nil
	}
	return nil, nil
}

// stateStep compares one stored entry with the replayed iterator position.
func (rp *replay) stateStep(it *pebble.Iterator, valid *bool, tip uint64, k, v []byte) *Divergence {
	if !*valid {
		return &Divergence{Height: tip, Kind: DivergentState, Key: bytes.Clone(k), Expected: absent, Actual: string(v)}
	}
	rk := it.Key()[1:]
	switch c := bytes.Compare(rk, k); {
	case c < 0:
		return &Divergence{Height: tip, Kind: DivergentState, Key: bytes.Clone(rk), Expected: string(it.Value()), Actual: absent}
	case c > 0:
		return &Divergence{Height: tip, Kind: DivergentState, Key: bytes.Clone(k), Expected: absent, Actual: string(v)}
	}
	if !bytes.Equal(it.Value(), v) {
		return &Divergence{Height: tip, Kind: DivergentState, Key: bytes.Clone(k), Expected: string(it.Value()), Actual: string(v)}
	}
	*valid = it.Next()
	return nil
}

// auditSink replays a snapshot file's blocks as they stream past and
// compares its state section with the replayed state.
type auditSink struct {
	ctx   context.Context
	opts  AuditOptions
	rep   *AuditReport
	rp    *replay
	hdr   *sfile.Header
	chs   [][16]byte
	bhs   [][32]byte
	div   *Divergence // first replay or state divergence
	fatal error       // the audit itself failed

	it    *pebble.Iterator
	valid bool
}

func (a *auditSink) begin(hdr *sfile.Header) error {
	a.hdr = hdr
	a.rep.Network, a.rep.ParamsFingerprint = hdr.Network, hdr.ParamsFingerprint
	rp, err := newReplay(a.ctx, a.opts, a.rep)
	if err != nil {
		a.fatal = err
		return err
	}
	a.rp = rp
	return nil
}

func (a *auditSink) chainEntry(h uint64, sum *blockSummary) error {
	a.chs = append(a.chs, sum.ConsensusHash)
	a.bhs = append(a.bhs, sum.BlockHash)
	return nil
}

func (a *auditSink) blockEntry(h uint64, _, _ []byte, inputs []ops.Op) error {
	if a.div != nil {
		return nil
	}
	i := h - a.hdr.First
	div, err := a.rp.block(a.ctx, h, a.bhs[i], inputs, a.chs[i])
	if err != nil {
		a.fatal = err
		return err
	}
	a.div = div
	return nil
}

func (a *auditSink) stateEntry(k, v []byte) error {
	if a.div != nil {
		return nil
	}
	if a.it == nil {
		it, err := a.rp.store.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixState}})
		if err != nil {
			a.fatal = err
			return err
		}
		a.it, a.valid = it, it.First()
	}
	a.div = a.rp.stateStep(a.it, &a.valid, a.hdr.Tip, k, v)
	return nil
}

func (a *auditSink) finishState(tip uint64) *Divergence {
	if a.it == nil {
		it, err := a.rp.store.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixState}})
		if err != nil {
			a.fatal = err
			return nil
		}
		a.it, a.valid = it, it.First()
	}
	if a.valid {
		return &Divergence{Height: tip, Kind: DivergentState, Key: bytes.Clone(a.it.Key()[1:]),
			Expected: string(a.it.Value()), Actual: absent}
	}
	return nil
}

func (a *auditSink) close() {
	if a.it != nil {
		a.it.Close()
	}
	if a.rp != nil {
		a.rp.close()
	}
}
