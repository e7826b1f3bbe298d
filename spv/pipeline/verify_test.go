package pipeline

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// witnessBlock is a valid block in the shape of a segwit block: a coinbase
// with a witness commitment, a legacy spend and a witness spend.
func witnessBlock(t *testing.T) *wire.MsgBlock {
	t.Helper()
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript: []byte{0x02, 0x01, 0x01}, Witness: wire.TxWitness{make([]byte, 32)}})
	cb.AddTxOut(wire.NewTxOut(50e8, []byte{0x51}))
	legacy := wire.NewMsgTx(1)
	legacy.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{1}}, []byte{0x51}, nil))
	legacy.AddTxOut(wire.NewTxOut(1, []byte{0x51}))
	segwit := wire.NewMsgTx(2)
	segwit.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{2}}, nil, wire.TxWitness{{0x01, 0x02}, {0x03}}))
	segwit.AddTxOut(wire.NewTxOut(2, []byte{0x51}))
	b := &wire.MsgBlock{Header: wire.BlockHeader{Version: 4, Bits: 0x207fffff, Timestamp: time.Unix(1700000000, 0)},
		Transactions: []*wire.MsgTx{cb, legacy, segwit}}
	commit(b)
	return b
}

// commit writes b's witness commitment (when its coinbase has a witness
// nonce) and its Merkle root, as an honest miner would.
func commit(b *wire.MsgBlock) {
	cb := b.Transactions[0]
	if len(cb.TxIn[0].Witness) == 1 {
		txs := btcutil.NewBlock(b).Transactions()
		root := blockchain.CalcMerkleRoot(txs, true)
		pre := append(root[:], cb.TxIn[0].Witness[0]...)
		script := append(append([]byte{}, blockchain.WitnessMagicBytes...), chainhash.DoubleHashB(pre)...)
		if n := len(cb.TxOut); n > 1 && bytes.HasPrefix(cb.TxOut[n-1].PkScript, blockchain.WitnessMagicBytes) {
			cb.TxOut = cb.TxOut[:n-1]
		}
		cb.AddTxOut(wire.NewTxOut(0, script))
	}
	b.Header.MerkleRoot = blockchain.CalcMerkleRoot(btcutil.NewBlock(b).Transactions(), false)
}

func cloneBlock(b *wire.MsgBlock) *wire.MsgBlock {
	var buf bytes.Buffer
	if err := b.Serialize(&buf); err != nil {
		panic(err)
	}
	var c wire.MsgBlock
	if err := c.Deserialize(&buf); err != nil {
		panic(err)
	}
	return &c
}

// The block checks in the style of Bitcoin Core's feature_block and
// p2p_invalid_block: each malleation of a valid block is refused with
// ErrBadBlock and a message naming what is wrong. Some keep the header
// hash (the attack a header check cannot see); the others are delivered
// by a source that also lies about the hash, so each check is reached on
// its own.
func TestCheckBlock(t *testing.T) {
	good := witnessBlock(t)
	ev := func(b *wire.MsgBlock, hash chainhash.Hash) *spv.BlockEvent {
		return &spv.BlockEvent{Height: 300, Hash: hash, Block: btcutil.NewBlock(b)}
	}
	require.NoError(t, checkBlock(ev(good, good.BlockHash())))

	cases := []struct {
		name     string
		mutate   func(b *wire.MsgBlock)
		sameHash bool // the mutation keeps the header (and so its hash)
		recommit bool // the liar recomputes the Merkle root and witness commitment
		want     string
	}{
		{"duplicated last transaction (CVE-2012-2459)", func(b *wire.MsgBlock) {
			b.Transactions = append(b.Transactions, b.Transactions[len(b.Transactions)-1])
		}, true, false, "repeats transaction"},
		{"wrong merkle root", func(b *wire.MsgBlock) { b.Transactions[1].TxOut[0].Value++ }, false, false, "Merkle root"},
		{"stripped witness", func(b *wire.MsgBlock) { b.Transactions[2].TxIn[0].Witness = nil }, true, false, "witness"},
		{"bad witness commitment", func(b *wire.MsgBlock) {
			b.Transactions[2].TxIn[0].Witness[1][0] ^= 1
		}, true, false, "witness commitment does not match"},
		{"witness without commitment", func(b *wire.MsgBlock) {
			cb := b.Transactions[0]
			cb.TxOut = cb.TxOut[:1]
			cb.TxIn[0].Witness = nil
		}, false, true, "no witness commitment"},
		{"two coinbases", func(b *wire.MsgBlock) {
			second := b.Transactions[0].Copy()
			second.TxIn[0].SignatureScript = []byte{0x02, 0x02, 0x02}
			b.Transactions = append(b.Transactions, second)
		}, false, true, "second coinbase"},
		{"no coinbase", func(b *wire.MsgBlock) { b.Transactions = b.Transactions[1:] }, false, true, "first transaction is not a coinbase"},
		{"another block's hash", func(b *wire.MsgBlock) { b.Header.Nonce++ }, false, false, "not to the verified header's"},
		{"no transactions", func(b *wire.MsgBlock) { b.Transactions = nil }, false, true, "no transactions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := cloneBlock(good)
			tc.mutate(b)
			if tc.recommit && len(b.Transactions) > 0 {
				commit(b)
			}
			hash := good.BlockHash()
			if tc.sameHash {
				require.Equal(t, hash, b.BlockHash(), "the mutation changed the header")
			} else if tc.recommit {
				hash = b.BlockHash() // the source lies consistently
			}
			err := checkBlock(ev(b, hash))
			require.ErrorIs(t, err, ErrBadBlock)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

// mutatingSource is a block source that does not check what it delivers:
// it hands the pipeline a mutated copy of the block at one height.
type mutatingSource struct {
	Source
	height int32
	mutate func(*wire.MsgBlock)
}

func (m *mutatingSource) wrap(fn func(context.Context, spv.Event) error) func(context.Context, spv.Event) error {
	return func(ctx context.Context, ev spv.Event) error {
		if e, ok := ev.(*spv.BlockEvent); ok && e.Height == m.height {
			b := cloneBlock(e.Block.MsgBlock())
			m.mutate(b)
			ev = &spv.BlockEvent{Height: e.Height, Hash: e.Hash, Block: btcutil.NewBlock(b)}
		}
		return fn(ctx, ev)
	}
}

func (m *mutatingSource) CatchUp(ctx context.Context, after spv.Cursor, fn func(context.Context, spv.Event) error) (spv.Cursor, error) {
	return m.Source.CatchUp(ctx, after, m.wrap(fn))
}

func (m *mutatingSource) Follow(ctx context.Context, after spv.Cursor, fn func(context.Context, spv.Event) error) error {
	return m.Source.Follow(ctx, after, m.wrap(fn))
}

// A block whose last transactions (two operations) are repeated keeps its
// hash and Merkle root. Delivered by a source that checks nothing, it is
// refused before ops sees it: the run fails with ErrBadBlock naming the
// repeated transaction, the store stays at the block before, and a later
// honest run ends equal to the honest chain. ops.ScanBlock refuses the
// same block on its own too.
func TestMalleatedBlockRefused(t *testing.T) {
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	last := chain.history()
	// One block with an odd number of transactions, operations last:
	// the coinbase, alice's NAME_UPDATE and a NAME_PREORDER.
	chain.send(keyAlice, ops.NameUpdateArgs{Name: "hello.demo", ConsensusHash: chain.tipConsensusHash(),
		ValueHash: strings.Repeat("ab", 20)})
	chain.send(keyNSCreator, ops.NamePreorderArgs{Name: "other.demo", ConsensusHash: chain.tipConsensusHash(),
		SenderAddress: chain.addr(keyNSCreator), RegisterAddress: chain.addr(keyNSCreator), Payment: ops.Payment{BTC: 100000}})
	mine(t, node, 1)
	bad := last + 1
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hash, err := node.GetBlockHash(ctx, bad)
	require.NoError(t, err)
	honest, err := node.GetBlock(ctx, hash)
	require.NoError(t, err)
	require.Len(t, honest.Transactions, 3)
	mine(t, node, 10)
	tip := bad + 10

	dup := func(b *wire.MsgBlock) { b.Transactions = append(b.Transactions, b.Transactions[len(b.Transactions)-1]) }
	mal := cloneBlock(honest)
	dup(mal)
	require.Equal(t, honest.BlockHash(), mal.BlockHash(), "the malleation keeps the hash")
	require.Equal(t, honest.Header.MerkleRoot, blockchain.CalcMerkleRoot(btcutil.NewBlock(mal).Transactions(), false))
	dc := ops.ContextAt(ops.Regtest(), consensus.Regtest().Schedule(), uint64(bad))
	_, err = ops.ScanBlock(ctx, mal, dc, nil)
	require.ErrorIs(t, err, &ops.Error{Code: ops.ErrDuplicateTxid})

	store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
	defer store.Close()
	n := regtestNetwork(t)
	client, err := spv.New(spvConfig(t, node))
	require.NoError(t, err)
	defer client.Stop()
	require.NoError(t, client.Start(ctx))
	src := &mutatingSource{Source: client, height: bad, mutate: dup}
	start := time.Now()
	st, err := Run(ctx, Config{Source: src, Store: store, Consensus: n.Consensus, Wire: n.Ops})
	require.ErrorIs(t, err, ErrBadBlock)
	require.Contains(t, err.Error(), "repeats transaction "+honest.Transactions[2].TxHash().String())
	require.Less(t, time.Since(start), 20*time.Second)
	require.Equal(t, int64(bad-1), st.Height)
	requireWholeBlock(t, store, int64(bad-1))

	// The honest chain, afterwards, from the same store.
	st, err = Run(ctx, Config{Source: client, Store: store, Consensus: n.Consensus, Wire: n.Ops})
	require.NoError(t, err)
	require.Equal(t, int64(tip-spv.DefaultConfirmationDepth), st.Height)
	requireSameAsReplay(t, store, replayNode(t, node, tip-spv.DefaultConfirmationDepth, false))
}
