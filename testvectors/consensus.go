package testvectors

import (
	"fmt"
	"io"
	"sort"
	"strconv"
)

// BlockRecord is one line of consensus/blocks.jsonl: one block of one
// recorded scenario with everything that went into its consensus hash.
type BlockRecord struct {
	Version             string   `json:"version"`
	Scenario            string   `json:"scenario"`
	Block               uint64   `json:"block"`
	FirstBlock          uint64   `json:"first_block"`
	SerializedOps       []string `json:"serialized_ops"`
	SerializedFields    [][]any  `json:"serialized_fields"`
	LeafHashes          []string `json:"leaf_hashes"`
	OpsHash             string   `json:"ops_hash"`
	PrevHeights         []uint64 `json:"prev_heights"`
	PrevConsensusHashes []string `json:"prev_consensus_hashes"`
	ConsensusMerkleRoot string   `json:"consensus_merkle_root"`
	ConsensusHash       string   `json:"consensus_hash"`
	ReportedHash        string   `json:"reported_consensus_hash"`
	Verified            bool     `json:"verified"`
}

// Key identifies a block record in reports.
func (r *BlockRecord) Key() string {
	return r.Version + "/" + r.Scenario + "/" + itoa(r.Block)
}

// CommitRecord is one line of consensus/commits.jsonl: an accepted operation
// as checked (Accept) and as committed (Commit). Fmt is "json" when the log
// kept Python types, "kv" when every value was already passed through str()
// (then the string "None" stands for None).
type CommitRecord struct {
	Version  string         `json:"version"`
	Scenario string         `json:"scenario"`
	Block    uint64         `json:"block"`
	Vtxindex int            `json:"vtxindex"`
	Opcode   string         `json:"opcode"`
	OpChar   string         `json:"op_char"`
	Fmt      string         `json:"fmt"`
	Accept   map[string]any `json:"accept"`
	Commit   map[string]any `json:"commit"`
}

// Key identifies a commit record in reports.
func (r *CommitRecord) Key() string {
	return r.Version + "/" + r.Scenario + "/" + itoa(r.Block) + "/" + itoa(uint64(r.Vtxindex))
}

// ChainRecord is one line of consensus/chains.jsonl: one scenario's
// consensus and ops hashes per block, and the SNV pairs the reference's
// client verified over it. Each SNVVerified entry is [name, trusted height,
// trusted consensus hash, target height, target consensus hash].
type ChainRecord struct {
	Version         string            `json:"version"`
	Scenario        string            `json:"scenario"`
	FirstBlock      uint64            `json:"first_block"`
	ConsensusHashes map[string]string `json:"consensus_hashes"`
	OpsHashes       map[string]string `json:"ops_hashes"`
	SNVVerified     [][]any           `json:"snv_verified"`
	SelfConsistent  bool              `json:"self_consistent"`
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Validate checks that a decoded line has the shape of a block record, so
// that a file of another kind is reported as malformed rather than judged.
func (r *BlockRecord) Validate() error {
	switch {
	case r.Scenario == "" || r.Version == "":
		return fmt.Errorf("no version/scenario: not a consensus block record")
	case r.SerializedOps == nil || r.LeafHashes == nil || r.PrevHeights == nil || r.PrevConsensusHashes == nil:
		return fmt.Errorf("missing serialized_ops, leaf_hashes, prev_heights or prev_consensus_hashes")
	case !isLowerHex(r.OpsHash, 64) || !isLowerHex(r.ConsensusHash, 32):
		return fmt.Errorf("ops_hash or consensus_hash is not lower-case hex of the right length")
	case r.Block < r.FirstBlock:
		return fmt.Errorf("block %d is below first_block %d", r.Block, r.FirstBlock)
	}
	return nil
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ScenarioKey names a recorded run: "version/scenario", as block, commit
// and chain records of the same run share it.
func ScenarioKey(version, scenario string) string { return version + "/" + scenario }

// RecordsByScenario reads a consensus-vector file (blocks.jsonl) and
// returns each run's serialized records by block height, keyed by
// ScenarioKey: the leaves of every block's ops hash, in order.
func RecordsByScenario(r io.Reader, name string) (map[string]map[uint64][][]byte, error) {
	records := map[string]map[uint64][][]byte{}
	err := ReadJSONL(r, name, func(_ int, b *BlockRecord) error {
		if err := b.Validate(); err != nil {
			return err
		}
		k := ScenarioKey(b.Version, b.Scenario)
		if records[k] == nil {
			records[k] = map[uint64][][]byte{}
		}
		for _, s := range b.SerializedOps {
			records[k][b.Block] = append(records[k][b.Block], []byte(s))
		}
		return nil
	})
	return records, err
}

// Hashes returns a chain record's consensus and ops hashes by height and
// its heights in ascending order.
func (c *ChainRecord) Hashes() (consensus, opsHashes map[uint64]string, heights []uint64, err error) {
	consensus, opsHashes = map[uint64]string{}, map[uint64]string{}
	for hs, ch := range c.ConsensusHashes {
		h, err := strconv.ParseUint(hs, 10, 64)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("chain %s: height %q: %w", ScenarioKey(c.Version, c.Scenario), hs, err)
		}
		consensus[h], opsHashes[h] = ch, c.OpsHashes[hs]
		heights = append(heights, h)
	}
	sort.Slice(heights, func(i, j int) bool { return heights[i] < heights[j] })
	return consensus, opsHashes, heights, nil
}
