package scenario

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

// Node is what a Runner needs from a full node; *regtest.Node has it all.
type Node interface {
	regtest.Chain
	regtest.Broadcaster
	GetBestBlock(ctx context.Context) (chainhash.Hash, int32, error)
	GetRawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error)
	SubmitBlock(ctx context.Context, block *wire.MsgBlock) error
}

// Progress reports one mined step.
type Progress struct {
	Step, Steps int
	Height      uint64
	Note        string
	// Ops are the step's operations with the verdicts they got (which
	// are the expected ones: a differing verdict ends the run instead).
	Ops []Outcome
}

// Outcome is one operation of a replayed step.
type Outcome struct {
	Op      Operation
	Txid    string
	Verdict Verdict
}

// Runner executes scripts on a fresh regtest node (Bitcoin regtest, ops
// and consensus Regtest rules unless Params says otherwise). Its zero
// value is not usable: Node is required.
type Runner struct {
	Node Node
	// Params are the Blockstack rules of the replay; consensus.Regtest()
	// when nil.
	Params *consensus.Params
	// FeeRate is the Bitcoin fee rate of every transaction;
	// regtest.DefaultFeeRate when zero.
	FeeRate int64
	// Progress, when set, is called once the participants are funded
	// (Step 0) and after every step's block is replayed.
	Progress func(Progress)
	// Now is the clock block timestamps follow; time.Now when nil.
	// Timestamps enter no Blockstack hash, which tests show by running a
	// script twice with different clocks.
	Now func() time.Time
}

// Result is what a run produced: its own replay of the node's blocks.
type Result struct {
	// FirstBlock is the first replayed height and Tip the last.
	FirstBlock, Tip uint64
	// TipHash is the hash of the node's block at Tip.
	TipHash chainhash.Hash
	// ConsensusHashes[i] is the consensus hash of block FirstBlock+i.
	ConsensusHashes []string
	// Names is the final name table of the script's namespaces.
	Names NameTable
	// Store holds the replay's final state.
	Store *consensus.MemStore
	// Operations counts the operations broadcast, Elapsed the run's time.
	Operations int
	Elapsed    time.Duration
}

// ConsensusHash returns the replay's consensus hash of block h.
func (r *Result) ConsensusHash(h uint64) (string, bool) {
	if h < r.FirstBlock || h > r.Tip {
		return "", false
	}
	return r.ConsensusHashes[h-r.FirstBlock], true
}

func (rn *Runner) now() func() time.Time {
	if rn.Now != nil {
		return rn.Now
	}
	return time.Now
}

// setupMaturity is how many setup blocks are mined before the bank's first
// coinbase can be spent to fund the participants.
const setupMaturity = 100

// run is the state of one execution.
type run struct {
	r       *Runner
	script  *Script
	chain   *chaincfg.Params
	params  *consensus.Params
	net     ops.Network
	feeRate int64

	wallet  *regtest.Wallet
	parties map[string]*party
	loose   *looseKeys
	miner   *miner
	spent   *spv.SpentOutputs
	engine  *consensus.Engine
	store   *consensus.MemStore
	hashes  []string

	step int // 1-based index of the step being executed, 0 during setup
}

func (r *run) address(name string) string { return r.parties[name].address }

func (r *run) consensusHash() string {
	if len(r.hashes) == 0 {
		return r.params.GenesisConsensusHash
	}
	return r.hashes[len(r.hashes)-1]
}

// Run executes s on the runner's node, which must be at its genesis block:
// it mines setup blocks paying the bank, funds every participant, then
// mines each step's block with its operations and replays every block from
// the first Blockstack height in its own engine, checking each operation's
// verdict as soon as its block is replayed. The first differing verdict
// ends the run with an ErrVerdict error naming the step.
func (rn *Runner) Run(ctx context.Context, s *Script) (*Result, error) {
	start := time.Now()
	if rn.Node == nil {
		return nil, newError(ErrBadScript, 0, nil, "runner has no node")
	}
	r := &run{r: rn, script: s, chain: regtest.Regtest.Params(), params: rn.Params, net: ops.Regtest(), feeRate: rn.FeeRate}
	if r.params == nil {
		r.params = consensus.Regtest()
	}
	if r.feeRate == 0 {
		r.feeRate = int64(regtest.DefaultFeeRate)
	}
	if err := s.validate(r.params.FirstBlock); err != nil {
		return nil, err
	}
	if r.params.FirstBlock <= setupMaturity+1 {
		return nil, newError(ErrBadScript, 0, nil, "first Blockstack block %d leaves no room for %d setup blocks", r.params.FirstBlock, setupMaturity)
	}
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	sent := 0
	for i := range s.Steps {
		r.step = i + 1
		if err := ctx.Err(); err != nil {
			return nil, newError(ErrNode, r.step, err, "%s", r.where(&s.Steps[i]))
		}
		n, err := r.runStep(ctx, &s.Steps[i])
		if err != nil {
			return nil, err
		}
		sent += n
	}
	names, err := TableOf(consensus.NewView(r.params, r.store), s.Namespaces())
	if err != nil {
		return nil, newError(ErrReplay, 0, err, "reading the final name table")
	}
	return &Result{
		FirstBlock: r.params.FirstBlock, Tip: uint64(r.miner.height), TipHash: r.miner.hash,
		ConsensusHashes: r.hashes, Names: names, Store: r.store,
		Operations: sent, Elapsed: time.Since(start),
	}, nil
}

// setup checks the chain is fresh, mines the setup blocks to the bank and
// funds every participant in one transaction.
func (r *run) setup(ctx context.Context) error {
	_, height, err := r.r.Node.GetBestBlock(ctx)
	if err != nil {
		return newError(ErrNode, 0, err, "reading the node's tip")
	}
	if height != 0 {
		return newError(ErrNode, 0, nil, "the node's chain is at height %d; a scenario needs a fresh chain", height)
	}
	r.wallet = regtest.NewWallet(r.chain, r.script.Seed)
	if r.parties, err = r.script.resolve(r.chain, r.wallet); err != nil {
		return err
	}
	r.loose = newLooseKeys(r.parties)
	if r.miner, err = newMiner(ctx, r.r.Node, r.chain, r.wallet.Key(bankIndex).PkScript, r.r.now()); err != nil {
		return newError(ErrNode, 0, err, "reading the genesis block")
	}
	r.spent = spv.NewSpentOutputs(r.r.Node, 0)
	r.store = consensus.NewMemStore()
	if r.engine, err = consensus.NewEngine(r.params, r.store); err != nil {
		return newError(ErrReplay, 0, err, "starting the replay engine")
	}
	// Enough setup blocks that the mature coinbases cover every funding.
	var need int64
	for _, p := range r.parties {
		need += p.funding
	}
	coinbases := int(need/blockchain.CalcBlockSubsidy(1, r.chain)) + 1
	setupBlocks := setupMaturity - 1 + coinbases
	if uint64(setupBlocks)+1 >= r.params.FirstBlock {
		return newError(ErrFunds, 0, nil, "funding %d satoshis needs %d setup blocks, more than fit before block %d", need, setupBlocks, r.params.FirstBlock)
	}
	for i := 0; i < setupBlocks; i++ {
		if _, err := r.miner.mine(ctx, nil); err != nil {
			return newError(ErrNode, 0, err, "mining setup block %d", i+1)
		}
	}
	if err := r.wallet.Sync(ctx, r.r.Node); err != nil {
		return newError(ErrNode, 0, err, "scanning the setup blocks")
	}
	tmpl := regtest.Template{}
	for _, p := range r.script.Participants {
		pt := r.parties[p.Name]
		tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{Value: pt.funding, PkScript: pt.pkScript})
	}
	tmpl.ChangeIndex = len(tmpl.Outputs)
	tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{})
	tx, err := r.wallet.Build(bankIndex, tmpl, r.miner.height, btcutil.Amount(r.feeRate))
	if err != nil {
		return newError(ErrFunds, 0, err, "funding the participants")
	}
	if err := r.submit(ctx, tx, "funding the participants"); err != nil {
		return err
	}
	if _, _, err := r.mineAndReplay(ctx, []*wire.MsgTx{tx}); err != nil {
		return err
	}
	if r.r.Progress != nil {
		r.r.Progress(Progress{Steps: len(r.script.Steps), Height: uint64(r.miner.height),
			Note: fmt.Sprintf("setup: %d blocks mined, %d participants funded", r.miner.height, len(r.parties))})
	}
	return nil
}

// submit hands tx to the node's mempool, under relay policy, and records
// it in both signers.
func (r *run) submit(ctx context.Context, tx *wire.MsgTx, what string) error {
	if _, err := r.r.Node.SendRawTransaction(ctx, tx); err != nil {
		return newError(ErrNode, r.step, err, "%s: the node refused transaction %s", what, tx.TxHash())
	}
	r.wallet.Commit(tx)
	r.loose.observe(tx)
	return nil
}

// runStep mines empty blocks up to the step's height, then its block.
func (r *run) runStep(ctx context.Context, st *Step) (int, error) {
	if next := uint64(r.miner.height) + 1; st.Height < next {
		return 0, newError(ErrBadScript, r.step, nil, "%s: block %d is already mined", r.where(st), st.Height)
	}
	for uint64(r.miner.height)+1 < st.Height {
		if _, _, err := r.mineAndReplay(ctx, nil); err != nil {
			return 0, err
		}
	}
	txs := make([]*wire.MsgTx, len(st.Ops))
	for i, e := range st.Ops {
		tx, err := r.send(ctx, st, e.Op)
		if err != nil {
			return 0, err
		}
		txs[i] = tx
	}
	res, scan, err := r.mineAndReplay(ctx, txs)
	if err != nil {
		return 0, err
	}
	outcomes, err := r.check(st, txs, res, scan)
	if err != nil {
		return 0, err
	}
	if r.r.Progress != nil {
		r.r.Progress(Progress{Step: r.step, Steps: len(r.script.Steps), Height: st.Height, Note: st.Note, Ops: outcomes})
	}
	return len(st.Ops), nil
}

func (r *run) where(st *Step) string {
	return fmt.Sprintf("step %d/%d (block %d, %q)", r.step, len(r.script.Steps), st.Height, st.Note)
}

// send encodes op, checks the template decodes at the step's height, and
// broadcasts it from its sender.
func (r *run) send(ctx context.Context, st *Step, op Operation) (*wire.MsgTx, error) {
	args, err := op.args(r)
	if err != nil {
		return nil, newError(ErrBadScript, r.step, err, "%s: %s", r.where(st), op)
	}
	t, err := args.Encode(r.net)
	if err != nil {
		return nil, newError(ErrBadScript, r.step, err, "%s: encoding %s", r.where(st), op)
	}
	from := r.parties[op.Sender()]
	// Check the transaction's shape as it will be sent (with the change
	// output the wallet appends) against the payload rules of its block.
	shape := *t
	if shape.ChangeIndex() < 0 {
		shape.Outputs = append(slices.Clone(t.Outputs), ops.TemplateOutput{Role: ops.RoleChange, Script: from.pkScript, Value: ops.DustMinimum})
	}
	dc := ops.ContextAt(r.net, r.params.Schedule(), st.Height)
	if _, err := shape.Check(dc); err != nil {
		return nil, newError(ErrBadScript, r.step, err, "%s: %s has no valid form at block %d", r.where(st), op, st.Height)
	}
	tmpl := regtest.FromOps(t)
	var tx *wire.MsgTx
	if from.walletIndex >= 0 {
		tx, err = r.wallet.Build(from.walletIndex, tmpl, r.miner.height, btcutil.Amount(r.feeRate))
	} else {
		tx, err = r.loose.build(from, tmpl, btcutil.Amount(r.feeRate))
	}
	if err != nil {
		return nil, newError(ErrFunds, r.step, err, "%s: building %s", r.where(st), op)
	}
	if err := r.submit(ctx, tx, fmt.Sprintf("%s: broadcasting %s", r.where(st), op)); err != nil {
		return nil, err
	}
	return tx, nil
}

// mineAndReplay mines a block holding txs and, from the first Blockstack
// height on, fetches it back from the node and replays it.
func (r *run) mineAndReplay(ctx context.Context, txs []*wire.MsgTx) (*consensus.BlockResult, *ops.BlockScan, error) {
	mined, err := r.miner.mine(ctx, txs)
	if err != nil {
		return nil, nil, newError(ErrNode, r.step, err, "mining block %d", r.miner.height+1)
	}
	height := uint64(r.miner.height)
	if height < r.params.FirstBlock {
		return nil, nil, nil
	}
	hash, err := r.r.Node.GetBlockHash(ctx, r.miner.height)
	if err != nil {
		return nil, nil, newError(ErrNode, r.step, err, "block hash at %d", height)
	}
	if hash != mined.BlockHash() {
		return nil, nil, newError(ErrNode, r.step, nil, "the node's block %d is %s, not the block mined (%s)", height, hash, mined.BlockHash())
	}
	block, err := r.r.Node.GetBlock(ctx, hash)
	if err != nil {
		return nil, nil, newError(ErrNode, r.step, err, "fetching block %d", height)
	}
	prevouts, err := r.spent.ForBlock(ctx, block)
	if err != nil {
		return nil, nil, newError(ErrNode, r.step, err, "spent outputs of block %d", height)
	}
	scan, err := ops.ScanBlock(ctx, block, ops.ContextAt(r.net, r.params.Schedule(), height),
		func(_ context.Context, i int, _ *wire.MsgTx) ([][]byte, error) {
			scripts := make([][]byte, len(prevouts[i]))
			for j, out := range prevouts[i] {
				scripts[j] = out.PkScript
			}
			return scripts, nil
		})
	if err != nil {
		return nil, nil, newError(ErrReplay, r.step, err, "decoding block %d", height)
	}
	blk := consensus.Block{Height: height, Hash: hash}
	for _, op := range scan.Ops {
		blk.Ops = append(blk.Ops, *op)
	}
	res, err := r.engine.ProcessBlock(ctx, blk)
	if err != nil {
		return nil, nil, newError(ErrReplay, r.step, err, "replaying block %d", height)
	}
	r.hashes = append(r.hashes, res.ConsensusHash)
	return res, scan, nil
}

// check compares every operation's verdict with the step's expectation.
func (r *run) check(st *Step, txs []*wire.MsgTx, res *consensus.BlockResult, scan *ops.BlockScan) ([]Outcome, error) {
	byTxid := make(map[string]*consensus.OpResult, len(res.Ops))
	for i := range res.Ops {
		byTxid[res.Ops[i].Txid] = &res.Ops[i]
	}
	out := make([]Outcome, len(st.Ops))
	for i, e := range st.Ops {
		txid := txs[i].TxHash().String()
		got, ok := byTxid[txid]
		if !ok {
			reason := errors.New("no operation found")
			for _, rej := range scan.Rejections {
				if rej.Txid == txid {
					reason = rej.Err
				}
			}
			return nil, newError(ErrNotDecoded, r.step, reason, "%s: operation %d, %s (tx %s), did not decode", r.where(st), i+1, e.Op, txid)
		}
		v := Verdict{Outcome: got.Outcome}
		if got.Err != nil {
			v.Code = got.Err.Code
		}
		if v != e.Want {
			detail := ""
			if got.Err != nil {
				detail = ": " + got.Err.Error()
			}
			return nil, newError(ErrVerdict, r.step, nil, "%s: operation %d, %s: want %s, got %s%s", r.where(st), i+1, e.Op, e.Want, v, detail)
		}
		out[i] = Outcome{Op: e.Op, Txid: txid, Verdict: v}
	}
	return out, nil
}
