package scenario

import (
	"fmt"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

// party is a participant resolved to a key.
type party struct {
	name string
	// walletIndex is the key's index in the script's wallet, or -1 for a
	// key from elsewhere (STACKS keys, import children), which the
	// scenario's own small signer spends.
	walletIndex int
	priv        *btcec.PrivateKey
	pkScript    []byte
	address     string
	funding     int64
}

// bankIndex is the wallet key that receives the setup coinbases and funds
// every participant.
const bankIndex = 0

// resolve derives every participant's key. It needs no node, so Expected
// tables can name owners by participant.
func (s *Script) resolve(params *chaincfg.Params, w *regtest.Wallet) (map[string]*party, error) {
	out := make(map[string]*party, len(s.Participants))
	next := bankIndex + 1
	for _, p := range s.Participants {
		pt := &party{name: p.Name, walletIndex: -1, funding: p.Funding}
		if pt.funding == 0 {
			pt.funding = DefaultFunding
		}
		switch p.Source {
		case WalletKey:
			k := w.Key(next)
			pt.walletIndex, pt.priv = next, k.Priv
			next++
		case StacksKey:
			pt.priv, _ = btcec.PrivKeyFromBytes(consensus.RegtestPrivateKey(p.Index))
		case ImportChild:
			parent, ok := out[p.Parent]
			if !ok {
				return nil, newError(ErrBadScript, 0, nil, "import child %q: unknown parent %q", p.Name, p.Parent)
			}
			child, err := importChild(parent.priv, p.Index)
			if err != nil {
				return nil, newError(ErrBadScript, 0, err, "import child %q", p.Name)
			}
			pt.priv = child
		default:
			return nil, newError(ErrBadScript, 0, nil, "participant %q: unknown key source %d", p.Name, p.Source)
		}
		addr, err := address.NewAddressPubKeyHash(address.Hash160(pt.priv.PubKey().SerializeCompressed()), params)
		if err != nil {
			return nil, newError(ErrBadScript, 0, err, "participant %q", p.Name)
		}
		pt.address = addr.EncodeAddress()
		if pt.pkScript, err = txscript.PayToAddrScript(addr); err != nil {
			return nil, newError(ErrBadScript, 0, err, "participant %q", p.Name)
		}
		out[p.Name] = pt
	}
	return out, nil
}

// importChild derives the private key of child i of a NAME_IMPORT keychain:
// BIP32 non-hardened derivation from the revealer's key with an all-zero
// chain code at depth 0, whose public side is what the reference builds
// from the revealer's public key (state-machine.md §3.5-3).
func importChild(parent *btcec.PrivateKey, i int) (*btcec.PrivateKey, error) {
	master := hdkeychain.NewExtendedKey([]byte{0, 0, 0, 0}, parent.Serialize(), make([]byte, 32), []byte{0, 0, 0, 0}, 0, 0, true)
	child, err := master.Derive(uint32(i))
	if err != nil {
		return nil, err
	}
	return child.ECPrivKey()
}

// coin is an output a loose key can spend.
type coin struct {
	outPoint wire.OutPoint
	value    int64
}

// looseKeys spends for the participants whose keys are not the wallet's:
// it learns their coins from every transaction of the run and builds
// p2pkh transactions the way regtest.Wallet does (input 0 the key's oldest
// coin, change back to the key, the same fee rate), so runs stay
// deterministic. regtest.Wallet only holds keys derived from its seed.
type looseKeys struct {
	byScript map[string]*party
	coins    map[string][]coin // participant -> coins, oldest first
}

func newLooseKeys(parties map[string]*party) *looseKeys {
	l := &looseKeys{byScript: map[string]*party{}, coins: map[string][]coin{}}
	for _, p := range parties {
		if p.walletIndex < 0 {
			l.byScript[string(p.pkScript)] = p
		}
	}
	return l
}

// observe records a transaction of the run: what it spends is gone, what
// it pays a loose key is spendable.
func (l *looseKeys) observe(tx *wire.MsgTx) {
	spent := map[wire.OutPoint]bool{}
	for _, in := range tx.TxIn {
		spent[in.PreviousOutPoint] = true
	}
	for name, cs := range l.coins {
		kept := cs[:0]
		for _, c := range cs {
			if !spent[c.outPoint] {
				kept = append(kept, c)
			}
		}
		l.coins[name] = kept
	}
	txid := tx.TxHash()
	for i, out := range tx.TxOut {
		if p, ok := l.byScript[string(out.PkScript)]; ok {
			l.coins[p.name] = append(l.coins[p.name], coin{wire.OutPoint{Hash: txid, Index: uint32(i)}, out.Value})
		}
	}
}

// p2pkhSpendSize bounds a p2pkh input's signature script: a DER signature
// with its sighash byte (at most 72 bytes) and a 33-byte key, each pushed.
const p2pkhSpendSize = 1 + 72 + 1 + 33

// build funds and signs tmpl from the loose key p.
func (l *looseKeys) build(p *party, tmpl regtest.Template, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	tx := wire.NewMsgTx(wire.TxVersion)
	var want int64
	for i, out := range tmpl.Outputs {
		o := &wire.TxOut{Value: out.Value, PkScript: out.PkScript}
		if i == tmpl.ChangeIndex {
			o.Value = 0
			if len(o.PkScript) == 0 {
				o.PkScript = p.pkScript
			}
		}
		want += o.Value
		tx.AddTxOut(o)
	}
	fee := func() int64 {
		return int64(feeRate) * int64(tx.SerializeSize()+len(tx.TxIn)*p2pkhSpendSize) / 1000
	}
	var have int64
	for _, c := range l.coins[p.name] {
		if len(tx.TxIn) > 0 && have >= want+fee() {
			break
		}
		tx.AddTxIn(wire.NewTxIn(&c.outPoint, nil, nil))
		have += c.value
	}
	if len(tx.TxIn) == 0 || have < want+fee() {
		return nil, fmt.Errorf("%s holds %d satoshis, needs %d plus fee", p.name, have, want)
	}
	if tmpl.ChangeIndex < 0 {
		return nil, fmt.Errorf("template without change")
	}
	tx.TxOut[tmpl.ChangeIndex].Value = have - want - fee()
	for i := range tx.TxIn {
		sig, err := txscript.SignatureScript(tx, i, p.pkScript, txscript.SigHashAll, p.priv, true)
		if err != nil {
			return nil, fmt.Errorf("signing input %d: %w", i, err)
		}
		tx.TxIn[i].SignatureScript = sig
	}
	return tx, nil
}

// PrivateKey returns the private key of a participant of the script, as
// the Runner derives it (wallet keys from Seed on regtest, STACKS keys,
// import children). Tests use it to sign what a name's owner would sign
// off chain, such as a profile token for the name's zone file.
func (s *Script) PrivateKey(participant string) (*btcec.PrivateKey, error) {
	params := regtest.Regtest.Params()
	parties, err := s.resolve(params, regtest.NewWallet(params, s.Seed))
	if err != nil {
		return nil, err
	}
	p, ok := parties[participant]
	if !ok {
		return nil, newError(ErrBadScript, 0, nil, "no participant %q in %s", participant, s)
	}
	return p.priv, nil
}
