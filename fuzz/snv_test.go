package fuzz

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/testvectors"
)

// snvSeed is a real proof with the consensus hash it verifies against.
type snvSeed struct {
	proof   *snv.Proof
	trusted string
}

// snvSeeds builds proofs over the first recorded chains of
// consensus/chains.jsonl (records from blocks.jsonl), for every SNV pair
// the reference verified there, plus one with a Bitcoin section attached
// so that the decoders' evidence paths are seeded too.
func snvSeeds(tb testing.TB) []snvSeed {
	tb.Helper()
	blocks, err := os.Open(testvectors.Path("consensus", "blocks.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer blocks.Close()
	records, err := testvectors.RecordsByScenario(blocks, "blocks.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var seeds []snvSeed
	err = testvectors.ReadJSONLFile(testvectors.Path("consensus", "chains.jsonl"),
		func(_ int, c *testvectors.ChainRecord) error {
			if len(seeds) >= 24 {
				return nil
			}
			cons, opsHashes, _, err := c.Hashes()
			if err != nil {
				return err
			}
			src := &snv.MemorySource{First: c.FirstBlock, Consensus: cons, Ops: opsHashes,
				Blocks: records[testvectors.ScenarioKey(c.Version, c.Scenario)]}
			for _, e := range c.SNVVerified {
				name, _ := e[0].(string)
				trusted, _ := e[1].(float64)
				target, _ := e[3].(float64)
				p, err := snv.Build(context.Background(), src,
					snv.Target{Select: snv.ByName(name), Height: uint64(target)}, uint64(trusted), snv.BuildOptions{})
				if err != nil {
					return err
				}
				seeds = append(seeds, snvSeed{p, src.Consensus[uint64(trusted)]})
			}
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	if len(seeds) == 0 {
		tb.Fatal("no SNV seeds")
	}
	withEvidence := *seeds[0].proof
	withEvidence.Bitcoin = &snv.BitcoinEvidence{Tx: []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		TxIndex: 3, Branch: [][32]byte{{1}, {2}}, Headers: [][80]byte{{3}}}
	withEvidence.Bitcoin.Header[0] = 4
	seeds = append(seeds, snvSeed{&withEvidence, seeds[0].trusted})
	return seeds
}

// FuzzSNVDecodeBinary: any input either fails to decode or decodes to a
// proof whose encoding is exactly the input; verifying it never panics.
func FuzzSNVDecodeBinary(f *testing.F) {
	for _, s := range snvSeeds(f) {
		b, err := snv.EncodeBinary(s.proof)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, s.trusted)
	}
	f.Fuzz(func(t *testing.T, data []byte, trusted string) {
		p, err := snv.DecodeBinary(data)
		if err != nil {
			if snv.CodeOf(err) == 0 || !snv.CodeOf(err).IsDecode() {
				t.Fatalf("decode error without a decode code: %v", err)
			}
			return
		}
		again, err := snv.EncodeBinary(p)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
		if _, err := snv.Verify(p, p.TrustedHeight, trusted); err != nil && snv.CodeOf(err) == 0 {
			t.Fatalf("verify error without a code: %v", err)
		}
	})
}

// FuzzSNVDecodeJSON: whatever decodes re-encodes to a form that decodes
// to the same proof and re-encodes byte for byte; verifying never panics.
func FuzzSNVDecodeJSON(f *testing.F) {
	for _, s := range snvSeeds(f) {
		b, err := snv.EncodeJSON(s.proof)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, s.trusted)
	}
	f.Fuzz(func(t *testing.T, data []byte, trusted string) {
		p, err := snv.DecodeJSON(data)
		if err != nil {
			return
		}
		js, err := snv.EncodeJSON(p)
		if err != nil {
			t.Fatalf("decoded proof does not encode: %v", err)
		}
		q, err := snv.DecodeJSON(js)
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("json round trip differs (%v)", err)
		}
		again, _ := snv.EncodeJSON(q)
		if !bytes.Equal(js, again) {
			t.Fatal("json re-encoding differs")
		}
		if _, err := snv.Verify(p, p.TrustedHeight, trusted); err != nil && snv.CodeOf(err) == 0 {
			t.Fatalf("verify error without a code: %v", err)
		}
	})
}
