package consensus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/spvcheck/spvcheck/consensus/internal/codec"
	"github.com/spvcheck/spvcheck/consensus/internal/state"
)

// View answers queries about the state as of the last committed block.
// It reads the store directly and never sees a block in progress.
type View struct {
	r Reader
	p *Params
}

// NewView returns a View over committed state produced under p.
func NewView(p *Params, r Reader) *View { return &View{r: r, p: p} }

// View returns a View over the engine's store.
func (e *Engine) View() *View { return NewView(e.p, e.store) }

// viewGet reads key of family f from committed state (nil: absent),
// decoded as the engine decodes it.
func viewGet[T any](v *View, f *state.Family[T], key []byte) (*T, error) {
	b, err := v.r.Get(key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := f.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("consensus: corrupt state at %q: %w", key, err)
	}
	return t, nil
}

// Name returns a name's current record, or nil if it never existed.
func (v *View) Name(name string) (*NameRecord, error) {
	if !isNameValid(name) {
		return nil, nil
	}
	return viewGet(v, nameFamily, codec.NameKey(name))
}

// NamesInNamespace lists every name ever registered or imported in ns, sorted.
func (v *View) NamesInNamespace(ns string) ([]string, error) {
	var out []string
	err := v.r.Scan(codec.NamesInNamespacePrefix(ns), func(key, _ []byte) (bool, error) {
		out = append(out, string(key[len(codec.NamesInNamespacePrefix(ns)):]))
		return true, nil
	})
	return out, err
}

// Namespace returns a namespace's record, or nil.
func (v *View) Namespace(id string) (*Namespace, error) {
	return viewGet(v, namespaceFamily, codec.NamespaceKey(id))
}

// NameHistory returns a name's accepted changes, oldest first.
func (v *View) NameHistory(name string) ([]HistoryEntry, error) {
	var out []HistoryEntry
	var prev *NameRecord // the last entry's record: the base of a delta
	err := v.r.Scan(codec.HistoryPrefix(name), func(_, val []byte) (bool, error) {
		var e HistoryEntry
		if err := decodeHistory(val, prev, &e); err != nil {
			return false, fmt.Errorf("consensus: corrupt history of %s: %w", name, err)
		}
		if e.Record != nil {
			prev = e.Record
		}
		out = append(out, e)
		return true, nil
	})
	return out, err
}

// Account returns a token account, or nil.
func (v *View) Account(addr, typ string) (*Account, error) {
	return viewGet(v, accountFamily, codec.AccountKey(addr, typ))
}

// Balance returns an account's balance (zero for no account).
func (v *View) Balance(addr, typ string) (*big.Int, error) {
	a, err := v.Account(addr, typ)
	if err != nil || a == nil {
		return new(big.Int), err
	}
	return a.Balance(), nil
}

// Accounts lists every token account in key order.
func (v *View) Accounts() ([]Account, error) {
	var out []Account
	err := v.r.Scan([]byte(codec.PrefixAccount), func(_, val []byte) (bool, error) {
		var a Account
		if err := decodeValue(val, &a); err != nil {
			return false, err
		}
		out = append(out, a)
		return true, nil
	})
	return out, err
}

func (v *View) hashAt(key []byte) (string, bool, error) {
	b, err := v.r.Get(key)
	if errors.Is(err, ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// ConsensusHash returns the consensus hash of block h.
func (v *View) ConsensusHash(h uint64) (string, bool, error) {
	return v.hashAt(codec.ConsensusHashKey(h))
}

// OpsHash returns the ops hash of block h.
func (v *View) OpsHash(h uint64) (string, bool, error) { return v.hashAt(codec.OpsHashKey(h)) }

// Tip returns the height of the last committed block; ok is false before
// the first block.
func (v *View) Tip() (height uint64, ok bool, err error) {
	b, err := v.r.Get([]byte(codec.KeyTip))
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if len(b) != 8 {
		return 0, false, errCorrupt
	}
	return binary.BigEndian.Uint64(b), true, nil
}
