package consensus

import (
	"encoding/hex"
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/btcsuite/btcd/address/v2/base58"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
)

// Queries a name server asks of committed state (core-api.md), evaluated
// at a height h that is normally the view's tip. "Listed" names follow the
// reference's unexpired-name predicate: a name that is alive at h
// (registered or revoked, in its grace period included) in a ready
// namespace or a live revealed one.

// alive reports whether a name counts as existing at h, as the engine's
// checks in block h+1 see the state as of h.
func (v *View) alive(r *NameRecord, ns *Namespace, h uint64) bool {
	return aliveIn(v.p, r, ns, h+1, h)
}

// EachName calls fn with every name record in key order (by namespace, then
// name) until fn returns false or an error.
func (v *View) EachName(fn func(*NameRecord) (bool, error)) error {
	return v.r.Scan([]byte(codec.PrefixName), func(key, val []byte) (bool, error) {
		r, err := nameFamily.Decode(val)
		if err != nil {
			return false, newCorruptKey(key, err)
		}
		return fn(r)
	})
}

func newCorruptKey(key []byte, err error) error {
	return &corruptKeyError{key: string(key), err: err}
}

type corruptKeyError struct {
	key string
	err error
}

func (e *corruptKeyError) Error() string {
	return "consensus: corrupt state at " + e.key + ": " + e.err.Error()
}
func (e *corruptKeyError) Unwrap() error { return e.err }

// Listed reports whether a name record counts as an existing name at h,
// given its namespace (nil: never).
func (v *View) Listed(r *NameRecord, ns *Namespace, h uint64) bool {
	if r == nil || ns == nil {
		return false
	}
	return v.alive(r, ns, h)
}

// ListedNames returns every name listed at h, sorted by name (byte order),
// and the names of each namespace.
func (v *View) ListedNames(h uint64) ([]string, error) {
	nss := map[string]*Namespace{}
	var out []string
	err := v.EachName(func(r *NameRecord) (bool, error) {
		ns, seen := nss[r.NamespaceID]
		if !seen {
			var err error
			if ns, err = v.Namespace(r.NamespaceID); err != nil {
				return false, err
			}
			nss[r.NamespaceID] = ns
		}
		if ns != nil && v.alive(r, ns, h) {
			out = append(out, r.Name)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// NameCount returns the number of names listed at h.
func (v *View) NameCount(h uint64) (int, error) {
	names, err := v.ListedNames(h)
	return len(names), err
}

// ListedNamesInNamespace returns the names of namespace ns listed at h,
// sorted.
func (v *View) ListedNamesInNamespace(id string, h uint64) ([]string, error) {
	ns, err := v.Namespace(id)
	if err != nil || ns == nil {
		return nil, err
	}
	var out []string
	err = v.r.Scan(codec.NamesInNamespacePrefix(id), func(key, val []byte) (bool, error) {
		r, err := nameFamily.Decode(val)
		if err != nil {
			return false, newCorruptKey(key, err)
		}
		if v.alive(r, ns, h) {
			out = append(out, r.Name)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// ReadyNamespaceIDs lists the launched namespaces, sorted.
func (v *View) ReadyNamespaceIDs() ([]string, error) {
	ids, err := v.NamespaceIDs()
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		ns, err := v.Namespace(id)
		if err != nil {
			return nil, err
		}
		if ns != nil && ns.Ready() {
			out = append(out, id)
		}
	}
	return out, nil
}

// ScriptOfAddress returns the output script (hex) a base58check address of
// these parameters pays: p2pkh or p2sh. ok is false for an address of
// another network or an undecodable one.
func (p *Params) ScriptOfAddress(addr string) (script string, ok bool) {
	payload, version, err := base58.CheckDecode(addr)
	if err != nil || len(payload) != 20 {
		return "", false
	}
	switch version {
	case p.AddressVersion:
		return "76a914" + hex.EncodeToString(payload) + "88ac", true
	case p.P2SHVersion:
		return "a914" + hex.EncodeToString(payload) + "87", true
	}
	return "", false
}

// NamesOwnedBy returns the unrevoked names listed at h whose owner is addr,
// sorted. It reads the owner index (keyed by owner script), so it costs
// only the names that address owns.
func (v *View) NamesOwnedBy(addr string, h uint64) ([]string, error) {
	script, ok := v.p.ScriptOfAddress(addr)
	if !ok {
		return nil, nil
	}
	idx, err := viewGet(v, ownerFamily, codec.AppendIDKey(nil, codec.PrefixOwner, script))
	if err != nil || idx == nil {
		return nil, err
	}
	var out []string
	for _, name := range idx.Names {
		r, err := v.Name(name)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Revoked || r.Address != addr {
			continue
		}
		ns, err := v.Namespace(r.NamespaceID)
		if err != nil {
			return nil, err
		}
		if ns != nil && v.alive(r, ns, h) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Units of a price.
const (
	UnitsBTC    = unitsBTC
	UnitsStacks = unitsStacks
)

// NamePrice is what registering name costs at height h under the consensus
// price rules (normally h is the next block's height): the amount rounded
// up to a whole unit, as the reference's get_name_cost did, in satoshis
// ("BTC") or micro-STX ("STACKS", version-3 namespaces). ok is false when
// the name's namespace does not exist (or the name is malformed).
func (v *View) NamePrice(name string, h uint64) (amount *big.Int, units string, ok bool, err error) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || !isNameValid(name) {
		return nil, "", false, nil
	}
	ns, err := v.Namespace(name[i+1:])
	if err != nil || ns == nil {
		return nil, "", false, err
	}
	pr := v.p.priceName(name[:i], ns, h)
	units = unitsBTC
	if ns.Version == 3 {
		units = unitsStacks
	}
	return ceilPrice(pr), units, true, nil
}

// ceilPrice rounds a price up to an integer, as Python's int(math.ceil(x)).
func ceilPrice(p Price) *big.Int {
	if !p.IsFloat {
		return new(big.Int).Set(p.I)
	}
	b, _ := new(big.Float).SetFloat64(math.Ceil(p.F)).Int(nil)
	return b
}

// NamespacePrice is what a namespace ID costs at height h, in the units
// that height's epoch prices namespaces in. ok is false when that epoch
// has no price for the ID (or the ID is malformed).
func (v *View) NamespacePrice(id string, h uint64) (amount *big.Int, units string, ok bool) {
	if !isNamespaceIDValid(id) {
		return nil, "", false
	}
	units = v.p.NamespacePriceUnits(h)
	amount, ok = v.p.priceNamespace(id, h, units)
	return amount, units, ok
}

// NamespacePriceUnits is the unit namespaces are paid in at height h: BTC
// while the epoch has a BTC price table, STACKS from the epoch that has
// only a STACKS one.
func (p *Params) NamespacePriceUnits(h uint64) string {
	e := p.Epoch(h)
	if e.NamespacePricesBTC == nil && e.NamespacePricesStacks != nil {
		return unitsStacks
	}
	return unitsBTC
}
