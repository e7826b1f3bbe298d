package spv_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

// Sync a light client from a local regtest node and apply every block that
// is at least 6 deep.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	node, err := regtest.Start(ctx, regtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop()
	if _, err := node.Generate(ctx, 20); err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "spv-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	client, err := spv.New(spv.Config{
		Params:  node.Params(),
		Peers:   []string{node.P2PAddr()},
		DataDir: dir,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Stop()
	if err := client.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}

	// A store would resume from its last block; this one starts empty.
	applied := 0
	last, err := client.CatchUp(ctx, spv.Cursor{Height: -1}, func(ctx context.Context, ev spv.Event) error {
		switch e := ev.(type) {
		case *spv.BlockEvent:
			applied++ // apply e.Block at e.Height
		case *spv.ReorgEvent:
			if e.Rewind {
				fmt.Println("undo blocks above", e.ForkHeight)
			}
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("applied %d blocks, last at height %d\n", applied, last.Height)
	// Output: applied 15 blocks, last at height 14
}
