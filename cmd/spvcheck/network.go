package main

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

// network bundles what every layer needs to know about one Bitcoin network.
type network struct {
	name      string
	chain     *chaincfg.Params
	wire      ops.Network
	consensus *consensus.Params
}

var networkNames = []string{"mainnet", "testnet", "regtest"}

func networkByName(name string) (*network, error) {
	switch strings.ToLower(name) {
	case "mainnet", "main":
		return &network{name: "mainnet", chain: &chaincfg.MainNetParams, wire: ops.Mainnet(), consensus: consensus.Mainnet()}, nil
	case "testnet", "testnet3":
		return &network{name: "testnet", chain: &chaincfg.TestNet3Params, wire: ops.Testnet(), consensus: consensus.Testnet()}, nil
	case "regtest":
		return &network{name: "regtest", chain: &chaincfg.RegressionNetParams, wire: ops.Regtest(), consensus: consensus.Regtest()}, nil
	}
	return nil, fmt.Errorf("unknown network %q (want one of: %s)", name, strings.Join(networkNames, ", "))
}

// latestEpochStart returns the first height of the network's last epoch, the
// default height for decoding: the rules in force today.
func (n *network) latestEpochStart() uint64 {
	sched := n.consensus.Schedule()
	if len(sched) < 2 {
		return n.consensus.FirstBlock
	}
	return sched[len(sched)-2].EndBlock + 1
}
