package spv

import (
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/hostile"
	"github.com/stretchr/testify/require"
)

// A peer that neutrino bans (here: its version message no longer offers
// compact filters, which neutrino punishes with a 24-hour ban) never bans
// an honest peer on the same IP. Both are on 127.0.0.1: before aliases,
// the ban covered the whole address, kept in neutrino.db, and a later run
// could not reach the honest node either. Bans lists the ban; ClearBans
// lifts it.
func TestHostileBanStaysWithOnePeer(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 50)
	relay, err := hostile.Start(node.P2PAddr(), node.Params().Net, func(dir hostile.Direction, msg wire.Message) hostile.Verdict {
		if v, ok := msg.(*wire.MsgVersion); ok && dir == hostile.ToClient {
			stripped := *v
			stripped.Services &^= wire.SFNodeCF
			return hostile.Pass(&stripped)
		}
		return hostile.Pass(msg)
	})
	require.NoError(t, err)
	defer relay.Close()

	cfg := testConfig(t, relay.Addr(), node.P2PAddr())
	c := startClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.WaitSynced(ctx, nil))
	deadline := time.Now().Add(10 * time.Second)
	var bans []Ban
	for {
		bans, err = c.Bans()
		require.NoError(t, err)
		if len(bans) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Len(t, bans, 1, "the relay was not banned")
	require.Equal(t, relay.Addr(), bans[0].Peer)
	require.Contains(t, bans[0].Reason, "compact filters")
	require.True(t, bans[0].Expires.After(time.Now().Add(23*time.Hour)))
	peers, err := c.PeerHeights()
	require.NoError(t, err)
	require.Equal(t, []PeerHeight{{Addr: node.P2PAddr(), Height: 50}}, peers, "the honest peer on the same IP stays connected")
	require.NoError(t, c.Stop())

	// A later run on the same data directory reaches the honest node
	// (the ban is in neutrino.db, and scoped to the relay), and still
	// sees the relay's ban without being told about the relay.
	cfg2 := cfg
	cfg2.Peers = []string{node.P2PAddr()}
	c2 := startClient(t, cfg2)
	require.NoError(t, c2.WaitSynced(ctx, nil))
	bans, err = c2.Bans()
	require.NoError(t, err)
	require.Len(t, bans, 1)
	require.Equal(t, relay.Addr(), bans[0].Peer)
	require.NoError(t, c2.Stop())

	// ClearBans lifts it, before Start.
	c3, err := New(cfg)
	require.NoError(t, err)
	defer c3.Stop()
	cleared, err := c3.ClearBans()
	require.NoError(t, err)
	require.Equal(t, []string{relay.Addr()}, cleared)
	bans, err = c3.Bans()
	require.NoError(t, err)
	require.Empty(t, bans)
}

// Aliases are unique per "host:port", stable, and map back.
func TestPeerAliases(t *testing.T) {
	peers := []string{"127.0.0.1:8333", "127.0.0.1:8334", "[::1]:8333", "203.0.113.7:8333"}
	a := newPeerAliases(peers)
	seen := map[string]bool{}
	for _, p := range peers {
		al := aliasFor(p)
		require.Equal(t, al, aliasFor(p), "stable")
		require.False(t, seen[al], "two peers share alias %s", al)
		seen[al] = true
		require.Equal(t, p, a.peer(al))
	}
	require.Equal(t, "127.0.0.9:1", a.peer("127.0.0.9:1"), "unknown addresses pass through")
}
