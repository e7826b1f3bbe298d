package regtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
)

// Start a node, mature a coinbase, and pay two test keys.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	node, err := regtest.Start(ctx, regtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop()

	w := regtest.NewWallet(node.Params(), regtest.DefaultSeed)
	if _, err := node.Generate(ctx, 101); err != nil { // coinbases pay key 0
		fmt.Println(err)
		return
	}
	if err := w.Sync(ctx, node); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := w.Fund(ctx, node, 0, []int{1, 2}, 1e8); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := node.Generate(ctx, 1); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Sync(ctx, node); err != nil {
		fmt.Println(err)
		return
	}
	tip, _ := node.GetBlockCount(ctx)
	fmt.Println("height", tip, "key 1:", w.Balance(1, tip), "key 2:", w.Balance(2, tip))
	// Output: height 102 key 1: 100000000 key 2: 100000000
}
