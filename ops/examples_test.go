package ops_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/spvcheck/spvcheck/ops"
)

// Fixed inputs of the wire spec's worked examples (§7).
var (
	exS     = ops.P2PKHScript(bytes.Repeat([]byte{0x11}, 20))
	exRcpt  = ops.P2PKHScript(bytes.Repeat([]byte{0x22}, 20))
	exBurn  = ops.BurnScript()
	exCH    = "dfe87cfd31ffa2a3b8101e3e93096f2b"
	exVH    = strings.Repeat("ab", 20)
	exRAddr = "147Us9aEq2PvBC5wobBJw1yEpQEbPKzssA"
	exSAddr = "12ZEw5Hcv1hTb6YUQJ69y1V7uhcoDz92PH"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type out struct {
	script []byte
	value  int64
}

// exTx builds a one-input transaction whose input spends exS, with an
// OP_RETURN output carrying data followed by outs.
func exTx(data []byte, outs ...out) *wire.MsgTx {
	tx := wire.NewMsgTx(1)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{1}, 0), nil, nil))
	tx.AddTxOut(wire.NewTxOut(0, ops.DataScript(data)))
	for _, o := range outs {
		tx.AddTxOut(wire.NewTxOut(o.value, o.script))
	}
	return tx
}

func pad(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestWorkedExamples(t *testing.T) {
	net := ops.Mainnet()
	sched := ops.MainnetSchedule()
	const e1, e2, e3, e6 = 400000, 450000, 500000, 620000
	preorderHash, err := ops.PreorderHash("muneeb.id", exS, exRAddr)
	if err != nil {
		t.Fatal(err)
	}
	nsHash, _ := ops.PreorderHash("hello", exS, exRAddr)
	e1data := cat([]byte("id?"), mustHex(t, "d795ae8f25e63a6f4c8439c699c0930445c7ba04"), mustHex(t, exCH))
	e2data := cat(e1data, mustHex(t, "0000000000bc614e"), pad("STACKS", 19))
	e5data := cat([]byte("id:"), pad("muneeb.id", 37), mustHex(t, exVH))
	e6data := cat(e5data, make([]byte, 8))
	e7c := cat(e5data, mustHex(t, "0000000000000005"))
	e13data := cat([]byte("id*"), mustHex(t, "b2475d3fbe426c3551543af8b3707ee6fcbffd9b"), mustHex(t, exCH))
	e18data := cat([]byte("id$"), mustHex(t, exCH), make([]byte, 13), []byte("STACKS"), mustHex(t, "00000000000003e8"), []byte("hello"))
	three := []out{{exS, 5500}, {exBurn, 6400000}}

	cases := []struct {
		name   string
		tx     *wire.MsgTx
		height uint64
		net    ops.Network
		want   ops.ErrorCode // checked when check == nil
		check  func(t *testing.T, op *ops.Op)
	}{
		{"E1 preorder", exTx(e1data, three...), e3, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.Kind, ops.KindNamePreorder)
			eq(t, op.PreorderHash, "d795ae8f25e63a6f4c8439c699c0930445c7ba04")
			eq(t, op.PreorderHash, preorderHash)
			eq(t, op.ConsensusHash, exCH)
			eq(t, op.TokenFee, (*uint64)(nil))
			eq(t, op.TokenUnits, (*string)(nil))
			eq(t, *op.OpFee, uint64(6400000))
			eq(t, op.BurnAddress, "1111111111111111111114oLvT2")
			eq(t, op.Address, exSAddr)
		}},
		{"E2 preorder with tokens", exTx(e2data, three...), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.TokenFee, uint64(12345678))
			eq(t, *op.TokenUnits, "STACKS")
		}},
		{"E3 tokens before epoch 4", exTx(e2data, three...), e3, net, ops.ErrEpochFeature, nil},
		{"E3b preorder with 4 outputs", exTx(e1data, out{exS, 5500}, out{exBurn, 6400000}, out{exS, 1}), e3, net, ops.ErrOutputCount, nil},
		{"E4 registration", exTx([]byte("id:muneeb.id"), out{exRcpt, 5500}), e1, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.Kind, ops.KindNameRegistration)
			eq(t, op.Name, "muneeb.id")
			eq(t, op.ValueHash, (*string)(nil))
			eq(t, op.Recipient, hex.EncodeToString(exRcpt))
			eq(t, op.RecipientAddress, exRAddr)
		}},
		{"E5 registration with value hash", exTx(e5data, out{exRcpt, 5500}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.ValueHash, exVH)
			eq(t, op.TokenFee, (*uint64)(nil))
		}},
		{"E5b padded name in epoch 2", exTx(e5data, out{exRcpt, 5500}), e2, net, ops.ErrInvalidName, nil},
		{"E6 renewal", exTx(e6data, out{exRcpt, 5500}, out{exS, 10000}, out{exBurn, 25000}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.Kind, ops.KindNameRenewal)
			eq(t, op.OpString, "::")
			eq(t, *op.TokenFee, uint64(0))
			eq(t, *op.OpFee, uint64(25000))
			eq(t, op.BurnAddress, "1111111111111111111114oLvT2")
		}},
		{"E7 57-byte renewal in epoch 6", exTx(e5data, out{exRcpt, 5500}, out{exS, 10000}, out{exBurn, 25000}), e6, net, ops.ErrRenewalTokenFee, nil},
		{"E7b 57-byte renewal in epoch 3", exTx(e5data, out{exRcpt, 5500}, out{exS, 10000}, out{exBurn, 25000}), e3, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.Kind, ops.KindNameRenewal)
			eq(t, *op.TokenFee, uint64(0))
		}},
		{"E7c registration with token 5", exTx(e7c, out{exRcpt, 5500}), e6, net, ops.ErrRegistrationTokenFee, nil},
		{"E8 update", exTx(cat([]byte("id+"), mustHex(t, "7c03299ed8efbf246deb0f51f209d4e5"), mustHex(t, exVH))), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.NameConsensusHash, ops.UpdateHash("muneeb.id", exCH))
			eq(t, op.NameConsensusHash, "7c03299ed8efbf246deb0f51f209d4e5")
			eq(t, *op.ValueHash, exVH)
		}},
		{"E9 transfer keep", exTx(cat([]byte("id>>"), mustHex(t, "deb7fe99776122b77925cbf0a24ab6f8"), mustHex(t, exCH)), out{exRcpt, 5500}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.KeepData, true)
			eq(t, op.OpString, ">>")
			eq(t, op.NameHash128, ops.NameHash128("muneeb.id"))
			eq(t, op.ConsensusHash, exCH)
		}},
		{"E10 transfer remove", exTx(cat([]byte("id>~"), mustHex(t, "deb7fe99776122b77925cbf0a24ab6f8"), mustHex(t, exCH)), out{exRcpt, 5500}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.KeepData, false)
			eq(t, op.OpString, ">~")
		}},
		{"E10b bad disposition", exTx(cat([]byte("id>x"), mustHex(t, "deb7fe99776122b77925cbf0a24ab6f8"), mustHex(t, exCH)), out{exRcpt, 5500}), e6, net, ops.ErrTransferDisposition, nil},
		{"E11 revoke", exTx([]byte("id~patrickstanley2.id")), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.Name, "patrickstanley2.id")
			eq(t, op.SenderPubkey, (*string)(nil))
		}},
		{"E12 import", exTx([]byte("id;import.hello"), out{exRcpt, 5500}, out{ops.P2PKHScript(mustHex(t, "cabdbc18ece9ffb6a7378faa4ac4ce58dcaaf575")), 5500}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.ValueHash, "cabdbc18ece9ffb6a7378faa4ac4ce58dcaaf575")
			eq(t, op.RecipientAddress, exRAddr)
		}},
		{"E13 namespace preorder", exTx(e13data, three...), e3, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.PreorderHash, nsHash)
			eq(t, op.TokenFee, (*uint64)(nil))
		}},
		{"E13b 36 bytes in epoch 6", exTx(e13data, three...), e6, net, ops.ErrEpochFeature, nil},
		{"E14 namespace preorder with tokens", exTx(cat(e13data, mustHex(t, "000000017d784000")), three...), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.TokenFee, uint64(6400000000))
		}},
		{"E15 reveal", exTx(mustHex(t, "6964260000cd7304046543211111111111aa000368656c6c6f"), out{exRcpt, 5500}, out{exS, 1000}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.Lifetime, uint32(52595))
			eq(t, op.Coeff, uint8(4))
			eq(t, op.Base, uint8(4))
			eq(t, *op.Buckets, [16]int{6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
			eq(t, op.NonalphaDiscount, uint8(10))
			eq(t, op.NoVowelDiscount, uint8(10))
			eq(t, op.Version, uint16(3))
			eq(t, op.NamespaceID, "hello")
			eq(t, op.PreorderHash, nsHash)
		}},
		{"E16 ready", exTx([]byte("id!.hello")), e6, net, 0, func(t *testing.T, op *ops.Op) { eq(t, op.NamespaceID, "hello") }},
		{"E16b ready without dot", exTx([]byte("id!hello")), e6, net, ops.ErrNamespaceDelimiter, nil},
		{"E17 announce", exTx(cat([]byte("id#"), mustHex(t, "cabdbc18ece9ffb6a7378faa4ac4ce58dcaaf575"))), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, op.MessageHash, "cabdbc18ece9ffb6a7378faa4ac4ce58dcaaf575")
		}},
		{"E18 token transfer", exTx(e18data, out{exRcpt, 5500}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.TokenUnits, "STACKS")
			eq(t, *op.TokenFee, 1000)
			eq(t, *op.ScratchArea, "68656c6c6f")
			eq(t, op.SenderPubkey, (*string)(nil))
		}},
		{"E18b token transfer in epoch 3", exTx(e18data, out{exRcpt, 5500}), e3, net, ops.ErrEpochFeature, nil},
		{"E19 unknown opcode", exTx(mustHex(t, "69644000")), e6, net, ops.ErrUnknownOpcode, nil},
		{"E19 other magic", exTx([]byte("di~a.id")), e6, net, ops.ErrWrongMagic, nil},
		{"E19 other magic configured", exTx([]byte("di~a.id")), e6, net.WithMagic([2]byte{'d', 'i'}), 0, func(t *testing.T, op *ops.Op) { eq(t, op.Name, "a.id") }},
		{"E20 PUSHDATA1 80 bytes", exTx(cat(e18data[:46], bytes.Repeat([]byte{'x'}, 34)), out{exRcpt, 5500}), e6, net, 0, func(t *testing.T, op *ops.Op) {
			eq(t, *op.ScratchArea, strings.Repeat("78", 34))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dc := ops.ContextAt(c.net, sched, c.height)
			op, err := ops.Decode(c.tx, [][]byte{exS}, dc)
			if c.check == nil {
				if !errors.Is(err, &ops.Error{Code: c.want}) {
					t.Fatalf("got %v (%v), want %v", op, err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, op.Sender, hex.EncodeToString(exS))
			eq(t, op.BlockHeight, c.height)
			c.check(t, op)
		})
	}
}

// TestLastNullDataWins covers E20's framing rules.
func TestLastNullDataWins(t *testing.T) {
	good := ops.DataScript([]byte("id~a.id"))
	other := ops.DataScript([]byte("id~b.id"))
	mk := func(scripts ...[]byte) *wire.MsgTx {
		tx := wire.NewMsgTx(1)
		for _, s := range scripts {
			tx.AddTxOut(wire.NewTxOut(0, s))
		}
		return tx
	}
	cases := []struct {
		name string
		tx   *wire.MsgTx
		want string // "" = no data
	}{
		{"single", mk(good), "id~a.id"},
		{"last of two", mk(good, other), "id~b.id"},
		{"later OP_2 clears", mk(good, []byte{0x6a, 0x52}), ""},
		{"later OP_0 clears", mk(good, []byte{0x6a, 0x00}), ""},
		{"later bare OP_RETURN clears", mk(good, []byte{0x6a}), ""},
		{"three elements", mk(append(append([]byte{}, good...), 0x51)), ""},
		{"non-nulldata after", mk(good, exS), "id~a.id"},
		{"PUSHDATA2", mk(cat([]byte{0x6a, 0x4d, 7, 0}, []byte("id~a.id"))), "id~a.id"},
		{"PUSHDATA4", mk(cat([]byte{0x6a, 0x4e, 7, 0, 0, 0}, []byte("id~a.id"))), "id~a.id"},
		{"truncated direct push keeps bytes", mk(cat([]byte{0x6a, 0x20}, []byte("id~a.id"))), "id~a.id"},
		{"truncated PUSHDATA1 keeps bytes", mk(cat([]byte{0x6a, 0x4c, 0x50}, []byte("id~a.id"))), "id~a.id"},
		{"PUSHDATA2 missing a length byte", mk([]byte{0x6a, 0x4d, 0x05}), "\x00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, ok := ops.NullData(c.tx)
			switch {
			case c.want == "" && ok:
				t.Fatalf("data %q, want none", d)
			case c.want == "\x00" && (!ok || len(d) != 0):
				t.Fatalf("data %q ok=%v, want empty data", d, ok)
			case c.want != "" && c.want != "\x00" && string(d) != c.want:
				t.Fatalf("data %q ok=%v, want %q", d, ok, c.want)
			}
		})
	}
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
