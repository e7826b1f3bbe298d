package state

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
)

// ErrNotFound is returned by Reader.Get for a key that holds no value.
var ErrNotFound = errors.New("consensus: key not found")

// Reader is committed state: the store under the layer.
type Reader interface {
	Get(key []byte) ([]byte, error)
}

// Write is one key's new value in a block; a nil Value deletes the key.
//
// Prior is the value the key held before the block (nil: absent), and is
// meaningful only when PriorKnown is set. The layer sets it for the keys
// whose old value it already read through the same store during the block,
// or knows to be absent (keys of the block's own height), so that a store
// keeping an undo record need not read them again; a store reads the
// before-image itself for a write without PriorKnown.
type Write struct {
	Key        []byte
	Value      []byte
	Prior      []byte
	PriorKnown bool
}

// familyInfo is what the layer keeps of a family for values it holds as
// any: its prefix and encoder.
type familyInfo struct {
	prefix string
	encode func(dst []byte, v any) ([]byte, error)
	// cached: the layer keeps decoded committed values of the family.
	cached bool
}

// Family is one key family: its keys start with Prefix, and its values are
// *T, stored in the encoding of Encode and Decode.
type Family[T any] struct {
	info   familyInfo
	decode func(raw []byte) (*T, error)
}

// NewFamily returns the family of keys starting with prefix, whose values
// encode and decode as given. Decode's result is shared with the cache and
// with every later reader: it must not alias raw, which is the store's.
func NewFamily[T any](prefix string, encode func(dst []byte, v *T) ([]byte, error), decode func(raw []byte) (*T, error)) *Family[T] {
	f := &Family[T]{
		info:   familyInfo{prefix: prefix, encode: func(dst []byte, v any) ([]byte, error) { return encode(dst, v.(*T)) }},
		decode: decode,
	}
	f.info.cached = true
	return f
}

// Uncached returns f, whose committed values the layer will not cache: a
// family read rarely, whose entries would only push hot ones out.
func (f *Family[T]) Uncached() *Family[T] {
	f.info.cached = false
	return f
}

// Decode decodes a stored value of the family, for readers of committed
// state outside a block (consensus.View).
func (f *Family[T]) Decode(raw []byte) (*T, error) { return f.decode(raw) }

// Prefix returns the family's key prefix.
func (f *Family[T]) Prefix() string { return f.info.prefix }

// family is any Family, for Layer's non-generic entry points.
type family interface{ infoOf() *familyInfo }

func (f *Family[T]) infoOf() *familyInfo { return &f.info }

// BlindFamily is a key family that is written once per key and never read
// during a block (history entries): it has PutBlind and nothing else, so
// that a read of a key written blind, which would miss the block's own
// write, cannot be written.
type BlindFamily struct{ info familyInfo }

// NewBlindFamily returns the write-only family of keys starting with
// prefix.
func NewBlindFamily(prefix string) *BlindFamily {
	return &BlindFamily{info: familyInfo{prefix: prefix}}
}

func (f *BlindFamily) infoOf() *familyInfo { return &f.info }

// Layer is the state a block's rules read and write: the block's writes
// over the cache over committed state. It is reused from block to block:
// Begin starts a block, Writes gathers it for the store, and Committed or
// Abort ends it.
type Layer struct {
	base        Reader
	trackPriors bool
	families    []*familyInfo
	keys        writeSet
	arena       Arena
	// blind holds writes of keys that nothing reads during a block (each
	// written once): they skip the set.
	blind   []Write
	cache   cache
	hashes  hashChain
	writes  []Write
	sorted  []Write
	scratch []writeOrder
}

// New returns a layer over base. trackPriors: the store wants each write's
// prior (its undo record). window is the consensus-hash window (the
// recent hashes kept). families lists every family the layer will be
// handed, for the invariants checks.
func New(base Reader, trackPriors bool, window uint64, families ...family) *Layer {
	l := &Layer{base: base, trackPriors: trackPriors, keys: writeSet{seed: maphash.MakeSeed()},
		cache: newCache(), hashes: newHashChain(window)}
	for _, f := range families {
		l.families = append(l.families, f.infoOf())
	}
	return l
}

// checkFamily panics, under the invariants tag, unless key belongs to fam
// and to no other family of the layer: each key prefix has one access path.
func (l *Layer) checkFamily(fam *familyInfo, key []byte) {
	if !Invariants {
		return
	}
	owner := -1
	for i, f := range l.families {
		if strings.HasPrefix(string(key), f.prefix) {
			if owner >= 0 {
				panic(fmt.Sprintf("state: key %q belongs to families %q and %q", key, l.families[owner].prefix, f.prefix))
			}
			owner = i
		}
	}
	if owner < 0 || l.families[owner] != fam {
		panic(fmt.Sprintf("state: key %q accessed as family %q", key, fam.prefix))
	}
}

// Get returns key's value as of now in the block (nil: absent). The value
// is shared with the cache and later readers: the caller copies it before
// changing it. key may be scratch space: it is copied when kept.
func Get[T any](l *Layer, f *Family[T], key []byte) (*T, error) {
	l.checkFamily(&f.info, key)
	h := l.keys.hash(key)
	p := l.keys.lookup(key, h)
	if p >= 0 {
		if e := &l.keys.entries[p]; e.written {
			if e.v == nil {
				return nil, nil
			}
			return e.v.(*T), nil
		}
	}
	var slot *cacheSlot
	var hit bool
	if f.info.cached {
		slot, hit = l.cache.lookup(key, h)
	}
	if hit {
		if slot.v == nil {
			l.notePrior(key, h, nil)
			return nil, nil
		}
		if slot.raw != nil {
			l.notePrior(key, h, slot.raw)
		}
		return slot.v.(*T), nil
	}
	var raw []byte
	if p >= 0 && l.keys.entries[p].priorKnown {
		// Read earlier in the block, and its cache slot taken since.
		raw = l.keys.entries[p].prior
	} else {
		v, err := l.base.Get(key)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("consensus: reading state: %w", err)
		case l.trackPriors:
			// A store's slice may be reused by its next read: keep a
			// copy, never nil, so that a present empty value stays
			// present.
			raw = l.arena.bytes(v)
			if raw == nil {
				raw = []byte{}
			}
		default:
			raw = v
			if raw == nil {
				raw = []byte{}
			}
		}
		l.notePrior(key, h, raw)
	}
	if raw == nil {
		// Absences are cached too: a block asks again for most keys it
		// found missing.
		if slot != nil {
			l.cache.fill(slot, h, key, nil, &f.info, nil)
		}
		return nil, nil
	}
	t, err := f.decode(raw)
	if err != nil {
		return nil, fmt.Errorf("consensus: corrupt state at %q: %w", key, err)
	}
	if slot != nil {
		var kept []byte
		if l.trackPriors {
			kept = bytes.Clone(raw) // the arena's copy dies with the block
		}
		l.cache.fill(slot, h, key, t, &f.info, kept)
	}
	return t, nil
}

// Put writes v under key (nil: deletes it). v is kept as it is, shared
// with later readers: the caller must not change it afterwards. It is
// encoded once, when the block's writes are gathered.
func Put[T any](l *Layer, f *Family[T], key []byte, v *T) {
	l.checkFamily(&f.info, key)
	l.put(&f.info, key, anyOf(v))
}

// PutNew is Put for a key that cannot exist before this block (one named
// by the block's own height): its prior is known to be absent.
func PutNew[T any](l *Layer, f *Family[T], key []byte, v *T) {
	l.checkFamily(&f.info, key)
	l.notePrior(key, l.keys.hash(key), nil)
	l.put(&f.info, key, anyOf(v))
}

// anyOf is v as an any, nil for a nil pointer.
func anyOf[T any](v *T) any {
	if v == nil {
		return nil
	}
	return v
}

func (l *Layer) put(fam *familyInfo, key []byte, v any) {
	e := &l.keys.entries[l.keys.addHashed(key, l.keys.hash(key), &l.arena)]
	e.written, e.fam, e.v = true, fam, v
}

// PutBlind writes the encoded value of a key of a family that nothing
// reads during a block and that the block writes once; key and value must
// live until the block is committed (see Arena). priorKnown: the key cannot exist
// before the block.
func (l *Layer) PutBlind(f *BlindFamily, key, value []byte, priorKnown bool) {
	l.checkFamily(&f.info, key)
	l.blind = append(l.blind, Write{Key: key, Value: value, PriorKnown: priorKnown && l.trackPriors})
}

// Arena returns the block's Arena, for building blind keys and values that
// must live until the block is committed.
func (l *Layer) Arena() *Arena { return &l.arena }

// notePrior records v (nil: absent) as key's value at the start of the
// block, unless one is recorded already.
func (l *Layer) notePrior(key []byte, h uint64, v []byte) {
	if !l.trackPriors {
		return
	}
	if e := &l.keys.entries[l.keys.addHashed(key, h, &l.arena)]; !e.priorKnown {
		e.prior, e.priorKnown = v, true
	}
}

// Begin starts a block: it empties the block's writes and, unless the
// layer committed block tip with consensus hash tipCH last (ok false: the
// store is empty), forgets the cache, since someone else wrote the store.
func (l *Layer) Begin(tip uint64, ok bool, tipCH func() (string, error)) {
	l.keys.reset()
	clear(l.blind)
	l.blind = l.blind[:0]
	l.arena.reset()
	if !l.hashes.hasTip || !ok || l.hashes.tip != tip {
		l.forget()
		return
	}
	if ch, err := tipCH(); err != nil || ch != l.hashes.tipCH {
		l.forget()
	}
}

// Abort forgets everything cached: the block failed to commit, and the
// store may or may not hold it.
func (l *Layer) Abort() { l.forget() }

func (l *Layer) forget() {
	l.cache.reset()
	l.hashes.reset()
}

// ConsensusHashAt returns the consensus hash of committed block h if the
// layer still holds it (the caller then reads the store).
func (l *Layer) ConsensusHashAt(h uint64) (string, bool) { return l.hashes.at(h) }

// Writes returns the block's writes sorted by key: the written values
// encoded, with their priors where known, and the blind writes. They are
// valid until the next Begin.
func (l *Layer) Writes() ([]Write, error) {
	out := l.writes[:0]
	for i := range l.keys.entries {
		e := &l.keys.entries[i]
		if !e.written {
			continue
		}
		w := Write{Key: e.key, Prior: e.prior, PriorKnown: e.priorKnown}
		if e.v != nil {
			raw, err := l.arena.value(e.fam, e.v)
			if err != nil {
				return nil, err
			}
			w.Value = raw
		}
		e.raw = w.Value
		out = append(out, w)
	}
	out = append(out, l.blind...)
	l.writes = out
	l.sorted = sortWrites(l.sorted[:0], out, &l.scratch)
	if Invariants {
		l.verifyPriors(l.sorted)
	}
	return l.sorted, nil
}

// verifyPriors panics unless every prior the layer supplies is the value
// the store holds.
func (l *Layer) verifyPriors(ws []Write) {
	for _, w := range ws {
		if !w.PriorKnown {
			continue
		}
		v, err := l.base.Get(w.Key)
		if errors.Is(err, ErrNotFound) {
			v, err = nil, nil
		} else if err == nil && v == nil {
			v = []byte{}
		}
		if err != nil || (v == nil) != (w.Prior == nil) || !bytes.Equal(v, w.Prior) {
			panic(fmt.Sprintf("state: prior of %q is %q, the store holds %q (%v)", w.Key, w.Prior, v, err))
		}
	}
}

// Committed records that the store committed the block gathered by Writes
// as block height with consensus hash ch: its values go to the cache.
func (l *Layer) Committed(height uint64, ch string) {
	for i := range l.keys.entries {
		e := &l.keys.entries[i]
		if !e.written {
			continue
		}
		if e.v == nil || !e.fam.cached {
			l.cache.drop(e.key, e.hash)
			continue
		}
		var raw []byte
		if l.trackPriors {
			// The encoding Writes made, copied out of the Arena.
			raw = bytes.Clone(e.raw)
		}
		s, _ := l.cache.lookup(e.key, e.hash)
		l.cache.fill(s, e.hash, e.key, e.v, e.fam, raw)
	}
	clear(l.writes)
	clear(l.sorted)
	l.hashes.committed(height, ch)
}
