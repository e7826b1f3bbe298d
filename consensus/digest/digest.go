package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"

	"github.com/btcsuite/btcd/chainhash/v2"
	//lint:ignore SA1019 Bitcoin's hash160 is RIPEMD-160; this is the package btcd's address.Hash160 uses.
	"golang.org/x/crypto/ripemd160"
)

// EmptyOpsHash is the ops hash of a block without committed records:
// hex(SHA256(SHA256(""))).
const EmptyOpsHash = "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"

// HashError reports a hash string that is not lower-case hex of a usable
// length.
type HashError struct {
	Hash string
}

func (e *HashError) Error() string { return fmt.Sprintf("digest: malformed hash %q", e.Hash) }

// LeafHash returns the ops-hash leaf of one serialized record.
func LeafHash(serialized []byte) string {
	h := chainhash.DoubleHashH(serialized)
	return hex.EncodeToString(h[:])
}

// OpsHash returns the ops hash of a block from its serialized records, in any
// order. It equals OpsHashFromLeaves of the records' LeafHash values,
// computed on the raw hashes (hex order is byte order) without rendering
// and parsing hex.
func OpsHash(records [][]byte) string {
	if len(records) == 0 {
		return EmptyOpsHash
	}
	level := make([][32]byte, len(records), len(records)+1)
	for i, r := range records {
		level[i] = chainhash.DoubleHashH(r)
	}
	slices.SortFunc(level, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	for i := range level {
		slices.Reverse(level[i][:])
	}
	var buf [64]byte
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		for i := 0; i < len(level); i += 2 {
			copy(buf[:32], level[i][:])
			copy(buf[32:], level[i+1][:])
			first := sha256.Sum256(buf[:])
			level[i/2] = sha256.Sum256(first[:])
		}
		level = level[:len(level)/2]
	}
	root := level[0]
	slices.Reverse(root[:])
	return hex.EncodeToString(root[:])
}

// OpsHashFromLeaves returns the ops hash of a block from its leaf hashes, in
// any order. An empty list gives EmptyOpsHash.
func OpsHashFromLeaves(leaves []string) (string, error) {
	if len(leaves) == 0 {
		return EmptyOpsHash, nil
	}
	return merkleRootOfSorted(leaves)
}

// PrevHeights returns the heights whose consensus hashes block height
// commits to: height-(2^i-1) for i = 1, 2, ... while at least firstBlock,
// nearest first. The first block commits to none.
func PrevHeights(height, firstBlock uint64) []uint64 {
	return AppendPrevHeights(nil, height, firstBlock)
}

// AppendPrevHeights appends PrevHeights(height, firstBlock) to dst, for a
// caller that reuses one slice from block to block.
func AppendPrevHeights(dst []uint64, height, firstBlock uint64) []uint64 {
	out := dst
	for step := uint64(1); step <= height && height-step >= firstBlock; step = step*2 + 1 {
		out = append(out, height-step)
		if step > math.MaxUint64/2 {
			break // the next step would overflow: no further height exists
		}
	}
	return out
}

// ConsensusHash returns a block's consensus hash from its ops hash and the
// consensus hashes of its PrevHeights (in any order).
func ConsensusHash(opsHash string, prevConsensusHashes []string) (string, error) {
	// A block has one leaf per earlier height it commits to (one per bit
	// of its height) plus its ops hash: the scratch below is on the stack
	// for any real chain.
	var leavesArr [smallLeaves]string
	leaves := leavesArr[:0]
	if len(prevConsensusHashes)+1 > len(leavesArr) {
		leaves = make([]string, 0, len(prevConsensusHashes)+1)
	}
	leaves = append(leaves, prevConsensusHashes...)
	leaves = append(leaves, opsHash)
	slices.Sort(leaves)
	var rootArr [64]byte
	root, err := appendMerkleRoot(rootArr[:0], leaves)
	if err != nil {
		return "", err
	}
	var h [20]byte
	Hash160Into(&h, root)
	return hex.EncodeToString(h[:16]), nil
}

// Hash160Into sets *dst to RIPEMD-160(SHA-256(b)), the value of btcd's
// address.Hash160, without its heap allocations (two hash states and two
// digests): consensus hashes and name hashes are computed for every block
// and registration.
func Hash160Into(dst *[20]byte, b []byte) {
	s := sha256.Sum256(b)
	r := ripemd160.New()
	r.Write(s[:])
	r.Sum(dst[:0])
}

// MerkleRoot returns the reference's Merkle root over hex leaves in the
// given order: leaves' bytes reversed, double-SHA256 of pairs, the last node
// duplicated on odd levels, the root printed reversed. A single leaf is its
// own root.
func MerkleRoot(leaves []string) (string, error) {
	root, err := appendMerkleRoot(nil, leaves)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(root), nil
}

// smallLeaves is how many leaves of up to 32 bytes the Merkle root and the
// consensus hash handle in stack scratch; more take heap buffers.
const smallLeaves = 64

// appendMerkleRoot appends MerkleRoot's root as bytes (in printed order) to
// dst. The leaves are decoded into one buffer and the inner levels are
// arrays, in stack scratch when they fit.
func appendMerkleRoot(dst []byte, leaves []string) ([]byte, error) {
	if len(leaves) == 0 {
		return nil, fmt.Errorf("digest: Merkle root of no leaves")
	}
	size := 0
	for _, l := range leaves {
		// What hex.DecodeString accepts and hex.EncodeToString gives back.
		if len(l) == 0 || len(l)%2 != 0 {
			return nil, &HashError{Hash: l}
		}
		size += len(l) / 2
	}
	n := len(leaves)
	var rawArr [smallLeaves * 32]byte
	var endsArr [smallLeaves]int
	var levelArr [smallLeaves/2 + 1][32]byte
	raw, ends, level := rawArr[:0], endsArr[:0], levelArr[:0]
	if size > len(rawArr) {
		raw = make([]byte, 0, size)
	}
	if n > len(endsArr) {
		ends = make([]int, 0, n)
	}
	if (n+1)/2+1 > len(levelArr) {
		level = make([][32]byte, 0, (n+1)/2+1)
	}
	raw, ends = raw[:size], ends[:n]
	off := 0
	for i, l := range leaves {
		b := raw[off : off+len(l)/2]
		if !DecodeLowerHex(b, l) {
			return nil, &HashError{Hash: l}
		}
		slices.Reverse(b)
		off += len(b)
		ends[i] = off
	}
	if n == 1 {
		slices.Reverse(raw)
		return append(dst, raw...), nil
	}
	leaf := func(i int) []byte {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		return raw[start:ends[i]]
	}
	// The first level pairs the leaves, of any length.
	level = level[:(n+1)/2]
	var bufArr [128]byte
	buf := bufArr[:0]
	for i := 0; i < n; i += 2 {
		r := i + 1
		if r == n {
			r = i // the last node duplicated on an odd level
		}
		buf = append(append(buf[:0], leaf(i)...), leaf(r)...)
		first := sha256.Sum256(buf)
		level[i/2] = sha256.Sum256(first[:])
	}
	var pair [64]byte
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		for i := 0; i < len(level); i += 2 {
			copy(pair[:32], level[i][:])
			copy(pair[32:], level[i+1][:])
			first := sha256.Sum256(pair[:])
			level[i/2] = sha256.Sum256(first[:])
		}
		level = level[:len(level)/2]
	}
	root := level[0]
	slices.Reverse(root[:])
	return append(dst, root[:]...), nil
}

// DecodeLowerHex decodes s into dst if s is exactly 2*len(dst) lower-case
// hex digits, the only form in which hashes are written (what
// hex.EncodeToString gives), and reports whether it was; dst is
// unspecified otherwise. It allocates nothing.
func DecodeLowerHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	var bad byte
	for i := range dst {
		hi, lo := lowerHexVal[s[2*i]], lowerHexVal[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo
	}
	return bad <= 0xf
}

// lowerHexVal maps a byte to its value as a lower-case hex digit, 0xff
// for any other byte.
const lowerHexVal = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\x0a\x0b\x0c\x0d\x0e\x0f\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

func merkleRootOfSorted(leaves []string) (string, error) {
	sorted := slices.Clone(leaves)
	slices.Sort(sorted)
	return MerkleRoot(sorted)
}
