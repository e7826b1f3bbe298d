package spv

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

const benchChainLength = 3000

// benchChain starts a node with benchChainLength blocks and returns it with
// the serialised headers of its chain, genesis first.
func benchChain(b *testing.B) (*regtest.Node, [][]byte) {
	b.Helper()
	node := startNode(b, regtest.Options{})
	mine(b, node, benchChainLength)
	ctx := context.Background()
	headers := make([][]byte, 0, benchChainLength+1)
	for h := int32(0); h <= benchChainLength; h++ {
		hash, err := node.GetBlockHash(ctx, h)
		if err != nil {
			b.Fatal(err)
		}
		block, err := node.GetBlock(ctx, hash)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := block.Header.Serialize(&buf); err != nil {
			b.Fatal(err)
		}
		headers = append(headers, buf.Bytes())
	}
	return node, headers
}

// verifyHeaders is the baseline: decode, hash, context-free header checks
// (proof of work against the target) and the link to the previous header,
// all with btcd's own functions.
func verifyHeaders(b *testing.B, raw [][]byte) {
	params := regtest.Regtest.Params()
	clock := blockchain.NewMedianTime()
	var prev chainhash.Hash
	for i, r := range raw {
		var h wire.BlockHeader
		if err := h.Deserialize(bytes.NewReader(r)); err != nil {
			b.Fatal(err)
		}
		if err := blockchain.CheckBlockHeaderSanity(&h, params.PowLimit, clock, blockchain.BFNone); err != nil {
			b.Fatal(err)
		}
		if i > 0 && h.PrevBlock != prev {
			b.Fatalf("header %d does not link", i)
		}
		prev = h.BlockHash()
	}
}

// baseline times fn over several runs and returns the mean.
func baseline(runs int, fn func()) time.Duration {
	start := time.Now()
	for range runs {
		fn()
	}
	return time.Since(start) / time.Duration(runs)
}

// BenchmarkHeaderSync measures a fresh client syncing the headers and
// filter headers of a 3000-block chain from a loopback node, and reports
// it as a multiple of raw header verification measured in the same run.
func BenchmarkHeaderSync(b *testing.B) {
	node, raw := benchChain(b)
	verify := baseline(20, func() { verifyHeaders(b, raw) })

	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		c, err := New(testConfig(b, node.P2PAddr()))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		b.StartTimer()
		start := time.Now()
		if err := c.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.WaitSynced(ctx, nil); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		cancel()
		_ = c.Stop()
		b.StartTimer()
	}
	perSync := total / time.Duration(b.N)
	b.ReportMetric(float64(benchChainLength)/perSync.Seconds(), "headers/s")
	b.ReportMetric(float64(benchChainLength)/verify.Seconds(), "verify_headers/s")
	b.ReportMetric(float64(perSync)/float64(verify), "x_verify")
}

// BenchmarkBlockDelivery measures confirmed-block delivery from genesis on
// a synced client over a 3000-block chain, and reports it against fetching
// the same blocks one by one over the node's RPC in the same run.
func BenchmarkBlockDelivery(b *testing.B) {
	node, _ := benchChain(b)
	ctx := context.Background()
	rpc := baseline(1, func() {
		for h := int32(0); h <= benchChainLength; h++ {
			hash, err := node.GetBlockHash(ctx, h)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := node.GetBlock(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})

	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		cfg := testConfig(b, node.P2PAddr())
		cfg.ConfirmationDepth = 1
		c, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if err := c.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.WaitSynced(ctx, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n := 0
		cur, err := c.CatchUp(ctx, Cursor{Height: -1}, func(context.Context, Event) error { n++; return nil })
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		if cur.Height != benchChainLength-1 || n != benchChainLength {
			b.Fatalf("delivered %d blocks up to %d", n, cur.Height)
		}
		cancel()
		_ = c.Stop()
		b.StartTimer()
	}
	blocks := float64(benchChainLength) * float64(b.N)
	b.ReportMetric(blocks/total.Seconds(), "blocks/s")
	b.ReportMetric(float64(benchChainLength+1)/rpc.Seconds(), "rpc_blocks/s")
	b.ReportMetric((blocks/total.Seconds())/(float64(benchChainLength+1)/rpc.Seconds()), "x_rpc")
}
