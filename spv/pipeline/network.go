package pipeline

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
)

// Network is everything each layer needs to know about one Bitcoin network:
// the chain parameters the light client checks headers with, the wire
// encoding the decoder reads operations with, and the consensus rules the
// engine replays them under.
type Network struct {
	// Name is the canonical name, which is also what a store records:
	// "mainnet", "testnet" or "regtest".
	Name      string
	Chain     *chaincfg.Params
	Ops       ops.Network
	Consensus *consensus.Params
}

// NetworkNames lists the canonical names NetworkByName accepts.
func NetworkNames() []string { return []string{"mainnet", "testnet", "regtest"} }

// NetworkByName returns the network called name (case-insensitive; "main"
// and "testnet3" are accepted too). Each call returns fresh parameters.
func NetworkByName(name string) (*Network, error) {
	switch strings.ToLower(name) {
	case "mainnet", "main":
		return &Network{Name: "mainnet", Chain: &chaincfg.MainNetParams, Ops: ops.Mainnet(), Consensus: consensus.Mainnet()}, nil
	case "testnet", "testnet3":
		return &Network{Name: "testnet", Chain: &chaincfg.TestNet3Params, Ops: ops.Testnet(), Consensus: consensus.Testnet()}, nil
	case "regtest":
		return &Network{Name: "regtest", Chain: &chaincfg.RegressionNetParams, Ops: ops.Regtest(), Consensus: consensus.Regtest()}, nil
	}
	return nil, newError(ErrConfig, nil, "unknown network %q (want one of: %s)", name, strings.Join(NetworkNames(), ", "))
}

// DefaultSyncEvery is the snapshot SyncEvery that StoreOptions chooses: a
// crash during initial sync loses at most this many blocks minus one, which
// the next run fetches and replays again.
const DefaultSyncEvery = 64

// StoreOptions returns the snapshot options for a store of this network:
// its name and parameters fingerprint, and SyncEvery = DefaultSyncEvery.
// Run syncs the store itself whenever it has caught up with the chain, and
// when it returns, so batching syncs only ever affects blocks that are far
// behind the tip (see the package documentation on crashes).
func (n *Network) StoreOptions() snapshot.Options {
	return snapshot.Options{Network: n.Name, ParamsFingerprint: n.Consensus.Fingerprint(), SyncEvery: DefaultSyncEvery}
}

// String returns the network's name.
func (n *Network) String() string { return fmt.Sprint(n.Name) }
