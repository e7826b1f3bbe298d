package snv_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/consensus/snv"
	"pgregory.net/rapid"
)

func drawArray(t *rapid.T, n int, label string, dst []byte) {
	copy(dst, rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, label))
}

// drawProof draws a structurally arbitrary proof within the format's
// bounds (not a valid one). Records are printable ASCII when ascii is set,
// so that the JSON form can carry them.
func drawProof(t *rapid.T, ascii bool) *snv.Proof {
	p := &snv.Proof{
		FirstBlock:    rapid.Uint64().Draw(t, "first"),
		TrustedHeight: rapid.Uint64().Draw(t, "trusted"),
		TargetHeight:  rapid.Uint64().Draw(t, "target"),
	}
	switch rapid.IntRange(0, 3).Draw(t, "kind") {
	case 1:
		p.Select = snv.ByName(rapid.StringMatching(`[a-z0-9._+-]{0,40}`).Draw(t, "name"))
	case 2:
		p.Select.Kind = snv.SelectTxid
		drawArray(t, 32, "txid", p.Select.Txid[:])
	case 3:
		p.Select = snv.ByVtxindex(rapid.Uint64().Draw(t, "vtxindex"))
	}
	for i := range rapid.IntRange(0, 6).Draw(t, "steps") {
		s := snv.Step{Height: rapid.Uint64().Draw(t, fmt.Sprint("height", i))}
		drawArray(t, 32, "ops", s.OpsHash[:])
		for j := range rapid.IntRange(0, 5).Draw(t, "prevs") {
			var h [16]byte
			drawArray(t, 16, fmt.Sprint("prev", j), h[:])
			s.Prev = append(s.Prev, h)
		}
		p.Steps = append(p.Steps, s)
	}
	for range rapid.IntRange(0, 4).Draw(t, "records") {
		var r []byte
		if ascii {
			r = []byte(rapid.StringMatching(`[ -~]{0,60}`).Draw(t, "record"))
		} else {
			r = rapid.SliceOfN(rapid.Byte(), 0, 60).Draw(t, "record")
		}
		p.Records = append(p.Records, r)
	}
	if rapid.Bool().Draw(t, "bitcoin") {
		ev := &snv.BitcoinEvidence{TxIndex: rapid.Uint32().Draw(t, "index")}
		drawArray(t, 80, "header", ev.Header[:])
		if tx := rapid.SliceOfN(rapid.Byte(), 0, 100).Draw(t, "tx"); len(tx) > 0 {
			ev.Tx = tx
		} else {
			ev.Tx = []byte{}
		}
		for range rapid.IntRange(0, 4).Draw(t, "branch") {
			var h [32]byte
			drawArray(t, 32, "sibling", h[:])
			ev.Branch = append(ev.Branch, h)
		}
		for range rapid.IntRange(0, 3).Draw(t, "headers") {
			var h [80]byte
			drawArray(t, 80, "next header", h[:])
			ev.Headers = append(ev.Headers, h)
		}
		p.Bitcoin = ev
	}
	return p
}

// Property: both encodings round-trip exactly, and re-encoding a decoded
// proof reproduces the bytes.
func TestEncodingRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ascii := rapid.Bool().Draw(t, "ascii")
		p := drawProof(t, ascii)
		bin, err := snv.EncodeBinary(p)
		if err != nil {
			t.Fatal(err)
		}
		q, enc, err := snv.Decode(bin)
		if err != nil || enc != snv.Binary {
			t.Fatalf("decode binary: %v (%s)", err, enc)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("binary round trip:\n%+v\n%+v", p, q)
		}
		again, _ := snv.EncodeBinary(q)
		if !bytes.Equal(bin, again) {
			t.Fatal("binary re-encoding differs")
		}
		js, err := snv.EncodeJSON(p)
		if !ascii {
			return // arbitrary bytes may not be representable
		}
		if err != nil {
			t.Fatal(err)
		}
		q, enc, err = snv.Decode(js)
		if err != nil || enc != snv.JSON {
			t.Fatalf("decode json: %v (%s)\n%s", err, enc, js)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("json round trip:\n%+v\n%+v", p, q)
		}
		again, _ = snv.EncodeJSON(q)
		if !bytes.Equal(js, again) {
			t.Fatal("json re-encoding differs")
		}
	})
}

func TestJSONRefusesInvalidUTF8(t *testing.T) {
	p := &snv.Proof{Records: [][]byte{{0xff, 0xfe}}}
	if _, err := snv.EncodeJSON(p); snv.CodeOf(err) != snv.ErrNotRepresentable {
		t.Errorf("got %v", err)
	}
	if _, err := snv.EncodeBinary(p); err != nil {
		t.Errorf("binary: %v", err)
	}
}

// BenchmarkVerify300k verifies a whole-block proof spanning 300,000
// blocks, and reports the ratio to one digest.ConsensusHash call (of the
// trusted block's own inputs) timed in the same run.
func BenchmarkVerify300k(b *testing.B) {
	chain := longSyntheticChain()
	trusted := chain.first + 300_000
	trustedHash, err := chain.ConsensusHash(trusted)
	if err != nil {
		b.Fatal(err)
	}
	// A worst-case distance for the walk (see TestStepsLogarithmic).
	target := trusted - 262126
	p, err := snv.Build(context.Background(), chain, snv.Target{Height: target}, trusted, snv.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	bin, err := snv.EncodeBinary(p)
	if err != nil {
		b.Fatal(err)
	}
	ops := hex.EncodeToString(p.Steps[0].OpsHash[:])
	var prev []string
	for _, h := range p.Steps[0].Prev {
		prev = append(prev, hex.EncodeToString(h[:]))
	}
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := digest.ConsensusHash(ops, prev); err != nil {
			b.Fatal(err)
		}
	}
	baseNs := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.ResetTimer()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := snv.Verify(p, trusted, trustedHash); err != nil {
			b.Fatal(err)
		}
	}
	ns := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(len(p.Steps)), "steps")
	b.ReportMetric(float64(len(bin)), "proof-bytes")
	b.ReportMetric(baseNs, "consensushash-ns")
	b.ReportMetric(ns/baseNs, "x-consensushash")
}

// BenchmarkDecodeBinary300k decodes the same proof.
func BenchmarkDecodeBinary300k(b *testing.B) {
	chain := longSyntheticChain()
	trusted := chain.first + 300_000
	p, err := snv.Build(context.Background(), chain, snv.Target{Height: trusted - 262126}, trusted, snv.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	bin, _ := snv.EncodeBinary(p)
	b.ResetTimer()
	for b.Loop() {
		if _, err := snv.DecodeBinary(bin); err != nil {
			b.Fatal(err)
		}
	}
}
