package spv

import (
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// TestLightAndExactSendersAgree sends Blockstack operations whose input 0
// spends each kind of script (p2pkh and p2sh, which the reference accepts;
// p2pk and bare multisig, which it ignores), receives the blocks through
// the light client, and decodes them twice: senders derived from
// scriptSigs (light) and spent scripts fetched from the node (exact). The
// two must agree operation for operation and rejection for rejection.
func TestLightAndExactSendersAgree(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	node := startNode(t, regtest.Options{})
	w := regtest.NewWallet(node.Params(), regtest.DefaultSeed)
	mine(t, node, 101)
	require.NoError(t, w.Sync(ctx, node))

	// Give key 2 a coin of every kind.
	kinds := []regtest.ScriptKind{regtest.P2PKH, regtest.P2PK, regtest.BareMultisig, regtest.P2SHMultisig}
	tmpl := regtest.Template{ChangeIndex: len(kinds)}
	for _, k := range kinds {
		tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{Value: 1e6, PkScript: w.Key(2).Script(k)})
	}
	tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{})
	fund, err := w.Send(ctx, node, 0, tmpl, regtest.DefaultFeeRate)
	require.NoError(t, err)
	mine(t, node, 1)
	require.NoError(t, w.Sync(ctx, node))

	net := ops.Regtest()
	sender := w.Key(2).Address.EncodeAddress()
	var sent []chainhash.Hash
	for i, k := range kinds {
		op, err := ops.NamePreorderArgs{
			Name:            "name" + k.String()[:3] + ".id",
			ConsensusHash:   "00112233445566778899aabbccddeeff",
			SenderAddress:   sender,
			RegisterAddress: w.Key(3).Address.EncodeAddress(),
			Payment:         ops.Payment{BTC: 20000},
		}.Encode(net)
		require.NoError(t, err)
		first := regtest.UTXO{
			OutPoint: wire.OutPoint{Hash: fund.TxHash(), Index: uint32(i)},
			Value:    1e6, PkScript: w.Key(2).Script(k), KeyIndex: 2, Kind: k,
		}
		tx, err := w.SendWith(ctx, node, first, 2, regtest.FromOps(op), regtest.DefaultFeeRate)
		require.NoError(t, err, "kind %v", k)
		sent = append(sent, tx.TxHash())
	}
	mine(t, node, 2) // the operations' block at 103, and one to confirm it

	cfg := testConfig(t, node.P2PAddr())
	cfg.ConfirmationDepth = 1
	c := startClient(t, cfg)
	exact := NewSpentOutputs(node.RPCClient, 0)
	var light, full *ops.BlockScan
	_, err = c.CatchUp(ctx, Cursor{Height: 102}, func(ctx context.Context, ev Event) error {
		b, ok := ev.(*BlockEvent)
		if !ok || b.Height != 103 {
			return nil
		}
		dc := ops.ContextAt(net, ops.Schedule{{Open: true}}, uint64(b.Height))
		var err error
		if light, err = ops.ScanBlock(ctx, b.Block.MsgBlock(), dc, nil); err != nil {
			return err
		}
		full, err = ops.ScanBlock(ctx, b.Block.MsgBlock(), dc, exact.ScriptsFunc(b.Block.MsgBlock()))
		return err
	})
	require.NoError(t, err)
	require.NotNil(t, light, "block 103 not delivered")

	require.Equal(t, full.Ops, light.Ops)
	require.Equal(t, len(full.Rejections), len(light.Rejections))
	for i := range full.Rejections {
		require.Equal(t, full.Rejections[i].Txid, light.Rejections[i].Txid)
		fc, _ := ops.CodeOf(full.Rejections[i].Err)
		lc, _ := ops.CodeOf(light.Rejections[i].Err)
		require.Equal(t, fc, lc, "rejection of %s", full.Rejections[i].Txid)
	}
	// The reference accepts the p2pkh and p2sh senders only.
	var accepted []string
	for _, op := range full.Ops {
		accepted = append(accepted, op.Txid)
	}
	require.ElementsMatch(t, []string{sent[0].String(), sent[3].String()}, accepted)
	// Light mode says which decisions rested on the signature rule.
	require.True(t, light.Stats.LightMode)
	require.False(t, full.Stats.LightMode)
	require.ElementsMatch(t, []string{sent[1].String(), sent[2].String()}, light.Stats.SignatureDecidedTxids)
}
