package consensus

// decodedCache keeps decoded state objects across blocks so that hot
// records (names, namespaces, preorders, accounts, owner indexes) are not
// decoded from JSON on every access. It holds only committed state: a
// block's own writes live in blockCtx.local until the store has committed
// the block, then they are merged in. Values are never mutated in place
// (readers copy before changing); deleted keys are dropped. The cache is dropped whenever the store's tip is not the block
// the engine last committed, or its consensus hash differs (someone else
// wrote to the store, e.g. a reorg rewind and replay), when a block
// fails, and when it grows past maxCached entries.
type decodedCache struct {
	m      map[string]any
	tip    uint64
	tipCH  string // consensus hash of tip, to notice a store rewound and re-extended
	hasTip bool
}

const maxCached = 1 << 21

func (c *decodedCache) reset() {
	c.m = map[string]any{}
	c.hasTip = false
}

// get returns the decoded value of key (nil, true for a known absence).
func cachedGet[T any](b *blockCtx, key []byte) (*T, error) {
	k := string(key)
	if v, ok := b.local[k]; ok {
		if v == nil {
			return nil, nil
		}
		return v.(*T), nil
	}
	if b.cache != nil {
		if v, ok := b.cache.m[k]; ok {
			if v == nil {
				return nil, nil
			}
			return v.(*T), nil
		}
	}
	var t T
	ok, err := b.st.getJSON(key, &t)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil // absences are not cached: most are never asked again
	}
	if b.cache != nil {
		b.cache.m[k] = &t
	}
	return &t, nil
}

// cachedPut writes v (which the caller must not change afterwards). The
// value is encoded once, when the block is flushed (flushLocal), however
// often the block rewrites the key.
func cachedPut[T any](b *blockCtx, key []byte, v *T) error {
	if b.local == nil {
		b.local = map[string]any{}
	}
	b.local[string(key)] = v
	return nil
}

func cachedDel(b *blockCtx, key []byte) {
	if b.local == nil {
		b.local = map[string]any{}
	}
	b.local[string(key)] = nil
}

// flushLocal encodes the block's decoded writes into the overlay.
func (b *blockCtx) flushLocal() error {
	for k, v := range b.local {
		if v == nil {
			b.st.del([]byte(k))
			continue
		}
		if err := b.st.putJSON([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}
