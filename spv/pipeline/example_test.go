package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/pipeline"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

// Sync a store from a local regtest node with the light client, then run
// again: the second run resumes after the store's tip.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	node, err := regtest.Start(ctx, regtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop()
	if _, err := node.Generate(ctx, 300); err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "pipeline-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	net, err := pipeline.NetworkByName("regtest")
	if err != nil {
		fmt.Println(err)
		return
	}
	store, err := snapshot.Open(ctx, filepath.Join(dir, "store"), net.StoreOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	cfg := pipeline.Config{
		SPV: spv.Config{
			Params:  net.Chain,
			Peers:   []string{node.P2PAddr()},
			DataDir: filepath.Join(dir, "headers"),
		},
		Store:     store,
		Consensus: net.Consensus,
		Wire:      net.Ops,
	}
	for range 2 {
		st, err := pipeline.Run(ctx, cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("applied %d blocks, store at height %d, %d operations\n", st.Blocks, st.Height, st.Operations)
	}
	// Output:
	// applied 39 blocks, store at height 294, 0 operations
	// applied 0 blocks, store at height 294, 0 operations
}
