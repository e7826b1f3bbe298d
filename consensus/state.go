package consensus

import (
	"encoding/json"
	"math/big"
	"slices"
	"sort"
)

// scratchKey returns k, a key built onto b.keyBuf[:0] by one of keys.go's
// append forms, keeping its memory for the next one: the next scratchKey
// overwrites it, so it serves a read, or a write (the block's key set
// keeps its own copy of a written key).
func (b *blockCtx) scratchKey(k []byte) []byte {
	b.keyBuf = k
	return k
}

// name returns a name's record as of now in this block. The record is
// shared with the cache: callers copy it before changing it.
func (b *blockCtx) name(name string) (*NameRecord, error) {
	if !isNameValid(name) {
		return nil, nil
	}
	return cachedGet[NameRecord](b, b.scratchKey(appendNameKey(b.keyBuf[:0], name)))
}

// putNameRecord writes r, which is kept as it is (shared with readers and
// the cache): the caller must not change it afterwards.
func (b *blockCtx) putNameRecord(r *NameRecord) error {
	return cachedPut(b, b.scratchKey(appendNameKey(b.keyBuf[:0], r.Name)), r)
}

// nameWithHash128 returns the name whose hash128 is h (the x/ index), as
// the store's bytes, valid until the next read.
func (b *blockCtx) nameWithHash128(h string) ([]byte, bool, error) {
	return b.st.get(b.scratchKey(appendIDKey(b.keyBuf[:0], prefixNameHash128, h)))
}

// namespaceRead is a namespace as a read of the block found it (nil:
// absent).
type namespaceRead struct {
	id string
	ns *Namespace
}

// namespace returns namespace id, shared with the cache: callers copy it
// before changing it. Most operations read their name's namespace twice
// or more (liveness, then readiness and prices), and a block's names are
// mostly in one namespace: the last read is kept for the block and
// forgotten whenever the block writes a namespace.
func (b *blockCtx) namespace(id string) (*Namespace, error) {
	if b.lastNSOK && b.lastNS.id == id {
		return b.lastNS.ns, nil
	}
	ns, err := cachedGet[Namespace](b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixNamespace, id)))
	if err != nil {
		return nil, err
	}
	b.lastNS, b.lastNSOK = namespaceRead{id: id, ns: ns}, true
	return ns, nil
}

// readyNamespace reads namespace id for an operation on name, and rejects
// the operation when the namespace is missing or not yet ready.
func (b *blockCtx) readyNamespace(id, name string) (*Namespace, *Error, error) {
	ns, err := b.namespace(id)
	if err != nil {
		return nil, nil, err
	}
	if ns == nil || !ns.Ready() {
		return nil, reject(ErrNamespaceNotReady, "namespace of %s is not ready", name), nil
	}
	return ns, nil, nil
}

func (b *blockCtx) putNamespace(ns *Namespace) error {
	b.lastNSOK = false
	cp := *ns
	return cachedPut(b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixNamespace, ns.NamespaceID)), &cp)
}

func (b *blockCtx) delNamespace(id string) {
	b.lastNSOK = false
	cachedDel(b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixNamespace, id)))
}

// preorderRows returns a copy of the preorder rows of hash.
func (b *blockCtx) preorderRows(hash string) ([]Preorder, error) {
	v, err := cachedGet[[]Preorder](b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixPreorder, hash)))
	if err != nil || v == nil {
		return nil, err
	}
	return append([]Preorder(nil), (*v)...), nil
}

// putPreorderRows writes rows, which are kept as they are: the caller must
// not change them afterwards.
func (b *blockCtx) putPreorderRows(hash string, rows []Preorder) error {
	return cachedPut(b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixPreorder, hash)), &rows)
}

func (b *blockCtx) delPreorders(hash string) {
	cachedDel(b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixPreorder, hash)))
}

// preorder returns the first row of hash with the given op ('?' or '*'),
// shared with the cache: callers copy it before changing it.
func (b *blockCtx) preorder(hash, op string) (*Preorder, error) {
	v, err := cachedGet[[]Preorder](b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixPreorder, hash)))
	if err != nil || v == nil {
		return nil, err
	}
	rows := *v
	for i := range rows {
		if rows[i].Op == op {
			return &rows[i], nil
		}
	}
	return nil, nil
}

// account returns a copy of a token account, or nil.
func (b *blockCtx) account(addr, typ string) (*Account, error) {
	a, err := cachedGet[Account](b, b.scratchKey(appendAccountKey(b.keyBuf[:0], addr, typ)))
	if err != nil || a == nil {
		return nil, err
	}
	cp := *a
	return &cp, nil
}

func (b *blockCtx) putAccount(a *Account) error {
	cp := *a
	return cachedPut(b, b.scratchKey(appendAccountKey(b.keyBuf[:0], a.Address, a.Type)), &cp)
}

// owned returns the names whose owner script is sender, shared with the
// cache: callers must not change the slice.
func (b *blockCtx) owned(sender string) ([]string, error) {
	idx, err := cachedGet[ownerIndex](b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixOwner, sender)))
	if err != nil || idx == nil {
		return nil, err
	}
	return idx.Names, nil
}

// revealLive: a revealed, unready namespace whose reveal has not expired, as
// seen by a query at height h (§4.3). Under Rules.SameBlockReady (0.13) the
// reveal counts from its own block and lives until the end of block
// block_number + NamespaceRevealExpire.
func (b *blockCtx) revealLive(ns *Namespace, h uint64) bool {
	if ns == nil || ns.Op != "&" {
		return false
	}
	if b.p.Rules.SameBlockReady {
		return b.n <= ns.BlockNumber+b.p.NamespaceRevealExpire
	}
	return ns.RevealBlock <= h && h < ns.RevealBlock+b.p.NamespaceRevealExpire
}

// lifetime returns L·M(h) for namespace ns.
func (b *blockCtx) lifetime(ns *Namespace, h uint64) uint64 {
	return ns.Lifetime * b.p.NamespaceRules(h, ns.NamespaceID).LifetimeMultiplier
}

// alive is the name liveness predicate of §2.5.
func (b *blockCtx) alive(r *NameRecord, h uint64) (bool, error) {
	if r == nil || r.FirstRegistered > h {
		return false, nil
	}
	ns, err := b.namespace(r.NamespaceID)
	if err != nil || ns == nil {
		return false, err
	}
	return b.aliveIn(r, ns, h), nil
}

func (b *blockCtx) aliveIn(r *NameRecord, ns *Namespace, h uint64) bool {
	if r.FirstRegistered > h {
		return false
	}
	switch ns.Op {
	case "!":
		lm := b.lifetime(ns, h)
		if b.p.Rules.ExpiryInclusive {
			return max(ns.ReadyBlock, r.LastRenewed)+lm >= h
		}
		g := b.p.NamespaceRules(h, ns.NamespaceID).GracePeriod
		return ns.ReadyBlock+lm+g > h || r.LastRenewed+lm+g >= h
	case "&":
		return b.revealLive(ns, h)
	}
	return false
}

// registered: alive at h and not revoked.
func (b *blockCtx) registered(r *NameRecord, h uint64) (bool, error) {
	if r == nil || r.Revoked {
		return false, nil
	}
	return b.alive(r, h)
}

// inGrace: alive, namespace ready, expire_block ≤ h < expire_block + G (§4.1).
func (b *blockCtx) inGrace(r *NameRecord, ns *Namespace, h uint64) bool {
	if ns == nil || !ns.Ready() || !b.aliveIn(r, ns, h) || ns.Lifetime == NamespaceLifeInfinite {
		return false
	}
	exp := max(ns.ReadyBlock, r.LastRenewed) + b.lifetime(ns, h)
	g := b.p.NamespaceRules(h, ns.NamespaceID).GracePeriod
	return exp <= h && h < exp+g
}

// namesBySenderReaching is namesBySender for a caller that only compares
// the count with need: when the owner index lists fewer than need names,
// the count is below need too and 0 is returned without reading them.
func (b *blockCtx) namesBySenderReaching(sender string, h uint64, need int) (int, error) {
	if need > 0 {
		names, err := b.owned(sender)
		if err != nil {
			return 0, err
		}
		if len(names) < need {
			return 0, nil
		}
	}
	return b.namesBySender(sender, h)
}

// namesBySender counts the alive-at-h, unrevoked names owned by sender.
func (b *blockCtx) namesBySender(sender string, h uint64) (int, error) {
	names, err := b.owned(sender)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, nm := range names {
		r, err := b.name(nm)
		if err != nil {
			return 0, err
		}
		if r == nil || r.Sender != sender {
			continue
		}
		ok, err := b.registered(r, h)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// validConsensusHash: ch is the consensus hash of one of the last
// ConsensusHashWindow blocks, or a genesis snapshot in that window (§5).
func (b *blockCtx) validConsensusHash(ch string) (bool, error) {
	w, err := b.windowHashes()
	if err != nil {
		return false, err
	}
	for _, v := range w {
		if v == ch {
			return true, nil
		}
	}
	return false, nil
}

// consensusHashAt returns the consensus hash of committed block h, from
// the engine's recent hashes when it has them.
func (b *blockCtx) consensusHashAt(h uint64) (string, bool, error) {
	if b.cache != nil && b.cache.hasTip {
		if v, ok := b.cache.recentHashAt(h); ok {
			return v, true, nil
		}
		if v, ok := b.cache.olderHashAt(h); ok {
			return v, true, nil
		}
	}
	raw, ok, err := b.st.get(consensusHashKey(h))
	if err != nil || !ok {
		return "", ok, err
	}
	return string(raw), true, nil
}

// windowHashes lists the distinct consensus hashes of N-window..N-1 that
// exist (stored blocks, and the genesis snapshots before the first block),
// newest first. It is computed once per block: no operation changes them.
func (b *blockCtx) windowHashes() ([]string, error) {
	if b.window != nil {
		return b.window, nil
	}
	lo := uint64(0)
	if b.n > b.p.ConsensusHashWindow {
		lo = b.n - b.p.ConsensusHashWindow
	}
	out := make([]string, 0, b.n-lo)
	for h := b.n; h > lo; {
		h--
		var v string
		if h >= b.p.FirstBlock {
			raw, ok, err := b.consensusHashAt(h)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			v = raw
		} else if h+b.p.GenesisSnapshotBlocks >= b.p.FirstBlock {
			v = b.p.GenesisConsensusHash
		} else {
			continue
		}
		if !slices.Contains(out, v) { // a short list: no map needed
			out = append(out, v)
		}
	}
	b.window = out
	return out, nil
}

// putName writes a name record with its indexes and its history entry (the
// record's own op, txid and vtxindex at this block's height). r is
// kept as it is (see putNameRecord): the caller must not change it
// afterwards. base is the name's record before this write (nil: none), as
// the operation's check read it: a check is applied right after it, so
// nothing wrote the name in between. It is the base of the entry's delta
// (the record of the name's previous entry, see history.go), and its
// owner is the one whose index loses the name if the owner changes.
func (b *blockCtx) putName(r, base *NameRecord) error {
	if err := b.putNameRecord(r); err != nil {
		return err
	}
	// Most writes of a name leave its indexes as they are: only write
	// the ones that change (the state is the same either way). The
	// previous write of the name left both pointing at it, and its 128-bit
	// hash never changes, so only a new name or a new preorder hash needs
	// a look at the index.
	if base == nil || base.NameHash128 != r.NameHash128 {
		if err := b.putIfChanged(prefixNameHash128, r.NameHash128, r.Name); err != nil {
			return err
		}
	}
	if base == nil || base.PreorderHash != r.PreorderHash {
		if err := b.putIfChanged(prefixNamePreorder, r.PreorderHash, r.Name); err != nil {
			return err
		}
	}
	oldSender := ""
	if base != nil {
		oldSender = base.Sender
	}
	if oldSender != r.Sender {
		if oldSender != "" {
			if err := b.ownerIndexEdit(oldSender, r.Name, false); err != nil {
				return err
			}
		}
		if err := b.ownerIndexEdit(r.Sender, r.Name, true); err != nil {
			return err
		}
	}
	b.addHistory(r.Name, &HistoryEntry{Op: r.Op, Txid: r.Txid, Height: b.n, Vtxindex: r.Vtxindex, Record: r}, base)
	return nil
}

// putIfChanged writes value under prefix+id unless the key already holds
// it.
func (b *blockCtx) putIfChanged(prefix, id, value string) error {
	old, ok, err := b.st.get(b.scratchKey(appendIDKey(b.keyBuf[:0], prefix, id)))
	if err != nil {
		return err
	}
	if !ok || string(old) != value {
		b.st.put(b.scratchKey(appendIDKey(b.keyBuf[:0], prefix, id)), b.arena.str(value))
	}
	return nil
}

// addHistory writes a history entry; a record in it is stored as its
// difference from base (see history.go).
func (b *blockCtx) addHistory(name string, entry *HistoryEntry, base *NameRecord) {
	b.histSeq++
	a := &b.arena
	a.reserve(len(prefixHistory) + len(name) + 15 + 256)
	start := len(a.buf)
	a.buf = appendHistoryKey(a.buf, name, entry.Height, entry.Vtxindex, b.histSeq)
	k := a.cut(start)
	start = len(a.buf)
	a.buf = appendHistory(a.buf, entry, base)
	v := a.cut(start)
	// Nothing reads history keys during a block, and each is written
	// once (histSeq). A key of this block's height cannot exist yet; a
	// preorder's entry, keyed by the preorder's height, has no known prior.
	b.st.putBlind(k, v, entry.Height == b.n)
}

func (b *blockCtx) ownerIndexEdit(sender, name string, add bool) error {
	shared, err := b.owned(sender)
	if err != nil {
		return err
	}
	var names []string
	var idx *ownerIndex
	if len(shared) < len(ownerIndexBox{}.room) {
		// Most owners own a few names: the index and its list in one
		// allocation.
		box := new(ownerIndexBox)
		idx, names = &box.idx, append(box.room[:0], shared...)
	} else {
		idx, names = new(ownerIndex), append(make([]string, 0, len(shared)+1), shared...)
	}
	i := sort.SearchStrings(names, name)
	present := i < len(names) && names[i] == name
	switch {
	case add && !present:
		names = append(names, "")
		copy(names[i+1:], names[i:])
		names[i] = name
	case !add && present:
		names = append(names[:i], names[i+1:]...)
	default:
		return nil
	}
	if len(names) == 0 {
		cachedDel(b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixOwner, sender)))
		return nil
	}
	idx.Names = names
	return cachedPut(b, b.scratchKey(appendIDKey(b.keyBuf[:0], prefixOwner, sender)), idx)
}

// ownerIndexBox is an owner index with room for a short list.
type ownerIndexBox struct {
	idx  ownerIndex
	room [4]string
}

// debit / credit change a token account (§1.5).
func (b *blockCtx) debit(addr, typ string, amt *big.Int) error {
	a, err := b.account(addr, typ)
	if err != nil {
		return err
	}
	if a == nil {
		a = &Account{Address: addr, Type: typ, Credit: "0", Debit: "0", ReceiveWhitelisted: true}
	}
	a.Debit = new(big.Int).Add(mustBig(a.Debit), amt).String()
	return b.putAccount(a)
}

func (b *blockCtx) credit(addr, typ string, amt *big.Int) error {
	a, err := b.account(addr, typ)
	if err != nil {
		return err
	}
	if a == nil {
		a = &Account{Address: addr, Type: typ, Credit: "0", Debit: "0", ReceiveWhitelisted: true}
	}
	a.Credit = new(big.Int).Add(mustBig(a.Credit), amt).String()
	return b.putAccount(a)
}

// schedule adds an end-of-block event at height h.
func (b *blockCtx) schedule(h uint64, ev scheduledEvent) error {
	var evs []scheduledEvent
	if _, err := b.st.getJSON(eventsKey(h), &evs); err != nil {
		return err
	}
	for _, e := range evs {
		if e == ev {
			return nil
		}
	}
	evs = append(evs, ev)
	return b.st.putJSON(eventsKey(h), evs)
}

// endOfBlock runs the 0.13 scheduled events of block N and credits the
// vesting of block N+1.
func (b *blockCtx) endOfBlock() error {
	var evs []scheduledEvent
	ok, err := b.st.getJSON(eventsKey(b.n), &evs)
	if err != nil {
		return err
	}
	if ok {
		for _, ev := range evs {
			switch ev.Kind {
			case "unrevoke":
				r, err := b.name(ev.ID)
				if err != nil {
					return err
				}
				ns, err := b.namespace(namespaceOf(ev.ID))
				if err != nil {
					return err
				}
				if r != nil && ns != nil && r.Revoked && r.LastRenewed+ns.Lifetime == b.n {
					nr := *r
					nr.Revoked = false
					if err := b.putNameRecord(&nr); err != nil {
						return err
					}
				}
			case "drop-reveal":
				ns, err := b.namespace(ev.ID)
				if err != nil {
					return err
				}
				if ns != nil && ns.Op == "&" && ns.BlockNumber+b.p.NamespaceRevealExpire == b.n {
					b.delNamespace(ev.ID)
				}
			}
		}
		b.st.del(eventsKey(b.n))
	}
	var vest []Vesting
	ok, err = b.st.getJSON(vestingKey(b.n+1), &vest)
	if err != nil || !ok {
		return err
	}
	for _, v := range vest {
		amt, err := parseAmount(json.Number(v.Value))
		if err != nil {
			return err
		}
		if err := b.credit(v.Address, v.Type, amt); err != nil {
			return err
		}
	}
	return nil
}
