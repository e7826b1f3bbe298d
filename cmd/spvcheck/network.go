package main

import "github.com/spvcheck/spvcheck/spv/pipeline"

// network is what every layer needs to know about one Bitcoin network.
type network = pipeline.Network

func networkByName(name string) (*network, error) { return pipeline.NetworkByName(name) }

// latestEpochStart returns the first height of the network's last epoch, the
// default height for decoding: the rules in force today.
func latestEpochStart(n *network) uint64 {
	sched := n.Consensus.Schedule()
	if len(sched) < 2 {
		return n.Consensus.FirstBlock
	}
	return sched[len(sched)-2].EndBlock + 1
}
