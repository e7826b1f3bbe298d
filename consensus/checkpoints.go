package consensus

import (
	"fmt"
	"sort"
)

// Checkpoint is a consensus hash that was published for one block of a
// real chain, with where it was published and whether the final rules
// must reproduce it.
type Checkpoint struct {
	Height        uint64
	ConsensusHash string
	// Source says where the value was published.
	Source string
	// MustReproduce marks a row that a correct replay under these rules
	// has to match: a mismatch there is our divergence, and a sync stops.
	// Other rows are reported, never fatal.
	MustReproduce bool
	// Note explains the confidence in the row.
	Note string
}

// CheckpointAt returns the checkpoint of height, if the rules have one.
func (p *Params) CheckpointAt(height uint64) (Checkpoint, bool) {
	i := sort.Search(len(p.Checkpoints), func(i int) bool { return p.Checkpoints[i].Height >= height })
	if i < len(p.Checkpoints) && p.Checkpoints[i].Height == height {
		return p.Checkpoints[i], true
	}
	return Checkpoint{}, false
}

// CheckpointResult is a block's consensus hash compared with a checkpoint.
type CheckpointResult struct {
	Checkpoint
	// Ours is the consensus hash this replay computed.
	Ours string
	// Agree is Ours == ConsensusHash.
	Agree bool
}

// Fatal reports a disagreement at a row the rules must reproduce.
func (r CheckpointResult) Fatal() bool { return !r.Agree && r.MustReproduce }

// String is one line for a human: the height, agreement and both hashes.
func (r CheckpointResult) String() string {
	switch {
	case r.Agree:
		return fmt.Sprintf("checkpoint %d: agrees with the published %s (%s)", r.Height, r.ConsensusHash, r.Source)
	case r.MustReproduce:
		return fmt.Sprintf("checkpoint %d: MISMATCH: published %s (%s), ours %s", r.Height, r.ConsensusHash, r.Source, r.Ours)
	}
	return fmt.Sprintf("checkpoint %d: differs (not required): published %s (%s), ours %s", r.Height, r.ConsensusHash, r.Source, r.Ours)
}

// CheckCheckpoint compares ours, the consensus hash of block height, with
// the checkpoint of that height; ok is false when there is none.
func (p *Params) CheckCheckpoint(height uint64, ours string) (res CheckpointResult, ok bool) {
	cp, ok := p.CheckpointAt(height)
	if !ok {
		return CheckpointResult{}, false
	}
	return CheckpointResult{Checkpoint: cp, Ours: ours, Agree: cp.ConsensusHash == ours}, true
}

// MainnetCheckpoints returns the consensus hashes published for Bitcoin
// mainnet (mainnet.md), in height order.
//
// Which rows must the final v1 rules reproduce? The finding, from the
// reference's history rather than a replay (none is possible here):
//
//   - The hash itself has not changed since January 2016: virtualchain's
//     consensus hash (hash160 of a Merkle root over the sorted records'
//     double-SHA256 and the skip list of earlier hashes, cut to 16 bytes)
//     reads the same at virtualchain 0e3b7f3 (2016-01-26) and in 20.0.1.0
//     (indexer.py ~925–1074).
//   - Every consensus-breaking release (0.14, 0.17, 20.0; blockstack-core
//     release_notes/README.md ~15–18) changed rules only from an epoch
//     boundary on (config.py ~509–514), and kept old quirks on purpose,
//     documented with real mainnet blocks (operations/transfer.py ~96–100,
//     ~274–283: 385652, 405088, 405175). The new code is therefore meant to
//     reproduce every earlier block's hash.
//   - Upgrades were checked against old nodes' hashes. The 0.17 release
//     notes (release_notes/changelog-0.17.md ~40 and ~64–70 at stacks-core
//     b139c98) tell operators to compare the 0.14 and 0.17 nodes' consensus
//     hashes at the same block, and to re-index from scratch with
//     `--expected-snapshots` pointing at the old node's snapshots file;
//     blockstackd.py loads that file (load_expected_snapshots ~2985–3025,
//     used ~3440) and hands it to virtualchain, whose indexer aborts when a
//     computed hash differs from an expected one (indexer.py ~1366–1369).
//     A release that could not reproduce the old chain's hashes could not
//     have been deployed that way. No list of expected mainnet snapshots
//     was ever committed, so the rows below come from elsewhere.
//   - A divergence at any block would have invalidated nearly every later
//     preorder (each quotes one of its sender node's last 24 hashes); a
//     full resync by the final software losing names was never reported.
//
// So every row from 398758 on must be reproduced; a mismatch there is most
// likely our bug. 383000 predates virtualchain's December 2015
// serialization change and 395190 came from a developer's 0.0.11.1 node
// two days before a commit marked "POSSIBLE CONSENSUS CHANGE" (d984b6ef1):
// both are reported, never fatal. The genesis snapshot hash of blocks
// 373597–373600 (config.py ~254–259) is GenesisConsensusHash, an input
// rather than a result, and is not a row here.
func MainnetCheckpoints() []Checkpoint {
	const final = "final-era software; highest confidence"
	return []Checkpoint{
		{Height: 383000, ConsensusHash: "93c2718ebd7544a86c3a13ad477789c9",
			Source: "stacks-core issue #154 (Nov 2015)",
			Note:   "predates virtualchain's December 2015 serialization change; probably not reproducible"},
		{Height: 395190, ConsensusHash: "2016a42a67eda604f313638232257459",
			Source: "blockstack-core commit 10a3910357's message (blockstore 0.0.11.1)",
			Note:   "a developer's local node two days before a possible consensus change (d984b6ef1); lowest confidence"},
		{Height: 398758, ConsensusHash: "ccf9a90ae7a10dc83a9da7e02213eb20", MustReproduce: true,
			Source: "blockstack-core README.md at 2dd1e4990a^ ~89"},
		{Height: 399610, ConsensusHash: "4520fbed8459cc9fe6ef1161d683bf0b", MustReproduce: true,
			Source: "blockstack-core README.md at fb22f3d175^ ~80"},
		{Height: 420518, ConsensusHash: "106d4648661d49e16d103b071e26617e", MustReproduce: true,
			Source: "blockstack-core README.md at fb22f3d175 ~84"},
		{Height: 599286, ConsensusHash: "28bbe023522c6dc29e962fa8b3d9520b", MustReproduce: true,
			Source: "blockstack-core docs/api-specs.md ~1083–1093", Note: final},
		{Height: 599840, ConsensusHash: "9a580fc92380a546116089025ec3abb2", MustReproduce: true,
			Source: "blockstack-core docs/api-specs.md ~1145–1151", Note: final},
		{Height: 601574, ConsensusHash: "a55d440eb192a1857739b0e0742fd312", MustReproduce: true,
			Source: "blockstack-core docs/api-specs.md ~48–51 (/v1/info, testnet false)", Note: final},
		{Height: 653759, ConsensusHash: "17e4af7e088cbd043625843b642e2b2d", MustReproduce: true,
			Source: "stacks-core pull request #1974's description (a fast-sync log)", Note: final},
	}
}
