package consensus

import "github.com/spvcheck/spvcheck/ops"

// MainnetFreezeHeight is the first block whose operations the final v1
// node ignores (its db_parse drops every transaction from this height on:
// IMPORT_HEIGHT, blockstack/lib/nameset/virtualchain_hooks.py ~38 and
// ~210–214 at stacks-core b139c98f62). The node still processed the block,
// and at the end of it exported the name table for Stacks 2.0 (the same
// file ~585–597, namedb.py perform_v2_upgrade_datafile_export).
const MainnetFreezeHeight = 665750

// tokenFeatures are the epoch features under which an operation's outcome
// can depend on token balances, and so on the genesis allocation.
const tokenFeatures = ops.FeatureNamespacePayWithStacks | ops.FeatureStacksBuyNamespaces |
	ops.FeatureNameopsCostTokens | ops.FeatureTokenTransfer

// Frozen reports whether the operations of block height are ignored: the
// chain has reached the rules' freeze height (Params.FreezeHeight, zero for
// none). A frozen block still gets a consensus hash, over no operations.
func (p *Params) Frozen(height uint64) bool {
	return p.FreezeHeight != 0 && height >= p.FreezeHeight
}

// FinalHeight is the last block a replay needs when the rules have a
// freeze height: the freeze block itself, processed with its operations
// ignored, after which the reference exported the final state. The name
// table does not change after block FreezeHeight-1. ok is false without a
// freeze.
func (p *Params) FinalHeight() (h uint64, ok bool) {
	if p.FreezeHeight == 0 {
		return 0, false
	}
	return p.FreezeHeight, true
}

// FirstTokenBlock returns the first height of the first epoch in which
// token balances can decide an operation's outcome (token-paid names and
// namespaces, token transfers): from it on, a replay without the genesis
// allocation judges such operations against empty accounts. ok is false
// when no epoch has such features.
func (p *Params) FirstTokenBlock() (h uint64, ok bool) {
	start := p.FirstBlock
	for _, e := range p.Epochs {
		if e.Features&tokenFeatures != 0 {
			return max(start, p.FirstBlock), true
		}
		if e.Open {
			break
		}
		start = e.EndBlock + 1
	}
	return 0, false
}

// MissingGenesis reports whether these rules need a genesis allocation
// (RequireGenesis) that they do not have: a replay past FirstTokenBlock
// may then diverge from the network, and the answers from that block on
// are unverified.
func (p *Params) MissingGenesis() bool {
	return p.RequireGenesis && len(p.Genesis) == 0
}

// mainnetExtras adds to the mainnet rules what the final v1 node knew about
// the real chain: the freeze, the need for the genesis allocation, and the
// published consensus hashes (checkpoints.go).
func mainnetExtras(p *Params) {
	p.FreezeHeight = MainnetFreezeHeight
	p.RequireGenesis = true
	p.Checkpoints = MainnetCheckpoints()
}
