package main_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/hostile"
)

// `spvcheck sync` against a peer that claims a height it never delivers
// (its version message's start_height rewritten by a relay) ends on its
// own: exit 0 at the best verified tip, with a warning that names the peer
// and its claim. Before, it waited until killed.
func TestHostileSyncInflatedHeight(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node, err := regtest.Start(ctx, regtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Stop()
	if _, err := node.Generate(ctx, 300); err != nil {
		t.Fatal(err)
	}
	relay, err := hostile.Start(node.P2PAddr(), node.Params().Net, func(dir hostile.Direction, msg wire.Message) hostile.Verdict {
		if v, ok := msg.(*wire.MsgVersion); ok && dir == hostile.ToClient {
			lie := *v
			lie.LastBlock = 1_000_000
			return hostile.Pass(&lie)
		}
		return hostile.Pass(msg)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()

	dir := filepath.Join(t.TempDir(), "data")
	start := time.Now()
	r := spvcheck(t, "sync", "--network", "regtest", "--peer", relay.Addr(), "--datadir", dir,
		"--stall-timeout", "2s", "--json")
	took := time.Since(start)
	r.expect(t, 0)
	// Two stall windows plus reconnects: far below a minute.
	if took > 25*time.Second {
		t.Fatalf("sync took %v against a peer that lies about its height", took)
	}
	var out struct {
		Tip struct {
			Height int64 `json:"height"`
		} `json:"tip"`
		Stalled  bool     `json:"stalled"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if out.Tip.Height != 294 || !out.Stalled || len(out.Warnings) != 1 {
		t.Fatalf("want the store at 294 and one stall warning, got %+v", out)
	}
	if w := out.Warnings[0]; !strings.Contains(w, relay.Addr()+" claimed height 1000000") || !strings.Contains(w, "verified headers reach 300") {
		t.Fatalf("the warning does not name the peer and its claim: %q", w)
	}

	// The human form says the same; status sees no ban (a stall is not
	// misbehaviour) and the store is whole.
	r = spvcheck(t, "sync", "--network", "regtest", "--peer", relay.Addr(), "--datadir", dir, "--stall-timeout", "1s")
	r.expect(t, 0, "WARNING: stopped at the best verified tip", "claimed height 1000000")
	spvcheck(t, "audit", dir, "--no-replay").expect(t, 0)
}

// A peer that neutrino bans does not take an honest peer on the same IP
// with it; `status` shows the ban and `status --clear-bans` lifts it.
func TestHostileStatusShowsBans(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node, err := regtest.Start(ctx, regtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Stop()
	if _, err := node.Generate(ctx, 300); err != nil {
		t.Fatal(err)
	}
	// The relay stops offering compact filters: neutrino bans it.
	relay, err := hostile.Start(node.P2PAddr(), node.Params().Net, func(dir hostile.Direction, msg wire.Message) hostile.Verdict {
		if v, ok := msg.(*wire.MsgVersion); ok && dir == hostile.ToClient {
			stripped := *v
			stripped.Services &^= wire.SFNodeCF
			return hostile.Pass(&stripped)
		}
		return hostile.Pass(msg)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	dir := filepath.Join(t.TempDir(), "data")
	spvcheck(t, "sync", "--network", "regtest", "--peer", relay.Addr(), "--peer", node.P2PAddr(), "--datadir", dir).
		expect(t, 0, "blocks 256..294 applied")

	var out struct {
		Bans []struct {
			Peer string `json:"peer"`
		} `json:"bans"`
		ClearedBans []string `json:"cleared_bans"`
		Warnings    []string `json:"warnings"`
	}
	r := spvcheck(t, "status", "--datadir", dir, "--json")
	r.expect(t, 1)
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Bans) != 1 || out.Bans[0].Peer != relay.Addr() || !strings.Contains(strings.Join(out.Warnings, "\n"), "--clear-bans") {
		t.Fatalf("status does not show the relay's ban alone: %s", r.stdout)
	}
	r = spvcheck(t, "status", "--datadir", dir, "--clear-bans", "--json")
	r.expect(t, 0)
	out.Bans, out.ClearedBans = nil, nil
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Bans) != 0 || len(out.ClearedBans) != 1 || out.ClearedBans[0] != relay.Addr() {
		t.Fatalf("--clear-bans did not lift the ban: %s", r.stdout)
	}
}
