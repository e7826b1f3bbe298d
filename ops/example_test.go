package ops_test

import (
	"fmt"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/spvcheck/spvcheck/ops"
)

// ExampleDecode builds a NAME_TRANSFER with the encoder, funds it from the
// owner's p2pkh coin and decodes it at a mainnet height.
func ExampleDecode() {
	net := ops.Mainnet()
	owner := "12ZEw5Hcv1hTb6YUQJ69y1V7uhcoDz92PH"
	tmpl, err := ops.NameTransferArgs{
		Name:            "muneeb.id",
		ConsensusHash:   "dfe87cfd31ffa2a3b8101e3e93096f2b",
		NewOwnerAddress: "147Us9aEq2PvBC5wobBJw1yEpQEbPKzssA",
		KeepData:        true,
	}.Encode(net)
	if err != nil {
		fmt.Println(err)
		return
	}
	tx := tmpl.Tx()
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{1}, 0), nil, nil))
	ownerScript, _ := net.AddressScript(owner)

	dc := ops.ContextAt(net, ops.MainnetSchedule(), 620000)
	op, err := ops.Decode(tx, [][]byte{ownerScript}, dc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(op.Kind, op.OpString, op.Address)
	fmt.Println("to", op.RecipientAddress, "keep data:", *op.KeepData)
	fmt.Println("name hash", op.NameHash128 == ops.NameHash128("muneeb.id"))

	// A transaction without Blockstack data is ignored, not rejected.
	_, err = ops.Decode(wire.NewMsgTx(1), nil, dc)
	fmt.Println(ops.IsIgnored(err), err)
	// Output:
	// NAME_TRANSFER >> 12ZEw5Hcv1hTb6YUQJ69y1V7uhcoDz92PH
	// to 147Us9aEq2PvBC5wobBJw1yEpQEbPKzssA keep data: true
	// name hash true
	// true no OP_RETURN <push> data
}
