package api

import (
	"context"
	"os"
	"testing"

	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/snapshot"
)

// reencodeVersion renders a base58check address under another version byte.
func reencodeVersion(t *testing.T, addr string, version byte) string {
	payload, _, err := base58.CheckDecode(addr)
	require.NoError(t, err)
	return base58.CheckEncode(payload, version)
}

func consensusView(f *fixture, v *snapshot.ReadView) *consensus.View {
	return consensus.NewView(f.w.p, v)
}

// snvProve builds a proof the way 'spvcheck prove NAME --trusted-height H'
// does (cmd/spvcheck/snv_cmds.go), from the store itself.
func snvProve(t *testing.T, f *fixture, v *snapshot.ReadView, name string, th uint64) ([]byte, error) {
	proof, err := snv.Build(context.Background(), snv.WithFirstBlock(f.w.st, f.w.p.FirstBlock),
		snv.Target{Select: snv.ByName(name)}, th, snv.BuildOptions{})
	if err != nil {
		return nil, err
	}
	return snv.Encode(proof, snv.JSON)
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
