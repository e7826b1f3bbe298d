package ops

// Epoch is one span of the epoch schedule: it covers the blocks after the
// previous epoch's EndBlock up to and including its own EndBlock. The last
// epoch is open-ended (Open is true and EndBlock is ignored).
type Epoch struct {
	EndBlock uint64
	Open     bool
	Features Features
}

// Schedule is an epoch table in ascending order; the first epoch starts at
// the network's first Blockstack block.
type Schedule []Epoch

// Index returns the 0-based index of the epoch containing height (epoch
// number minus one). Heights past a closed final epoch belong to the last
// epoch, as in the reference's lookup (config.py:1246-1262).
func (s Schedule) Index(height uint64) int {
	for i, e := range s {
		if e.Open || height <= e.EndBlock {
			return i
		}
	}
	return len(s) - 1
}

// FeaturesAt returns the features in force at height.
func (s Schedule) FeaturesAt(height uint64) Features {
	if len(s) == 0 {
		return 0
	}
	return s[s.Index(height)].Features
}

// MainnetFirstBlock is the first block the reference indexes on mainnet
// (config.py:236).
const MainnetFirstBlock = 373601

// MainnetSchedule returns the six mainnet epochs of the final v1 rules
// (config.py:494-596): their end blocks and cumulative features.
func MainnetSchedule() Schedule {
	const (
		e1 = 0
		e2 = e1 | FeatureMultisig
		e3 = e2 | FeatureSegwit | FeatureOpRegisterUpdate | FeatureOpRenewTransferUpdate |
			FeatureNamespaceBurnToCreator
		e4 = e3 | FeatureNamespacePayWithStacks | FeatureStacksBuyNamespaces | FeaturePreorderExpire |
			FeatureNameopsCostTokens | FeatureTokenTransfer | FeatureIntDivision
		e5 = e4 | FeatureTokenTransferConsensusHashOptional
	)
	return Schedule{
		{EndBlock: 436650, Features: e1},
		{EndBlock: 488500, Features: e2},
		{EndBlock: 547921, Features: e3},
		{EndBlock: 599866, Features: e4},
		{EndBlock: 613249, Features: e5},
		{Open: true, Features: e5},
	}
}
