package spv

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lightninglabs/neutrino"
)

// DefaultStallTimeout is Config.StallTimeout's default.
const DefaultStallTimeout = 10 * time.Second

// Claim is one connected peer and the best height it announced.
type Claim struct {
	Peer   string `json:"peer"`
	Height int32  `json:"height"`
}

// Stall reports that the connected peers announced more than they
// delivered: for a whole Config.StallTimeout neither the header tip nor the
// filter-header tip moved and no block was delivered, although the peers'
// claims were not met. The client drops the peers whose claims exceed the
// verified header tip (or every peer, when the filter headers are what is
// missing) and waits another StallTimeout for any peer to make progress.
type Stall struct {
	// Claims are the peers connected now or at an earlier stall of the
	// same call, with the best height each announced; Dropped lists the
	// ones the client disconnected this time (see Client.onStall for
	// which).
	Claims  []Claim  `json:"claims"`
	Dropped []string `json:"dropped"`
	// Peers are the peers the client was configured with, named when
	// none is connected (a misbehaving one may have been disconnected).
	Peers []string `json:"peers,omitempty"`
	// HeaderHeight and FilterHeaderHeight are the verified tips when the
	// stall was declared, Delivered the last block handed to the
	// consumer (-1 when none).
	HeaderHeight       int32 `json:"header_height"`
	FilterHeaderHeight int32 `json:"filter_header_height"`
	Delivered          int32 `json:"delivered"`
	// Below is set when the verified header chain ends below the
	// consumer's cursor (or forks from it at equal length): the peers are
	// behind the consumer's chain or show a competing one that is not
	// heavier, and the consumer's blocks were kept.
	Below bool `json:"below,omitempty"`
	// Waited is how long nothing moved before this report.
	Waited time.Duration `json:"waited_ns"`
	// Final is set when the client stopped waiting: CatchUp returns after
	// this event at the best tip it could verify; Follow never sets it.
	Final bool `json:"final"`
}

// String says which peer claimed what and what was verified.
func (s Stall) String() string {
	var claims []string
	for _, c := range s.Claims {
		claims = append(claims, fmt.Sprintf("%s claimed height %d", c.Peer, c.Height))
	}
	if len(claims) == 0 {
		none := "no peer connected"
		if len(s.Peers) > 0 {
			none += " of " + strings.Join(s.Peers, ", ")
		}
		claims = append(claims, none)
	}
	what := fmt.Sprintf("no progress for %v", s.Waited.Round(time.Millisecond))
	if s.Below {
		what = "the peers' best chain does not reach the stored tip"
	}
	msg := fmt.Sprintf("%s: %s; verified headers reach %d, filter headers %d",
		what, strings.Join(claims, ", "), s.HeaderHeight, s.FilterHeaderHeight)
	if len(s.Dropped) > 0 {
		msg += "; dropped " + strings.Join(s.Dropped, ", ")
	}
	if s.Final {
		msg += "; stopped waiting"
	}
	return msg
}

// StallEvent is delivered by Follow and CatchUp when the peers stall (see
// Stall). In CatchUp, an event with Final set is the last one: every block
// the verified headers confirm has been delivered and CatchUp returns
// without error. The consumer need not act on it; it is a warning to show.
type StallEvent struct{ Stall }

func (*StallEvent) isEvent() {}

// progressMark is what counts as progress for the stall watchdog.
type progressMark struct {
	header, filter, delivered int32
}

// stallWatch is the progress watchdog of one blocking call. It is fed
// every time the call looks at the chain and says when a stall window has
// passed.
type stallWatch struct {
	timeout time.Duration
	last    progressMark
	since   time.Time
	strikes int
	started bool
	// claims remembers what each peer announced during this call, so a
	// stall names a peer even while it reconnects.
	claims map[string]int32
	// benched is set once the peers whose claims were met have been kept
	// away for a window (see onStall).
	benched bool
}

func newStallWatch(timeout time.Duration) *stallWatch {
	return &stallWatch{timeout: timeout, claims: map[string]int32{}}
}

// observe records the current mark; it returns true once timeout has
// passed since the mark last changed (or since the last stall), and then
// starts a new window. waiting says whether anything is still expected
// from the peers: when it is false the window restarts.
func (w *stallWatch) observe(now time.Time, m progressMark, waiting bool) (bool, time.Duration) {
	if !w.started || m != w.last || !waiting {
		if !w.started || m != w.last {
			w.strikes = 0
		}
		w.started, w.last, w.since = true, m, now
		return false, 0
	}
	waited := now.Sub(w.since)
	if waited < w.timeout {
		return false, 0
	}
	w.strikes++
	w.since = now
	return true, waited
}

// onStall acts on a stall window that has passed and reports it. The
// peers' claims are split into those above the verified header tip (not
// delivered) and those met:
//
//   - at the first window, and whenever the claims agree, the peers whose
//     claims were not met are dropped (all of them, when the filter
//     headers are what is missing): they may be lying about their height;
//   - at a later window, when they disagree, the peers whose claims were
//     met are dropped and kept away (the dialer refuses them) for one
//     window instead: neutrino keeps syncing from one peer and ignores
//     other peers' headers until the headers are current, so a peer that
//     serves a shorter competing chain would otherwise hold the client on
//     it while an honest peer claims more.
//
// With mayGiveUp, a window after the first in which neither of these was
// tried for the first time is final: nothing is dropped and Final is set.
// giveUpNow makes the window final at once.
func (c *Client) onStall(w *stallWatch, p Progress, delivered int32, waited time.Duration, mayGiveUp, giveUpNow bool) Stall {
	s := Stall{HeaderHeight: p.HeaderHeight, FilterHeaderHeight: p.FilterHeaderHeight,
		Delivered: delivered, Waited: waited, Peers: append([]string(nil), c.cfg.Peers...)}
	var above, met []*neutrino.ServerPeer
	for _, sp := range c.noteClaims(w) {
		if sp.LastBlock() > p.HeaderHeight {
			above = append(above, sp)
		} else {
			met = append(met, sp)
		}
	}
	for addr, h := range w.claims {
		s.Claims = append(s.Claims, Claim{Peer: addr, Height: h})
	}
	slices.SortFunc(s.Claims, func(a, b Claim) int { return strings.Compare(a.Peer, b.Peer) })

	var drop []*neutrino.ServerPeer
	switch {
	case giveUpNow:
	case w.strikes > 1 && len(above) > 0 && len(met) > 0 && !w.benched:
		// Disagreement: try the peers that claim more without the
		// ones that do not.
		w.benched = true
		drop = met
		for _, sp := range met {
			c.bench(sp.Addr(), w.timeout)
		}
	case w.strikes > 1 && mayGiveUp:
	case len(above) > 0:
		drop = above
	default:
		drop = met // no claim above the headers: filter headers are missing
	}
	if giveUpNow || (len(drop) == 0 && mayGiveUp && w.strikes > 1) {
		s.Final = true
	}
	for _, sp := range drop {
		s.Dropped = append(s.Dropped, c.cfg.displayAddr(sp.Addr()))
		sp.Disconnect()
	}
	slices.Sort(s.Dropped)
	return s
}

// noteClaims records what each connected peer announces in w (so a stall
// names a peer even if it is reconnecting at that moment) and returns the
// connected peers.
func (c *Client) noteClaims(w *stallWatch) []*neutrino.ServerPeer {
	var out []*neutrino.ServerPeer
	for _, sp := range c.cs.Peers() {
		if !sp.Connected() {
			continue
		}
		addr := c.cfg.displayAddr(sp.Addr())
		w.claims[addr] = max(w.claims[addr], sp.LastBlock())
		out = append(out, sp)
	}
	return out
}

// bench makes the dialer refuse the neutrino address addr for d.
func (c *Client) bench(addr string, d time.Duration) {
	c.benchMu.Lock()
	defer c.benchMu.Unlock()
	if c.benched == nil {
		c.benched = make(map[string]time.Time)
	}
	c.benched[addr] = time.Now().Add(d)
}

// isBenched reports whether the dialer must refuse addr now.
func (c *Client) isBenched(addr string) bool {
	c.benchMu.Lock()
	defer c.benchMu.Unlock()
	until, ok := c.benched[addr]
	if ok && time.Now().After(until) {
		delete(c.benched, addr)
		return false
	}
	return ok
}

// benchLaggards keeps away, for one stall window, the peers that announce
// a height more than ConfirmationDepth below the verified header tip while
// another connected peer is at it and there are blocks to fetch (next, the
// next one, is confirmed). Such a peer cannot serve the blocks being
// fetched (it is behind, or on a shorter competing chain whose blocks
// differ), and neutrino asks every peer in turn, waiting out its query
// timeout on each one that does not answer. It returns the peers it
// dropped.
func (c *Client) benchLaggards(tip, next int32) []string {
	floor := tip - c.cfg.ConfirmationDepth
	if next > floor {
		return nil // nothing to fetch
	}
	var behind []*neutrino.ServerPeer
	current := false
	for _, sp := range c.cs.Peers() {
		if !sp.Connected() {
			continue
		}
		if sp.LastBlock() < floor {
			behind = append(behind, sp)
		} else {
			current = true
		}
	}
	if !current {
		return nil
	}
	var out []string
	for _, sp := range behind {
		c.bench(sp.Addr(), c.cfg.StallTimeout)
		sp.Disconnect()
		out = append(out, c.cfg.displayAddr(sp.Addr()))
	}
	return out
}
