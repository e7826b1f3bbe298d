package spv

import (
	"errors"
	"net"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/stretchr/testify/require"
)

// The DNS-seed configuration path, without touching the network: which
// configurations are accepted, which seeds a mainnet client would ask, and
// which resolver neutrino gets.
func TestDNSSeedConfig(t *testing.T) {
	main := Config{Params: &chaincfg.MainNetParams, DataDir: t.TempDir(), DNSSeeds: true, AllowRemotePeers: true}
	require.True(t, main.seeding())
	require.NoError(t, main.validate())
	hosts := main.SeedHosts()
	require.NotEmpty(t, hosts)
	require.True(t, slices.Contains(hosts, "seed.bitcoin.sipa.be"), "%v", hosts)

	// A seeding client resolves names; one with peers refuses them.
	_, err := resolveIPLiteral("seed.bitcoin.sipa.be")
	var dnsErr *net.DNSError
	require.True(t, errors.As(err, &dnsErr))
	ips, err := main.nameResolver()("203.0.113.7")
	require.NoError(t, err)
	require.Len(t, ips, 1)

	withPeers := main
	withPeers.Peers = []string{"127.0.0.1:8333"}
	require.False(t, withPeers.seeding(), "explicit peers win over DNS seeds")
	_, err = withPeers.nameResolver()("seed.bitcoin.sipa.be")
	require.Error(t, err)

	local := main
	local.AllowRemotePeers = false
	require.ErrorIs(t, local.validate(), ErrConfig)

	reg := main
	reg.Params = &chaincfg.RegressionNetParams
	require.ErrorIs(t, reg.validate(), ErrConfig, "regtest has no DNS seeds")

	// New builds the chain service without network access; Start would
	// seed.
	c, err := New(main)
	require.NoError(t, err)
	require.NoError(t, c.Stop())

	none := Config{Params: &chaincfg.MainNetParams, DataDir: t.TempDir()}
	c, err = New(none)
	require.NoError(t, err)
	defer c.Stop()
	require.ErrorIs(t, c.Start(t.Context()), ErrConfig, "no peers and no DNS seeds: nothing to connect to")
}
