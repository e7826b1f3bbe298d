package ops

import "strings"

// Features is the set of epoch features in force at a block height
// (reference config.py:553-596). The decoder needs a few of them (payload
// forms and token fields depend on the epoch); the replay engine needs all.
// The mapping from height to features lives in consensus.Params.
type Features uint32

// The epoch features, named as in the reference without the BLOCKSTACK_ prefix.
const (
	FeatureMultisig Features = 1 << iota
	FeatureSegwit
	FeatureOpRegisterUpdate
	FeatureOpRenewTransferUpdate
	FeatureNamespaceBurnToCreator
	FeatureNamespacePayWithStacks
	FeatureStacksBuyNamespaces
	FeaturePreorderExpire
	FeatureNameopsCostTokens
	FeatureTokenTransfer
	FeatureIntDivision
	FeatureTokenTransferConsensusHashOptional
)

var featureNames = []struct {
	f    Features
	name string
}{
	{FeatureMultisig, "BLOCKSTACK_MULTISIG"},
	{FeatureSegwit, "BLOCKSTACK_SEGWIT"},
	{FeatureOpRegisterUpdate, "BLOCKSTACK_OP_REGISTER_UPDATE"},
	{FeatureOpRenewTransferUpdate, "BLOCKSTACK_OP_RENEW_TRANSFER_UPDATE"},
	{FeatureNamespaceBurnToCreator, "BLOCKSTACK_NAMESPACE_BURN_TO_CREATOR"},
	{FeatureNamespacePayWithStacks, "BLOCKSTACK_NAMESPACE_PAY_WITH_STACKS"},
	{FeatureStacksBuyNamespaces, "BLOCKSTACK_STACKS_BUY_NAMESPACES"},
	{FeaturePreorderExpire, "BLOCKSTACK_PREORDER_EXPIRE"},
	{FeatureNameopsCostTokens, "BLOCKSTACK_NAMEOPS_COST_TOKENS"},
	{FeatureTokenTransfer, "BLOCKSTACK_TOKEN_TRANSFER"},
	{FeatureIntDivision, "BLOCKSTACK_INT_DIVISION"},
	{FeatureTokenTransferConsensusHashOptional, "BLOCKSTACK_TOKEN_TRANSFER_CONSENSUS_HASH_OPTIONAL"},
}

// Has reports whether every feature in f2 is in f.
func (f Features) Has(f2 Features) bool { return f&f2 == f2 }

// ParseFeature maps a reference feature name ("BLOCKSTACK_MULTISIG") to its
// flag; ok is false for an unknown name.
func ParseFeature(name string) (f Features, ok bool) {
	for _, fn := range featureNames {
		if fn.name == name {
			return fn.f, true
		}
	}
	return 0, false
}

// String lists the features by their reference names, in a fixed order.
func (f Features) String() string {
	var names []string
	for _, fn := range featureNames {
		if f.Has(fn.f) {
			names = append(names, fn.name)
		}
	}
	return strings.Join(names, ",")
}
