package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
)

// Source delivers confirmed blocks in order; *spv.Client is one. Run uses
// CatchUp or Follow with the store's cursor and Progress for the header
// tip.
type Source interface {
	CatchUp(ctx context.Context, after spv.Cursor, fn func(context.Context, spv.Event) error) (spv.Cursor, error)
	Follow(ctx context.Context, after spv.Cursor, fn func(context.Context, spv.Event) error) error
	Progress() (spv.Progress, error)
}

// DefaultSyncLag is Config.SyncLag's default: twice the default
// confirmation depth.
const DefaultSyncLag = 2 * spv.DefaultConfirmationDepth

// maxRestarts bounds how many times in a row delivery is restarted after
// a transient header-store failure without a block applied in between.
const maxRestarts = 3

// headerRefresh is how often the header tip is re-read for the sync
// decision when no progress report reads it sooner.
const headerRefresh = 250 * time.Millisecond

// Config is everything Run needs.
type Config struct {
	// Source is a started block source that the caller owns (Run neither
	// starts nor stops it). When nil, Run creates a light client from SPV,
	// starts it and stops it before returning.
	Source Source
	SPV    spv.Config

	// Store receives the state; it must belong to the same network
	// (Wire.Name, when set) and have Consensus's fingerprint. Open it with
	// Network.StoreOptions for a fast initial sync.
	Store *snapshot.Store

	// Consensus are the replay rules and Wire the network's encoding of
	// operations (address versions, magic).
	Consensus *consensus.Params
	Wire      ops.Network

	// Exact, when set, selects exact-mode senders: the scripts spent by
	// each operation's inputs are looked up on this node (a full node's
	// getrawtransaction with a transaction index). When nil, senders are
	// derived from the scriptSigs (light mode, ops.LightSpentScripts).
	Exact spv.TxSource

	// Follow keeps the sync running after it has caught up, applying
	// each new block once it is confirmed, until ctx ends. Without it,
	// Run returns once every block confirmed when headers caught up with
	// the peers has been applied.
	Follow bool

	// Progress, when set, hears how the sync is going: after a block or
	// a rewind once ProgressEvery has passed since the last report (after
	// every one when ProgressEvery is zero), and once when Run returns.
	// It runs on the sync's goroutine: keep it short.
	Progress      func(Progress)
	ProgressEvery time.Duration

	// OnStall, when set, hears each warning of the light client about
	// peers that announce more than they deliver (see spv.Stall), as it
	// happens; Stats.Stalls keeps the latest ones too. A follower keeps
	// trying after each; a run without Follow ends after a Final one. It
	// runs on the sync's goroutine: keep it short.
	OnStall func(spv.Stall)

	// SyncLag: a committed block at most this many blocks below the
	// header tip is made durable at once (Store.Sync), whatever the
	// store's SyncEvery. Zero means DefaultSyncLag.
	SyncLag int32

	// Guards sets how the safeguards of a real chain apply (guards.go).
	Guards GuardConfig
}

// Stats says what a sync did.
type Stats struct {
	// Light is true when senders were derived from scriptSigs.
	Light bool

	// StartHeight is the store's tip when the sync started and Height its
	// tip at the end (-1 for an empty store); TipHash is the Bitcoin hash
	// and TipConsensusHash the consensus hash of block Height.
	StartHeight      int64
	Height           int64
	TipHash          chainhash.Hash
	TipConsensusHash string
	// HeaderHeight is the verified header chain's tip when last read.
	HeaderHeight int32

	// Blocks were scanned, replayed and committed; Skipped were delivered
	// below the first Blockstack block and ignored.
	Blocks  int
	Skipped int
	// Transactions is how many transactions the committed blocks held;
	// Candidates carried the magic; Operations decoded into operations
	// (and went to the engine); ScanRejected were refused by the decoder.
	Transactions int
	Candidates   int
	Operations   int
	ScanRejected int
	// Accepted, Rejected and Stateless are the engine's outcomes.
	Accepted  int
	Rejected  int
	Stateless int
	// SignatureDecided counts candidate transactions whose light-mode
	// classification rested on the signature rule (an input judged p2pk
	// or bare multisig because its last push parses as a signature);
	// SignatureDecidedTxids lists them in chain order. Always zero in
	// exact mode.
	SignatureDecided      int
	SignatureDecidedTxids []string

	// Reorgs is how many reorganisations made the store rewind, and
	// RewoundBlocks how many blocks they undid in all. ResumeRewinds is
	// how many blocks were undone because the stored tip had been
	// orphaned while the sync was not running (spv.ErrResumeMismatch).
	// ShallowReorgs stayed among unconfirmed blocks and changed nothing.
	Reorgs        int
	RewoundBlocks int
	ResumeRewinds int
	ShallowReorgs int
	// Restarts counts deliveries started again from the store's tip
	// after a transient failure of the light client's header store.
	Restarts int

	// Stalls are the light client's warnings about peers that announced
	// more than they delivered (spv.Stall), oldest first, at most
	// maxStalls of them (the latest). A run without Follow that ends
	// with a Final stall stopped at the best tip it could verify, not at
	// the peers' claimed tip: show it as a warning.
	Stalls []spv.Stall
	// Guards: the freeze, the unverified mark, checkpoints (guards.go).
	Guards GuardStats

	Elapsed time.Duration
}

// BlocksPerSecond is the rate of committed blocks over the sync so far.
func (s Stats) BlocksPerSecond() float64 { return rate(s.Blocks, s.Elapsed) }

// OperationsPerSecond is the rate of decoded operations.
func (s Stats) OperationsPerSecond() float64 { return rate(s.Operations, s.Elapsed) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Progress is one report to Config.Progress: the statistics so far and
// how far the store is behind the header tip.
type Progress struct {
	Stats
	// TipLag is HeaderHeight − Height: blocks the store has still to
	// apply, the confirmation depth included.
	TipLag int64
}

// Run syncs cfg.Store with the chain of cfg's block source and returns
// what it did. See the package documentation for resumption, reorgs,
// crashes and errors. The Stats are meaningful even when an error is
// returned: they describe the blocks committed before it.
func Run(ctx context.Context, cfg Config) (Stats, error) {
	s, err := newSyncer(cfg)
	if err != nil {
		return Stats{}, err
	}
	if cfg.Source == nil {
		client, err := spv.New(cfg.SPV)
		if err != nil {
			return s.stats, newError(ErrSource, err, "creating the light client")
		}
		defer func() { _ = client.Stop() }()
		if err := client.Start(ctx); err != nil {
			if isContextErr(err) && ctx.Err() != nil {
				return s.stats, err
			}
			return s.stats, newError(ErrSource, err, "starting the light client")
		}
		s.src = client
	}
	return s.run(ctx)
}

// syncer is the state of one Run.
type syncer struct {
	cfg   Config
	src   Source
	store *snapshot.Store
	p     *consensus.Params
	sched ops.Schedule
	eng   *consensus.Engine
	// spent looks up spent outputs in exact mode (nil in light mode); its
	// cache of previous transactions lives as long as the sync.
	spent *spv.SpentOutputs

	// tip and tipHash mirror the store's tip (tip −1 when empty).
	tip     int64
	tipHash chainhash.Hash

	stats      Stats
	start      time.Time
	lastReport time.Time
	lastHeader time.Time
}

func newSyncer(cfg Config) (*syncer, error) {
	switch {
	case cfg.Store == nil:
		return nil, newError(ErrConfig, nil, "no store")
	case cfg.Consensus == nil:
		return nil, newError(ErrConfig, nil, "no consensus parameters")
	case cfg.Source == nil && cfg.SPV.Params == nil:
		return nil, newError(ErrConfig, nil, "neither a block source nor a light-client configuration")
	case cfg.Wire.Magic == [2]byte{}:
		return nil, newError(ErrConfig, nil, "no wire network (ops.Network)")
	case cfg.SyncLag < 0:
		return nil, newError(ErrConfig, nil, "negative SyncLag %d", cfg.SyncLag)
	}
	if cfg.SyncLag == 0 {
		cfg.SyncLag = DefaultSyncLag
	}
	if fp, want := cfg.Store.ParamsFingerprint(), cfg.Consensus.Fingerprint(); fp != want {
		return nil, newError(ErrStoreMismatch, nil, "the store was built under consensus parameters %.12s…, not %s's %.12s…",
			fp, cfg.Consensus.Name, want)
	}
	if n := cfg.Store.Network(); cfg.Wire.Name != "" && n != cfg.Wire.Name {
		return nil, newError(ErrStoreMismatch, nil, "the store belongs to network %q, not %q", n, cfg.Wire.Name)
	}
	s := &syncer{cfg: cfg, src: cfg.Source, store: cfg.Store, p: cfg.Consensus, sched: cfg.Consensus.Schedule()}
	s.stats.Light = cfg.Exact == nil
	if cfg.Exact != nil {
		s.spent = spv.NewSpentOutputs(cfg.Exact, spv.DefaultSpentCacheSize)
	}
	return s, nil
}

func (s *syncer) run(ctx context.Context) (Stats, error) {
	s.start = time.Now()
	if err := s.loadTip(); err != nil {
		return s.stats, err
	}
	s.stats.StartHeight = s.tip
	if err := s.loadGuards(); err != nil {
		return s.stats, err
	}
	err := s.deliverAll(ctx)
	// Whatever happened, what was committed is made durable before
	// returning, so a clean stop never depends on SyncEvery.
	if serr := s.store.Sync(); serr != nil && err == nil {
		err = newError(ErrStore, serr, "syncing the store")
	}
	s.refreshHeader()
	s.finishStats()
	s.report(true)
	return s.stats, err
}

// deliverAll runs the source from the store's cursor, restarting it after
// each rewind that a resume mismatch calls for.
func (s *syncer) deliverAll(ctx context.Context) error {
	first := int64(s.p.FirstBlock)
	restarts, applied := 0, -1
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.finalReached() {
			return nil
		}
		if s.stats.Blocks != applied {
			restarts, applied = 0, s.stats.Blocks
		}
		cursor := spv.Cursor{Height: int32(s.tip), Hash: s.tipHash}
		if s.tip < 0 {
			// A fresh store: blocks below the first Blockstack block are
			// never fetched. The zero hash skips the cursor check.
			cursor = spv.Cursor{Height: int32(first - 1)}
		}
		var err error
		if s.cfg.Follow {
			err = s.src.Follow(ctx, cursor, s.handle)
		} else {
			_, err = s.src.CatchUp(ctx, cursor, s.handle)
		}
		switch {
		case err == nil || errors.Is(err, errFinal):
			return nil
		case errors.Is(err, spv.ErrResumeMismatch):
			if s.tip < 0 {
				// The chain does not reach the first block yet.
				if !s.cfg.Follow {
					return nil
				}
				if err := sleep(ctx, pollInterval(s.cfg.SPV)); err != nil {
					return err
				}
				continue
			}
			// The stored tip was orphaned while we were away: undo it
			// and ask again. Store.Rewind refuses past the undo window;
			// the count is a second bound, should a store not.
			if s.stats.ResumeRewinds >= s.store.UndoWindow() {
				return newError(ErrRewindBeyondUndo, err, "the store's last %d blocks are not on the best chain",
					s.stats.ResumeRewinds)
			}
			if err := s.rewind(ctx, 1); err != nil {
				return err
			}
			s.stats.ResumeRewinds++
			s.report(false)
			continue
		}
		var own *Error
		if errors.As(err, &own) || (isContextErr(err) && ctx.Err() != nil) {
			return err
		}
		// neutrino's header store can fail a read while it rolls its
		// chain back in a reorganisation. The store is the record of
		// progress, so delivery simply starts again from its tip, a few
		// times in a row at most.
		if errors.Is(err, spv.ErrHeaderStore) && restarts < maxRestarts {
			restarts++
			s.stats.Restarts++
			if err := sleep(ctx, pollInterval(s.cfg.SPV)); err != nil {
				return err
			}
			continue
		}
		return newError(ErrSource, err, "block delivery after height %d", cursor.Height)
	}
}

func pollInterval(c spv.Config) time.Duration {
	if c.PollInterval > 0 {
		return c.PollInterval
	}
	return spv.DefaultPollInterval
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// handle applies one event from the source.
func (s *syncer) handle(ctx context.Context, ev spv.Event) error {
	switch e := ev.(type) {
	case *spv.BlockEvent:
		return s.applyBlock(ctx, e)
	case *spv.ReorgEvent:
		return s.reorg(ctx, e)
	case *spv.StallEvent:
		s.stall(e.Stall)
	}
	return nil
}

func (s *syncer) applyBlock(ctx context.Context, e *spv.BlockEvent) error {
	h := int64(e.Height)
	if h < int64(s.p.FirstBlock) {
		s.stats.Skipped++
		return nil
	}
	msg := e.Block.MsgBlock()
	// The source promises each block extends the previous one; the store
	// is only ever extended by a block whose parent is its tip.
	if s.tip >= 0 && (h != s.tip+1 || msg.Header.PrevBlock != s.tipHash) {
		return newError(ErrSource, nil, "block %s at height %d does not extend the store's tip %s at %d",
			e.Hash, h, s.tipHash, s.tip)
	}
	if err := checkBlock(e); err != nil {
		return err
	}
	if err := s.beforeBlock(h); err != nil {
		return err
	}
	if s.eng == nil {
		eng, err := consensus.NewEngine(s.p, s.store)
		if err != nil {
			return newError(ErrReplay, err, "creating the engine")
		}
		s.eng = eng
	}
	var spent ops.SpentScriptsFunc
	if s.spent != nil {
		spent = exactSenders(s.spent, msg)
	}
	scan, err := ops.ScanBlock(ctx, msg, ops.ContextAt(s.cfg.Wire, s.sched, uint64(h)), spent)
	if err != nil {
		if isContextErr(err) && ctx.Err() != nil {
			return err
		}
		var own *Error
		if errors.As(err, &own) {
			return err
		}
		return newError(ErrSenders, err, "scanning block %d", h)
	}
	list := make([]ops.Op, len(scan.Ops))
	for i, op := range scan.Ops {
		list[i] = *op
	}
	res, err := s.eng.ProcessBlock(ctx, consensus.Block{Height: uint64(h), Hash: e.Hash, Ops: list})
	if err != nil {
		// The engine has committed nothing of this block; a new engine
		// starts from the store as it is.
		s.eng = nil
		if isContextErr(err) && ctx.Err() != nil {
			return err
		}
		return newError(ErrReplay, err, "replaying block %d (%s)", h, e.Hash)
	}
	s.tip, s.tipHash = h, e.Hash

	st := &s.stats
	st.Blocks++
	st.Transactions += scan.Stats.Transactions
	st.Candidates += scan.Stats.Candidates
	st.Operations += len(list)
	st.ScanRejected += scan.Stats.Rejected
	st.SignatureDecided += scan.Stats.SignatureDecided
	st.SignatureDecidedTxids = append(st.SignatureDecidedTxids, scan.Stats.SignatureDecidedTxids...)
	for _, r := range res.Ops {
		switch r.Outcome {
		case consensus.Accepted:
			st.Accepted++
		case consensus.Rejected:
			st.Rejected++
		case consensus.Stateless:
			st.Stateless++
		}
	}
	st.TipConsensusHash = res.ConsensusHash

	// Near the tip every block is made durable at once; far behind it,
	// the store's SyncEvery batches syncs.
	if time.Since(s.lastHeader) >= headerRefresh {
		s.refreshHeader()
	}
	if int64(st.HeaderHeight)-h <= int64(s.cfg.SyncLag) {
		if err := s.store.Sync(); err != nil {
			return newError(ErrStore, err, "syncing block %d", h)
		}
	}
	s.report(false)
	return s.afterBlock(h, res.ConsensusHash)
}

// reorg rewinds the store to a reorganisation's fork when blocks it holds
// left the best chain.
func (s *syncer) reorg(ctx context.Context, e *spv.ReorgEvent) error {
	if !e.Rewind {
		s.stats.ShallowReorgs++
		return nil
	}
	target := max(int64(e.ForkHeight), int64(s.p.FirstBlock)-1)
	if s.tip <= target {
		return nil
	}
	n := s.tip - target
	if err := s.rewind(ctx, int(n)); err != nil {
		return err
	}
	s.stats.Reorgs++
	s.stats.RewoundBlocks += int(n)
	s.report(false)
	return nil
}

// rewind undoes the store's last n blocks and drops the engine, whose
// caches describe the old tip.
func (s *syncer) rewind(ctx context.Context, n int) error {
	s.eng = nil
	if err := s.store.Rewind(ctx, n); err != nil {
		if errors.Is(err, snapshot.ErrRewindBeyondWindow) {
			return newError(ErrRewindBeyondUndo, err,
				"the chain changed %d blocks below the store's tip %d, more than it can undo (undo window %d)",
				n, s.tip, s.store.UndoWindow())
		}
		if isContextErr(err) && ctx.Err() != nil {
			return err
		}
		return newError(ErrStore, err, "rewinding %d blocks from height %d", n, s.tip)
	}
	return s.loadTip()
}

// loadTip reads the store's tip and its block hash.
func (s *syncer) loadTip() error {
	tip, ok, err := s.store.Tip()
	if err != nil {
		return newError(ErrStore, err, "reading the store's tip")
	}
	if !ok {
		s.tip, s.tipHash = -1, chainhash.Hash{}
		s.stats.TipConsensusHash = ""
		return nil
	}
	hash, err := s.store.BlockHash(tip)
	if err != nil {
		return newError(ErrStore, err, "reading the hash of the store's tip %d", tip)
	}
	ch, err := s.store.ConsensusHash(tip)
	if err != nil {
		return newError(ErrStore, err, "reading the consensus hash of the store's tip %d", tip)
	}
	s.tip, s.tipHash = int64(tip), chainhash.Hash(hash)
	s.stats.TipConsensusHash = ch
	return nil
}

func (s *syncer) refreshHeader() {
	s.lastHeader = time.Now()
	if p, err := s.src.Progress(); err == nil {
		s.stats.HeaderHeight = p.HeaderHeight
	}
}

func (s *syncer) finishStats() {
	s.stats.Height = s.tip
	s.stats.TipHash = s.tipHash
	s.stats.Elapsed = time.Since(s.start)
}

// report calls Config.Progress when it is due (or always when final).
func (s *syncer) report(final bool) {
	if s.cfg.Progress == nil {
		return
	}
	if !final && time.Since(s.lastReport) < s.cfg.ProgressEvery {
		return
	}
	s.lastReport = time.Now()
	if !final {
		s.refreshHeader()
	}
	s.finishStats()
	p := Progress{Stats: s.stats}
	p.SignatureDecidedTxids = append([]string(nil), s.stats.SignatureDecidedTxids...)
	p.Stalls = append([]spv.Stall(nil), s.stats.Stalls...)
	if s.stats.HeaderHeight > 0 {
		p.TipLag = max(0, int64(s.stats.HeaderHeight)-s.tip)
	}
	s.cfg.Progress(p)
}
