package judge

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/testvectors"
)

// ChainsInput names the two files Chains reads.
type ChainsInput struct {
	Chains, Blocks         io.Reader
	ChainsName, BlocksName string
}

// ChainsFiles judges consensus/chains.jsonl against the records of
// consensus/blocks.jsonl (see Chains).
func ChainsFiles(chainsPath, blocksPath string) (*Report, error) {
	c, err := os.Open(chainsPath)
	if err != nil {
		return nil, fmt.Errorf("opening vectors: %w", err)
	}
	defer c.Close()
	b, err := os.Open(blocksPath)
	if err != nil {
		return nil, fmt.Errorf("opening vectors: %w", err)
	}
	defer b.Close()
	return Chains(ChainsInput{Chains: c, ChainsName: chainsPath, Blocks: b, BlocksName: blocksPath})
}

// Chains judges the SNV pairs of chains.jsonl: for every pair the
// reference's SNV client verified ([name, trusted height, trusted consensus
// hash, target height, target consensus hash]), a proof built from the
// recorded chain (its consensus and ops hashes, and the target block's
// serialized records from blocks.jsonl) must verify against the trusted
// hash, reach the target's consensus hash, and select a record of the
// name. A chain record marked self-consistent must also have every one of
// its blocks provable from its last one. Each pair, and each
// self-consistent chain, is one record of the report.
func Chains(in ChainsInput) (*Report, error) {
	records, err := testvectors.RecordsByScenario(in.Blocks, in.BlocksName)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	chains := 0
	err = testvectors.ReadJSONL(in.Chains, in.ChainsName, func(line int, c *testvectors.ChainRecord) error {
		if c.Version == "" || c.Scenario == "" || len(c.ConsensusHashes) == 0 {
			return fmt.Errorf("%s:%d: not a chain record (version, scenario and consensus_hashes are required)", in.ChainsName, line)
		}
		chains++
		k := testvectors.ScenarioKey(c.Version, c.Scenario)
		cons, opsHashes, heights, err := c.Hashes()
		if err != nil {
			return fmt.Errorf("%s:%d: %w", in.ChainsName, line, err)
		}
		src := &snv.MemorySource{First: c.FirstBlock, Consensus: cons, Ops: opsHashes, Blocks: records[k]}
		for i, e := range c.SNVVerified {
			key := fmt.Sprintf("%s/pair%d", k, i)
			rep.Check(key, judgePair(src, c.FirstBlock, e))
		}
		if c.SelfConsistent {
			rep.Check(k+"/chain", judgeWholeChain(src, heights))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if chains == 0 {
		return nil, fmt.Errorf("%s: empty: no chain records", in.ChainsName)
	}
	return rep, nil
}

func judgePair(src *snv.MemorySource, first uint64, e []any) error {
	if len(e) != 5 {
		return fmt.Errorf("malformed pair %v: want [name, trusted height, trusted hash, target height, target hash]", e)
	}
	name, ok1 := e[0].(string)
	th, ok2 := e[1].(float64)
	thash, ok3 := e[2].(string)
	tg, ok4 := e[3].(float64)
	tgHash, ok5 := e[4].(string)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || th < 0 || tg < 0 {
		return fmt.Errorf("malformed pair %v", e)
	}
	trusted, target := uint64(th), uint64(tg)
	p, err := snv.Build(context.Background(), src, snv.Target{Select: snv.ByName(name), Height: target}, trusted, snv.BuildOptions{})
	if err != nil {
		return fmt.Errorf("%s %d->%d: building the proof: %w", name, trusted, target, err)
	}
	res, err := snv.VerifyWith(p, trusted, thash, snv.VerifyOptions{FirstBlock: first})
	if err != nil {
		return fmt.Errorf("%s %d->%d: %w", name, trusted, target, err)
	}
	if res.Height != target || res.ConsensusHash != tgHash {
		return fmt.Errorf("%s %d->%d: reached %d %s, the reference verified %s", name, trusted, target, res.Height, res.ConsensusHash, tgHash)
	}
	op := res.Op()
	if op == nil {
		return fmt.Errorf("%s %d->%d: no record of the name in block %d", name, trusted, target, target)
	}
	if v, _ := op.Field("name"); v != name {
		return fmt.Errorf("%s %d->%d: the selected record is %q's", name, trusted, target, v)
	}
	return nil
}

// judgeWholeChain proves every block of a chain from its last one.
func judgeWholeChain(src *snv.MemorySource, heights []uint64) error {
	if len(heights) == 0 {
		return nil
	}
	trusted := heights[len(heights)-1]
	for _, target := range heights {
		p, err := snv.Build(context.Background(), src, snv.Target{Height: target}, trusted, snv.BuildOptions{})
		if err != nil {
			return fmt.Errorf("%d->%d: building the proof: %w", trusted, target, err)
		}
		res, err := snv.Verify(p, trusted, src.Consensus[trusted])
		if err != nil {
			return fmt.Errorf("%d->%d: %w", trusted, target, err)
		}
		if res.ConsensusHash != src.Consensus[target] {
			return fmt.Errorf("%d->%d: reached %s, recorded %s", trusted, target, res.ConsensusHash, src.Consensus[target])
		}
	}
	return nil
}
