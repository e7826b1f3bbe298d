package snv_test

import (
	"context"
	"fmt"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/consensus/snv"
)

// A prover with a verified chain builds a proof that a name was revoked at
// block 104; a client that trusts only block 110's consensus hash checks
// it offline.
func Example() {
	src := &snv.MemorySource{First: 100, Consensus: map[uint64]string{}, Ops: map[uint64]string{},
		Blocks: map[uint64][][]byte{}}
	revoke := canon.Record{"name": canon.Str("foo.test"), "value_hash": canon.None(),
		"sender": canon.Str("76a914f75b20399d771f515a3cd80f941aa7461d92518c88ac"), "sender_pubkey": canon.None(),
		"address": canon.Str("n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4"), "block_number": canon.Int(101),
		"preorder_block_number": canon.Int(100), "first_registered": canon.Int(101), "last_renewed": canon.Int(101),
		"revoked": canon.Bool(true), "op": canon.Str("~"), "txid": canon.Str(fmt.Sprintf("%064x", 7)),
		"vtxindex": canon.Int(3), "op_fee": canon.Int(6400000), "importer": canon.None(), "importer_address": canon.None()}
	rec, _ := canon.Serialize('~', canon.FieldsFor('~'), revoke)
	src.Blocks[104] = [][]byte{rec}
	for h := uint64(100); h <= 110; h++ { // what the replay engine computes
		src.Ops[h] = digest.OpsHash(src.Blocks[h])
		var prev []string
		for _, p := range digest.PrevHeights(h, 100) {
			prev = append(prev, src.Consensus[p])
		}
		src.Consensus[h], _ = digest.ConsensusHash(src.Ops[h], prev)
	}

	p, err := snv.Build(context.Background(), src, snv.Target{Select: snv.ByName("foo.test")}, 110, snv.BuildOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	wire, _ := snv.EncodeBinary(p)

	// The client's side: bytes in, one trusted pair, no I/O.
	proof, enc, err := snv.Decode(wire)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := snv.Verify(proof, 110, src.Consensus[110])
	if err != nil {
		fmt.Println(err)
		return
	}
	op := res.Op()
	revoked, _ := op.Field("revoked")
	fmt.Printf("%s proof, %d steps: block %d, %c %s revoked=%s\n", enc, res.Steps, res.Height, op.Opcode, op.Values[0], revoked)

	// Any change is caught and located.
	proof.Steps[1].OpsHash[0] ^= 1
	_, err = snv.Verify(proof, 110, src.Consensus[110])
	fmt.Println(snv.CodeOf(err), "at step", err.(*snv.Error).Step)
	// Output:
	// binary proof, 3 steps: block 104, ~ foo.test revoked=True
	// ErrConsensusMismatch at step 1
}
