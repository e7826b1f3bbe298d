package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv/pipeline"
)

// applyStoredGenesis gives net the genesis allocation the store was built
// with (sync --genesis records it), so that its fingerprint is the store's.
func applyStoredGenesis(s *snapshot.Store, net *network) error {
	raw, ok, err := s.GenesisData()
	if err != nil || !ok {
		return err
	}
	g, err := consensus.ReadGenesis(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("the store's recorded genesis allocation: %w", err)
	}
	net.Consensus.Genesis = g
	return nil
}

// readGenesisFile reads a genesis allocation for sync --genesis.
func readGenesisFile(path string) ([]consensus.GenesisAccount, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--genesis: %w", err)
	}
	g, err := consensus.ReadGenesis(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("--genesis %s: %w", path, err)
	}
	if len(g) == 0 {
		return nil, nil, fmt.Errorf("--genesis %s: no allocations in the file", path)
	}
	return g, raw, nil
}

// storedGenesis returns the genesis allocation recorded in an existing
// store of dir (nil when there is no store or it has none).
func storedGenesis(ctx context.Context, dir string) ([]byte, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	s, err := snapshot.Open(ctx, dir, snapshot.Options{ReadOnly: true})
	if err != nil {
		return nil, nil // sync's own open reports the problem
	}
	defer s.Close()
	raw, _, err := s.GenesisData()
	return raw, err
}

// trust fills at's marks: the unverified mark and the freeze.
func (at *verifiedAt) trust(s *snapshot.Store, p *consensus.Params) error {
	u, err := s.TrustAt(p, at.Height)
	if err != nil {
		return err
	}
	if u != nil {
		at.Unverified = u.String()
		at.UnverifiedReason = string(u.Reason)
		at.UnverifiedFrom = u.From
	}
	if h, ok := p.FinalHeight(); ok {
		at.FreezeHeight = p.FreezeHeight
		at.Final = at.Height >= h
	}
	return nil
}

// printNotes writes the marks of an answer for a human.
func (at *verifiedAt) printNotes(w io.Writer) {
	if at.Unverified != "" {
		fmt.Fprintf(w, "WARNING: %s: the store replayed token-paid operations against empty accounts; "+
			"answers from that block on may differ from the network's (sync again with --genesis FILE into a new data directory)\n", at.Unverified)
	}
	if at.Final {
		fmt.Fprintf(w, "final: operations from block %d on are ignored by the final v1 rules; this is the final name table\n", at.FreezeHeight)
	}
}

// finalLine is what sync prints when it stopped at the final height.
func finalLine(p *consensus.Params) string { return pipeline.FinalNote(p) }

// statusGuards is what status says about the safeguards of a real chain
// (snapshot.Safeguards).
type statusGuards struct {
	Final        bool   `json:"final,omitempty"`
	FreezeHeight uint64 `json:"freeze_height,omitempty"`
	Unverified   string `json:"unverified,omitempty"`
	// Alarm is the divergence alarm over the last blocks
	// (snapshot.DivergenceAlarm: threshold DefaultAlarmSenders distinct
	// senders).
	Alarm       *snapshot.DivergenceAlarm   `json:"divergence_alarm,omitempty"`
	Checkpoints []snapshot.CheckpointStatus `json:"checkpoints,omitempty"`
}

// readStatusGuards computes statusGuards for the store and the warnings
// they call for.
func readStatusGuards(s *snapshot.Store, p *consensus.Params, window uint64) (statusGuards, []string, error) {
	sg, _, err := s.Safeguards(p, window, 0)
	if err != nil {
		return statusGuards{}, nil, err
	}
	g := statusGuards{Final: sg.Final, FreezeHeight: sg.FreezeHeight, Alarm: &sg.Alarm, Checkpoints: sg.Checkpoints}
	if sg.Unverified != nil {
		g.Unverified = sg.Unverified.String()
	}
	var warn []string
	if sg.Alarm.Raised {
		warn = append(warn, sg.Alarm.String())
	}
	if sg.CheckpointMismatch {
		warn = append(warn, "the store disagrees with a published consensus hash the final rules must reproduce (see checkpoints)")
	}
	return g, warn, nil
}

// print writes the human lines of status.
func (g statusGuards) print(w io.Writer) {
	if g.FreezeHeight != 0 {
		state := "not yet reached"
		if g.Final {
			state = "reached: the state is final"
		}
		fmt.Fprintf(w, "freeze         operations from block %d on are ignored (%s)\n", g.FreezeHeight, state)
	}
	if g.Unverified != "" {
		fmt.Fprintf(w, "trust          %s\n", g.Unverified)
	}
	if g.Alarm != nil {
		fmt.Fprintf(w, "divergence     %s\n", g.Alarm.String())
	}
	for _, r := range g.Checkpoints {
		req := "reported"
		if r.MustReproduce {
			req = "required"
		}
		line := fmt.Sprintf("checkpoint     %d %s (%s, %s): %s", r.Height, r.Published, req, r.Source, r.State)
		if r.Ours != "" && r.Ours != r.Published {
			line += ", ours " + r.Ours
		}
		fmt.Fprintln(w, line)
	}
}

// unverifiedFor is the unverified mark of a store or snapshot file known
// only by its network, parameters fingerprint and tip (audit): built under
// a preset that needs a genesis allocation it lacks, past the first token
// block. Empty when it is verified.
func unverifiedFor(network, fingerprint string, tip uint64) string {
	net, err := networkByName(network)
	if err != nil {
		return ""
	}
	p := net.Consensus
	if !p.MissingGenesis() || fingerprint != p.Fingerprint() {
		return ""
	}
	from, ok := p.FirstTokenBlock()
	if !ok || tip < from {
		return ""
	}
	return snapshot.Unverified{Reason: snapshot.ReasonNoGenesis, From: from}.String()
}

// recordGenesis records the genesis allocation in the store at dir (import
// --genesis), so that later commands rebuild the rules it was built with.
func recordGenesis(ctx context.Context, dir string, net *network, raw []byte) error {
	s, err := snapshot.Open(ctx, dir, snapshot.Options{Network: net.Name, ParamsFingerprint: net.Consensus.Fingerprint()})
	if err != nil {
		return err
	}
	if err := s.SetGenesisData(raw); err != nil {
		s.Close()
		return err
	}
	return s.Close()
}
