package scenario

import (
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/testvectors"
	"github.com/stretchr/testify/require"
)

// The default history announces five real mainnet zone files, and each is
// still its name's zone file at the tip, so Expected names all five.
func TestDefaultAnnouncesRealZoneFiles(t *testing.T) {
	want := RealZoneFileHashes()
	require.Len(t, want, 5)
	zs, err := testvectors.ZoneFilesByHash(want...)
	require.NoError(t, err)
	final := map[string]string{}
	for name, st := range Expected() {
		if st.ValueHash != "" {
			final[st.ValueHash] = name
		}
	}
	announced := map[string]bool{}
	for _, st := range Default().Steps {
		for _, e := range st.Ops {
			var zone string
			switch op := e.Op.(type) {
			case NameUpdate:
				zone = op.Zone
			case NameRegistration:
				zone = op.Zone
			case NameRenewal:
				zone = op.Zone
			case NameImport:
				zone = op.Zone
			}
			if zone != "" && e.Want.Outcome == consensus.Accepted {
				announced[ZoneHash(zone)] = true
			}
		}
	}
	for i, z := range zs {
		require.Equal(t, want[i], ZoneHash(string(z.Bytes)))
		require.True(t, announced[z.Hash], "zone file %s is not announced by an accepted operation", z.Hash)
		require.NotEmpty(t, final[z.Hash], "zone file %s is no name's zone file at the tip", z.Hash)
	}
	// The rest of the table is never announced.
	all, err := testvectors.ZoneFiles()
	require.NoError(t, err)
	n := 0
	for _, z := range all {
		if announced[z.Hash] {
			n++
		}
	}
	require.Equal(t, 5, n)
}

// PrivateKey gives the key whose address the script's participant has.
func TestPrivateKey(t *testing.T) {
	s := Default()
	addrs, err := s.Addresses()
	require.NoError(t, err)
	for _, who := range []string{"alice", "bob", stx(2), "importer-1"} {
		k, err := s.PrivateKey(who)
		require.NoError(t, err)
		a, err := address.NewAddressPubKeyHash(address.Hash160(k.PubKey().SerializeCompressed()), regtest.Regtest.Params())
		require.NoError(t, err)
		require.Equal(t, addrs[who], a.EncodeAddress(), who)
	}
	_, err = s.PrivateKey("nobody")
	require.ErrorIs(t, err, ErrBadScript)
}
