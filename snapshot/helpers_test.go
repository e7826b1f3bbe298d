package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
)

const (
	testNetwork = "testnet"
	testParams  = "params-v1"
	testFirst   = 256
)

func testOptions(fs vfs.FS) Options {
	return Options{Network: testNetwork, ParamsFingerprint: testParams, FS: fs, CacheSize: 1 << 20}
}

func openMem(t testing.TB, fs vfs.FS, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, testOptions(fs))
	require.NoError(t, err)
	return s
}

// chainGen builds a valid chain of block commits: random state writes over a
// small key universe, random records, and hashes computed with package
// digest, so that audits verify it.
type chainGen struct {
	rng    *rand.Rand
	first  uint64
	next   uint64
	chs    map[uint64]string
	keys   int // size of the key universe
	writes int // writes per block (at most)
	recs   int // records per block (at most)
	pad    int // bytes of padding added to every value
}

func newChainGen(seed uint64, first uint64) *chainGen {
	return &chainGen{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		first: first, next: first, chs: map[uint64]string{},
		keys: 40, writes: 6, recs: 3,
	}
}

func (g *chainGen) key(i int) []byte { return fmt.Appendf(nil, "k/%03d", i) }

// block returns the next block of the chain.
func (g *chainGen) block() *consensus.BlockCommit {
	h := g.next
	g.next++
	seen := map[int]bool{}
	var writes []consensus.Write
	for i := g.rng.IntN(g.writes + 1); i > 0; i-- {
		k := g.rng.IntN(g.keys)
		if seen[k] {
			continue
		}
		seen[k] = true
		w := consensus.Write{Key: g.key(k)}
		if g.rng.IntN(4) != 0 {
			w.Value = fmt.Appendf(nil, "v%d@%d", g.rng.Uint32(), h)
			w.Value = append(w.Value, bytes.Repeat([]byte{'.'}, g.pad)...)
			if g.rng.IntN(10) == 0 {
				w.Value = []byte{}
			}
		}
		writes = append(writes, w)
	}
	sort.Slice(writes, func(i, j int) bool { return bytes.Compare(writes[i].Key, writes[j].Key) < 0 })
	var records [][]byte
	var inputs []ops.Op
	for i := g.rng.IntN(g.recs + 1); i > 0; i-- {
		records = append(records, fmt.Appendf(nil, "?:3:abc,%d:%d", len(fmt.Sprint(h)), h))
		fee := g.rng.Uint64()
		inputs = append(inputs, ops.Op{
			Opcode: ops.OpNamePreorder, Kind: ops.KindNamePreorder, OpString: "?",
			Txid: fmt.Sprintf("%064x", g.rng.Uint64()), Vtxindex: i, BlockHeight: h,
			OpFee: &fee,
		})
	}
	opsHash := digest.OpsHash(records)
	var prevs []string
	for _, p := range digest.PrevHeights(h, g.first) {
		prevs = append(prevs, g.chs[p])
	}
	ch, err := digest.ConsensusHash(opsHash, prevs)
	if err != nil {
		panic(err)
	}
	g.chs[h] = ch
	var bh [32]byte
	bh[0], bh[31] = byte(h), byte(h>>8)
	return &consensus.BlockCommit{
		Height: h, BlockHash: bh, Writes: writes, Records: records,
		OpsHash: opsHash, ConsensusHash: ch, Inputs: inputs,
	}
}

// rewind forgets the last n blocks so they can be generated anew.
func (g *chainGen) rewind(n int) {
	for i := 0; i < n; i++ {
		g.next--
		delete(g.chs, g.next)
	}
}

// refKV is the reference key-value model: a sorted map, one version per
// committed block, so it can rewind too.
type refKV struct {
	history []map[string]string // history[i] = state after i blocks
}

func newRefKV() *refKV { return &refKV{history: []map[string]string{{}}} }

func (r *refKV) cur() map[string]string { return r.history[len(r.history)-1] }

func (r *refKV) apply(c *consensus.BlockCommit) {
	next := make(map[string]string, len(r.cur()))
	for k, v := range r.cur() {
		next[k] = v
	}
	for _, w := range c.Writes {
		if w.Value == nil {
			delete(next, string(w.Key))
		} else {
			next[string(w.Key)] = string(w.Value)
		}
	}
	r.history = append(r.history, next)
}

func (r *refKV) rewind(n int) { r.history = r.history[:len(r.history)-n] }

// scan lists the reference's entries under prefix as "key=value" lines.
func (r *refKV) scan(prefix string) []string { return r.scanAt(len(r.history)-1, prefix) }

// scanAt is scan as of the state after the given number of blocks.
func (r *refKV) scanAt(blocks int, prefix string) []string {
	state := r.history[blocks]
	var keys []string
	for k := range state {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+state[k])
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// dumpState lists every state entry of a consensus.Reader under prefix.
func dumpState(t testing.TB, r consensus.Reader, prefix string) []string {
	t.Helper()
	var out []string
	require.NoError(t, r.Scan([]byte(prefix), func(k, v []byte) (bool, error) {
		out = append(out, string(k)+"="+string(v))
		return true, nil
	}))
	return out
}
