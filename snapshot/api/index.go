package api

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/snapshot"
)

// chainIndex is what the server knows about the whole history that the
// store answers only by scanning it: which zone-file hashes accepted
// operations announced (the Atlas rule) and which name creations each
// address made (the reference's DID index). It is built block by block
// from each block's records and the histories of the names they touch,
// and tracks the chain by consensus hash: a view on the same chain is
// answered from the entries at or below its tip; a view on another branch
// (a reorg) makes it drop its blocks down to the common ancestor and index
// the view's blocks instead. Every answer is therefore a function of the
// view's own blocks, whichever views came before.
type chainIndex struct {
	mu     sync.RWMutex
	p      *consensus.Params
	blocks []indexedBlock // contiguous heights, ascending
	// announced maps a zone-file hash to the heights that announced it,
	// ascending (one per announcing history entry).
	announced map[string][]uint64
	// creators maps an address to its name creations, in chain order.
	creators map[string][]creation
	// created maps a name to its creations, in chain order.
	created map[string][]creation
}

type indexedBlock struct {
	height    uint64
	ch        string
	announced []string // hashes added at this height, in order
	creators  []string // addresses given a creation at this height, in order
	created   []string // names created at this height
}

// creation is one history entry that created a name (a registration, or
// the first import of a name): the reference's history rows with a
// creator_address.
type creation struct {
	height   uint64
	vtxindex int
	name     string
	addr     string
}

func newChainIndex(p *consensus.Params) *chainIndex {
	x := &chainIndex{p: p}
	x.reset()
	return x
}

// viewState is the part of a ReadView the index needs.
type viewState interface {
	consensus.Reader
	Tip() (uint64, bool, error)
	First() (uint64, bool, error)
	ConsensusHash(h uint64) (string, error)
	Records(h uint64) ([][]byte, error)
}

// syncTo brings the index to the view's chain and tip. The caller holds
// x.mu.
func (x *chainIndex) syncTo(ctx context.Context, v viewState) error {
	tip, ok, err := v.Tip()
	if err != nil {
		return err
	}
	if !ok {
		x.reset()
		return nil
	}
	// Fast path: the index holds the view's tip block.
	if b := x.at(tip); b != nil {
		ch, err := v.ConsensusHash(tip)
		if err != nil {
			return err
		}
		if ch == b.ch {
			return nil
		}
	}
	// Drop indexed blocks the view does not share: above its tip, or with
	// another consensus hash.
	for len(x.blocks) > 0 {
		top := x.blocks[len(x.blocks)-1]
		if top.height <= tip {
			ch, err := v.ConsensusHash(top.height)
			if err != nil {
				return err
			}
			if ch == top.ch {
				break
			}
		}
		x.pop()
	}
	next := uint64(0)
	if len(x.blocks) > 0 {
		next = x.blocks[len(x.blocks)-1].height + 1
	} else {
		first, ok, err := v.First()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		next = first
	}
	for h := next; h <= tip; h++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.addBlock(v, h); err != nil {
			return err
		}
	}
	return nil
}

func (x *chainIndex) at(h uint64) *indexedBlock {
	if len(x.blocks) == 0 {
		return nil
	}
	first := x.blocks[0].height
	if h < first || h-first >= uint64(len(x.blocks)) {
		return nil
	}
	return &x.blocks[h-first]
}

func (x *chainIndex) pop() {
	b := x.blocks[len(x.blocks)-1]
	x.blocks = x.blocks[:len(x.blocks)-1]
	for _, h := range b.announced {
		hs := x.announced[h]
		if len(hs) <= 1 {
			delete(x.announced, h)
		} else {
			x.announced[h] = hs[:len(hs)-1]
		}
	}
	for _, a := range b.creators {
		cs := x.creators[a]
		if len(cs) <= 1 {
			delete(x.creators, a)
		} else {
			x.creators[a] = cs[:len(cs)-1]
		}
	}
	for _, n := range b.created {
		cs := x.created[n]
		if len(cs) <= 1 {
			delete(x.created, n)
		} else {
			x.created[n] = cs[:len(cs)-1]
		}
	}
}

func (x *chainIndex) reset() {
	x.blocks = nil
	x.announced = map[string][]uint64{}
	x.creators = map[string][]creation{}
	x.created = map[string][]creation{}
}

// addBlock indexes block h: the names its records name, and those names'
// history entries at h.
func (x *chainIndex) addBlock(v viewState, h uint64) error {
	ch, err := v.ConsensusHash(h)
	if err != nil {
		return err
	}
	recs, err := v.Records(h)
	if err != nil {
		return err
	}
	var names []string
	seen := map[string]bool{}
	for _, raw := range recs {
		r, err := snv.ParseRecord(raw)
		if err != nil {
			return fmt.Errorf("api: block %d: unreadable record: %w", h, err)
		}
		switch r.Opcode {
		case ':', ';', '+', '>', '~':
		default:
			continue
		}
		if name, ok := r.Field("name"); ok && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// Everything is read first and the index changed only after, so a
	// failed read leaves it as it was.
	type hit struct {
		vtx      int
		hash     *string
		name     string
		creation bool
		addr     string
	}
	var hits []hit
	cv := consensus.NewView(x.p, v)
	for _, name := range names {
		hist, err := cv.NameHistory(name)
		if err != nil {
			return err
		}
		for i, e := range hist {
			if e.Height != h || e.Record == nil {
				continue
			}
			hits = append(hits, hit{vtx: e.Vtxindex, hash: e.Record.ValueHash, name: name,
				creation: isCreation(hist, i), addr: e.Record.Address})
		}
	}
	// In transaction order, so that each address's creations stay in
	// chain order for the DID count.
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].vtx < hits[j].vtx })
	b := indexedBlock{height: h, ch: ch}
	for _, hit := range hits {
		if hit.hash != nil {
			// Copies: the decoded record's strings share its buffer.
			hh := strings.Clone(*hit.hash)
			x.announced[hh] = append(x.announced[hh], h)
			b.announced = append(b.announced, hh)
		}
		if hit.creation {
			c := creation{height: h, vtxindex: hit.vtx, name: strings.Clone(hit.name), addr: strings.Clone(hit.addr)}
			x.creators[c.addr] = append(x.creators[c.addr], c)
			x.created[c.name] = append(x.created[c.name], c)
			b.creators = append(b.creators, c.addr)
			b.created = append(b.created, c.name)
		}
	}
	x.blocks = append(x.blocks, b)
	return nil
}

// isCreation reports whether history entry i of a name created it, as the
// reference's state_create did (a history row with a creator address): a
// registration (its record's first_registered is its own block; a renewal
// keeps the older one) or the name's first import.
func isCreation(hist []consensus.HistoryEntry, i int) bool {
	e := hist[i]
	switch e.Op {
	case ":":
		return e.Record.FirstRegistered == e.Height
	case ";":
		for _, prev := range hist[:i] {
			if prev.Record != nil {
				return false
			}
		}
		return true
	}
	return false
}

// announcedAt reports whether an accepted operation at or below tip
// announced hash. The caller holds x.mu and has synced to the view.
func (x *chainIndex) announcedAt(hash string, tip uint64) bool {
	hs := x.announced[hash]
	return len(hs) > 0 && hs[0] <= tip
}

// did returns the address that last created name at or below tip and the
// reference's DID index of that creation: how many creations the address
// made before it. ok is false when the name has no creation.
func (x *chainIndex) did(name string, tip uint64) (addr string, index int, ok bool) {
	cs := x.created[name]
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].height <= tip {
			index, ok = x.didIndex(cs[i].addr, cs[i].height, cs[i].vtxindex)
			return cs[i].addr, index, ok
		}
	}
	return "", 0, false
}

// didIndex returns the reference's DID index of a creation: how many
// creations its address made before it.
func (x *chainIndex) didIndex(addr string, h uint64, vtx int) (int, bool) {
	cs := x.creators[addr]
	n := sort.Search(len(cs), func(i int) bool {
		return cs[i].height > h || (cs[i].height == h && cs[i].vtxindex > vtx)
	})
	if n == 0 {
		return 0, false
	}
	return n - 1, true
}

// lookup runs fn, which must only read, with the index synced to v.
func (x *chainIndex) lookup(ctx context.Context, v viewState, fn func(*chainIndex)) error {
	tip, ok, err := v.Tip()
	if err != nil {
		return err
	}
	var ch string
	if ok {
		if ch, err = v.ConsensusHash(tip); err != nil {
			return err
		}
	}
	return x.lookupAt(ctx, v, ok, tip, ch, fn)
}

// lookupAt is lookup for a view whose tip and its consensus hash the caller
// already read (hasTip false: an empty view).
func (x *chainIndex) lookupAt(ctx context.Context, v viewState, hasTip bool, tip uint64, ch string, fn func(*chainIndex)) error {
	if hasTip {
		x.mu.RLock()
		if b := x.at(tip); b != nil && b.ch == ch {
			fn(x)
			x.mu.RUnlock()
			return nil
		}
		x.mu.RUnlock()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.syncTo(ctx, v); err != nil {
		return err
	}
	fn(x)
	return nil
}

var _ viewState = (*snapshot.ReadView)(nil)
