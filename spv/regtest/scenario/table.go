package scenario

import (
	"fmt"
	"slices"

	"github.com/spvcheck/spvcheck/consensus"
)

// NameState is what a name looks like at the end of a scenario.
type NameState struct {
	// Owner is the owner's address.
	Owner string
	// ValueHash is the zone-file hash in hex, "" when the name has none.
	ValueHash string
	Revoked   bool
	// Expired means the name's lifetime has run out at the tip: its
	// expire block max(ready_block, last_renewed) + lifetime·multiplier
	// is at or below the tip. From epoch 3 on such a name is first in its
	// renewal grace period (only its owner can renew it) and is gone,
	// free for anyone to register, once the grace period is over too.
	Expired bool
}

func (s NameState) String() string {
	v := s.ValueHash
	if v == "" {
		v = "-"
	}
	return fmt.Sprintf("owner %s, value hash %s, revoked %t, expired %t", s.Owner, v, s.Revoked, s.Expired)
}

// NameTable maps fully-qualified names to their state.
type NameTable map[string]NameState

// TableOf reads the name table of the given namespaces from committed
// state as of its last block: every name ever registered or imported there.
// Applied to the light client's state and to a Runner's own replay, it
// gives tables that must be equal.
func TableOf(v *consensus.View, namespaces []string) (NameTable, error) {
	tip, ok, err := v.Tip()
	if err != nil {
		return nil, err
	}
	if !ok {
		return NameTable{}, nil
	}
	out := NameTable{}
	for _, id := range namespaces {
		ns, err := v.Namespace(id)
		if err != nil {
			return nil, fmt.Errorf("namespace %s: %w", id, err)
		}
		if ns == nil {
			continue
		}
		names, err := v.NamesInNamespace(id)
		if err != nil {
			return nil, fmt.Errorf("names of %s: %w", id, err)
		}
		for _, name := range names {
			status, err := v.NameStatus(name, tip)
			if err != nil {
				return nil, fmt.Errorf("name %s: %w", name, err)
			}
			rec := status.Record
			st := NameState{Owner: rec.Address, Revoked: rec.Revoked}
			if rec.ValueHash != nil {
				st.ValueHash = *rec.ValueHash
			}
			// The engine's own expiry block (lifetime × the multiplier of the
			// tip's epoch), grace period or not.
			st.Expired = !status.NeverExpires && status.ExpireBlock <= tip
			out[name] = st
		}
	}
	return out, nil
}

// Diff lists, one line per name in sorted order, how got differs from want.
func (want NameTable) Diff(got NameTable) []string {
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		w, inWant := want[n]
		g, inGot := got[n]
		switch {
		case !inGot:
			out = append(out, fmt.Sprintf("%s: missing; want %s", n, w))
		case !inWant:
			out = append(out, fmt.Sprintf("%s: unexpected; got %s", n, g))
		case w != g:
			out = append(out, fmt.Sprintf("%s: want %s; got %s", n, w, g))
		}
	}
	return out
}
