package spv

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultStallTimeout is Config.StallTimeout's default.
const DefaultStallTimeout = 10 * time.Second

// stallStrikes is how many stall windows in a row without progress end a
// CatchUp or WaitSynced: the first drops the peers whose claims were not
// met, the second gives up.
const stallStrikes = 2

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
	// ones the client disconnected this time.
	Claims  []Claim  `json:"claims"`
	Dropped []string `json:"dropped"`
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
		claims = append(claims, "no peer connected")
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
	// claims remembers what each peer announced at earlier stalls of
	// this call, so a peer dropped by the first is still named by the
	// last even while it reconnects.
	claims map[string]int32
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

// final reports whether enough windows have passed to give up.
func (w *stallWatch) final() bool { return w.strikes >= stallStrikes }

// declareStall builds a Stall from the current progress and the claims of
// the connected peers and of those seen at w's earlier stalls, and drops
// the connected peers whose claims were not met. With drop false it only
// reports.
func (c *Client) declareStall(w *stallWatch, p Progress, delivered int32, waited time.Duration, drop bool) Stall {
	s := Stall{HeaderHeight: p.HeaderHeight, FilterHeaderHeight: p.FilterHeaderHeight,
		Delivered: delivered, Waited: waited}
	peers := c.cs.Peers()
	for _, sp := range peers {
		if sp.Connected() {
			addr := c.cfg.displayAddr(sp.Addr())
			w.claims[addr] = max(w.claims[addr], sp.LastBlock())
		}
	}
	for addr, h := range w.claims {
		s.Claims = append(s.Claims, Claim{Peer: addr, Height: h})
	}
	slices.SortFunc(s.Claims, func(a, b Claim) int { return strings.Compare(a.Peer, b.Peer) })
	if !drop {
		return s
	}
	// The peers that announced more than the verified headers hold; if
	// none did, the filter headers are what is missing and any peer may
	// be withholding them.
	over := func(h int32) bool { return h > p.HeaderHeight }
	if !slices.ContainsFunc(s.Claims, func(cl Claim) bool { return over(cl.Height) }) {
		over = func(int32) bool { return true }
	}
	for _, sp := range peers {
		if sp.Connected() && over(sp.LastBlock()) {
			s.Dropped = append(s.Dropped, c.cfg.displayAddr(sp.Addr()))
			sp.Disconnect()
		}
	}
	slices.Sort(s.Dropped)
	return s
}
