package consensus

import "github.com/spvcheck/spvcheck/consensus/internal/codec"

// NameStatus is where a name stands at one height, by the same predicates
// the engine applies (state-machine.md §2.5, §4.1).
type NameStatus struct {
	Record    *NameRecord `json:"record"`
	Namespace *Namespace  `json:"namespace"`
	// Height is the height the status was evaluated at.
	Height uint64 `json:"height"`
	// Alive: the name exists at Height (revoked names are still alive).
	Alive bool `json:"alive"`
	// Registered: alive and not revoked; only registered names can be
	// updated, transferred or renewed by their owner.
	Registered bool `json:"registered"`
	// InGrace: expired but still renewable by its owner (epoch 3 on).
	InGrace bool `json:"in_grace"`
	// NeverExpires: the namespace's lifetime is infinite, or the namespace is
	// revealed but not ready (its names live as long as the reveal).
	NeverExpires bool `json:"never_expires"`
	// ExpireBlock is the first height at which the name counts as expired,
	// and RenewalDeadline the last height at which its owner may still renew
	// it, both under the epoch rules in force at Height (the lifetime
	// multiplier and grace period of that epoch apply to every name). Zero
	// when NeverExpires.
	ExpireBlock     uint64 `json:"expire_block,omitempty"`
	RenewalDeadline uint64 `json:"renewal_deadline,omitempty"`
}

// NameStatus returns the status of a name at height h (normally the tip), or
// nil when the name has never existed.
func (v *View) NameStatus(name string, h uint64) (*NameStatus, error) {
	rec, err := v.Name(name)
	if err != nil || rec == nil {
		return nil, err
	}
	ns, err := v.Namespace(rec.NamespaceID)
	if err != nil {
		return nil, err
	}
	st := &NameStatus{Record: rec, Namespace: ns, Height: h}
	if ns == nil {
		return st, nil
	}
	// As the engine's checks in block h+1 would see it.
	st.Alive = aliveIn(v.p, rec, ns, h+1, h)
	st.Registered = st.Alive && !rec.Revoked
	st.InGrace = inGrace(v.p, rec, ns, h+1, h)
	if !ns.Ready() || ns.Lifetime == NamespaceLifeInfinite {
		st.NeverExpires = true
		return st, nil
	}
	st.ExpireBlock = max(ns.ReadyBlock, rec.LastRenewed) + lifetime(v.p, ns, h)
	st.RenewalDeadline = st.ExpireBlock + v.p.NamespaceRules(h, ns.NamespaceID).GracePeriod
	return st, nil
}

// NamespaceIDs lists every namespace ever revealed, sorted.
func (v *View) NamespaceIDs() ([]string, error) {
	var out []string
	prefix := []byte(codec.PrefixNamespace)
	err := v.r.Scan(prefix, func(key, _ []byte) (bool, error) {
		out = append(out, string(key[len(prefix):]))
		return true, nil
	})
	return out, err
}
