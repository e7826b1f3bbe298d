package regtest

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/stretchr/testify/require"
)

func TestFromOps(t *testing.T) {
	withChange := &ops.Template{Outputs: []ops.TemplateOutput{
		{Role: ops.RoleData, Script: []byte{0x6a, 1, 2}},
		{Role: ops.RoleChange, Script: []byte{0x76}, Value: 5500},
		{Role: ops.RoleBurn, Script: []byte{0x77}, Value: 9000},
	}}
	got := FromOps(withChange)
	require.Equal(t, 1, got.ChangeIndex)
	require.Len(t, got.Outputs, 3)
	require.Equal(t, int64(9000), got.Outputs[2].Value)
	require.Equal(t, []byte{0x76}, got.Outputs[1].PkScript)

	noChange := &ops.Template{Outputs: []ops.TemplateOutput{{Role: ops.RoleData, Script: []byte{0x6a}}}}
	got = FromOps(noChange)
	require.Equal(t, 1, got.ChangeIndex)
	require.Len(t, got.Outputs, 2)
	require.Empty(t, got.Outputs[1].PkScript) // pays back to the sender
}

// An operation built by the ops encoders passes mainnet relay policy on a
// real node, lands in a block, and decodes back with its sender.
func TestSendOpDecodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t, Options{})
	w := NewWallet(n.Params(), DefaultSeed)
	_, err := n.Generate(ctx, 101)
	require.NoError(t, err)
	require.NoError(t, w.Sync(ctx, n))

	net := ops.Regtest()
	sender, owner := w.Key(0).Address.EncodeAddress(), w.Key(1).Address.EncodeAddress()
	tmpl, err := ops.NamePreorderArgs{
		Name:            "alice.id",
		ConsensusHash:   "00112233445566778899aabbccddeeff",
		SenderAddress:   sender,
		RegisterAddress: owner,
		Payment:         ops.Payment{BTC: 100000},
	}.Encode(net)
	require.NoError(t, err)
	tx, err := w.SendOp(ctx, n, 0, tmpl, DefaultFeeRate)
	require.NoError(t, err)
	hashes, err := n.Generate(ctx, 1)
	require.NoError(t, err)
	block, err := n.GetBlock(ctx, hashes[0])
	require.NoError(t, err)
	require.Len(t, block.Transactions, 2)
	require.Equal(t, tx.TxHash(), block.Transactions[1].TxHash())

	dc := ops.ContextAt(net, ops.Schedule{{Open: true}}, 102)
	scan, err := ops.ScanBlock(ctx, block, dc, nil)
	require.NoError(t, err)
	require.Empty(t, scan.Rejections)
	require.Len(t, scan.Ops, 1)
	require.Equal(t, ops.KindNamePreorder, scan.Ops[0].Kind)
	require.Equal(t, hex.EncodeToString(w.Key(0).PkScript), scan.Ops[0].Sender)
	require.Equal(t, sender, scan.Ops[0].Address)

	// Exact mode (prevout scripts from the node) decodes the same op.
	exact, err := ops.ScanBlock(ctx, block, dc, func(ctx context.Context, _ int, tx *wire.MsgTx) ([][]byte, error) {
		var scripts [][]byte
		for _, in := range tx.TxIn {
			prev, err := n.GetRawTransaction(ctx, in.PreviousOutPoint.Hash)
			if err != nil {
				return nil, err
			}
			scripts = append(scripts, prev.TxOut[in.PreviousOutPoint.Index].PkScript)
		}
		return scripts, nil
	})
	require.NoError(t, err)
	require.Equal(t, scan.Ops, exact.Ops)
}
