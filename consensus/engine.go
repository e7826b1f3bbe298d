package consensus

import (
	"context"
	"errors"
	"fmt"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/consensus/internal/state"
	"github.com/spvcheck/spvcheck/ops"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
)

const (
	unitsStacks = "STACKS"
	unitsBTC    = "BTC"
)

// Block is one Bitcoin block's worth of parsed operations.
type Block struct {
	Height uint64
	// Hash is the Bitcoin block hash (internal byte order); zero for vectors.
	Hash [32]byte
	// Ops are all parsed operations of the block in vtxindex order,
	// whether they will be accepted or not.
	Ops []ops.Op
}

// Outcome is what happened to one operation.
type Outcome int

// Outcomes.
const (
	// Accepted: the operation changed state and was hashed.
	Accepted Outcome = iota
	// Rejected: a check failed; the operation left no trace.
	Rejected
	// Stateless: an ANNOUNCE, accepted but never hashed.
	Stateless
)

func (o Outcome) String() string {
	if o >= Accepted && o <= Stateless {
		return [...]string{"accepted", "rejected", "stateless"}[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// OpResult is the engine's verdict on one operation.
type OpResult struct {
	Vtxindex int
	Txid     string
	// Kind is the kind the operation was checked as (a registration that the
	// 0.13/0.14 rules reinterpret shows NAME_RENEWAL).
	Kind    ops.Kind
	Outcome Outcome
	// Err is the rejection (nil unless Rejected).
	Err *Error
	// Record is the canonical serialization hashed into the block (nil
	// unless Accepted).
	Record []byte
}

// BlockResult is the engine's verdict on one block.
type BlockResult struct {
	Height        uint64
	Ops           []OpResult
	Records       [][]byte
	OpsHash       string
	ConsensusHash string
}

// Engine replays blocks of operations into a Store.
type Engine struct {
	p     *Params
	store Store
	// layer is the state layer over store, kept from block to block (its
	// cache of committed values among it); bs is the rules' view of it.
	layer *state.Layer
	bs    blockState
	// recScratch is where a block's records are rendered, reused from
	// block to block; the block's result gets an exact-size copy.
	recScratch []byte
	// bc is the block context, its maps and overlay reused (cleared) from
	// block to block.
	bc *blockCtx
}

// NewEngine returns an engine over store with the rules p. The store must
// be empty or hold state produced under the same Params.
func NewEngine(p *Params, store Store) (*Engine, error) {
	if p == nil || store == nil {
		return nil, errors.New("consensus: NewEngine needs params and a store")
	}
	if len(p.Epochs) == 0 {
		return nil, errors.New("consensus: params have no epochs")
	}
	if p.MicroStacksPerSatDen == 0 {
		return nil, errors.New("consensus: params have a zero microstacks denominator")
	}
	pt, ok := store.(PriorTaker)
	// Under the invariants tag priors are tracked, and checked, for any
	// store.
	priors := (ok && pt.TakesPriors()) || state.Invariants
	e := &Engine{p: p, store: store, layer: newLayer(store, priors, p.ConsensusHashWindow)}
	e.bs.l = e.layer
	return e, nil
}

// Params returns the engine's rules.
func (e *Engine) Params() *Params { return e.p }

// effect is a passed check: the record to hash and how to change state.
type effect struct {
	opcode byte
	// collideKey is the creation id for the per-block collision rule ("" =
	// no collision check; preorders use their own map).
	collideKey string
	fx         effector
}

// effector renders a passed operation's record and applies its change.
// The frequent operations implement it with a struct that holds the
// effect and everything it writes (one allocation, see nameFx); the rest
// with funcFx's two closures.
type effector interface {
	// render appends the record's values in the order of
	// canon.FieldsFor(opcode).
	render(a *canon.Appender)
	apply(b *blockCtx) error
}

// funcFx is an effector made of two closures.
type funcFx struct {
	renderFn func(a *canon.Appender)
	applyFn  func() error
}

func (f funcFx) render(a *canon.Appender) { f.renderFn(a) }
func (f funcFx) apply(*blockCtx) error    { return f.applyFn() }

type blockCtx struct {
	p   *Params
	st  stateRW
	n   uint64 // N, the block being processed
	q   uint64 // Q = N-1, the reference's lastblock
	ops []ops.Op

	scanning  bool
	scanSeen  map[string]bool
	collided  map[string]bool
	created   map[string]bool
	preorders map[string]bool
	// regOwners counts this block's accepted registrations per new owner.
	regOwners map[string]int
	histSeq   int
	// window caches windowHashes for the block.
	window []string
	// lastNS is the namespace the block read last (see namespace), valid
	// while lastNSOK.
	lastNS   namespaceRead
	lastNSOK bool
	// recEnds (each accepted op's index and the end of its record in
	// the block's record buffer), prevs (the earlier consensus hashes
	// the block's hash covers) and prevHeights (their heights) are
	// ProcessBlock's scratch space.
	recEnds     [][2]int
	prevs       []string
	prevHeights []uint64
}

// ProcessBlock checks and applies one block and commits it to the store.
// Heights must be consecutive, starting at Params.FirstBlock.
func (e *Engine) ProcessBlock(ctx context.Context, blk Block) (*BlockResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tip, ok, err := e.store.Tip()
	if err != nil {
		return nil, &BlockError{Height: blk.Height, Err: err}
	}
	switch {
	case !ok && blk.Height != e.p.FirstBlock:
		return nil, &BlockError{Height: blk.Height, Err: fmt.Errorf("first block must be %d", e.p.FirstBlock)}
	case ok && blk.Height != tip+1:
		return nil, &BlockError{Height: blk.Height, Err: fmt.Errorf("expected block %d", tip+1)}
	}
	if e.p.Frozen(blk.Height) {
		blk.Ops = nil // the final rules ignore every operation from the freeze on
	}
	b := e.newBlockCtx(blk)
	e.layer.Begin(tip, ok, func() (string, error) {
		ch, err := e.store.Get(codec.ConsensusHashKey(tip))
		return string(ch), err
	})
	if !ok {
		if err := b.applyGenesis(); err != nil {
			return nil, &BlockError{Height: blk.Height, Err: err}
		}
	}
	res := &BlockResult{Height: blk.Height, Ops: make([]OpResult, len(blk.Ops))}

	// Scan phase (state-machine.md §2.2-1): creations checked against the
	// state at the start of the block to find same-block collisions.
	// Only a passed check's collision key matters there, and registration
	// and reveal checks change nothing (imports may cache a keychain), so
	// when no two registrations or reveals of the block name the same
	// name or namespace, nothing can collide and they need no scan.
	scanCreations := creationKeysRepeat(blk.Ops)
	b.scanning = true
	for i := range blk.Ops {
		op := &blk.Ops[i]
		if !scanCreations && (op.Kind == ops.KindNameRegistration || op.Kind == ops.KindNamespaceReveal) {
			continue
		}
		kind := b.effectiveKind(op)
		if kind != ops.KindNameRegistration && kind != ops.KindNameImport && kind != ops.KindNamespaceReveal {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		eff, rerr, err := b.check(op, kind)
		if err != nil {
			return nil, &BlockError{Height: blk.Height, Err: err}
		}
		if rerr == nil && eff.collideKey != "" {
			if b.scanSeen[eff.collideKey] {
				b.collided[eff.collideKey] = true
			}
			b.scanSeen[eff.collideKey] = true
		}
		// The scan phase's checked_ops holds every scanned op, passed or
		// not, and the quota counts its NAME_REGISTRATIONs by their sender
		// field: the new owner for a passed one (its record replaced the
		// op), the payer for a failed one (F register.py
		// get_num_names_owned; virtualchain_hooks.py:276-322).
		if kind == ops.KindNameRegistration {
			if rerr == nil {
				b.regOwners[op.Recipient]++
			} else {
				b.regOwners[op.Sender]++
			}
		}
	}
	b.scanning = false
	clear(b.regOwners)

	// Check-and-commit phase (§2.2-2).
	recBuf := e.recScratch[:0]
	recEnds := b.recEnds[:0] // op index, end of its record in recBuf
	// One appender for the block: render is an indirect call, so the
	// appender lives on the heap.
	var a canon.Appender
	for i := range blk.Ops {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		op := &blk.Ops[i]
		kind := b.effectiveKind(op)
		r := OpResult{Vtxindex: op.Vtxindex, Txid: op.Txid, Kind: kind}
		if kind == ops.KindAnnounce {
			r.Outcome = Stateless
			res.Ops[i] = r
			continue
		}
		eff, rerr, err := b.check(op, kind)
		if err != nil {
			return nil, &BlockError{Height: blk.Height, Err: err}
		}
		if rerr == nil && eff.collideKey != "" {
			if b.collided[eff.collideKey] || b.created[eff.collideKey] {
				rerr = reject(ErrCollision, "%s collides with another operation in block %d", eff.collideKey, b.n)
			} else {
				b.created[eff.collideKey] = true
			}
		}
		if rerr != nil {
			r.Outcome, r.Err = Rejected, rerr
			res.Ops[i] = r
			continue
		}
		if err := eff.fx.apply(b); err != nil {
			return nil, &BlockError{Height: blk.Height, Err: err}
		}
		a = canon.NewAppender(recBuf, eff.opcode)
		eff.fx.render(&a)
		if want := len(canon.FieldsFor(eff.opcode)); a.Fields() != want {
			return nil, &BlockError{Height: blk.Height, Err: fmt.Errorf("record for opcode %q has %d values, its field list %d", eff.opcode, a.Fields(), want)}
		}
		recBuf = a.Bytes()
		recEnds = append(recEnds, [2]int{i, len(recBuf)})
		r.Outcome = Accepted
		res.Ops[i] = r
	}
	// The block's records share one buffer of their exact size, copied
	// from the scratch space they were rendered in (the copy is cheaper
	// than the slack a guessed size leaves).
	e.recScratch = recBuf
	if len(recEnds) > 0 {
		recs := append([]byte(nil), recBuf...)
		res.Records = make([][]byte, len(recEnds))
		start := 0
		for j, end := range recEnds {
			rec := recs[start:end[1]:end[1]]
			res.Records[j], res.Ops[end[0]].Record = rec, rec
			start = end[1]
		}
	}
	b.recEnds = recEnds

	// Snapshot (§2.2-4).
	res.OpsHash = digest.OpsHash(res.Records)
	prevs := b.prevs[:0]
	b.prevHeights = digest.AppendPrevHeights(b.prevHeights[:0], b.n, e.p.FirstBlock)
	for _, h := range b.prevHeights {
		v, ok, err := b.st.consensusHashAt(h)
		if err != nil {
			return nil, &BlockError{Height: blk.Height, Err: err}
		}
		if !ok {
			return nil, &BlockError{Height: blk.Height, Err: fmt.Errorf("missing consensus hash of block %d", h)}
		}
		prevs = append(prevs, v)
	}
	b.prevs = prevs
	ch, err := digest.ConsensusHash(res.OpsHash, prevs)
	if err != nil {
		return nil, &BlockError{Height: blk.Height, Err: err}
	}
	res.ConsensusHash = ch
	if err := b.st.putBlockHashes(b.n, ch, res.OpsHash); err != nil {
		return nil, &BlockError{Height: blk.Height, Err: err}
	}

	// End of block: the 0.13 scheduled events, then vesting for N+1 (§2.2-5).
	if err := b.endOfBlock(); err != nil {
		return nil, &BlockError{Height: blk.Height, Err: err}
	}
	writes, err := e.layer.Writes()
	if err != nil {
		return nil, &BlockError{Height: blk.Height, Err: err}
	}
	commit := &BlockCommit{
		Height: blk.Height, BlockHash: blk.Hash, Writes: writes, Records: res.Records,
		OpsHash: res.OpsHash, ConsensusHash: res.ConsensusHash, Inputs: blk.Ops,
	}
	if err := e.store.CommitBlock(commit); err != nil {
		e.layer.Abort()
		return nil, &BlockError{Height: blk.Height, Err: fmt.Errorf("committing: %w", err)}
	}
	e.layer.Committed(blk.Height, res.ConsensusHash)
	return res, nil
}

// newBlockCtx returns the engine's block context set up for blk: the maps
// of the previous block are cleared and reused.
func (e *Engine) newBlockCtx(blk Block) *blockCtx {
	b := e.bc
	if b == nil {
		b = &blockCtx{
			scanSeen: map[string]bool{}, collided: map[string]bool{}, created: map[string]bool{},
			preorders: map[string]bool{}, regOwners: map[string]int{}, st: &e.bs,
		}
		e.bc = b
	} else {
		clear(b.scanSeen)
		clear(b.collided)
		clear(b.created)
		clear(b.preorders)
		clear(b.regOwners)
	}
	b.p, b.n, b.q, b.ops, e.bs.n = e.p, blk.Height, blk.Height-1, blk.Ops, blk.Height
	b.scanning, b.histSeq, b.window, b.lastNSOK = false, 0, nil, false
	return b
}

// creationKeysRepeat reports whether two registrations, or two namespace
// reveals, of list name the same name or namespace: the only way two
// operations of a block can have the same collision key (effect.collideKey).
func creationKeysRepeat(list []ops.Op) bool {
	var names, namespaces map[string]bool
	seen := func(m *map[string]bool, k string) bool {
		if *m == nil {
			*m = map[string]bool{}
		}
		if (*m)[k] {
			return true
		}
		(*m)[k] = true
		return false
	}
	for i := range list {
		switch list[i].Kind {
		case ops.KindNameRegistration:
			if seen(&names, list[i].Name) {
				return true
			}
		case ops.KindNamespaceReveal:
			if seen(&namespaces, list[i].NamespaceID) {
				return true
			}
		}
	}
	return false
}

// effectiveKind is the kind the op is checked as. Under Rules.RenewalByState
// a registration of a name its sender already owns is a renewal.
func (b *blockCtx) effectiveKind(op *ops.Op) ops.Kind {
	if op.Kind != ops.KindNameRegistration || !b.p.Rules.RenewalByState {
		return op.Kind
	}
	rec, err := b.st.name(op.Name)
	if err != nil || rec == nil || rec.Sender != op.Sender {
		return op.Kind
	}
	if reg, err := b.registered(rec, b.q); err == nil && reg {
		return ops.KindNameRenewal
	}
	return op.Kind
}

// check runs one op's checks. rerr is the rejection; err is a state error.
func (b *blockCtx) check(op *ops.Op, kind ops.Kind) (eff *effect, rerr *Error, err error) {
	switch kind {
	case ops.KindNamePreorder:
		return b.checkNamePreorder(op)
	case ops.KindNameRegistration:
		return b.checkRegistration(op)
	case ops.KindNameRenewal:
		return b.checkRenewal(op)
	case ops.KindNameUpdate:
		return b.checkUpdate(op)
	case ops.KindNameTransfer:
		return b.checkTransfer(op)
	case ops.KindNameRevoke:
		return b.checkRevoke(op)
	case ops.KindNameImport:
		return b.checkImport(op)
	case ops.KindNamespacePreorder:
		return b.checkNamespacePreorder(op)
	case ops.KindNamespaceReveal:
		return b.checkNamespaceReveal(op)
	case ops.KindNamespaceReady:
		return b.checkNamespaceReady(op)
	case ops.KindTokenTransfer:
		return b.checkTokenTransfer(op)
	}
	return nil, reject(ErrUnknownOperation, "unknown operation kind %q", op.Kind), nil
}
