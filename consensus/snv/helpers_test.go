package snv_test

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/testvectors"
)

// vectorChain is one recorded scenario as a proof source.
type vectorChain struct {
	key string
	rec *testvectors.ChainRecord
	src *snv.MemorySource
	// heights in ascending order
	heights []uint64
}

// loadVectorChains builds a MemorySource per scenario from chains.jsonl
// (hashes) and blocks.jsonl (serialized records).
func loadVectorChains(tb testing.TB) []vectorChain {
	tb.Helper()
	blocks, err := os.Open(testvectors.Path("consensus", "blocks.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer blocks.Close()
	records, err := testvectors.RecordsByScenario(blocks, "blocks.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var out []vectorChain
	err = testvectors.ReadJSONLFile(testvectors.Path("consensus", "chains.jsonl"),
		func(_ int, c *testvectors.ChainRecord) error {
			k := testvectors.ScenarioKey(c.Version, c.Scenario)
			cons, opsHashes, heights, err := c.Hashes()
			if err != nil {
				return err
			}
			src := &snv.MemorySource{First: c.FirstBlock, Consensus: cons, Ops: opsHashes, Blocks: records[k]}
			vc := vectorChain{key: k, rec: c, src: src, heights: heights}
			out = append(out, vc)
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// syntheticChain is a long chain whose hashes are computed with package
// digest on first use, block by block: every block's ops hash is the leaf
// of its height, so nothing but the skip list links the blocks.
type syntheticChain struct {
	first uint64
	mu    sync.Mutex
	ch    []string // ch[i] is the consensus hash of first+i
}

func (s *syntheticChain) FirstBlock() (uint64, error) { return s.first, nil }

func (s *syntheticChain) OpsHash(h uint64) (string, error) {
	if h < s.first {
		return "", fmt.Errorf("below first block")
	}
	recs, _ := s.Records(h)
	return digest.OpsHash(recs), nil
}

// Records is one record per block, under an opcode byte without a field
// list: "x:" LEN ":" height.
func (s *syntheticChain) Records(h uint64) ([][]byte, error) {
	v := strconv.FormatUint(h, 10)
	return [][]byte{[]byte("x:" + strconv.Itoa(len(v)) + ":" + v)}, nil
}

func (s *syntheticChain) ConsensusHash(h uint64) (string, error) {
	if h < s.first {
		return "", fmt.Errorf("below first block")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for uint64(len(s.ch)) <= h-s.first {
		n := s.first + uint64(len(s.ch))
		ops, _ := s.OpsHash(n)
		var prev []string
		for _, p := range digest.PrevHeights(n, s.first) {
			prev = append(prev, s.ch[p-s.first])
		}
		c, err := digest.ConsensusHash(ops, prev)
		if err != nil {
			return "", err
		}
		s.ch = append(s.ch, c)
	}
	return s.ch[h-s.first], nil
}

var (
	longChainOnce sync.Once
	longChain     *syntheticChain
)

// longSyntheticChain is shared by the tests and benchmarks of one run, so
// its 300,000 blocks are hashed once.
func longSyntheticChain() *syntheticChain {
	longChainOnce.Do(func() { longChain = &syntheticChain{first: 373601} })
	return longChain
}

// bitcoinFixture is a short Blockstack chain whose target block holds a
// NAME_UPDATE whose transaction sits in a mined Bitcoin block, with mined
// headers up to the trusted height.
type bitcoinFixture struct {
	src      *snv.MemorySource
	target   uint64
	trusted  uint64
	name     string
	txid     string
	powLimit *big.Int
}

// fixtureBits is a regtest-style target of about 2^240: mining takes ~65k
// hashes per header, and a tampered header passes by luck with
// probability 2^-16.
const fixtureBits = 0x1f00ffff

func newBitcoinFixture(tb testing.TB) *bitcoinFixture {
	tb.Helper()
	const first, target, trusted = 1000, 1020, 1026
	f := &bitcoinFixture{target: target, trusted: trusted, name: "foo.test",
		powLimit: blockchain.CompactToBig(fixtureBits)}
	src := &snv.MemorySource{First: first, Consensus: map[uint64]string{}, Ops: map[uint64]string{},
		Blocks: map[uint64][][]byte{}, Headers: map[uint64]wire.BlockHeader{}, BitcoinBlocks: map[uint64]*wire.MsgBlock{}}

	// Bitcoin block at the target: a coinbase, some filler, the update.
	block := wire.NewMsgBlock(&wire.BlockHeader{Version: 4, Bits: fixtureBits, Timestamp: unixTime(1500000000)})
	for i := 0; i < 6; i++ {
		tx := wire.NewMsgTx(1)
		tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: uint32(i)}, []byte{byte(i), 1, 2}, nil))
		tx.AddTxOut(wire.NewTxOut(int64(1000+i), []byte{0x6a, byte(i)}))
		block.AddTransaction(tx)
	}
	updateIndex := 4
	txid := block.Transactions[updateIndex].TxHash().String()
	f.txid = txid
	txs := make([]*btcutil.Tx, len(block.Transactions))
	for i, t := range block.Transactions {
		txs[i] = btcutil.NewTx(t)
	}
	block.Header.MerkleRoot = blockchain.CalcMerkleRoot(txs, false)

	update := canon.Record{
		"name": canon.Str(f.name), "value_hash": canon.Str("11" + fmt.Sprintf("%038d", 0)),
		"sender": canon.Str("76a914f75b20399d771f515a3cd80f941aa7461d92518c88ac"), "sender_pubkey": canon.None(),
		"address": canon.Str("n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4"), "block_number": canon.Int(1002),
		"preorder_block_number": canon.Int(1001), "first_registered": canon.Int(1002),
		"last_renewed": canon.Int(1002), "revoked": canon.Bool(false), "op": canon.Str("+"),
		"txid": canon.Str(txid), "vtxindex": canon.Int(int64(updateIndex)), "op_fee": canon.Int(6400000),
		"importer": canon.None(), "importer_address": canon.None(),
		"name_consensus_hash": canon.Str("fae543ff5672fb607fe15e16b1c3ef38"),
		"consensus_hash":      canon.Str("fae543ff5672fb607fe15e16b1c3ef38"),
	}
	rec, err := canon.Serialize('+', canon.FieldsFor('+'), update)
	if err != nil {
		tb.Fatal(err)
	}
	other := canon.Record{}
	for k, v := range update {
		other[k] = v
	}
	other["name"] = canon.Str("bar.test")
	other["txid"] = canon.Str(block.Transactions[2].TxHash().String())
	other["vtxindex"] = canon.Int(2)
	rec2, err := canon.Serialize('+', canon.FieldsFor('+'), other)
	if err != nil {
		tb.Fatal(err)
	}
	src.Blocks[target] = [][]byte{rec2, rec}

	for h := uint64(first); h <= trusted; h++ {
		src.Ops[h] = digest.OpsHash(src.Blocks[h])
		var prev []string
		for _, p := range digest.PrevHeights(h, first) {
			prev = append(prev, src.Consensus[p])
		}
		ch, err := digest.ConsensusHash(src.Ops[h], prev)
		if err != nil {
			tb.Fatal(err)
		}
		src.Consensus[h] = ch
	}

	prevHash := chainhash.Hash{1}
	for h := uint64(target); h <= trusted; h++ {
		hdr := wire.BlockHeader{Version: 4, PrevBlock: prevHash, Bits: fixtureBits,
			Timestamp: unixTime(1500000000 + int64(h-target)*600), MerkleRoot: chainhash.Hash{byte(h)}}
		if h == target {
			hdr.MerkleRoot = block.Header.MerkleRoot
		}
		mine(tb, &hdr, f.powLimit)
		src.Headers[h] = hdr
		prevHash = hdr.BlockHash()
		if h == target {
			block.Header = hdr
			src.BitcoinBlocks[h] = block
		}
	}
	f.src = src
	return f
}

func mine(tb testing.TB, h *wire.BlockHeader, target *big.Int) {
	for nonce := uint32(0); nonce < 1<<30; nonce++ {
		h.Nonce = nonce
		hash := h.BlockHash()
		if blockchain.HashToBig(&hash).Cmp(target) <= 0 {
			return
		}
	}
	tb.Fatal("could not mine a header")
}

func (f *bitcoinFixture) proof(tb testing.TB) *snv.Proof {
	tb.Helper()
	p, err := snv.Build(context.Background(), f.src, snv.Target{Select: snv.ByName(f.name), Height: f.target},
		f.trusted, snv.BuildOptions{Bitcoin: true, Params: &chaincfg.RegressionNetParams})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func unixTime(s int64) time.Time { return time.Unix(s, 0) }

func (f *bitcoinFixture) verifyOptions() snv.VerifyOptions {
	return snv.VerifyOptions{PowLimit: f.powLimit, RequireBitcoin: true}
}

func encodings(tb testing.TB, p *snv.Proof) (bin, js []byte) {
	tb.Helper()
	bin, err := snv.EncodeBinary(p)
	if err != nil {
		tb.Fatal(err)
	}
	js, err = snv.EncodeJSON(p)
	if err != nil {
		tb.Fatal(err)
	}
	if bytes.Equal(bin, js) {
		tb.Fatal("encodings coincide")
	}
	return bin, js
}

func regtest() *chaincfg.Params { return &chaincfg.RegressionNetParams }
