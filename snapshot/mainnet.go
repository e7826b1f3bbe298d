package snapshot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

// Metadata names of the mainnet safeguards (keys.go has the others).
const (
	metaUnverified = "unverified" // JSON Unverified
	metaGenesis    = "genesis"    // the genesis allocation the store was built with, JSON lines
)

// UnverifiedReason says why answers from some block on are not verified.
type UnverifiedReason string

// ReasonNoGenesis: the rules needed the genesis token allocation
// (consensus.Params.RequireGenesis) and the replay went on without it, so
// token-paid operations were judged against empty accounts.
const ReasonNoGenesis UnverifiedReason = "no genesis allocation"

// Unverified marks every answer from block From on as unverified for
// Reason. It is stored in the store's metadata (SetUnverified) and read by
// every command and the name server (Unverified, TrustAt).
type Unverified struct {
	Reason UnverifiedReason `json:"reason"`
	From   uint64           `json:"from"`
}

// Covers reports whether an answer given as of block h is unverified.
func (u Unverified) Covers(h uint64) bool { return h >= u.From }

// String is the mark as shown to users: "unverified: no genesis
// allocation (from block N)".
func (u Unverified) String() string {
	return fmt.Sprintf("unverified: %s (from block %d)", u.Reason, u.From)
}

// SetUnverified records m in the store's metadata, durably. An existing
// mark with an earlier From is kept (the earliest block wins).
func (s *Store) SetUnverified(m Unverified) error {
	if err := s.checkWritable(); err != nil {
		return err
	}
	if old, ok, err := s.Unverified(); err != nil {
		return err
	} else if ok && old.From <= m.From && old.Reason == m.Reason {
		return nil
	}
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := s.db.Set(metaKey(metaUnverified), v, pebble.Sync); err != nil {
		return wrapError(ErrCorrupt, err, "writing the unverified mark")
	}
	return nil
}

// Unverified returns the store's unverified mark; ok is false when it has
// none.
func (s *Store) Unverified() (m Unverified, ok bool, err error) {
	if err := s.checkOpen(); err != nil {
		return m, false, err
	}
	raw, ok, err := s.getRaw(metaKey(metaUnverified))
	if err != nil || !ok {
		return m, false, err
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.Reason == "" {
		return m, false, newError(ErrCorrupt, "unreadable unverified mark %q", raw)
	}
	return m, true, nil
}

// TrustAt says whether an answer as of block h, from this store built
// under p, is verified: it is not when the store carries an unverified
// mark covering h, or when p needs a genesis allocation it lacks and h is
// at or past p.FirstTokenBlock (so a store or imported snapshot written
// before the mark existed is judged the same way). A nil result means
// verified.
func (s *Store) TrustAt(p *consensus.Params, h uint64) (*Unverified, error) {
	m, ok, err := s.Unverified()
	if err != nil {
		return nil, err
	}
	if ok && m.Covers(h) {
		return &m, nil
	}
	if p != nil && p.MissingGenesis() {
		if from, ok := p.FirstTokenBlock(); ok && h >= from {
			return &Unverified{Reason: ReasonNoGenesis, From: from}, nil
		}
	}
	return nil, nil
}

// SetGenesisData records the genesis allocation (consensus.ReadGenesis's
// format) the store is built with, so that later readers can rebuild the
// same Params (and so the same fingerprint) without the file.
func (s *Store) SetGenesisData(data []byte) error {
	if err := s.checkWritable(); err != nil {
		return err
	}
	if err := s.db.Set(metaKey(metaGenesis), data, pebble.Sync); err != nil {
		return wrapError(ErrCorrupt, err, "writing the genesis allocation")
	}
	return nil
}

// GenesisData returns what SetGenesisData recorded; ok is false when the
// store was built without a genesis file.
func (s *Store) GenesisData() (data []byte, ok bool, err error) {
	if err := s.checkOpen(); err != nil {
		return nil, false, err
	}
	return s.getRaw(metaKey(metaGenesis))
}

func (s *Store) checkWritable() error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if s.opts.ReadOnly {
		return newError(ErrReadOnly, "store is read-only")
	}
	return nil
}

// Divergence alarm defaults: a window of about a day of blocks, raised
// when operations from at least DefaultAlarmSenders distinct senders
// quoted consensus hashes this store never computed.
const (
	DefaultAlarmWindow  = 144
	DefaultAlarmSenders = 3
)

// DivergenceAlarm counts, over the last Window blocks up to the tip, the
// operations that quote a consensus hash (NAME_PREORDER,
// NAMESPACE_PREORDER, NAME_TRANSFER, TOKEN_TRANSFER) whose hash is none of
// the ConsensusHashWindow hashes this store computed before their block,
// so that the consensus-hash rule rejects them. Each such sender's node
// computed a hash we did not: on an honest network that almost never
// happens, so many distinct senders doing it is the earliest sign that
// our replay diverged from everyone else's.
//
// Operations are counted from the stored inputs, whatever other rule
// might also have rejected them; operations whose window reaches below
// the store's first block (an imported store) are not judged.
type DivergenceAlarm struct {
	From, To uint64 `json:"-"`
	// FromHeight/ToHeight are From/To for JSON.
	FromHeight uint64 `json:"from"`
	ToHeight   uint64 `json:"to"`
	// Operations is how many operations quoted an unknown hash, Senders
	// how many distinct senders they came from.
	Operations int `json:"operations"`
	Senders    int `json:"senders"`
	// Threshold is the number of distinct senders that raises the alarm.
	Threshold int  `json:"threshold"`
	Raised    bool `json:"raised"`
	// Txids lists the operations, in chain order (at most 20).
	Txids []string `json:"txids,omitempty"`
}

// String is one line for a human.
func (a DivergenceAlarm) String() string {
	s := fmt.Sprintf("blocks %d..%d: %d operations from %d senders quoted consensus hashes we never computed (alarm at %d senders)",
		a.From, a.To, a.Operations, a.Senders, a.Threshold)
	if a.Raised {
		s = "DIVERGENCE ALARM: " + s + ": our replay may have diverged from the network's"
	}
	return s
}

// DivergenceAlarm computes the alarm over the last window blocks (0 means
// DefaultAlarmWindow) with threshold distinct senders (0 means
// DefaultAlarmSenders), under the rules p the store was built with. ok is
// false for an empty store.
func (s *Store) DivergenceAlarm(p *consensus.Params, window uint64, threshold int) (a DivergenceAlarm, ok bool, err error) {
	if window == 0 {
		window = DefaultAlarmWindow
	}
	if threshold <= 0 {
		threshold = DefaultAlarmSenders
	}
	tip, ok, err := s.Tip()
	if err != nil || !ok {
		return a, false, err
	}
	first, _, err := s.First()
	if err != nil {
		return a, false, err
	}
	from := first
	if tip+1 > window && tip+1-window > from {
		from = tip + 1 - window
	}
	a = DivergenceAlarm{From: from, To: tip, FromHeight: from, ToHeight: tip, Threshold: threshold}
	// Every stored hash an operation of the window may quote, read once.
	lo := max(first, p.FirstBlock)
	if from > p.ConsensusHashWindow && from-p.ConsensusHashWindow > lo {
		lo = from - p.ConsensusHashWindow
	}
	hashes := make([]string, 0, tip+1-lo)
	for h := lo; h <= tip; h++ {
		ch, err := s.ConsensusHash(h)
		if err != nil {
			return a, false, err
		}
		hashes = append(hashes, ch)
	}
	at := func(h uint64) string { return hashes[h-lo] }
	zero := strings.Repeat("0", 32)
	var senders []string
	for h := from; h <= tip; h++ {
		in, err := s.Inputs(h)
		if err != nil {
			return a, false, err
		}
		var known []string
		judged := false
		for i := range in {
			op := &in[i]
			switch op.Kind {
			case ops.KindNamePreorder, ops.KindNamespacePreorder, ops.KindNameTransfer, ops.KindTokenTransfer:
			default:
				continue
			}
			if op.Kind == ops.KindTokenTransfer && op.ConsensusHash == zero &&
				p.Features(h).Has(ops.FeatureTokenTransferConsensusHashOptional) {
				continue
			}
			if !judged {
				judged = true
				known = windowHashes(p, h, first, at)
			}
			if known == nil || slices.Contains(known, op.ConsensusHash) {
				continue
			}
			a.Operations++
			if len(a.Txids) < 20 {
				a.Txids = append(a.Txids, op.Txid)
			}
			if !slices.Contains(senders, op.Sender) {
				senders = append(senders, op.Sender)
			}
		}
	}
	a.Senders = len(senders)
	a.Raised = a.Senders >= threshold
	return a, true, nil
}

// windowHashes returns the consensus hashes an operation of block n may
// quote (consensus state-machine.md §5), with at giving a stored block's
// hash, or nil when part of the window is below the store's first block
// and so unknown here.
func windowHashes(p *consensus.Params, n, first uint64, at func(uint64) string) []string {
	lo := uint64(0)
	if n > p.ConsensusHashWindow {
		lo = n - p.ConsensusHashWindow
	}
	out := make([]string, 0, n-lo)
	for h := lo; h < n; h++ {
		switch {
		case h >= p.FirstBlock && h < first:
			return nil
		case h >= p.FirstBlock:
			out = append(out, at(h))
		case h+p.GenesisSnapshotBlocks >= p.FirstBlock:
			out = append(out, p.GenesisConsensusHash)
		}
	}
	return out
}

// Checkpoint states (CheckpointStatus.State).
const (
	CheckpointAgrees     = "agrees"
	CheckpointMismatch   = "MISMATCH"
	CheckpointDiffers    = "differs (not required)"
	CheckpointUnverified = "differs (unverified block)"
	CheckpointNotReached = "not reached"
	CheckpointNotInStore = "not stored"
)

// CheckpointStatus is one published checkpoint compared with the store.
type CheckpointStatus struct {
	Height        uint64 `json:"height"`
	Published     string `json:"published"`
	Source        string `json:"source"`
	MustReproduce bool   `json:"must_reproduce"`
	// Ours is the store's consensus hash of the block, empty when the
	// store does not hold it.
	Ours  string `json:"ours,omitempty"`
	State string `json:"state"`
	// Unverified: the block is covered by the unverified mark.
	Unverified bool `json:"unverified,omitempty"`
}

// Checkpoints compares the store with p's checkpoints. mismatch reports a
// row the rules must reproduce that differs outside an unverified range.
func (s *Store) Checkpoints(p *consensus.Params) (rows []CheckpointStatus, mismatch bool, err error) {
	tip, ok, err := s.Tip()
	if err != nil {
		return nil, false, err
	}
	first, _, err := s.First()
	if err != nil {
		return nil, false, err
	}
	rows = make([]CheckpointStatus, 0, len(p.Checkpoints))
	for _, cp := range p.Checkpoints {
		r := CheckpointStatus{Height: cp.Height, Published: cp.ConsensusHash, Source: cp.Source, MustReproduce: cp.MustReproduce}
		switch {
		case !ok || cp.Height > tip:
			r.State = CheckpointNotReached
		case cp.Height < first:
			r.State = CheckpointNotInStore
		default:
			if r.Ours, err = s.ConsensusHash(cp.Height); err != nil {
				return nil, false, err
			}
			u, err := s.TrustAt(p, cp.Height)
			if err != nil {
				return nil, false, err
			}
			r.Unverified = u != nil
			switch {
			case r.Ours == cp.ConsensusHash:
				r.State = CheckpointAgrees
			case r.Unverified:
				r.State = CheckpointUnverified
			case cp.MustReproduce:
				r.State, mismatch = CheckpointMismatch, true
			default:
				r.State = CheckpointDiffers
			}
		}
		rows = append(rows, r)
	}
	return rows, mismatch, nil
}

// Safeguards is what a store says about the safeguards of a real chain as
// of its tip, in one value for status and the name server's /v1/info.
type Safeguards struct {
	Tip uint64 `json:"tip"`
	// FreezeHeight is the rules' freeze (0: none); Final is set once the
	// store holds the final state (consensus.Params.FinalHeight).
	FreezeHeight uint64 `json:"freeze_height,omitempty"`
	Final        bool   `json:"final"`
	// Unverified is the mark covering the tip, if any.
	Unverified *Unverified `json:"unverified,omitempty"`
	// Alarm is the divergence alarm over the default window and threshold.
	Alarm DivergenceAlarm `json:"divergence_alarm"`
	// Checkpoints compares every published checkpoint with the store;
	// CheckpointMismatch reports a required one that differs.
	Checkpoints        []CheckpointStatus `json:"checkpoints,omitempty"`
	CheckpointMismatch bool               `json:"checkpoint_mismatch"`
}

// Safeguards reads the store's Safeguards under the rules p it was built
// with (alarm window and threshold: 0 for the defaults). ok is false for
// an empty store.
func (s *Store) Safeguards(p *consensus.Params, alarmWindow uint64, alarmThreshold int) (g Safeguards, ok bool, err error) {
	tip, ok, err := s.Tip()
	if err != nil || !ok {
		return g, false, err
	}
	g.Tip, g.FreezeHeight = tip, p.FreezeHeight
	if h, ok := p.FinalHeight(); ok && tip >= h {
		g.Final = true
	}
	if g.Unverified, err = s.TrustAt(p, tip); err != nil {
		return g, false, err
	}
	if g.Alarm, _, err = s.DivergenceAlarm(p, alarmWindow, alarmThreshold); err != nil {
		return g, false, err
	}
	if g.Checkpoints, g.CheckpointMismatch, err = s.Checkpoints(p); err != nil {
		return g, false, err
	}
	return g, true, nil
}
