package snapshot

import (
	"context"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

// EngineReplayer is the Replayer that audits use for real stores: it runs
// each block's inputs through the consensus engine under the rules p, which
// commits the block to the scratch store as it would during a sync.
func EngineReplayer(p *consensus.Params) Replayer {
	return ReplayFunc(func(ctx context.Context, st consensus.Store, height uint64, blockHash [32]byte, inputs []ops.Op) error {
		eng, err := consensus.NewEngine(p, st)
		if err != nil {
			return err
		}
		_, err = eng.ProcessBlock(ctx, consensus.Block{Height: height, Hash: blockHash, Ops: inputs})
		return err
	})
}
