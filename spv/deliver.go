package spv

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/lightninglabs/neutrino"
)

// Cursor names the last block a consumer has applied: resume delivery
// with Cursor{Height: last, Hash: lastHash} and the next event is block
// last+1 (or a reorganisation). Cursor{Height: -1} starts at the genesis
// block; a zero Hash skips the check that the cursor is still on the best
// chain.
type Cursor struct {
	Height int32
	Hash   chainhash.Hash
}

// Event is what Follow and CatchUp hand to the consumer: a *BlockEvent or
// a *ReorgEvent.
type Event interface{ isEvent() }

// BlockEvent delivers one confirmed block. Heights are consecutive: each
// block's parent is the previous BlockEvent's block, or the fork block of
// the last ReorgEvent. Block is shared with neutrino's cache: do not
// modify it.
type BlockEvent struct {
	Height int32
	Hash   chainhash.Hash
	Block  *btcutil.Block
}

// ReorgEvent reports that blocks the client had seen on the best header
// chain were replaced. Blocks above ForkHeight are no longer on the best
// chain; Disconnected lists the ones the client had seen, highest first.
//
// If Rewind is true, some of them had been delivered: before handling the
// next event the consumer must undo every block above ForkHeight (its
// state must be as after block ForkHeight, whose hash is ForkHash). The
// next BlockEvent is ForkHeight+1. If Rewind is false the reorganisation
// stayed within the unconfirmed blocks and needs no action.
type ReorgEvent struct {
	ForkHeight   int32
	ForkHash     chainhash.Hash
	Disconnected []chainhash.Hash
	Rewind       bool
}

func (*BlockEvent) isEvent() {}
func (*ReorgEvent) isEvent() {}

// fetchBatch is how many heights one pass of the pipeline covers before
// the header chain is re-read for reorganisations.
const fetchBatch = 256

// Follow delivers confirmed blocks after cursor, in order and each exactly
// once per chain, to fn, and keeps following the chain until ctx ends
// (returning ctx's error), fn returns an error (returned as is), or the
// client fails (ErrPeerLost, ErrFetchBlock, ErrReorgTooDeep,
// ErrResumeMismatch). A block is confirmed once Config.ConfirmationDepth
// blocks have been mined on top of it. fn runs on the calling goroutine;
// fetches of the following blocks continue while it runs.
func (c *Client) Follow(ctx context.Context, after Cursor, fn func(context.Context, Event) error) error {
	_, err := c.deliver(ctx, after, false, fn)
	return err
}

// CatchUp is Follow that returns once the headers have caught up with the
// peers and every block confirmed at that point has been delivered. It
// returns the cursor of the last block delivered.
func (c *Client) CatchUp(ctx context.Context, after Cursor, fn func(context.Context, Event) error) (Cursor, error) {
	return c.deliver(ctx, after, true, fn)
}

// chainView is what a deliverer reads: the best header chain and blocks.
// *Client implements it over neutrino; tests use a simulated chain.
type chainView interface {
	headerTip() (int32, error)
	hashAt(height int32) (chainhash.Hash, error)
	fetchBlock(ctx context.Context, hash chainhash.Hash) (*btcutil.Block, error)
}

// deliverer is the state of one Follow or CatchUp call.
type deliverer struct {
	chain    chainView
	fn       func(context.Context, Event) error
	depth    int32 // ConfirmationDepth
	parallel int   // FetchParallelism
	max      int32 // MaxReorgDepth

	last Cursor // last block delivered (or the starting cursor)
	// seen holds the best-chain hash at each height the deliverer tracks:
	// from last.Height−MaxReorgDepth up to seenTip, which runs at most
	// MaxReorgDepth above the last delivered block. A reorganisation is a
	// height where the header store no longer agrees with seen.
	seen    map[int32]chainhash.Hash
	seenLow int32
	seenTip int32

	// limit, when set, caps the heights that may be delivered for a
	// header tip (Client.trustLimit); held says why the last step was
	// capped below the confirmed height ("" when it was not).
	limit func(tip int32) (int32, string, error)
	held  string
}

func (c *Client) deliver(ctx context.Context, after Cursor, stopWhenCaughtUp bool, fn func(context.Context, Event) error) (Cursor, error) {
	end, err := c.begin()
	if err != nil {
		return after, err
	}
	defer end()
	if after.Height < -1 {
		return after, newError(ErrConfig, nil, "cursor height %d", after.Height)
	}
	ctx, stop := c.watchPeers(ctx)
	defer stop()

	sub, err := (&neutrino.RescanChainSource{ChainService: c.cs}).Subscribe(0)
	if err != nil {
		return after, newError(ErrNotStarted, err, "subscribing to block notifications")
	}
	defer sub.Cancel()

	d := newDeliverer(c, &c.cfg, after, fn)
	d.limit = c.trustLimit
	// Notifications only wake the loop early; the header store is the
	// truth. A closed channel (neutrino stopping) leaves polling alone.
	notes := sub.Notifications
	wait := func() error {
		t := time.NewTimer(c.cfg.PollInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case _, ok := <-notes:
			if !ok {
				notes = nil
			}
		case <-t.C:
		}
		return nil
	}

	// Wait for the header chain to reach the cursor, then anchor on it.
	watch := newStallWatch(c.cfg.StallTimeout)
	for {
		reached, err := c.reachesCursor(after)
		if err != nil {
			return d.last, err
		}
		if reached {
			break
		}
		// The header chain ends below the cursor, or forks from it at
		// the cursor's height: the peers are behind the consumer's chain
		// or show a competing chain that is not heavier. Neither calls
		// for a rewind. Wait for progress within the stall bound.
		p, err := c.Progress()
		if err != nil {
			return d.last, err
		}
		// A consumer without blocks yet (no hash) whose first height the
		// synced chain does not reach has nothing to wait for: CatchUp
		// returns, Follow waits for the chain to grow.
		fresh := after.Hash == (chainhash.Hash{}) && p.Synced()
		if fresh && stopWhenCaughtUp {
			return d.last, nil
		}
		c.noteClaims(watch)
		mark := progressMark{p.HeaderHeight, p.FilterHeaderHeight, after.Height}
		if stalled, waited := watch.observe(time.Now(), mark, !fresh); stalled {
			// Synced peers are merely behind: CatchUp gives up at the
			// first window, as dropping them helps nothing. Otherwise
			// the usual policy applies (Client.onStall).
			s := c.onStall(watch, p, after.Height, waited, stopWhenCaughtUp, stopWhenCaughtUp && p.Synced())
			// A stored tip the peers' chain does not reach (a fresh
			// consumer's cursor has no hash: that is a plain stall).
			s.Below = after.Hash != (chainhash.Hash{})
			if err := fn(ctx, &StallEvent{s}); err != nil {
				return d.last, err
			}
			if s.Final {
				return d.last, nil
			}
		}
		if err := wait(); err != nil {
			return d.last, err
		}
	}
	if err := d.anchor(); err != nil {
		return d.last, err
	}
	watch = newStallWatch(c.cfg.StallTimeout)

	for {
		if ctx.Err() != nil {
			return d.last, context.Cause(ctx)
		}
		notes = drain(notes)
		if tip, err := c.headerTip(); err == nil {
			c.benchLaggards(tip, d.last.Height+1)
		}
		busy, tip, err := d.step(ctx)
		if err != nil {
			return d.last, err
		}
		if busy {
			continue
		}
		p, err := c.Progress()
		if err != nil {
			return d.last, err
		}
		// The peers have given all the headers they claim and the chain
		// does not reach the trust floor. (Filter headers do not matter
		// here: neutrino holds them back below the last checkpoint.)
		lowWork := d.held != "" && p.Peers > 0 && p.HeaderHeight >= p.PeerHeight && p.HeaderHeight == tip
		if stopWhenCaughtUp && p.Synced() && p.HeaderHeight == tip && d.held == "" {
			return d.last, nil
		}
		// Every block the verified headers confirm has been delivered.
		// Peers that announced more get StallTimeout to deliver it, and
		// a chain below the trust floor as long to be outdone by another
		// peer's before it is refused.
		c.noteClaims(watch)
		mark := progressMark{p.HeaderHeight, p.FilterHeaderHeight, d.last.Height}
		if stalled, waited := watch.observe(time.Now(), mark, !p.Synced() || lowWork); stalled {
			if lowWork {
				return d.last, newError(ErrLowWork, nil, "peers' chain refused after %v: %s",
					waited.Round(time.Millisecond), d.held)
			}
			s := c.onStall(watch, p, d.last.Height, waited, stopWhenCaughtUp, false)
			if err := d.fn(ctx, &StallEvent{s}); err != nil {
				return d.last, err
			}
			if s.Final {
				return d.last, nil
			}
		}
		if err := wait(); err != nil {
			return d.last, err
		}
	}
}

// reachesCursor reports whether the header chain contains the cursor's
// block. A header chain that holds another block at the cursor's height
// and reaches above it is a longer competing chain (more work, at equal
// difficulty): that is ErrResumeMismatch, and the consumer rewinds. One
// that ends below the cursor, or holds another block exactly at its
// height, is not heavier than the consumer's chain: reachesCursor reports
// false and the caller waits.
func (c *Client) reachesCursor(after Cursor) (bool, error) {
	tip, err := c.headerTip()
	if err != nil || tip < after.Height {
		return false, err
	}
	if after.Height < 0 || after.Hash == (chainhash.Hash{}) {
		return true, nil
	}
	h, err := c.hashAt(after.Height)
	switch {
	case errors.Is(err, errBeyondTip):
		return false, nil // rolled back under the read: look again
	case err != nil:
		return false, err
	case h == after.Hash:
		return true, nil
	case tip > after.Height:
		return false, newError(ErrResumeMismatch, nil,
			"cursor block %s at height %d is not on the best header chain, which has %s there and reaches %d",
			after.Hash, after.Height, h, tip)
	}
	return false, nil
}

// drain empties ch without blocking; it returns nil if ch is closed.
func drain[T any](ch chan T) chan T {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return nil
			}
		default:
			return ch
		}
	}
}

func newDeliverer(chain chainView, cfg *Config, after Cursor, fn func(context.Context, Event) error) *deliverer {
	return &deliverer{
		chain:    chain,
		fn:       fn,
		depth:    cfg.ConfirmationDepth,
		parallel: cfg.FetchParallelism,
		max:      cfg.MaxReorgDepth,
		last:     after,
		seen:     make(map[int32]chainhash.Hash),
	}
}

// step reads the header chain (reporting any reorganisation) and, if
// blocks are confirmed beyond the last delivered one, delivers up to one
// batch of them. busy says whether there was anything to deliver; tip is
// the header tip read.
func (d *deliverer) step(ctx context.Context) (busy bool, tip int32, err error) {
	if tip, err = d.refresh(ctx); err != nil {
		return false, tip, err
	}
	confirmed := min(tip-d.depth, d.seenTip)
	d.held = ""
	if d.limit != nil {
		limit, why, err := d.limit(tip)
		if err != nil {
			return false, tip, err
		}
		if limit < confirmed {
			confirmed, d.held = limit, why
		}
	}
	if d.last.Height >= confirmed {
		return false, tip, nil
	}
	return true, tip, d.pipeline(ctx, d.last.Height+1, min(confirmed, d.last.Height+fetchBatch))
}

// headerTip returns the height of the header store's tip.
func (c *Client) headerTip() (int32, error) {
	_, h, err := c.cs.BlockHeaders.ChainTip()
	if err != nil {
		return 0, newError(ErrHeaderStore, err, "block header tip")
	}
	return int32(h), nil
}

// hashAt returns the header store's block hash at height.
//
// While neutrino rolls its header chain back for a reorganisation it
// truncates the header file, and a concurrent read can hit the end of the
// file mid-record. That is transient: the read is retried a few times,
// briefly, before it counts as a failure of the header store.
func (c *Client) hashAt(height int32) (chainhash.Hash, error) {
	const retries, pause = 5, 20 * time.Millisecond
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		var hdr *wire.BlockHeader
		hdr, err = c.cs.BlockHeaders.FetchHeaderByHeight(uint32(height))
		if err == nil {
			return hdr.BlockHash(), nil
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		time.Sleep(pause)
	}
	if tip, terr := c.headerTip(); terr == nil && height > tip {
		// The height went away with a rollback: not a failure of the store.
		return chainhash.Hash{}, newError(ErrHeaderStore, errBeyondTip, "header at height %d (tip now %d)", height, tip)
	}
	return chainhash.Hash{}, newError(ErrHeaderStore, err, "header at height %d", height)
}

// errBeyondTip marks a header read above the header store's tip, which a
// concurrent rollback causes: the deliverer then reads the chain again.
var errBeyondTip = errors.New("height above the header tip")

// anchor checks the starting cursor against the header chain and starts
// tracking from it.
func (d *deliverer) anchor() error {
	d.seenLow, d.seenTip = d.last.Height, d.last.Height
	if d.last.Height < 0 {
		return nil
	}
	h, err := d.chain.hashAt(d.last.Height)
	if err != nil {
		return err
	}
	if d.last.Hash != (chainhash.Hash{}) && d.last.Hash != h {
		return newError(ErrResumeMismatch, nil, "cursor block %s at height %d is not on the best header chain (which has %s)",
			d.last.Hash, d.last.Height, h)
	}
	d.last.Hash = h
	d.seen[d.last.Height] = h
	// The cursor's ancestors are the header chain's blocks below it: track
	// them too, so a reorganisation below the cursor (one that happens
	// between two calls) finds its fork point.
	for height := d.last.Height - 1; height >= max(0, d.last.Height-d.max); height-- {
		if d.seen[height], err = d.chain.hashAt(height); err != nil {
			return err
		}
		d.seenLow = height
	}
	return nil
}

// refresh compares the tracked hashes with the header store, reports a
// reorganisation if they differ, then extends tracking towards the tip. It
// returns the header tip.
func (d *deliverer) refresh(ctx context.Context) (int32, error) {
	tip, err := d.chain.headerTip()
	if err != nil {
		return 0, err
	}
	fork := min(d.seenTip, tip)
	for fork >= d.seenLow && fork >= 0 {
		h, err := d.chain.hashAt(fork)
		if err != nil && !errors.Is(err, errBeyondTip) {
			return 0, err
		}
		if err == nil && h == d.seen[fork] {
			break
		}
		fork-- // a height rolled back since the tip was read differs too
	}
	if fork < d.seenTip {
		if fork < d.seenLow && d.seenLow >= 0 {
			return 0, newError(ErrReorgTooDeep, nil,
				"the best chain no longer contains any block tracked since height %d", d.seenLow)
		}
		ev := &ReorgEvent{ForkHeight: fork, ForkHash: d.seen[fork], Rewind: fork < d.last.Height}
		for h := d.seenTip; h > fork; h-- {
			ev.Disconnected = append(ev.Disconnected, d.seen[h])
			delete(d.seen, h)
		}
		d.seenTip = fork
		if ev.Rewind {
			d.last = Cursor{Height: fork, Hash: d.seen[fork]}
		}
		if ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
		if err := d.fn(ctx, ev); err != nil {
			return 0, err
		}
	}
	// Track new heights, at most MaxReorgDepth beyond the last delivery.
	for h := d.seenTip + 1; h <= min(tip, d.last.Height+d.max); h++ {
		hash, err := d.chain.hashAt(h)
		if errors.Is(err, errBeyondTip) {
			// Rolled back since the tip was read: the next refresh
			// sees the new chain.
			return d.seenTip, nil
		}
		if err != nil {
			return 0, err
		}
		d.seen[h] = hash
		d.seenTip = h
	}
	// Forget heights too deep to matter.
	for ; d.seenLow < d.last.Height-d.max; d.seenLow++ {
		delete(d.seen, d.seenLow)
	}
	return tip, nil
}

type fetched struct {
	block *btcutil.Block
	err   error
}

// pipeline fetches heights from..to and delivers them in order. At most
// FetchParallelism blocks are in flight or fetched and waiting for their
// turn, which bounds memory whatever the block size. It stops early, without error, if the
// header chain changes under it; the caller's next refresh reports that.
func (d *deliverer) pipeline(ctx context.Context, from, to int32) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := int(to - from + 1)
	slots := make([]chan fetched, n)
	for i := range slots {
		slots[i] = make(chan fetched, 1)
	}
	// The fetch goroutines may outlive this call, so they get their own
	// copy of the hashes rather than reading d.seen.
	hashes := make([]chainhash.Hash, n)
	for i := range hashes {
		hashes[i] = d.seen[from+int32(i)]
	}
	sem := make(chan struct{}, d.parallel)
	go func() {
		for i, hash := range hashes {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				b, err := d.chain.fetchBlock(ctx, hash)
				slots[i] <- fetched{b, err}
			}()
		}
	}()
	for i := range n {
		height := from + int32(i)
		var r fetched
		select {
		case r = <-slots[i]:
			<-sem // its slot frees once the block is out of the buffer
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		want := hashes[i]
		if r.err != nil {
			// A block orphaned since the batch began cannot be fetched
			// (neutrino no longer has its header): not a failure, the
			// next refresh reports the reorganisation.
			if now, err := d.chain.hashAt(height); err != nil || now != want {
				return nil
			}
			return r.err
		}
		// Deliver only what is still the best chain's block at height.
		if now, err := d.chain.hashAt(height); err != nil || now != want {
			return nil
		}
		hdr := r.block.MsgBlock().Header
		if hdr.PrevBlock != d.last.Hash && d.last.Height >= 0 {
			return newError(ErrHeaderStore, nil, "block %s at height %d does not extend the last delivered block %s",
				want, height, d.last.Hash)
		}
		if ctx.Err() != nil { // deliver nothing once the caller has cancelled
			return context.Cause(ctx)
		}
		if err := d.fn(ctx, &BlockEvent{Height: height, Hash: want, Block: r.block}); err != nil {
			return err
		}
		d.last = Cursor{Height: height, Hash: want}
	}
	return nil
}

// fetchBlock gets one block through neutrino, which requests it from a
// peer and checks it against the stored header (hash, merkle root,
// witness commitment, sanity). neutrino's GetBlock cannot be cancelled,
// so it runs on its own goroutine and the wait is bounded by ctx and
// Config.FetchTimeout; an abandoned fetch ends when neutrino gives up or
// stops.
func (c *Client) fetchBlock(ctx context.Context, hash chainhash.Hash) (*btcutil.Block, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.FetchTimeout,
		newError(ErrFetchBlock, nil, "block %s not received within %v", hash, c.cfg.FetchTimeout))
	defer cancel()
	done := make(chan fetched, 1)
	go func() {
		b, err := c.cs.GetBlock(hash)
		done <- fetched{b, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			if c.cs.ConnectedCount() == 0 {
				return nil, newError(ErrPeerLost, r.err, "block %s: no peer connected", hash)
			}
			return nil, newError(ErrFetchBlock, r.err, "block %s", hash)
		}
		return r.block, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
