package ops_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/spvcheck/spvcheck/ops"
)

// syntheticBlock serializes a block of n transactions: a coinbase, then
// ordinary p2pkh payments (one signed input, two outputs) with every 20th
// transaction a name operation (5%) sent the same way, cycling through
// preorders, registrations, updates and transfers.
func syntheticBlock(tb testing.TB, n int) []byte { return syntheticBlockEvery(tb, n, 20) }

func syntheticBlockEvery(tb testing.TB, n, every int) []byte {
	net := ops.Mainnet()
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 4}}
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, []byte{0x03, 0x01, 0x02, 0x03}, nil))
	cb.AddTxOut(wire.NewTxOut(625000000, exS))
	blk.AddTransaction(cb)
	keys := make([][]byte, 8)
	sigs := make([][]byte, 8)
	for i := range keys {
		k := key(tb, byte(i+1))
		keys[i] = k.PubKey().SerializeCompressed()
		sigs[i] = derSig(k)
	}
	ch := "dfe87cfd31ffa2a3b8101e3e93096f2b"
	for i := 1; i < n; i++ {
		k := i % len(keys)
		pub, sg := keys[k], sigs[k]
		if every > 0 && i%every == 0 {
			// Every operation has its own sender, so no key is validated
			// twice across the block (a registrar batch would be cheaper).
			opKey, _ := btcec.PrivKeyFromBytes(chainhash.DoubleHashB([]byte{byte(i), byte(i >> 8)}))
			pub, sg = opKey.PubKey().SerializeCompressed(), derSig(opKey)
		}
		sender := net.PubKeyAddress(pub)
		tx := wire.NewMsgTx(1)
		sig := script(tb, txscript.NewScriptBuilder().AddData(sg).AddData(pub))
		tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{byte(i), byte(i >> 8)}, uint32(i%3)), sig, nil))
		if every > 0 && i%every == 0 {
			var a ops.Args
			switch (i / 20) % 4 {
			case 0:
				a = ops.NamePreorderArgs{Name: "muneeb.id", ConsensusHash: ch, SenderAddress: sender, RegisterAddress: sender, Payment: ops.Payment{BTC: 6400000}}
			case 1:
				a = ops.NameRegistrationArgs{Name: "muneeb.id", OwnerAddress: sender, ValueHash: exVH}
			case 2:
				a = ops.NameUpdateArgs{Name: "muneeb.id", ConsensusHash: ch, ValueHash: exVH}
			default:
				a = ops.NameTransferArgs{Name: "muneeb.id", ConsensusHash: ch, NewOwnerAddress: sender, KeepData: true}
			}
			tmpl, err := a.Encode(net)
			if err != nil {
				tb.Fatal(err)
			}
			for _, o := range tmpl.Outputs {
				tx.AddTxOut(wire.NewTxOut(o.Value, o.Script))
			}
			if len(tmpl.Outputs) < 3 {
				tx.AddTxOut(wire.NewTxOut(90000, ops.P2PKHScript(address.Hash160(pub))))
			}
		} else {
			tx.AddTxOut(wire.NewTxOut(int64(100000+i), ops.P2PKHScript(address.Hash160(keys[(k+1)%len(keys)]))))
			tx.AddTxOut(wire.NewTxOut(int64(900000-i), ops.P2PKHScript(address.Hash160(keys[k]))))
		}
		blk.AddTransaction(tx)
	}
	var buf bytes.Buffer
	if err := blk.Serialize(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestSyntheticBlockScan(t *testing.T) {
	raw := syntheticBlock(t, 2000)
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	res, err := ops.ScanBlock(context.Background(), &blk, ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 560000), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Candidates != 99 || res.Stats.Decoded != 99 || len(res.Ops) != 99 {
		t.Fatalf("stats %+v", res.Stats)
	}
	for _, op := range res.Ops {
		if op.SenderPubkey == nil {
			t.Fatalf("%s without sender_pubkey", op)
		}
	}
}

// BenchmarkScanBlock measures ScanBlock on a 2,000-transaction block
// against btcd's deserialization of the same block, in the same run. The
// "ratio" metric is (deserialize + scan) / deserialize; the target is at
// most 1.10. Sub-benchmarks: light mode with 5% name operations (the
// pipeline's case), exact mode with the same block (spent scripts given),
// and light mode on a block without operations (the pre-filter alone).
func BenchmarkScanBlock(b *testing.B) {
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 560000)
	raw := syntheticBlockEvery(b, 2000, 20)
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(raw)); err != nil {
		b.Fatal(err)
	}
	scripts := make([][][]byte, len(blk.Transactions))
	for i, tx := range blk.Transactions {
		scripts[i] = ops.LightSpentScripts(tx).Scripts
	}
	exact := func(_ context.Context, i int, _ *wire.MsgTx) ([][]byte, error) { return scripts[i], nil }
	b.Run("light-5pct", func(b *testing.B) { benchScan(b, raw, dc, nil) })
	b.Run("exact-5pct", func(b *testing.B) { benchScan(b, raw, dc, exact) })
	b.Run("light-0pct", func(b *testing.B) { benchScan(b, syntheticBlockEvery(b, 2000, 0), dc, nil) })
}

func benchScan(b *testing.B, raw []byte, dc ops.DecodeContext, spent ops.SpentScriptsFunc) {
	ctx := context.Background()
	var deser, scan time.Duration
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		t0 := time.Now()
		var blk wire.MsgBlock
		if err := blk.Deserialize(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := ops.ScanBlock(ctx, &blk, dc, spent); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		deser += t1.Sub(t0)
		scan += t2.Sub(t1)
	}
	b.ReportMetric(float64(deser+scan)/float64(deser), "ratio")
	b.ReportMetric(float64(deser.Nanoseconds())/float64(b.N), "deser-ns/op")
	b.ReportMetric(float64(scan.Nanoseconds())/float64(b.N), "scan-ns/op")
}
