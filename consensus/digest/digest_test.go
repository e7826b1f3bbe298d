package digest_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/testvectors"
	"pgregory.net/rapid"
)

// TestRecordedBlocks recomputes every recorded block of the reference's test
// runs from its serialized records and earlier consensus hashes.
func TestRecordedBlocks(t *testing.T) {
	n := 0
	err := testvectors.ReadJSONLFile(testvectors.Path("consensus", "blocks.jsonl"),
		func(line int, r *testvectors.BlockRecord) error {
			n++
			key := r.Key()
			records := make([][]byte, len(r.SerializedOps))
			for i, s := range r.SerializedOps {
				records[i] = []byte(s)
			}
			if got := digest.OpsHash(records); got != r.OpsHash {
				t.Errorf("%s: ops hash %s, want %s", key, got, r.OpsHash)
			}
			if got := digest.PrevHeights(r.Block, r.FirstBlock); !slices.Equal(got, r.PrevHeights) {
				t.Errorf("%s: prev heights %v, want %v", key, got, r.PrevHeights)
			}
			got, err := digest.ConsensusHash(r.OpsHash, r.PrevConsensusHashes)
			if err != nil {
				t.Errorf("%s: %v", key, err)
			} else if got != r.ConsensusHash {
				t.Errorf("%s: consensus hash %s, want %s", key, got, r.ConsensusHash)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3462 {
		t.Fatalf("read %d block records, want 3462", n)
	}
}

func TestSpecExamples(t *testing.T) {
	if got := digest.OpsHash(nil); got != digest.EmptyOpsHash {
		t.Errorf("empty ops hash %s", got)
	}
	got, err := digest.ConsensusHash(digest.EmptyOpsHash, nil)
	if err != nil || got != "2a9148d8b13939723d2aca16c75c6d68" {
		t.Errorf("empty first block consensus hash %s, %v", got, err)
	}
	if got := digest.PrevHeights(259, 256); !slices.Equal(got, []uint64{258, 256}) {
		t.Errorf("prev heights of 259: %v", got)
	}
	if got := digest.PrevHeights(256, 256); len(got) != 0 {
		t.Errorf("first block has prev heights %v", got)
	}
}

// PrevHeights terminates and stays in range at the edges of uint64 (found by
// fuzzing the SNV decoder: the step used to overflow and loop forever).
func TestPrevHeightsEdges(t *testing.T) {
	got := digest.PrevHeights(math.MaxUint64, 0)
	if len(got) != 64 {
		t.Fatalf("PrevHeights(MaxUint64, 0) has %d heights, want 64", len(got))
	}
	if got[63] != 0 || got[0] != math.MaxUint64-1 {
		t.Fatalf("PrevHeights(MaxUint64, 0) = [%d ... %d]", got[0], got[63])
	}
	rapid.Check(t, func(t *rapid.T) {
		h := rapid.Uint64().Draw(t, "height")
		first := rapid.Uint64Max(h).Draw(t, "first")
		got := digest.PrevHeights(h, first)
		// Appending to a reused slice gives the same heights after what
		// the slice held.
		head := []uint64{7, 8}
		if appended := digest.AppendPrevHeights(head, h, first); !slices.Equal(appended[:2], head) || !slices.Equal(appended[2:], got) {
			t.Fatalf("AppendPrevHeights(%v, %d, %d) = %v, want %v then %v", head, h, first, appended, head, got)
		}
		prev := h
		for _, p := range got {
			if p >= prev || p < first {
				t.Fatalf("PrevHeights(%d, %d) not strictly decreasing within range: %d after %d", h, first, p, prev)
			}
			prev = p
		}
	})
}

func TestMalformedHashes(t *testing.T) {
	for _, bad := range []string{"", "xyz", "ABCD", "abc"} {
		if _, err := digest.ConsensusHash(bad, nil); err == nil {
			t.Errorf("ConsensusHash(%q) accepted", bad)
		}
	}
}

// DecodeLowerHex takes exactly what hex.EncodeToString gives back for a
// value of dst's length: lower-case digits, the right count.
func TestDecodeLowerHex(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want bool
	}{
		{"", 0, true}, {"00ff9a", 3, true}, {"0123456789abcdef", 8, true},
		{"00FF9A", 3, false}, {"00ff9", 3, false}, {"00ff9a", 2, false}, {"00ff9a00", 3, false},
		{"0g", 1, false}, {"/0", 1, false}, {":0", 1, false}, {"`0", 1, false}, {"\xff0", 1, false},
	} {
		dst := make([]byte, c.n)
		if got := digest.DecodeLowerHex(dst, c.s); got != c.want {
			t.Errorf("DecodeLowerHex(%d bytes, %q) = %v", c.n, c.s, got)
		} else if got && hex.EncodeToString(dst) != c.s {
			t.Errorf("DecodeLowerHex(%q) decoded %x", c.s, dst)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		s := rapid.SampledFrom([]string{hex.EncodeToString(b), rapid.String().Draw(t, "any")}).Draw(t, "s")
		dst := make([]byte, len(b))
		got := digest.DecodeLowerHex(dst, s)
		if want := len(s) == 2*len(b) && hex.EncodeToString(mustDecode(s)) == s; got != want {
			t.Fatalf("DecodeLowerHex(%q) = %v, want %v", s, got, want)
		}
		if got && hex.EncodeToString(dst) != s {
			t.Fatalf("DecodeLowerHex(%q) decoded %x", s, dst)
		}
	})
}

// mustDecode is hex.DecodeString, nil for anything it refuses.
func mustDecode(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

// The order of records inside a block never changes its ops hash.
func TestOpsHashOrderInvariant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		recs := rapid.SliceOf(rapid.SliceOf(rapid.Byte())).Draw(t, "records")
		perm := rapid.Permutation(recs).Draw(t, "perm")
		if a, b := digest.OpsHash(recs), digest.OpsHash(perm); a != b {
			t.Fatalf("ops hash depends on order: %s vs %s", a, b)
		}
	})
}

// OpsHash builds its tree on raw hashes, OpsHashFromLeaves through
// MerkleRoot's hex leaves (in stack scratch up to 64 leaves, heap buffers
// beyond): the two must agree for any number of records.
func TestOpsHashMatchesLeafPath(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 150).Draw(t, "n")
		recs := make([][]byte, n)
		leaves := make([]string, n)
		for i := range recs {
			recs[i] = rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "record")
			leaves[i] = digest.LeafHash(recs[i])
		}
		got, err := digest.OpsHashFromLeaves(leaves)
		if err != nil {
			t.Fatal(err)
		}
		if want := digest.OpsHash(recs); got != want {
			t.Fatalf("%d records: leaf path %s, raw path %s", n, got, want)
		}
	})
}

// ConsensusHash is hash160 (btcd's) of the Merkle root of its sorted
// leaves, truncated to 16 bytes, for any number of earlier hashes (a real
// block has at most one per bit of its height; more take heap buffers).
func TestConsensusHashMatchesDefinition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		hexOf := func(n int) *rapid.Generator[string] {
			return rapid.Custom(func(t *rapid.T) string {
				return hex.EncodeToString(rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, "bytes"))
			})
		}
		prevs := rapid.SliceOfN(hexOf(16), 0, 100).Draw(t, "prevs")
		ops := hexOf(32).Draw(t, "ops hash")
		got, err := digest.ConsensusHash(ops, prevs)
		if err != nil {
			t.Fatal(err)
		}
		leaves := append(slices.Clone(prevs), ops)
		slices.Sort(leaves)
		root, err := digest.MerkleRoot(leaves)
		if err != nil {
			t.Fatal(err)
		}
		if want := hex.EncodeToString(address.Hash160(mustDecode(root))[:16]); got != want {
			t.Fatalf("%d earlier hashes: %s, want %s", len(prevs), got, want)
		}
	})
}

// Hash160Into is btcd's address.Hash160 without allocations.
func TestHash160Into(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		var got [20]byte
		digest.Hash160Into(&got, b)
		if want := address.Hash160(b); !bytes.Equal(got[:], want) {
			t.Fatalf("%x: %x, want %x", b, got, want)
		}
	})
	var h [20]byte
	in := []byte("consensus")
	if n := testing.AllocsPerRun(100, func() { digest.Hash160Into(&h, in) }); n != 0 {
		t.Fatalf("Hash160Into allocates %v times", n)
	}
}

// benchmarkOpsHash measures a block's ops hash plus consensus hash, and
// reports it as a ratio to the irreducible part, timed in the same run
// right after it for as many rounds: double-SHA256 of each record (the
// leaves) and of one 32-byte node per record (the tree). (The baseline
// cannot be a testing.Benchmark: one started inside a running benchmark
// waits forever for the lock the outer one holds.)
func benchmarkOpsHash(b *testing.B, n int) {
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = fmt.Appendf(nil, ">:9:name%d.id,40:%040d,50:76a914%040d88ac", i, i, i)
	}
	prev := []string{"2a9148d8b13939723d2aca16c75c6d68", "50fbf15890e258c9621d35563845502b"}
	for b.Loop() {
		if _, err := digest.ConsensusHash(digest.OpsHash(recs), prev); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	var node [64]byte
	for range b.N {
		for _, r := range recs {
			h := chainhash.DoubleHashH(r)
			copy(node[:], h[:])
			_ = chainhash.DoubleHashH(node[:])
		}
		_ = chainhash.DoubleHashH(node[:])
	}
	if base := time.Since(start); base > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(base), "x-raw-sha256")
	}
}

func BenchmarkConsensusHash0(b *testing.B)    { benchmarkOpsHash(b, 0) }
func BenchmarkConsensusHash10(b *testing.B)   { benchmarkOpsHash(b, 10) }
func BenchmarkConsensusHash1000(b *testing.B) { benchmarkOpsHash(b, 1000) }
