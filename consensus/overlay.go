package consensus

import (
	"errors"
	"fmt"
	"sort"
)

// overlay buffers one block's writes over the committed state, so that a
// check sees the state as of the start of the block plus the block's earlier
// accepted operations, and nothing reaches the store until the block is done.
type overlay struct {
	base   Reader
	writes map[string][]byte // nil value = deleted
	// priors, when the store takes them (PriorTaker), holds the value each
	// key had at the start of the block (nil: absent), for every key read
	// from the base or known to be new; sortedWrites hands them over.
	priors map[string][]byte
}

func newOverlay(base Reader, trackPriors bool) *overlay {
	o := &overlay{base: base, writes: map[string][]byte{}}
	if trackPriors {
		o.priors = map[string][]byte{}
	}
	return o
}

func (o *overlay) get(key []byte) ([]byte, bool, error) {
	if v, ok := o.writes[string(key)]; ok {
		return v, v != nil, nil
	}
	v, err := o.base.Get(key)
	if errors.Is(err, ErrNotFound) {
		o.notePrior(key, nil)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("consensus: reading state: %w", err)
	}
	if o.priors != nil {
		// A store's slice may be reused by its next read: keep a copy
		// (never nil, so that a present empty value stays present).
		o.notePrior(key, append(make([]byte, 0, len(v)), v...))
	}
	return v, true, nil
}

// notePrior records v (nil: absent) as key's value at the start of the
// block, unless one is recorded already.
func (o *overlay) notePrior(key, v []byte) {
	if o.priors == nil {
		return
	}
	if _, ok := o.priors[string(key)]; !ok {
		o.priors[string(key)] = v
	}
}

// putNew writes a key that cannot exist before this block (one named by
// the block's own height).
func (o *overlay) putNew(key []byte, value []byte) {
	o.notePrior(key, nil)
	o.put(key, value)
}

func (o *overlay) getJSON(key []byte, v any) (bool, error) {
	b, ok, err := o.get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := decodeValue(b, v); err != nil {
		return false, fmt.Errorf("consensus: corrupt state at %q: %w", key, err)
	}
	return true, nil
}

func (o *overlay) put(key []byte, value []byte) {
	o.writes[string(key)] = value
}

func (o *overlay) putJSON(key []byte, v any) error {
	b, err := encodeValue(v)
	if err != nil {
		return err
	}
	o.writes[string(key)] = b
	return nil
}

func (o *overlay) del(key []byte) { o.writes[string(key)] = nil }

// sortedWrites returns the buffered writes in key order.
func (o *overlay) sortedWrites() []Write {
	keys := make([]string, 0, len(o.writes))
	size := 0
	for k := range o.writes {
		keys = append(keys, k)
		size += len(k)
	}
	sort.Strings(keys)
	out := make([]Write, len(keys))
	buf := make([]byte, 0, size) // the keys' bytes, one allocation for all
	for i, k := range keys {
		buf = append(buf, k...)
		out[i] = Write{Key: buf[len(buf)-len(k) : len(buf) : len(buf)], Value: o.writes[k]}
		if p, ok := o.priors[k]; ok {
			out[i].Prior, out[i].PriorKnown = p, true
		}
	}
	return out
}
