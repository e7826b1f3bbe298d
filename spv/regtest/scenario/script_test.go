package scenario

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/stretchr/testify/require"
)

func TestValidateRefusesBadScripts(t *testing.T) {
	first := uint64(consensus.RegtestFirstBlock)
	ok := func() *Script { return tinyScript() }
	require.NoError(t, ok().validate(first))

	cases := map[string]func(s *Script){
		"duplicate participant": func(s *Script) { s.Participants = append(s.Participants, Participant{Name: "amy"}) },
		"unnamed participant":   func(s *Script) { s.Participants = append(s.Participants, Participant{}) },
		"unknown stacks key":    func(s *Script) { s.Participants[1].Index = consensus.RegtestKeyCount },
		"orphan import child": func(s *Script) {
			s.Participants = append(s.Participants, Participant{Name: "kid", Source: ImportChild, Parent: "nobody"})
		},
		"import child of a stacks key": func(s *Script) {
			s.Participants = append(s.Participants, Participant{Name: "kid", Source: ImportChild, Parent: "ben"})
		},
		"step before the first block": func(s *Script) { s.Steps[0].Height = first - 1 },
		"steps out of order":          func(s *Script) { s.Steps[1].Height = s.Steps[0].Height },
		"unknown sender": func(s *Script) {
			s.Steps[1].Ops = append(s.Steps[1].Ops, Accept(NameUpdate{From: "zed", Name: "amy.id", Zone: "z"}))
		},
		"unknown recipient": func(s *Script) {
			s.Steps[1].Ops = append(s.Steps[1].Ops, Accept(NameTransfer{From: "amy", Name: "amy.id", To: "zed"}))
		},
		"nil operation": func(s *Script) { s.Steps[1].Ops = append(s.Steps[1].Ops, Expect{}) },
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			s := ok()
			spoil(s)
			require.ErrorIs(t, s.validate(first), ErrBadScript)
		})
	}
}

// The default script is valid, names only known participants and
// preorders three namespaces.
func TestDefaultIsWellFormed(t *testing.T) {
	s := Default()
	require.NoError(t, s.validate(consensus.RegtestFirstBlock))
	require.Equal(t, []string{"blog", "temp", "shop", "club"}, s.Namespaces())
	a, err := s.Addresses()
	require.NoError(t, err)
	b, err := Default().Addresses()
	require.NoError(t, err)
	require.Equal(t, a, b, "addresses are deterministic")
	require.Len(t, a, len(s.Participants))
	seen := map[string]string{}
	for name, addr := range a {
		require.NotContains(t, seen, addr, "%s and %s share an address", name, seen[addr])
		seen[addr] = name
	}
	// The STACKS participants are the genesis token holders.
	for i := 0; i < consensus.RegtestKeyCount; i++ {
		_, pub := btcec.PrivKeyFromBytes(consensus.RegtestPrivateKey(i))
		require.Equal(t, ops.Regtest().P2PKHAddress(address.Hash160(pub.SerializeCompressed())), a[stx(i)])
	}
}

// An import child's private key belongs to the public key the reference
// derives for the keychain: BIP32 public derivation from the revealer's
// public key with an all-zero chain code.
func TestImportChildMatchesPublicDerivation(t *testing.T) {
	parent, _ := btcec.PrivKeyFromBytes(consensus.RegtestPrivateKey(0))
	pubMaster := hdkeychain.NewExtendedKey([]byte{0, 0, 0, 0}, parent.PubKey().SerializeCompressed(), make([]byte, 32), []byte{0, 0, 0, 0}, 0, 0, false)
	for i := 0; i < 5; i++ {
		child, err := importChild(parent, i)
		require.NoError(t, err)
		pubChild, err := pubMaster.Derive(uint32(i))
		require.NoError(t, err)
		want, err := pubChild.ECPubKey()
		require.NoError(t, err)
		require.Equal(t, want.SerializeCompressed(), child.PubKey().SerializeCompressed(), "child %d", i)
	}
}

func TestZoneHash(t *testing.T) {
	require.Equal(t, "", ZoneHash(""))
	h := ZoneHash("alice.blog v1")
	require.Len(t, h, 40)
	raw, err := hex.DecodeString(h)
	require.NoError(t, err)
	require.Equal(t, address.Hash160([]byte("alice.blog v1")), raw)
	require.NotEqual(t, h, ZoneHash("alice.blog v2"))
}

func TestNameTableDiff(t *testing.T) {
	want := NameTable{"a.id": {Owner: "x"}, "b.id": {Owner: "y", Revoked: true}, "c.id": {Owner: "z"}}
	require.Empty(t, want.Diff(want))
	got := NameTable{"a.id": {Owner: "x"}, "b.id": {Owner: "y"}, "d.id": {Owner: "w"}}
	diff := want.Diff(got)
	require.Len(t, diff, 3)
	require.Contains(t, diff[0], "b.id: want owner y, value hash -, revoked true")
	require.Contains(t, diff[1], "c.id: missing")
	require.Contains(t, diff[2], "d.id: unexpected")
}
