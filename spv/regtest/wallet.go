package regtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/mempool"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// DefaultSeed is the seed of the wallet whose first key Start pays
// coinbases to when Options.MiningAddress is empty.
const DefaultSeed = "spvcheck regtest wallet"

// DefaultFeeRate is a fee rate, in satoshis per 1000 virtual bytes, that
// btcd's default relay policy accepts.
const DefaultFeeRate btcutil.Amount = 2000

// ScriptKind is the kind of output script a wallet coin sits in. Every key
// owns one script of each kind. Blockstack accepts senders whose input 0
// spends p2pkh or p2sh and ignores the rest; the other kinds exist so tests
// can show that light and exact sender derivation agree on them too.
type ScriptKind int

// The script kinds the wallet can receive to and spend from.
const (
	// P2PKH is pay-to-pubkey-hash, the default everywhere.
	P2PKH ScriptKind = iota
	// P2PK is <pubkey> OP_CHECKSIG; its spend is a lone signature.
	P2PK
	// BareMultisig is a 1-of-1 OP_CHECKMULTISIG output; its spend is
	// OP_0 <signature>.
	BareMultisig
	// P2SHMultisig is the same 1-of-1 multisig behind pay-to-script-hash;
	// its spend ends with the redeem script.
	P2SHMultisig
	numScriptKinds
)

var scriptKindNames = [...]string{"p2pkh", "p2pk", "bare-multisig", "p2sh-multisig"}

func (k ScriptKind) String() string {
	if k >= 0 && k < numScriptKinds {
		return scriptKindNames[k]
	}
	return fmt.Sprintf("ScriptKind(%d)", int(k))
}

// sigScriptSize bounds the size of the signature script spending a coin of
// kind k with a compressed key: a DER signature with its sighash byte is
// at most 73 bytes with its push.
func sigScriptSize(k ScriptKind) int {
	const sig, key = 1 + 72, 1 + 33
	switch k {
	case P2PK:
		return sig
	case BareMultisig:
		return 1 + sig
	case P2SHMultisig:
		return 1 + sig + 1 + (1 + key + 2)
	default:
		return sig + key
	}
}

// owner says which key and kind an output script belongs to.
type owner struct {
	key  int
	kind ScriptKind
}

// Key is one deterministic test key with its p2pkh address and script.
type Key struct {
	Index    int
	Priv     *btcec.PrivateKey
	PubKey   []byte // compressed serialisation
	Address  *address.AddressPubKeyHash
	PkScript []byte // p2pkh output script paying Address

	scripts [numScriptKinds][]byte
	redeem  []byte // the 1-of-1 multisig script, P2SHMultisig's redeem script
}

// Script returns the key's output script of the given kind.
func (k *Key) Script(kind ScriptKind) []byte { return k.scripts[kind] }

// UTXO is an output the wallet can spend.
type UTXO struct {
	OutPoint wire.OutPoint
	Value    int64
	PkScript []byte
	KeyIndex int
	Kind     ScriptKind
	// Height is the height of the block holding the output, or -1 while
	// it is only in the mempool.
	Height   int32
	Coinbase bool
}

// Chain is what Wallet.Sync reads from a node. *RPCClient (and so *Node)
// implements it.
type Chain interface {
	GetBlockCount(ctx context.Context) (int32, error)
	GetBlockHash(ctx context.Context, height int32) (chainhash.Hash, error)
	GetBlock(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error)
}

// Broadcaster submits transactions; *RPCClient implements it.
type Broadcaster interface {
	SendRawTransaction(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error)
}

// Template is a transaction to be funded and signed: its outputs in order
// and the index of the one output whose value the wallet sets to the
// change. A change output with an empty script pays back to the sending
// key. ChangeIndex -1 means no change: whatever the inputs hold beyond the
// outputs and the fee goes to the miner.
type Template struct {
	Outputs     []*wire.TxOut
	ChangeIndex int
}

// Wallet is a deterministic test wallet: keys derived from a seed, UTXOs
// learnt by scanning the node's chain (Sync) and from its own broadcasts.
// It builds p2pkh-only transactions whose first input always belongs to the
// chosen sending key, which is what Blockstack takes as the sender. It is
// safe for concurrent use.
type Wallet struct {
	params *chaincfg.Params
	seed   string

	mu          sync.Mutex
	keys        []*Key
	byScript    map[string]owner
	byHash160   map[string]int    // pubkey hash -> key, for signing
	redeems     map[string][]byte // script hash -> redeem script
	utxos       map[wire.OutPoint]*UTXO
	synced      int32 // height of the last block Sync applied
	syncedHash  chainhash.Hash
	pendingKeys int // keys derived since the last Sync, whose history is unscanned
}

// initialKeys is how many keys NewWallet derives up front, so Sync
// recognises payments to them without the caller deriving them first.
const initialKeys = 16

// NewWallet returns an empty wallet whose keys derive from seed. The first
// 16 keys exist from the start; Key derives more on demand (and makes the
// next Sync rescan the chain for them).
func NewWallet(params *chaincfg.Params, seed string) *Wallet {
	w := &Wallet{
		params:    params,
		seed:      seed,
		byScript:  make(map[string]owner),
		byHash160: make(map[string]int),
		redeems:   make(map[string][]byte),
		utxos:     make(map[wire.OutPoint]*UTXO),
	}
	w.keyLocked(initialKeys - 1)
	return w
}

// Key returns the i-th key (i ≥ 0), deriving it on first use as
// SHA-256(seed ":" i) reduced to a secp256k1 scalar.
func (w *Wallet) Key(i int) *Key {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.keyLocked(i)
}

func (w *Wallet) keyLocked(i int) *Key {
	for len(w.keys) <= i {
		n := len(w.keys)
		seed := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", w.seed, n)))
		priv, pub := btcec.PrivKeyFromBytes(seed[:])
		pubBytes := pub.SerializeCompressed()
		addr, err := address.NewAddressPubKeyHash(address.Hash160(pubBytes), w.params)
		if err != nil {
			panic(fmt.Sprintf("regtest: p2pkh address of a 20-byte hash: %v", err)) // cannot happen
		}
		script, err := txscript.PayToAddrScript(addr)
		if err != nil {
			panic(fmt.Sprintf("regtest: p2pkh script: %v", err)) // cannot happen
		}
		k := &Key{Index: n, Priv: priv, PubKey: pubBytes, Address: addr, PkScript: script}
		pkAddr, err := address.NewAddressPubKey(pubBytes, w.params)
		if err != nil {
			panic(fmt.Sprintf("regtest: pubkey address: %v", err)) // cannot happen
		}
		k.redeem, err = txscript.MultiSigScript([]*address.AddressPubKey{pkAddr}, 1)
		if err != nil {
			panic(fmt.Sprintf("regtest: multisig script: %v", err)) // cannot happen
		}
		shAddr, err := address.NewAddressScriptHash(k.redeem, w.params)
		if err != nil {
			panic(fmt.Sprintf("regtest: p2sh address: %v", err)) // cannot happen
		}
		k.scripts[P2PKH] = script
		k.scripts[P2PK], _ = txscript.PayToAddrScript(pkAddr)
		k.scripts[BareMultisig] = k.redeem
		k.scripts[P2SHMultisig], _ = txscript.PayToAddrScript(shAddr)
		w.keys = append(w.keys, k)
		for kind, sc := range k.scripts {
			w.byScript[string(sc)] = owner{key: n, kind: ScriptKind(kind)}
		}
		w.byHash160[string(addr.ScriptAddress())] = n
		w.redeems[string(shAddr.ScriptAddress())] = k.redeem
		if w.synced > 0 {
			w.pendingKeys++
		}
	}
	return w.keys[i]
}

// Sync scans the node's best chain from the block after the last one
// scanned up to the tip, recording outputs that pay the wallet's keys and
// forgetting outputs that blocks spend. If the chain was reorganised below
// the last scanned block, or keys were derived after an earlier scan, it
// rescans from height 1.
func (w *Wallet) Sync(ctx context.Context, chain Chain) error {
	tip, err := chain.GetBlockCount(ctx)
	if err != nil {
		return err
	}
	w.mu.Lock()
	from, lastHash, pending := w.synced, w.syncedHash, w.pendingKeys
	w.mu.Unlock()
	if from > 0 {
		h, err := chain.GetBlockHash(ctx, from)
		if err != nil || h != lastHash || pending > 0 || from > tip {
			from = 0
		}
	}
	if from == 0 {
		w.mu.Lock()
		for op, u := range w.utxos {
			if u.Height >= 0 {
				delete(w.utxos, op)
			}
		}
		w.synced, w.pendingKeys = 0, 0
		w.mu.Unlock()
	}
	for h := from + 1; h <= tip; h++ {
		hash, err := chain.GetBlockHash(ctx, h)
		if err != nil {
			return err
		}
		block, err := chain.GetBlock(ctx, hash)
		if err != nil {
			return err
		}
		w.mu.Lock()
		for i, tx := range block.Transactions {
			w.applyLocked(tx, h, i == 0)
		}
		w.synced, w.syncedHash = h, hash
		w.mu.Unlock()
	}
	return nil
}

// applyLocked removes what tx spends and adds what it pays the wallet.
func (w *Wallet) applyLocked(tx *wire.MsgTx, height int32, coinbase bool) {
	if !coinbase {
		for _, in := range tx.TxIn {
			delete(w.utxos, in.PreviousOutPoint)
		}
	}
	txid := tx.TxHash()
	for i, out := range tx.TxOut {
		o, ok := w.byScript[string(out.PkScript)]
		if !ok {
			continue
		}
		op := wire.OutPoint{Hash: txid, Index: uint32(i)}
		w.utxos[op] = &UTXO{
			OutPoint: op, Value: out.Value, PkScript: out.PkScript,
			KeyIndex: o.key, Kind: o.kind, Height: height, Coinbase: coinbase,
		}
	}
}

// UTXOs returns the outputs held by key index k that can be spent in the
// block after tip (coinbases need the network's maturity), oldest first.
func (w *Wallet) UTXOs(k int, tip int32) []UTXO {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.spendableLocked(k, tip)
}

func (w *Wallet) spendableLocked(k int, tip int32) []UTXO {
	var out []UTXO
	for _, u := range w.utxos {
		if u.KeyIndex != k {
			continue
		}
		if u.Coinbase && tip+1-u.Height < int32(w.params.CoinbaseMaturity) {
			continue
		}
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b UTXO) int {
		ha, hb := a.Height, b.Height
		if ha < 0 {
			ha = 1<<31 - 1
		}
		if hb < 0 {
			hb = 1<<31 - 1
		}
		if ha != hb {
			return int(ha) - int(hb)
		}
		if c := bytes.Compare(a.OutPoint.Hash[:], b.OutPoint.Hash[:]); c != 0 {
			return c
		}
		return int(a.OutPoint.Index) - int(b.OutPoint.Index)
	})
	return out
}

// Balance is the spendable value under key k as of tip.
func (w *Wallet) Balance(k int, tip int32) int64 {
	var sum int64
	for _, u := range w.UTXOs(k, tip) {
		sum += u.Value
	}
	return sum
}

// Build funds tmpl from key from's spendable p2pkh outputs (as of tip),
// sets the change, and signs every input. Input 0 is always from's oldest
// spendable p2pkh output. The fee is feeRate (satoshis per 1000 bytes)
// times the signed size, estimated with maximal signatures. The wallet is
// not changed: call Commit, or use Send, once the transaction is
// broadcast.
func (w *Wallet) Build(from int, tmpl Template, tip int32, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	return w.build(nil, from, tmpl, tip, feeRate)
}

// BuildWith is Build with input 0 fixed to first, a wallet coin of any
// kind (a p2pk or multisig coin makes a transaction Blockstack ignores).
// Key from's p2pkh coins pay whatever first does not cover, and its p2pkh
// script receives an empty change slot.
func (w *Wallet) BuildWith(first UTXO, from int, tmpl Template, tip int32, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	return w.build(&first, from, tmpl, tip, feeRate)
}

func (w *Wallet) build(first *UTXO, from int, tmpl Template, tip int32, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	if tmpl.ChangeIndex < -1 || tmpl.ChangeIndex >= len(tmpl.Outputs) {
		return nil, newError(ErrBadTemplate, nil, "change index %d with %d outputs", tmpl.ChangeIndex, len(tmpl.Outputs))
	}
	w.mu.Lock()
	key := w.keyLocked(from)
	var coins []UTXO
	if first != nil {
		if _, ok := w.byScript[string(first.PkScript)]; !ok {
			w.mu.Unlock()
			return nil, newError(ErrSigning, nil, "input 0 %v is not a wallet coin", first.OutPoint)
		}
		coins = append(coins, *first)
	}
	for _, c := range w.spendableLocked(from, tip) {
		if c.Kind == P2PKH && (first == nil || c.OutPoint != first.OutPoint) {
			coins = append(coins, c)
		}
	}
	w.mu.Unlock()

	tx := wire.NewMsgTx(wire.TxVersion)
	var want int64
	for i, out := range tmpl.Outputs {
		if out.Value < 0 {
			return nil, newError(ErrBadTemplate, nil, "output %d has negative value", i)
		}
		o := &wire.TxOut{Value: out.Value, PkScript: out.PkScript}
		if i == tmpl.ChangeIndex {
			o.Value = 0
			if len(o.PkScript) == 0 {
				o.PkScript = key.PkScript
			}
		}
		want += o.Value
		tx.AddTxOut(o)
	}

	var have int64
	var used []UTXO
	sigSize := 0
	fee := func() int64 {
		return int64(feeRate) * int64(tx.SerializeSize()+sigSize) / 1000
	}
	for _, c := range coins {
		if len(used) > 0 && have >= want+fee() {
			break
		}
		tx.AddTxIn(wire.NewTxIn(&c.OutPoint, nil, nil))
		used = append(used, c)
		have += c.Value
		sigSize += sigScriptSize(c.Kind)
	}
	if len(used) == 0 || have < want+fee() {
		return nil, newError(ErrInsufficientFunds, nil,
			"key %d has %d spendable satoshis, needs %d plus fee", from, have, want)
	}
	if tmpl.ChangeIndex >= 0 {
		change := tx.TxOut[tmpl.ChangeIndex]
		change.Value = have - want - fee()
		if mempool.IsDust(change, btcutil.Amount(mempool.DefaultMinRelayTxFee)) {
			return nil, newError(ErrBadTemplate, nil, "change of %d satoshis would be dust", change.Value)
		}
	}
	for i, c := range used {
		sig, err := w.sign(tx, i, c)
		if err != nil {
			return nil, err
		}
		tx.TxIn[i].SignatureScript = sig
	}
	return tx, nil
}

// sign produces the signature script for input i spending coin c, with
// txscript's generic signer (which knows every kind the wallet holds).
func (w *Wallet) sign(tx *wire.MsgTx, i int, c UTXO) ([]byte, error) {
	keys := txscript.KeyClosure(func(a address.Address) (*btcec.PrivateKey, bool, error) {
		var h []byte
		switch a := a.(type) {
		case *address.AddressPubKey:
			h = a.AddressPubKeyHash().ScriptAddress()
		default:
			h = a.ScriptAddress()
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		k, ok := w.byHash160[string(h)]
		if !ok {
			return nil, false, fmt.Errorf("no key for %s", a.EncodeAddress())
		}
		return w.keys[k].Priv, true, nil
	})
	scripts := txscript.ScriptClosure(func(a address.Address) ([]byte, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		r, ok := w.redeems[string(a.ScriptAddress())]
		if !ok {
			return nil, fmt.Errorf("no redeem script for %s", a.EncodeAddress())
		}
		return r, nil
	})
	sig, err := txscript.SignTxOutput(w.params, tx, i, c.PkScript, txscript.SigHashAll, keys, scripts, nil)
	if err != nil {
		return nil, newError(ErrSigning, err, "signing input %d (%v)", i, c.Kind)
	}
	return sig, nil
}

// Commit records a broadcast transaction: its inputs are no longer
// spendable and its outputs to wallet keys are, as unconfirmed outputs.
func (w *Wallet) Commit(tx *wire.MsgTx) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.applyLocked(tx, -1, false)
}

// Send builds tmpl from key from (see Build), broadcasts it and commits it.
func (w *Wallet) Send(ctx context.Context, node interface {
	Chain
	Broadcaster
}, from int, tmpl Template, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	tip, err := node.GetBlockCount(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := w.Build(from, tmpl, tip, feeRate)
	if err != nil {
		return nil, err
	}
	if _, err := node.SendRawTransaction(ctx, tx); err != nil {
		return nil, err
	}
	w.Commit(tx)
	return tx, nil
}

// SendWith builds tmpl with input 0 fixed to first (see BuildWith),
// broadcasts it and commits it.
func (w *Wallet) SendWith(ctx context.Context, node interface {
	Chain
	Broadcaster
}, first UTXO, from int, tmpl Template, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	tip, err := node.GetBlockCount(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := w.BuildWith(first, from, tmpl, tip, feeRate)
	if err != nil {
		return nil, err
	}
	if _, err := node.SendRawTransaction(ctx, tx); err != nil {
		return nil, err
	}
	w.Commit(tx)
	return tx, nil
}

// Fund sends amount satoshis from key from to each of the keys in to, in
// one transaction, and returns it. Mine a block to confirm it.
func (w *Wallet) Fund(ctx context.Context, node interface {
	Chain
	Broadcaster
}, from int, to []int, amount int64) (*wire.MsgTx, error) {
	tmpl := Template{ChangeIndex: len(to)}
	for _, k := range to {
		tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{Value: amount, PkScript: w.Key(k).PkScript})
	}
	tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{})
	return w.Send(ctx, node, from, tmpl, DefaultFeeRate)
}
