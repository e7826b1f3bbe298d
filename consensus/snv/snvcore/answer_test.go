package snvcore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/consensus/snv/snvcore"
)

// nameChain is a small chain (blocks 100-110) whose block 104 holds a
// NAME_UPDATE of foo.test (zone file "zone") and a namespace reveal, with
// a proof of foo.test from 110.
func nameChain(t *testing.T, revoked bool) (*snvcore.Proof, *snvcore.Result) {
	t.Helper()
	src := &snv.MemorySource{First: 100, Consensus: map[uint64]string{}, Ops: map[uint64]string{},
		Blocks: map[uint64][][]byte{}}
	var zone [20]byte
	digest.Hash160Into(&zone, []byte("zone"))
	op := "+"
	if revoked {
		op = "~"
	}
	rec := canon.Record{"name": canon.Str("foo.test"), "value_hash": canon.Str(fmt.Sprintf("%x", zone)),
		"sender": canon.Str("76a914f75b20399d771f515a3cd80f941aa7461d92518c88ac"), "sender_pubkey": canon.None(),
		"address": canon.Str("n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4"), "block_number": canon.Int(101),
		"preorder_block_number": canon.Int(100), "first_registered": canon.Int(101), "last_renewed": canon.Int(101),
		"revoked": canon.Bool(revoked), "op": canon.Str(op), "txid": canon.Str(fmt.Sprintf("%064x", 7)),
		"vtxindex": canon.Int(3), "op_fee": canon.Int(6400000), "importer": canon.None(), "importer_address": canon.None()}
	raw, err := canon.Serialize('~', canon.FieldsFor('~'), rec)
	if err != nil {
		t.Fatal(err)
	}
	src.Blocks[104] = [][]byte{raw}
	for h := uint64(100); h <= 110; h++ {
		src.Ops[h] = digest.OpsHash(src.Blocks[h])
		var prev []string
		for _, p := range digest.PrevHeights(h, 100) {
			prev = append(prev, src.Consensus[p])
		}
		src.Consensus[h], _ = digest.ConsensusHash(src.Ops[h], prev)
	}
	p, err := snv.Build(context.Background(), src, snv.Target{Select: snv.ByName("foo.test")}, 110, snv.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := snvcore.Verify(p, 110, src.Consensus[110])
	if err != nil {
		t.Fatal(err)
	}
	return p, res
}

// TestNameAnswer: an answer passes exactly when its address, zone-file
// hash and status are the proven ones and its zone file hashes to the
// proven hash; each difference has its own code.
func TestNameAnswer(t *testing.T) {
	var zone [20]byte
	digest.Hash160Into(&zone, []byte("zone"))
	zh := fmt.Sprintf("%x", zone)
	good := fmt.Sprintf(`{"status": "registered", "address": "n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4", "zonefile_hash": %q, "zonefile": "zone", "last_txid": "x", "expire_block": -1}`, zh)
	for _, tc := range []struct {
		name, ask, answer string
		revoked           bool
		want              error
	}{
		{"honest", "foo.test", good, false, nil},
		{"honest without a zone file", "foo.test", fmt.Sprintf(`{"status": "registered", "address": "n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4", "zonefile_hash": %q, "zonefile": null}`, zh), false, nil},
		{"revoked", "foo.test", fmt.Sprintf(`{"status": "revoked", "address": "n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4", "zonefile_hash": %q}`, zh), true, nil},
		{"status hides the revocation", "foo.test", good, true, snvcore.ErrAnswerStatus},
		{"another owner", "foo.test", fmt.Sprintf(`{"status": "registered", "address": "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8", "zonefile_hash": %q}`, zh), false, snvcore.ErrAnswerAddress},
		{"another zone-file hash", "foo.test", `{"status": "registered", "address": "n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4", "zonefile_hash": "0000000000000000000000000000000000000000"}`, false, snvcore.ErrAnswerZonefileHash},
		{"no zone-file hash", "foo.test", `{"status": "registered", "address": "n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4", "zonefile_hash": null}`, false, snvcore.ErrAnswerZonefileHash},
		{"another zone file", "foo.test", fmt.Sprintf(`{"status": "registered", "address": "n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4", "zonefile_hash": %q, "zonefile": "evil"}`, zh), false, snvcore.ErrZonefileMismatch},
		{"asked about another name", "bar.test", good, false, snvcore.ErrAnswerName},
		{"not JSON", "foo.test", `<html>`, false, snvcore.ErrAnswerMalformed},
		{"no address", "foo.test", `{"status": "registered", "zonefile_hash": null}`, false, snvcore.ErrAnswerMalformed},
		{"address of the wrong type", "foo.test", `{"status": "registered", "address": 7, "zonefile_hash": null}`, false, snvcore.ErrAnswerMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, res := nameChain(t, tc.revoked)
			err := func() error {
				a, err := snvcore.ParseNameAnswer([]byte(tc.answer))
				if err != nil {
					return err
				}
				st, err := snvcore.NameStateOf(p, res, tc.ask)
				if err != nil {
					return err
				}
				return snvcore.CheckNameAnswer(st, a)
			}()
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil && snvcore.CodeOf(err).Stage() != "answer" {
				t.Fatalf("%v: stage %q", err, snvcore.CodeOf(err).Stage())
			}
		})
	}
}

// TestStages: every code names a stage.
func TestStages(t *testing.T) {
	for c := snvcore.ErrUnknownEncoding; c <= snvcore.ErrZonefileMismatch; c++ {
		if c.Stage() == "unknown" || c.String() == fmt.Sprintf("ErrorCode(%d)", int(c)) {
			t.Errorf("%d: stage %q, name %q", int(c), c.Stage(), c)
		}
	}
}
