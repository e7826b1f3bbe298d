package consensus

import "testing"

// BenchChain exposes the replay benchmark's synthetic chain (bench_test.go)
// to the external test package, which replays it into stores of other
// packages (package snapshot imports this one).
type BenchChain struct{ g *benchChain }

// NewBenchChain returns the generator for a chain of about nOps operations
// under p.
func NewBenchChain(tb testing.TB, p *Params, nOps int) *BenchChain {
	return &BenchChain{g: newBenchChain(tb, p, max(64, nOps/8))}
}

// Start points the generator at a fresh engine.
func (c *BenchChain) Start(e *Engine) { c.g.start(e) }

// Next returns the next block, false once nOps operations were made.
func (c *BenchChain) Next(nOps int) (Block, bool) { return c.g.next(nOps) }
