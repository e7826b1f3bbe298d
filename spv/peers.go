package spv

import (
	"crypto/sha256"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lightninglabs/neutrino/banman"
)

// Peer aliases scope neutrino's bans to one configured peer.
//
// neutrino bans a misbehaving peer's IP (a /32 or /128 network) for 24
// hours and keeps the ban in its database, so one bad peer on 127.0.0.1
// would ban every loopback peer. The client therefore never hands neutrino
// a configured address: each "host:port" of Config.Peers becomes an alias,
// a unique address in the IPv6 unique-local range fd00::/8 derived from a
// hash of the whole "host:port", and the dialer maps the alias back to the
// real address. neutrino's ban of an alias bans exactly one configured
// peer, whatever other peers share its IP. Aliases are deterministic, so a
// ban outlives restarts just as neutrino intends.

// aliasFor returns the alias address of a configured peer "host:port".
func aliasFor(peer string) string {
	_, port, err := net.SplitHostPort(peer)
	if err != nil {
		return peer
	}
	sum := sha256.Sum256([]byte("spvcheck peer alias\x00" + peer))
	ip := make(net.IP, net.IPv6len)
	ip[0] = 0xfd
	copy(ip[1:], sum[:net.IPv6len-1])
	return net.JoinHostPort(ip.String(), port)
}

// peerAliases maps aliases to configured peers and back.
type peerAliases struct {
	toPeer map[string]string // alias host:port → configured host:port
}

func newPeerAliases(peers []string) peerAliases {
	a := peerAliases{toPeer: make(map[string]string, len(peers))}
	for _, p := range peers {
		a.toPeer[aliasFor(p)] = p
	}
	return a
}

// aliases returns the alias of every configured peer, in the configured
// order.
func aliasList(peers []string) []string {
	out := make([]string, len(peers))
	for i, p := range peers {
		out[i] = aliasFor(p)
	}
	return out
}

// peer returns the configured address behind addr, or addr itself when it
// is not an alias.
func (a peerAliases) peer(addr string) string {
	if p, ok := a.toPeer[addr]; ok {
		return p
	}
	return addr
}

// displayAddr names a neutrino peer address as the user configured it.
func (cfg *Config) displayAddr(addr string) string {
	return cfg.aliases.peer(addr)
}

// knownPeersFile, in the data directory, lists every peer ever configured
// with it, one per line, so bans can be listed and cleared later without
// the same --peer flags.
const knownPeersFile = "known-peers"

// knownPeers returns the peers recorded in dir together with extra,
// sorted and without repeats.
func knownPeers(dir string, extra []string) []string {
	all := slices.Clone(extra)
	if b, err := os.ReadFile(filepath.Join(dir, knownPeersFile)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				all = append(all, line)
			}
		}
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// recordPeers adds peers to the data directory's list of known peers.
func recordPeers(dir string, peers []string) error {
	all := knownPeers(dir, peers)
	if len(all) == 0 {
		return nil
	}
	tmp := filepath.Join(dir, knownPeersFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strings.Join(all, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, knownPeersFile))
}

// Ban is one configured peer that neutrino has banned.
type Ban struct {
	Peer    string    `json:"peer"`
	Reason  string    `json:"reason"`
	Expires time.Time `json:"expires"`
}

// Bans lists the peers neutrino has banned, with the reason and when the
// ban ends: every peer configured now (Config.Peers) or ever before with
// this data directory. It needs no network and works from New until Stop.
func (c *Client) Bans() ([]Ban, error) {
	if err := c.open(); err != nil {
		return nil, err
	}
	store, err := banman.NewStore(c.db)
	if err != nil {
		return nil, newError(ErrDatabase, err, "opening the ban store")
	}
	var out []Ban
	for _, p := range knownPeers(c.cfg.DataDir, c.cfg.Peers) {
		ipNet, err := banman.ParseIPNet(aliasFor(p), nil)
		if err != nil {
			return nil, newError(ErrConfig, err, "peer %q", p)
		}
		st, err := store.Status(ipNet)
		if err != nil {
			return nil, newError(ErrDatabase, err, "ban status of %s", p)
		}
		if st.Banned {
			out = append(out, Ban{Peer: p, Reason: st.Reason.String(), Expires: st.Expiration.UTC()})
		}
	}
	slices.SortFunc(out, func(a, b Ban) int { return strings.Compare(a.Peer, b.Peer) })
	return out, nil
}

// ClearBans lifts every ban on a configured peer and returns the peers it
// unbanned. Call it before Start: a running chain service only reconnects
// to an unbanned peer on its next connection attempt.
func (c *Client) ClearBans() ([]string, error) {
	bans, err := c.Bans()
	if err != nil {
		return nil, err
	}
	store, err := banman.NewStore(c.db)
	if err != nil {
		return nil, newError(ErrDatabase, err, "opening the ban store")
	}
	var cleared []string
	for _, b := range bans {
		ipNet, err := banman.ParseIPNet(aliasFor(b.Peer), nil)
		if err != nil {
			return cleared, newError(ErrConfig, err, "peer %q", b.Peer)
		}
		if err := store.UnbanIPNet(ipNet); err != nil {
			return cleared, newError(ErrDatabase, err, "unbanning %s", b.Peer)
		}
		cleared = append(cleared, b.Peer)
	}
	return cleared, nil
}
