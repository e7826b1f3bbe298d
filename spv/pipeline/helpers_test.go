package pipeline

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// The tests in this package share neutrino's package globals (set through
// spv.Config.ConnectionRetryInterval), so none of them calls t.Parallel.

func startNode(t testing.TB, opts regtest.Options) *regtest.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n, err := regtest.Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

func mine(t testing.TB, n *regtest.Node, blocks int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for blocks > 0 {
		step := min(blocks, 2000)
		_, err := n.Generate(ctx, uint32(step))
		require.NoError(t, err)
		blocks -= step
	}
}

// mineTo mines until the node's tip is at height h.
func mineTo(t testing.TB, n *regtest.Node, h int32) {
	t.Helper()
	tip, err := n.GetBlockCount(context.Background())
	require.NoError(t, err)
	require.LessOrEqual(t, tip, h, "the chain is already past %d", h)
	mine(t, n, h-tip)
}

func spvConfig(t testing.TB, node *regtest.Node) spv.Config {
	return spvConfigFor(regtestNetwork(t), t.TempDir(), node.P2PAddr())
}

// spvConfigFor is the light client of the tests: short timeouts, quick
// reconnects.
func spvConfigFor(n *Network, dir, peer string) spv.Config {
	return spv.Config{
		Params:                  n.Chain,
		Peers:                   []string{peer},
		DataDir:                 dir,
		PeerTimeout:             3 * time.Second,
		FetchTimeout:            5 * time.Second,
		PollInterval:            50 * time.Millisecond,
		ConnectionRetryInterval: 250 * time.Millisecond,
	}
}

func openChildStore(ctx context.Context, dir string) (*snapshot.Store, error) {
	n, err := NetworkByName("regtest")
	if err != nil {
		return nil, err
	}
	opts := n.StoreOptions()
	opts.SyncEvery = 16
	opts.VerifyPriors = true // every prior the engine hands over is checked
	return snapshot.Open(ctx, dir, opts)
}

func regtestNetwork(t testing.TB) *Network {
	n, err := NetworkByName("regtest")
	require.NoError(t, err)
	return n
}

// openStore opens (or creates) a regtest store in dir.
func openStore(t testing.TB, dir string, syncEvery int) *snapshot.Store {
	t.Helper()
	return openStoreWindow(t, dir, syncEvery, 0)
}

// openStoreWindow is openStore with an undo window (0: the default).
func openStoreWindow(t testing.TB, dir string, syncEvery, undoWindow int) *snapshot.Store {
	t.Helper()
	opts := regtestNetwork(t).StoreOptions()
	opts.SyncEvery = syncEvery
	opts.UndoWindow = undoWindow
	opts.VerifyPriors = true // every prior the engine hands over is checked
	s, err := snapshot.Open(context.Background(), dir, opts)
	require.NoError(t, err)
	return s
}

// syncConfig is a light-mode CatchUp of node into store.
func syncConfig(t testing.TB, node *regtest.Node, store *snapshot.Store) Config {
	n := regtestNetwork(t)
	return Config{SPV: spvConfig(t, node), Store: store, Consensus: n.Consensus, Wire: n.Ops}
}

func deadAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// replay is the independent check: the node's best chain fetched over RPC
// and replayed into an in-memory store, without spv, snapshot or this
// package's code.
type replay struct {
	mem    *consensus.MemStore
	hashes map[uint64]string // consensus hash by height
	ops    int
}

func replayNode(t testing.TB, node *regtest.Node, upTo int32, exact bool) *replay {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := consensus.Regtest()
	r := &replay{mem: consensus.NewMemStore(), hashes: map[uint64]string{}}
	eng, err := consensus.NewEngine(p, r.mem)
	require.NoError(t, err)
	for h := int32(p.FirstBlock); h <= upTo; h++ {
		hash, err := node.GetBlockHash(ctx, h)
		require.NoError(t, err)
		block, err := node.GetBlock(ctx, hash)
		require.NoError(t, err)
		var spent ops.SpentScriptsFunc
		if exact {
			spent = func(ctx context.Context, _ int, tx *wire.MsgTx) ([][]byte, error) {
				var scripts [][]byte
				for _, in := range tx.TxIn {
					prev, err := node.GetRawTransaction(ctx, in.PreviousOutPoint.Hash)
					if err != nil {
						return nil, err
					}
					scripts = append(scripts, prev.TxOut[in.PreviousOutPoint.Index].PkScript)
				}
				return scripts, nil
			}
		}
		scan, err := ops.ScanBlock(ctx, block, ops.ContextAt(ops.Regtest(), p.Schedule(), uint64(h)), spent)
		require.NoError(t, err)
		var list []ops.Op
		for _, op := range scan.Ops {
			list = append(list, *op)
		}
		r.ops += len(list)
		res, err := eng.ProcessBlock(ctx, consensus.Block{Height: uint64(h), Hash: hash, Ops: list})
		require.NoError(t, err)
		r.hashes[uint64(h)] = res.ConsensusHash
	}
	return r
}

// requireSameAsReplay checks that store holds exactly what r computed:
// the same blocks, the same consensus hash at every height, the same state
// key for key, and that an audit that replays the stored inputs agrees.
func requireSameAsReplay(t testing.TB, store *snapshot.Store, r *replay) {
	t.Helper()
	tip, ok, err := store.Tip()
	require.NoError(t, err)
	require.True(t, ok, "the store is empty")
	memTip, ok, err := r.mem.Tip()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, memTip, tip, "store tip")
	for h := consensus.Regtest().FirstBlock; h <= tip; h++ {
		ch, err := store.ConsensusHash(h)
		require.NoError(t, err)
		require.Equal(t, r.hashes[h], ch, "consensus hash at height %d", h)
	}
	requireSameState(t, store, r.mem)
	requireAudits(t, store)
}

func stateOf(t testing.TB, rd consensus.Reader) map[string]string {
	t.Helper()
	m := map[string]string{}
	require.NoError(t, rd.Scan(nil, func(k, v []byte) (bool, error) {
		m[string(k)] = string(v)
		return true, nil
	}))
	return m
}

func requireSameState(t testing.TB, a, b consensus.Reader) {
	t.Helper()
	sa, sb := stateOf(t, a), stateOf(t, b)
	require.NotEmpty(t, sa)
	require.Equal(t, len(sb), len(sa), "state sizes")
	for k, v := range sb {
		require.Equal(t, v, sa[k], "state key %x", k)
	}
}

// requireAudits runs a full audit (hashes and a replay of the stored
// inputs) and requires the verdict Verified.
func requireAudits(t testing.TB, store *snapshot.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := snapshot.AuditStore(ctx, store, snapshot.AuditOptions{Replayer: snapshot.EngineReplayer(consensus.Regtest())})
	require.NoError(t, err)
	require.Equal(t, snapshot.Verified, rep.Verdict, "audit: %+v (err %v)", rep.Divergence, rep.Err)
}

// nameChain builds a regtest chain with a realistic Blockstack history
// under consensus.Regtest: a namespace preorder, reveal and ready, a name
// preorder and registration, and one preorder whose first input spends a
// pay-to-pubkey coin (Blockstack ignores it; light mode recognises it only
// by the signature rule). It quotes consensus hashes computed by replaying
// the node's chain, as a real client would.
type nameChain struct {
	t    testing.TB
	node *regtest.Node
	w    *regtest.Wallet
	net  ops.Network
	p    *consensus.Params
}

// Wallet keys used by the history.
const (
	keyMiner     = 0 // coinbases
	keyNSCreator = 1
	keyNSReveal  = 2
	keyAlice     = 3
	keyP2PK      = 4
)

func newNameChain(t testing.TB, node *regtest.Node) *nameChain {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := &nameChain{t: t, node: node, w: regtest.NewWallet(node.Params(), regtest.DefaultSeed), net: ops.Regtest(), p: consensus.Regtest()}
	mineTo(t, node, 110)
	require.NoError(t, c.w.Sync(ctx, node))
	_, err := c.w.Fund(ctx, node, keyMiner, []int{keyNSCreator, keyNSReveal, keyAlice}, 10e8)
	require.NoError(t, err)
	// A pay-to-pubkey coin for the ignored operation.
	_, err = c.w.Send(ctx, node, keyMiner, regtest.Template{
		Outputs:     []*wire.TxOut{{Value: 1e8, PkScript: c.w.Key(keyP2PK).Script(regtest.P2PK)}, {}},
		ChangeIndex: 1,
	}, regtest.DefaultFeeRate)
	require.NoError(t, err)
	mine(t, node, 1)
	require.NoError(t, c.w.Sync(ctx, node))
	return c
}

// tipConsensusHash replays the node's chain and returns its tip's
// consensus hash (the hash operations quote).
func (c *nameChain) tipConsensusHash() string {
	tip, err := c.node.GetBlockCount(context.Background())
	require.NoError(c.t, err)
	r := replayNode(c.t, c.node, tip, false)
	return r.hashes[uint64(tip)]
}

func (c *nameChain) send(from int, args ops.Args) *wire.MsgTx {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tmpl, err := args.Encode(c.net)
	require.NoError(c.t, err)
	tx, err := c.w.SendOp(ctx, c.node, from, tmpl, regtest.DefaultFeeRate)
	require.NoError(c.t, err)
	return tx
}

func (c *nameChain) addr(k int) string { return c.w.Key(k).Address.EncodeAddress() }

// history writes the operations, one block each from the first Blockstack
// block on, and returns the height of the last one.
func (c *nameChain) history() int32 {
	c.t.Helper()
	first := int32(c.p.FirstBlock)
	mineTo(c.t, c.node, first) // block 256: the first block, empty
	c.send(keyNSCreator, ops.NamespacePreorderArgs{NamespaceID: "demo", ConsensusHash: c.tipConsensusHash(),
		SenderAddress: c.addr(keyNSCreator), RevealAddress: c.addr(keyNSReveal), Payment: ops.Payment{BTC: 4e8}})
	mine(c.t, c.node, 1)
	c.send(keyNSCreator, ops.NamespaceRevealArgs{NamespaceID: "demo", Version: 1, Lifetime: 1000, Coeff: 1, Base: 2,
		Buckets: [16]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, NonalphaDiscount: 1, NoVowelDiscount: 1,
		RevealAddress: c.addr(keyNSReveal)})
	mine(c.t, c.node, 1)
	c.send(keyNSReveal, ops.NamespaceReadyArgs{NamespaceID: "demo"})
	mine(c.t, c.node, 1)
	c.send(keyAlice, ops.NamePreorderArgs{Name: "hello.demo", ConsensusHash: c.tipConsensusHash(),
		SenderAddress: c.addr(keyAlice), RegisterAddress: c.addr(keyAlice), Payment: ops.Payment{BTC: 100000}})
	c.sendFromP2PK(ops.NamePreorderArgs{Name: "ghost.demo", ConsensusHash: c.tipConsensusHash(),
		SenderAddress: c.addr(keyP2PK), RegisterAddress: c.addr(keyP2PK), Payment: ops.Payment{BTC: 100000}})
	mine(c.t, c.node, 1)
	c.send(keyAlice, ops.NameRegistrationArgs{Name: "hello.demo", OwnerAddress: c.addr(keyAlice)})
	mine(c.t, c.node, 1)
	return first + 5
}

// sendFromP2PK sends an operation whose only input spends key keyP2PK's
// pay-to-pubkey coin: its scriptSig is a lone signature.
func (c *nameChain) sendFromP2PK(args ops.Args) {
	c.t.Helper()
	ctx := context.Background()
	tip, err := c.node.GetBlockCount(ctx)
	require.NoError(c.t, err)
	var coin *regtest.UTXO
	for _, u := range c.w.UTXOs(keyP2PK, tip) {
		if u.Kind == regtest.P2PK {
			coin = &u
			break
		}
	}
	require.NotNil(c.t, coin, "no pay-to-pubkey coin")
	tmpl, err := args.Encode(c.net)
	require.NoError(c.t, err)
	wt := regtest.FromOps(tmpl)
	tx := wire.NewMsgTx(wire.TxVersion)
	tx.AddTxIn(wire.NewTxIn(&coin.OutPoint, nil, nil))
	var out int64
	for i, o := range wt.Outputs {
		o := &wire.TxOut{Value: o.Value, PkScript: o.PkScript}
		if i == wt.ChangeIndex {
			o.PkScript = c.w.Key(keyP2PK).PkScript
		}
		out += o.Value
		tx.AddTxOut(o)
	}
	tx.TxOut[wt.ChangeIndex].Value = coin.Value - out - 10000
	key := c.w.Key(keyP2PK)
	sig, err := txscript.RawTxInSignature(tx, 0, coin.PkScript, txscript.SigHashAll, key.Priv)
	require.NoError(c.t, err)
	tx.TxIn[0].SignatureScript, err = txscript.NewScriptBuilder().AddData(sig).Script()
	require.NoError(c.t, err)
	_, err = c.node.SendRawTransaction(ctx, tx)
	require.NoError(c.t, err)
	c.w.Commit(tx)
}

// requireName checks the registration reached the state.
func requireName(t testing.TB, store *snapshot.Store, c *nameChain) {
	t.Helper()
	rec, err := consensus.NewView(consensus.Regtest(), store).Name("hello.demo")
	require.NoError(t, err)
	require.NotNil(t, rec, "hello.demo is not registered")
	require.Equal(t, c.addr(keyAlice), rec.Address)
	ghost, err := consensus.NewView(consensus.Regtest(), store).Name("ghost.demo")
	require.NoError(t, err)
	require.Nil(t, ghost)
}

// preorder is a NAME_PREORDER by alice of a name, quoting the tip's
// consensus hash at the time it is encoded.
type preorder struct {
	c    *nameChain
	name string
}

func (p preorder) Encode(net ops.Network) (*ops.Template, error) {
	return ops.NamePreorderArgs{Name: p.name, ConsensusHash: p.c.tipConsensusHash(),
		SenderAddress: p.c.addr(keyAlice), RegisterAddress: p.c.addr(keyAlice), Payment: ops.Payment{BTC: 100000}}.Encode(net)
}
