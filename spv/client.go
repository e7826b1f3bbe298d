package spv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcwallet/walletdb"
	_ "github.com/btcsuite/btcwallet/walletdb/bdb" // registers the "bdb" walletdb driver
	"github.com/lightninglabs/neutrino"
)

// dbOpenTimeout bounds the wait for the header database's file lock, so a
// second process on the same DataDir fails instead of hanging.
const dbOpenTimeout = 5 * time.Second

// Client is a BIP157/158 light client on neutrino: it syncs block headers
// and compact-filter headers from its peers, and fetches full blocks that
// neutrino checks against those headers. Create it with New, then Start;
// always Stop it.
type Client struct {
	cfg  Config
	db   walletdb.DB
	cs   *neutrino.ChainService
	dial func(context.Context, net.Addr) (net.Conn, error)
	work chainWork // cache for Config.MinChainWork

	benchMu sync.Mutex
	benched map[string]time.Time // neutrino addresses the dialer refuses until then

	mu      sync.Mutex
	started bool
	stopped bool
	quit    chan struct{}  // closed by Stop: running calls end
	active  sync.WaitGroup // running WaitSynced, Follow and CatchUp calls
}

// stopDrainTimeout bounds how long Stop waits for running calls to return
// before it shuts neutrino down under them.
const stopDrainTimeout = 5 * time.Second

// New checks cfg, opens (or creates) the header database in cfg.DataDir and
// creates the neutrino chain service. Nothing touches the network until
// Start.
func New(cfg Config) (*Client, error) {
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, newError(ErrDatabase, err, "creating data directory")
	}
	db, err := walletdb.Create("bdb", filepath.Join(cfg.DataDir, "neutrino.db"), true, dbOpenTimeout, false)
	if err != nil {
		return nil, newError(ErrDatabase, err, "opening header database in %s", cfg.DataDir)
	}
	if err := recordPeers(cfg.DataDir, cfg.Peers); err != nil {
		db.Close()
		return nil, newError(ErrDatabase, err, "recording peers in %s", cfg.DataDir)
	}
	cfg.aliases = newPeerAliases(cfg.Peers)
	c := &Client{cfg: cfg, db: db, dial: cfg.dialer(), quit: make(chan struct{})}
	ncfg := neutrino.Config{
		DataDir:      cfg.DataDir,
		Database:     db,
		ChainParams:  *cfg.Params,
		ConnectPeers: aliasList(cfg.Peers), // bans stay with one peer: see peers.go
		Dialer: func(addr net.Addr) (net.Conn, error) {
			if c.isBenched(addr.String()) {
				return nil, &net.OpError{Op: "dial", Net: addr.Network(), Addr: addr,
					Err: errors.New("peer kept away for a stall window")}
			}
			real, err := net.ResolveTCPAddr("tcp", cfg.aliases.peer(addr.String()))
			if err != nil {
				return nil, err
			}
			return c.dial(context.Background(), real)
		},
		NameResolver: cfg.nameResolver(),
	}
	err = withNeutrinoGlobals(&cfg, func() error {
		var err error
		c.cs, err = neutrino.NewChainService(ncfg)
		return err
	})
	if err != nil {
		db.Close()
		return nil, newError(ErrDatabase, err, "creating chain service")
	}
	return c, nil
}

// Start connects to the configured peers and returns once at least one has
// completed the handshake, or with an error within Config.PeerTimeout (or
// when ctx ends). When no peer connects, each peer is probed directly so
// the error says why: ErrPeerUnreachable, ErrWrongNetwork or
// ErrHandshakeFailed. When the probes find nothing wrong (or a peer was
// banned meanwhile), a peer did connect and was dropped between two looks
// (for bad headers, say): Start succeeds, and the stall watchdog or
// ErrPeerLost reports what the peers do next. With DNS seeding, finding no
// peer is ErrNoPeers. A failed Start leaves the client stopped.
func (c *Client) Start(ctx context.Context) error {
	c.mu.Lock()
	if c.started || c.stopped {
		c.mu.Unlock()
		return newError(ErrNotStarted, nil, "Start called twice or after Stop")
	}
	if len(c.cfg.Peers) == 0 && !c.cfg.seeding() {
		c.mu.Unlock()
		return newError(ErrConfig, nil, "Config.Peers is empty: nothing to connect to")
	}
	c.started = true
	c.mu.Unlock()

	if err := c.cs.Start(ctx); err != nil {
		c.Stop()
		return newError(ErrNoPeers, err, "starting chain service")
	}
	wait, cancel := context.WithTimeout(ctx, c.cfg.PeerTimeout)
	defer cancel()
	tick := time.NewTicker(c.cfg.PollInterval / 4)
	defer tick.Stop()
	// A peer can complete the handshake and be banned (bad headers, say)
	// between two looks at the connected count. It did connect: Start
	// succeeds, and what follows (the stall watchdog, ErrPeerLost) names
	// the peer and the ban, whatever the timing.
	bannedBefore := c.bannedPeers()
	for polls := 0; c.cs.ConnectedCount() == 0; polls++ {
		if polls%8 == 7 && c.newlyBanned(bannedBefore) {
			return nil
		}
		select {
		case <-wait.Done():
			if c.newlyBanned(bannedBefore) {
				return nil
			}
			err := c.diagnose(ctx)
			if ctx.Err() == nil && errors.Is(err, ErrNoPeers) && !c.cfg.seeding() {
				// Every peer answers a handshake on our network when
				// asked directly: it connected and was disconnected
				// (for bad headers, say) between two looks. The client
				// is started; the stall watchdog and ErrPeerLost say
				// what the peers do next, naming them.
				return nil
			}
			c.Stop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		case <-tick.C:
		}
	}
	return nil
}

// diagnose probes every peer and returns the first problem found.
func (c *Client) diagnose(ctx context.Context) error {
	var errs []error
	for _, p := range c.cfg.Peers {
		if err := probePeer(ctx, c.dial, p, c.cfg.Params); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	if c.cfg.seeding() {
		return newError(ErrNoPeers, nil, "no peer found through the DNS seeds %v completed a handshake within %v", c.cfg.SeedHosts(), c.cfg.PeerTimeout)
	}
	return newError(ErrNoPeers, nil, "no peer completed a handshake within %v", c.cfg.PeerTimeout)
}

// Stop ends running WaitSynced, Follow and CatchUp calls (they return
// ErrNotStarted), disconnects from every peer, stops neutrino and closes
// the header database. It is safe to call more than once.
func (c *Client) Stop() error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil
	}
	c.stopped = true
	started := c.started
	close(c.quit)
	c.mu.Unlock()

	drained := make(chan struct{})
	go func() { c.active.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(stopDrainTimeout): // a callback that does not return
	}
	var errs []error
	if started {
		errs = append(errs, c.cs.Stop())
	}
	errs = append(errs, c.db.Close())
	if err := errors.Join(errs...); err != nil {
		return newError(ErrDatabase, err, "stopping")
	}
	return nil
}

func (c *Client) running() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || c.stopped {
		return newError(ErrNotStarted, nil, "client not running")
	}
	return nil
}

// begin registers a blocking call so Stop can wait for it; call the
// returned function when it returns.
func (c *Client) begin() (func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || c.stopped {
		return nil, newError(ErrNotStarted, nil, "client not running")
	}
	c.active.Add(1)
	return c.active.Done, nil
}

// Progress is a snapshot of header sync.
type Progress struct {
	// HeaderHeight and HeaderHash are the tip of the verified block
	// header chain (neutrino's header store).
	HeaderHeight int32
	HeaderHash   chainhash.Hash
	// FilterHeaderHeight is the tip of the compact-filter header chain.
	FilterHeaderHeight int32
	// PeerHeight is the best height the connected peers have announced.
	PeerHeight int32
	// Peers is the number of connected peers.
	Peers int
}

// Synced reports whether headers and filter headers have caught up with
// what the peers announced.
func (p Progress) Synced() bool {
	return p.Peers > 0 && p.HeaderHeight >= p.PeerHeight && p.FilterHeaderHeight >= p.HeaderHeight
}

func (p Progress) String() string {
	return fmt.Sprintf("headers %d, filter headers %d, peers' best %d, %d peer(s)",
		p.HeaderHeight, p.FilterHeaderHeight, p.PeerHeight, p.Peers)
}

// Progress reads the header and filter-header tips from neutrino's stores
// (not cs.BestBlock, which is the lower of the two) and the peers' heights.
func (c *Client) Progress() (Progress, error) {
	if err := c.running(); err != nil {
		return Progress{}, err
	}
	hdr, height, err := c.cs.BlockHeaders.ChainTip()
	if err != nil {
		return Progress{}, newError(ErrHeaderStore, err, "block header tip")
	}
	_, fheight, err := c.cs.RegFilterHeaders.ChainTip()
	if err != nil {
		return Progress{}, newError(ErrHeaderStore, err, "filter header tip")
	}
	p := Progress{
		HeaderHeight:       int32(height),
		HeaderHash:         hdr.BlockHash(),
		FilterHeaderHeight: int32(fheight),
	}
	for _, sp := range c.cs.Peers() {
		if !sp.Connected() {
			continue
		}
		p.Peers++
		p.PeerHeight = max(p.PeerHeight, sp.LastBlock())
	}
	return p, nil
}

// WaitSynced returns once headers and filter headers have caught up with
// the peers (Progress.Synced), calling onProgress (if non-nil) with each
// change of progress. It fails with ErrPeerLost when no peer has been
// connected for Config.PeerTimeout, with ErrStalled when the peers
// announce more than they deliver and nothing moves for two
// Config.StallTimeout windows (the first drops them; see Stall), and with
// ctx's error when ctx ends.
func (c *Client) WaitSynced(ctx context.Context, onProgress func(Progress)) error {
	end, err := c.begin()
	if err != nil {
		return err
	}
	defer end()
	ctx, stop := c.watchPeers(ctx)
	defer stop()
	tick := time.NewTicker(c.cfg.PollInterval / 4)
	defer tick.Stop()
	var last Progress
	first := true
	watch := newStallWatch(c.cfg.StallTimeout)
	for {
		p, err := c.Progress()
		if err != nil {
			return err
		}
		if onProgress != nil && (first || p != last) {
			onProgress(p)
		}
		first, last = false, p
		if p.Synced() {
			return nil
		}
		c.noteClaims(watch)
		mark := progressMark{p.HeaderHeight, p.FilterHeaderHeight, -1}
		if stalled, waited := watch.observe(time.Now(), mark, true); stalled {
			if s := c.onStall(watch, p, -1, waited, true, false); s.Final {
				return newError(ErrStalled, nil, "%s", s)
			}
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
		}
	}
}

// banNote says which configured peers are banned, for an error that says
// no peer is connected ("" when none is).
// bannedPeers returns the configured peers banned now.
func (c *Client) bannedPeers() map[string]bool {
	bans, err := c.Bans()
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, b := range bans {
		out[b.Peer] = true
	}
	return out
}

// newlyBanned reports whether a peer not in before is banned now.
func (c *Client) newlyBanned(before map[string]bool) bool {
	for p := range c.bannedPeers() {
		if !before[p] {
			return true
		}
	}
	return false
}

func (c *Client) banNote() string {
	bans, err := c.Bans()
	if err != nil || len(bans) == 0 {
		return ""
	}
	var parts []string
	for _, b := range bans {
		parts = append(parts, fmt.Sprintf("%s (%s, until %s)", b.Peer, b.Reason, b.Expires.Format(time.RFC3339)))
	}
	return "; banned: " + strings.Join(parts, ", ")
}

// watchPeers returns a context that is cancelled with an ErrPeerLost cause
// once the client has had no connected peer for Config.PeerTimeout, or
// with an ErrNotStarted cause when Stop is called.
func (c *Client) watchPeers(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(c.cfg.PollInterval)
		defer tick.Stop()
		var since time.Time
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-c.quit:
				cancel(newError(ErrNotStarted, nil, "client stopped"))
				return
			case now := <-tick.C:
				if c.cs.ConnectedCount() > 0 {
					since = time.Time{}
					continue
				}
				if since.IsZero() {
					since = now
				}
				if now.Sub(since) >= c.cfg.PeerTimeout {
					cancel(newError(ErrPeerLost, nil, "no peer connected for %v%s", c.cfg.PeerTimeout, c.banNote()))
					return
				}
			}
		}
	}()
	return ctx, func() { close(done); cancel(context.Canceled) }
}
