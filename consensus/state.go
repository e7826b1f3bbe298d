package consensus

import (
	"encoding/binary"
	"encoding/json"
	"math/big"
	"slices"
	"sort"

	"github.com/spvcheck/spvcheck/consensus/internal/state"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
)

// The key families of keys.go, each with its value type and encoding.
// Every key the engine reads or writes during a block goes through one of
// them, with state.Get and state.Put: one read path and one write path per
// family (history, written once and never read during a block, has only
// PutBlind). The hot families' committed values are cached decoded; the
// rest are read from the store each time.
var (
	nameFamily          = state.NewFamily(codec.PrefixName, appendAs[NameRecord], decodeNew[NameRecord])
	hash128Family       = state.NewFamily(codec.PrefixNameHash128, appendString, decodeString).Uncached()
	namePreorderFamily  = state.NewFamily(codec.PrefixNamePreorder, appendString, decodeString).Uncached()
	ownerFamily         = state.NewFamily(codec.PrefixOwner, appendAs[ownerIndex], decodeNew[ownerIndex])
	namespaceFamily     = state.NewFamily(codec.PrefixNamespace, appendAs[Namespace], decodeNew[Namespace])
	preorderFamily      = state.NewFamily(codec.PrefixPreorder, appendAs[[]Preorder], decodeNew[[]Preorder])
	historyFamily       = state.NewBlindFamily(codec.PrefixHistory)
	accountFamily       = state.NewFamily(codec.PrefixAccount, appendAs[Account], decodeNew[Account])
	vestingFamily       = state.NewFamily(codec.PrefixVesting, appendAs[[]Vesting], decodeNew[[]Vesting]).Uncached()
	keychainFamily      = state.NewFamily(codec.PrefixKeychain, appendAs[[]string], decodeNew[[]string]).Uncached()
	eventsFamily        = state.NewFamily(codec.PrefixEvents, appendAs[[]scheduledEvent], decodeNew[[]scheduledEvent]).Uncached()
	consensusHashFamily = state.NewFamily(codec.PrefixConsensusHash, appendString, decodeString).Uncached()
	opsHashFamily       = state.NewFamily(codec.PrefixOpsHash, appendString, decodeString).Uncached()
	tipFamily           = state.NewFamily(codec.KeyTip, appendHeight, decodeHeight).Uncached()
)

func newLayer(base Reader, trackPriors bool, window uint64) *state.Layer {
	return state.New(base, trackPriors, window, nameFamily, hash128Family, namePreorderFamily, ownerFamily,
		namespaceFamily, preorderFamily, historyFamily, accountFamily, vestingFamily, keychainFamily,
		eventsFamily, consensusHashFamily, opsHashFamily, tipFamily)
}

func appendAs[T any](dst []byte, v *T) ([]byte, error) { return appendValue(dst, v) }

func appendString(dst []byte, v *string) ([]byte, error) { return append(dst, *v...), nil }

func decodeString(raw []byte) (*string, error) {
	s := string(raw)
	return &s, nil
}

func appendHeight(dst []byte, v *uint64) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, *v), nil
}

func decodeHeight(raw []byte) (*uint64, error) {
	if len(raw) != 8 {
		return nil, errCorrupt
	}
	h := binary.BigEndian.Uint64(raw)
	return &h, nil
}

// stateRW is the rules' only access to state: one typed read and one
// typed write per key family. Values returned are shared with the cache
// and later readers (callers copy before changing them); values handed to
// a put are kept as they are (callers must not change them afterwards).
// blockState implements it over a state.Layer.
type stateRW interface {
	name(name string) (*NameRecord, error)
	putNameRecord(r *NameRecord)
	// The x/ and y/ indexes; isNew: the key cannot exist yet.
	nameWithHash128(h string) (string, bool, error)
	putNameWithHash128(h, name string, isNew bool)
	nameWithPreorderHash(h string) (string, bool, error)
	putNameWithPreorderHash(h, name string, isNew bool)
	// owned and putOwned: the s/ owner index (nil deletes it).
	owned(sender string) ([]string, error)
	putOwned(sender string, idx *ownerIndex)
	namespace(id string) (*Namespace, error)
	putNamespace(id string, ns *Namespace) // nil deletes it
	preorderRows(hash string) ([]Preorder, error)
	putPreorderRows(hash string, rows []Preorder) // nil deletes them
	account(addr, typ string) (*Account, error)
	putAccount(a *Account)
	keychain(ns string) ([]string, error)
	putKeychain(ns string, addrs []string)
	vesting(h uint64) ([]Vesting, error)
	putVesting(h uint64, rows []Vesting)
	events(h uint64) ([]scheduledEvent, error)
	putEvents(h uint64, evs []scheduledEvent) // nil deletes them
	consensusHashAt(h uint64) (string, bool, error)
	// putBlockHashes writes block n's consensus and ops hashes, and tip n.
	putBlockHashes(n uint64, ch, opsHash string) error
	// putHistory writes a history entry, its record as a delta from base.
	putHistory(name string, e *HistoryEntry, base *NameRecord, seq int)
}

// blockState is stateRW over the engine's state layer for block n.
type blockState struct {
	l      *state.Layer
	n      uint64
	keyBuf []byte // scratch for keys (the layer copies those it keeps)
}

func (s *blockState) key(k []byte) []byte {
	s.keyBuf = k
	return k
}

func (s *blockState) idKey(prefix, id string) []byte {
	return s.key(codec.AppendIDKey(s.keyBuf[:0], prefix, id))
}

func (s *blockState) name(name string) (*NameRecord, error) {
	if !isNameValid(name) {
		return nil, nil
	}
	return state.Get(s.l, nameFamily, s.key(codec.AppendNameKey(s.keyBuf[:0], name)))
}

func (s *blockState) putNameRecord(r *NameRecord) {
	state.Put(s.l, nameFamily, s.key(codec.AppendNameKey(s.keyBuf[:0], r.Name)), r)
}

func (s *blockState) getString(f *state.Family[string], id string) (string, bool, error) {
	v, err := state.Get(s.l, f, s.idKey(f.Prefix(), id))
	if err != nil || v == nil {
		return "", false, err
	}
	return *v, true, nil
}

func (s *blockState) nameWithHash128(h string) (string, bool, error) {
	return s.getString(hash128Family, h)
}

func (s *blockState) putNameWithHash128(h, name string, isNew bool) {
	putString(s, hash128Family, codec.PrefixNameHash128, h, name, isNew)
}

func putString(s *blockState, f *state.Family[string], prefix, id, v string, isNew bool) {
	if isNew {
		state.PutNew(s.l, f, s.idKey(prefix, id), &v)
	} else {
		state.Put(s.l, f, s.idKey(prefix, id), &v)
	}
}

func (s *blockState) nameWithPreorderHash(h string) (string, bool, error) {
	return s.getString(namePreorderFamily, h)
}

func (s *blockState) putNameWithPreorderHash(h, name string, isNew bool) {
	putString(s, namePreorderFamily, codec.PrefixNamePreorder, h, name, isNew)
}

func (s *blockState) owned(sender string) ([]string, error) {
	idx, err := state.Get(s.l, ownerFamily, s.idKey(codec.PrefixOwner, sender))
	if err != nil || idx == nil {
		return nil, err
	}
	return idx.Names, nil
}

func (s *blockState) putOwned(sender string, idx *ownerIndex) {
	state.Put(s.l, ownerFamily, s.idKey(codec.PrefixOwner, sender), idx)
}

func (s *blockState) namespace(id string) (*Namespace, error) {
	return state.Get(s.l, namespaceFamily, s.idKey(codec.PrefixNamespace, id))
}

func (s *blockState) putNamespace(id string, ns *Namespace) {
	state.Put(s.l, namespaceFamily, s.idKey(codec.PrefixNamespace, id), ns)
}

// getList and putList serve the families whose values are lists; a nil
// list is an absent key.
func getList[T any](s *blockState, f *state.Family[[]T], key []byte) ([]T, error) {
	v, err := state.Get(s.l, f, key)
	if err != nil || v == nil {
		return nil, err
	}
	return *v, nil
}

func putList[T any](s *blockState, f *state.Family[[]T], key []byte, list []T) {
	var v *[]T
	if list != nil {
		v = &list
	}
	state.Put(s.l, f, key, v)
}

func (s *blockState) preorderRows(hash string) ([]Preorder, error) {
	return getList(s, preorderFamily, s.idKey(codec.PrefixPreorder, hash))
}

func (s *blockState) putPreorderRows(hash string, rows []Preorder) {
	putList(s, preorderFamily, s.idKey(codec.PrefixPreorder, hash), rows)
}

func (s *blockState) account(addr, typ string) (*Account, error) {
	return state.Get(s.l, accountFamily, s.key(codec.AppendAccountKey(s.keyBuf[:0], addr, typ)))
}

func (s *blockState) putAccount(a *Account) {
	state.Put(s.l, accountFamily, s.key(codec.AppendAccountKey(s.keyBuf[:0], a.Address, a.Type)), a)
}

func (s *blockState) keychain(ns string) ([]string, error) {
	return getList(s, keychainFamily, s.idKey(codec.PrefixKeychain, ns))
}

func (s *blockState) putKeychain(ns string, addrs []string) {
	putList(s, keychainFamily, s.idKey(codec.PrefixKeychain, ns), addrs)
}

func (s *blockState) vesting(h uint64) ([]Vesting, error) {
	return getList(s, vestingFamily, codec.VestingKey(h))
}

func (s *blockState) putVesting(h uint64, rows []Vesting) {
	putList(s, vestingFamily, codec.VestingKey(h), rows)
}

func (s *blockState) events(h uint64) ([]scheduledEvent, error) {
	return getList(s, eventsFamily, codec.EventsKey(h))
}

func (s *blockState) putEvents(h uint64, evs []scheduledEvent) {
	putList(s, eventsFamily, codec.EventsKey(h), evs)
}

func (s *blockState) consensusHashAt(h uint64) (string, bool, error) {
	if v, ok := s.l.ConsensusHashAt(h); ok {
		return v, true, nil
	}
	v, err := state.Get(s.l, consensusHashFamily, codec.ConsensusHashKey(h))
	if err != nil || v == nil {
		return "", false, err
	}
	return *v, true, nil
}

func (s *blockState) putBlockHashes(n uint64, ch, opsHash string) error {
	state.PutNew(s.l, consensusHashFamily, codec.ConsensusHashKey(n), &ch)
	state.PutNew(s.l, opsHashFamily, codec.OpsHashKey(n), &opsHash)
	// The read notes the tip key's prior.
	if _, err := state.Get(s.l, tipFamily, []byte(codec.KeyTip)); err != nil {
		return err
	}
	state.Put(s.l, tipFamily, []byte(codec.KeyTip), &n)
	return nil
}

func (s *blockState) putHistory(name string, e *HistoryEntry, base *NameRecord, seq int) {
	a := s.l.Arena()
	k := a.Build(len(codec.PrefixHistory)+len(name)+15, func(dst []byte) []byte {
		return codec.AppendHistoryKey(dst, name, e.Height, e.Vtxindex, seq)
	})
	v := a.Build(256, func(dst []byte) []byte { return appendHistory(dst, e, base) })
	// A key of this block's height cannot exist yet; a preorder's entry,
	// keyed by the preorder's height, has no known prior.
	s.l.PutBlind(historyFamily, k, v, e.Height == s.n)
}

// Name liveness (state-machine.md §2.5, §4.1) is a pure function of the
// rules, the record, its namespace, the block n being checked and the
// height h asked about.

// revealLive: a revealed, unready namespace whose reveal has not expired, as
// seen by a query at height h (§4.3). Under Rules.SameBlockReady (0.13) the
// reveal counts from its own block and lives until the end of block
// block_number + NamespaceRevealExpire.
func revealLive(p *Params, ns *Namespace, n, h uint64) bool {
	if ns == nil || ns.Op != "&" {
		return false
	}
	if p.Rules.SameBlockReady {
		return n <= ns.BlockNumber+p.NamespaceRevealExpire
	}
	return ns.RevealBlock <= h && h < ns.RevealBlock+p.NamespaceRevealExpire
}

// lifetime returns L·M(h) for namespace ns.
func lifetime(p *Params, ns *Namespace, h uint64) uint64 {
	return ns.Lifetime * p.NamespaceRules(h, ns.NamespaceID).LifetimeMultiplier
}

// aliveIn is the name liveness predicate of §2.5 for r in namespace ns.
func aliveIn(p *Params, r *NameRecord, ns *Namespace, n, h uint64) bool {
	if r.FirstRegistered > h {
		return false
	}
	switch ns.Op {
	case "!":
		lm := lifetime(p, ns, h)
		if p.Rules.ExpiryInclusive {
			return max(ns.ReadyBlock, r.LastRenewed)+lm >= h
		}
		g := p.NamespaceRules(h, ns.NamespaceID).GracePeriod
		return ns.ReadyBlock+lm+g > h || r.LastRenewed+lm+g >= h
	case "&":
		return revealLive(p, ns, n, h)
	}
	return false
}

// inGrace: alive, namespace ready, expire_block ≤ h < expire_block + G (§4.1).
func inGrace(p *Params, r *NameRecord, ns *Namespace, n, h uint64) bool {
	if ns == nil || !ns.Ready() || !aliveIn(p, r, ns, n, h) || ns.Lifetime == NamespaceLifeInfinite {
		return false
	}
	exp := max(ns.ReadyBlock, r.LastRenewed) + lifetime(p, ns, h)
	g := p.NamespaceRules(h, ns.NamespaceID).GracePeriod
	return exp <= h && h < exp+g
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
	ns, err := b.st.namespace(id)
	if err != nil {
		return nil, err
	}
	b.lastNS, b.lastNSOK = namespaceRead{id: id, ns: ns}, true
	return ns, nil
}

// putNamespace writes a copy of ns (nil: deletes namespace id).
func (b *blockCtx) putNamespace(id string, ns *Namespace) {
	b.lastNSOK = false
	if ns != nil {
		cp := *ns
		ns = &cp
	}
	b.st.putNamespace(id, ns)
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

// preorder returns the first row of hash with the given op ('?' or '*'),
// shared with the cache: callers copy it before changing it.
func (b *blockCtx) preorder(hash, op string) (*Preorder, error) {
	rows, err := b.st.preorderRows(hash)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].Op == op {
			return &rows[i], nil
		}
	}
	return nil, nil
}

// account returns a copy of a token account, or nil.
func (b *blockCtx) account(addr, typ string) (*Account, error) {
	a, err := b.st.account(addr, typ)
	if err != nil || a == nil {
		return nil, err
	}
	cp := *a
	return &cp, nil
}

// alive is aliveIn at h for a record whose namespace is read.
func (b *blockCtx) alive(r *NameRecord, h uint64) (bool, error) {
	if r == nil || r.FirstRegistered > h {
		return false, nil
	}
	ns, err := b.namespace(r.NamespaceID)
	if err != nil || ns == nil {
		return false, err
	}
	return aliveIn(b.p, r, ns, b.n, h), nil
}

// registered: alive at h and not revoked.
func (b *blockCtx) registered(r *NameRecord, h uint64) (bool, error) {
	if r == nil || r.Revoked {
		return false, nil
	}
	return b.alive(r, h)
}

// namesBySenderReaching is namesBySender for a caller that only compares
// the count with need: when the owner index lists fewer than need names,
// the count is below need too and 0 is returned without reading them.
func (b *blockCtx) namesBySenderReaching(sender string, h uint64, need int) (int, error) {
	if need > 0 {
		names, err := b.st.owned(sender)
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
	names, err := b.st.owned(sender)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, nm := range names {
		r, err := b.st.name(nm)
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
	return slices.Contains(w, ch), nil
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
			raw, ok, err := b.st.consensusHashAt(h)
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
// record's own op, txid and vtxindex at this block's height). r is kept
// as it is: the caller must not change it afterwards. base is the name's
// record before this write (nil: none), as the operation's check read it:
// a check is applied right after it, so nothing wrote the name in between.
// It is the base of the entry's delta (see history.go), and its owner is
// the one whose index loses the name if the owner changes.
func (b *blockCtx) putName(r, base *NameRecord) error {
	b.st.putNameRecord(r)
	// Most writes of a name leave its indexes as they are: only write
	// the ones that change (the state is the same either way). The
	// previous write of the name left both pointing at it, and its 128-bit
	// hash never changes, so only a new preorder hash needs a look at the
	// index. A new name's index keys (hashes of the name) are written unread.
	isNew := base == nil
	if isNew || base.NameHash128 != r.NameHash128 {
		if err := putIndex(b.st.nameWithHash128, b.st.putNameWithHash128, r.NameHash128, r.Name, isNew); err != nil {
			return err
		}
	}
	if isNew || base.PreorderHash != r.PreorderHash {
		if err := putIndex(b.st.nameWithPreorderHash, b.st.putNameWithPreorderHash, r.PreorderHash, r.Name, isNew); err != nil {
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

// putIndex writes name under an index key unless it holds it (isNew: it cannot exist yet).
func putIndex(get func(string) (string, bool, error), put func(string, string, bool), key, name string, isNew bool) error {
	if !isNew {
		if old, ok, err := get(key); err != nil || (ok && old == name) {
			return err
		}
	}
	put(key, name, isNew)
	return nil
}

// addHistory writes a history entry; each key is written once (histSeq).
func (b *blockCtx) addHistory(name string, entry *HistoryEntry, base *NameRecord) {
	b.histSeq++
	b.st.putHistory(name, entry, base, b.histSeq)
}

func (b *blockCtx) ownerIndexEdit(sender, name string, add bool) error {
	shared, err := b.st.owned(sender)
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
		idx = nil
	} else {
		idx.Names = names
	}
	b.st.putOwned(sender, idx)
	return nil
}

// ownerIndexBox is an owner index with room for a short list.
type ownerIndexBox struct {
	idx  ownerIndex
	room [4]string
}

// debit / credit change a token account (§1.5).
func (b *blockCtx) debit(addr, typ string, amt *big.Int) error {
	return b.changeAccount(addr, typ, func(a *Account) { a.Debit = new(big.Int).Add(mustBig(a.Debit), amt).String() })
}

func (b *blockCtx) credit(addr, typ string, amt *big.Int) error {
	return b.changeAccount(addr, typ, func(a *Account) { a.Credit = new(big.Int).Add(mustBig(a.Credit), amt).String() })
}

func (b *blockCtx) changeAccount(addr, typ string, change func(*Account)) error {
	a, err := b.account(addr, typ)
	if err != nil {
		return err
	}
	if a == nil {
		a = &Account{Address: addr, Type: typ, Credit: "0", Debit: "0", ReceiveWhitelisted: true}
	}
	change(a)
	b.st.putAccount(a)
	return nil
}

// schedule adds an end-of-block event at height h.
func (b *blockCtx) schedule(h uint64, ev scheduledEvent) error {
	evs, err := b.st.events(h)
	if err != nil || slices.Contains(evs, ev) {
		return err
	}
	b.st.putEvents(h, append(slices.Clip(evs), ev))
	return nil
}

// endOfBlock runs the 0.13 scheduled events of block N and credits the
// vesting of block N+1.
func (b *blockCtx) endOfBlock() error {
	evs, err := b.st.events(b.n)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		switch ev.Kind {
		case "unrevoke":
			r, err := b.st.name(ev.ID)
			if err != nil {
				return err
			}
			ns, err := b.namespace(codec.NamespaceOf(ev.ID))
			if err != nil {
				return err
			}
			if r != nil && ns != nil && r.Revoked && r.LastRenewed+ns.Lifetime == b.n {
				nr := *r
				nr.Revoked = false
				b.st.putNameRecord(&nr)
			}
		case "drop-reveal":
			ns, err := b.namespace(ev.ID)
			if err != nil {
				return err
			}
			if ns != nil && ns.Op == "&" && ns.BlockNumber+b.p.NamespaceRevealExpire == b.n {
				b.putNamespace(ev.ID, nil)
			}
		}
	}
	if evs != nil {
		b.st.putEvents(b.n, nil)
	}
	vest, err := b.st.vesting(b.n + 1)
	if err != nil {
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
