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

// benchChain starts a node and mines length blocks on it.
func benchChain(b *testing.B, length uint32) *regtest.Node {
	b.Helper()
	node := startNode(b, regtest.Options{})
	mine(b, node, length)
	return node
}

// syncedClient returns a started client that has synced node's headers.
func syncedClient(b *testing.B, cfg Config) *Client {
	b.Helper()
	c, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	if err := c.WaitSynced(ctx, nil); err != nil {
		b.Fatal(err)
	}
	return c
}

// rawHeaders reads the serialised headers 0..tip from a synced client's
// header store.
func rawHeaders(b *testing.B, c *Client, tip int32) [][]byte {
	raw := make([][]byte, 0, tip+1)
	for h := int32(0); h <= tip; h++ {
		hdr, err := c.cs.BlockHeaders.FetchHeaderByHeight(uint32(h))
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := hdr.Serialize(&buf); err != nil {
			b.Fatal(err)
		}
		raw = append(raw, buf.Bytes())
	}
	return raw
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

func mean(runs int, fn func()) time.Duration {
	start := time.Now()
	for range runs {
		fn()
	}
	return time.Since(start) / time.Duration(runs)
}

// BenchmarkHeaderSync measures a fresh client syncing the headers and
// filter headers of a 20,000-block chain from a loopback node (connection
// included), as a multiple of raw header verification of the same headers
// measured in the same run (x_verify).
func BenchmarkHeaderSync(b *testing.B) {
	const length = 20000
	node := benchChain(b, length)
	first := syncedClient(b, testConfig(b, node.P2PAddr()))
	raw := rawHeaders(b, first, length)
	_ = first.Stop()
	verify := mean(5, func() { verifyHeaders(b, raw) })

	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		cfg := testConfig(b, node.P2PAddr())
		b.StartTimer()
		start := time.Now()
		c := syncedClient(b, cfg)
		total += time.Since(start)
		b.StopTimer()
		_ = c.Stop()
		b.StartTimer()
	}
	perSync := total / time.Duration(b.N)
	b.ReportMetric(length/perSync.Seconds(), "headers/s")
	b.ReportMetric(length/verify.Seconds(), "verify_headers/s")
	b.ReportMetric(float64(perSync)/float64(verify), "x_verify")
}

// BenchmarkBlockDelivery measures confirmed-block delivery from genesis
// over a 3,000-block chain on a synced client, at FetchParallelism 1 and 8,
// and reports each against fetching the same blocks one by one over the
// node's RPC in the same run (x_rpc).
func BenchmarkBlockDelivery(b *testing.B) {
	const length = 3000
	node := benchChain(b, length)
	ctx := context.Background()
	rpc := mean(1, func() {
		for h := int32(0); h <= length; h++ {
			hash, err := node.GetBlockHash(ctx, h)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := node.GetBlock(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})
	rpcRate := float64(length+1) / rpc.Seconds()

	for _, parallel := range []int{1, 8} {
		b.Run(map[int]string{1: "parallel=1", 8: "parallel=8"}[parallel], func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				cfg := testConfig(b, node.P2PAddr())
				cfg.ConfirmationDepth = 1
				cfg.FetchParallelism = parallel
				c := syncedClient(b, cfg)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				b.StartTimer()
				start := time.Now()
				n := 0
				cur, err := c.CatchUp(ctx, Cursor{Height: -1}, func(context.Context, Event) error { n++; return nil })
				total += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if cur.Height != length-1 || n != length {
					b.Fatalf("delivered %d blocks up to %d", n, cur.Height)
				}
				cancel()
				_ = c.Stop()
				b.StartTimer()
			}
			rate := float64(length) * float64(b.N) / total.Seconds()
			b.ReportMetric(rate, "blocks/s")
			b.ReportMetric(rpcRate, "rpc_blocks/s")
			b.ReportMetric(rate/rpcRate, "x_rpc")
		})
	}
}
