package snv_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/consensus/snv"
)

// verifyBoth checks p in both encodings round-trips and verifies.
func verifyBoth(t *testing.T, p *snv.Proof, trusted uint64, hash string, opts snv.VerifyOptions) *snv.Result {
	t.Helper()
	bin, js := encodings(t, p)
	var first *snv.Result
	for _, enc := range [][]byte{bin, js} {
		q, _, err := snv.Decode(enc)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("decode(encode(p)) != p")
		}
		res, err := snv.VerifyWith(q, trusted, hash, opts)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if first == nil {
			first = res
		}
	}
	return first
}

// TestRecordedSNVPairs: every pair the reference's SNV client verified
// verifies offline from a proof built from the recorded chain, and the
// named name is among the target's records.
func TestRecordedSNVPairs(t *testing.T) {
	ctx := context.Background()
	n := 0
	for _, c := range loadVectorChains(t) {
		for _, e := range c.rec.SNVVerified {
			if len(e) != 5 {
				t.Fatalf("%s: malformed snv entry %v", c.key, e)
			}
			name, _ := e[0].(string)
			trusted, target := uint64(e[1].(float64)), uint64(e[3].(float64))
			trustedHash, targetHash := e[2].(string), e[4].(string)
			p, err := snv.Build(ctx, c.src, snv.Target{Select: snv.ByName(name), Height: target}, trusted, snv.BuildOptions{})
			if err != nil {
				t.Fatalf("%s %v: build: %v", c.key, e, err)
			}
			res := verifyBoth(t, p, trusted, trustedHash, snv.VerifyOptions{FirstBlock: c.rec.FirstBlock})
			if res.ConsensusHash != targetHash || res.Height != target {
				t.Fatalf("%s %v: verified %d %s", c.key, e, res.Height, res.ConsensusHash)
			}
			if op := res.Op(); op == nil {
				t.Fatalf("%s %v: name not selected", c.key, e)
			} else if v, _ := op.Field("name"); v != name {
				t.Fatalf("%s %v: selected record of %q", c.key, e, v)
			}
			n++
		}
	}
	if n != 2674 {
		t.Fatalf("verified %d recorded pairs, want the 2674 of chains.jsonl", n)
	}
}

// TestAllRecordedPairs: every (trusted >= target) pair of every recorded
// chain verifies as a whole-block proof whose records are the recorded
// ones, and fails against any other chain height's consensus hash.
func TestAllRecordedPairs(t *testing.T) {
	ctx := context.Background()
	pairs, steps := 0, 0
	for _, c := range loadVectorChains(t) {
		for i, trusted := range c.heights {
			for _, target := range c.heights[:i+1] {
				p, err := snv.Build(ctx, c.src, snv.Target{Height: target}, trusted, snv.BuildOptions{})
				if err != nil {
					t.Fatalf("%s %d->%d: %v", c.key, trusted, target, err)
				}
				res, err := snv.Verify(p, trusted, c.src.Consensus[trusted])
				if err != nil {
					t.Fatalf("%s %d->%d: %v", c.key, trusted, target, err)
				}
				if res.ConsensusHash != c.src.Consensus[target] || len(res.Records) != len(c.src.Blocks[target]) {
					t.Fatalf("%s %d->%d: wrong result", c.key, trusted, target)
				}
				if bound := maxSteps(trusted - target); res.Steps > bound {
					t.Fatalf("%s %d->%d: %d steps, bound %d", c.key, trusted, target, res.Steps, bound)
				}
				// The same proof against the hash of a neighbouring height
				// (different in every recorded chain) fails at step 0.
				other := c.src.Consensus[c.heights[(i+1)%len(c.heights)]]
				if other != c.src.Consensus[trusted] {
					_, err := snv.Verify(p, trusted, other)
					assertStepError(t, err, snv.ErrConsensusMismatch, 0)
				}
				pairs++
				steps += res.Steps
			}
		}
	}
	if pairs < 15000 {
		t.Fatalf("only %d pairs", pairs)
	}
	t.Logf("%d pairs verified, %.2f steps on average", pairs, float64(steps)/float64(pairs))
}

// maxSteps is the bound the skip list guarantees: each step at least
// halves the remaining distance, so floor(log2(d))+2 steps suffice
// (the last one at the target itself).
func maxSteps(distance uint64) int {
	if distance == 0 {
		return 1
	}
	return bits.Len64(distance) + 1
}

func assertStepError(t *testing.T, err error, code snv.ErrorCode, step int) {
	t.Helper()
	var e *snv.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *snv.Error (want %s at step %d)", err, code, step)
	}
	if e.Code != code || e.Step != step || !errors.Is(err, code) {
		t.Fatalf("got %v, want %s at step %d", err, code, step)
	}
}

// TestStepsLogarithmic walks a synthetic 300,000-block chain: the number
// of steps never exceeds log2(distance)+2, and reaches it.
func TestStepsLogarithmic(t *testing.T) {
	chain := longSyntheticChain()
	ctx := context.Background()
	trusted := chain.first + 300_000
	trustedHash, err := chain.ConsensusHash(trusted)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var distances []uint64
	for d := uint64(1); d <= 300_000; d *= 2 {
		distances = append(distances, d, d-1, d+1, 2*d-1)
	}
	for range 200 {
		distances = append(distances, rng.Uint64N(300_001))
	}
	distances = append(distances, 300_000)
	worst := 0.0
	for _, d := range distances {
		if d > 300_000 {
			continue
		}
		p, err := snv.Build(ctx, chain, snv.Target{Height: trusted - d}, trusted, snv.BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := snv.Verify(p, trusted, trustedHash)
		if err != nil {
			t.Fatalf("distance %d: %v", d, err)
		}
		if res.Steps > maxSteps(d) {
			t.Fatalf("distance %d: %d steps > log2+2 = %d", d, res.Steps, maxSteps(d))
		}
		if d > 1 {
			worst = math.Max(worst, float64(res.Steps)/math.Log2(float64(d)))
		}
	}
	// The walk's worst distances follow w(1) = 1, w(k+1) = 2*w(k) + k-1
	// (1, 2, 5, 12, 27, ...): each needs bits.Len(d)+1 steps, so the bound
	// above is attained and cannot be loosened unnoticed.
	w := uint64(1)
	for k := uint64(1); w <= 300_000; k++ {
		p, err := snv.Build(ctx, chain, snv.Target{Height: trusted - w}, trusted, snv.BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Steps) != maxSteps(w) {
			t.Errorf("worst distance %d took %d steps, want %d", w, len(p.Steps), maxSteps(w))
		}
		w = 2*w + k - 1
	}
	t.Logf("worst steps/log2(distance) = %.2f", worst)
}

// TestTamperEveryByte flips every byte of a binary proof with Bitcoin
// evidence (and a few bits of each): the result is always an error, never
// a panic, never a valid proof.
func TestTamperEveryByte(t *testing.T) {
	f := newBitcoinFixture(t)
	p := f.proof(t)
	trustedHash := f.src.Consensus[f.trusted]
	if _, err := snv.VerifyWith(p, f.trusted, trustedHash, f.verifyOptions()); err != nil {
		t.Fatal(err)
	}
	bin, _ := encodings(t, p)
	codes := map[snv.ErrorCode]int{}
	for i := range bin {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(bin)
			bad[i] ^= mask
			q, err := snv.DecodeBinary(bad)
			if err == nil {
				_, err = snv.VerifyWith(q, f.trusted, trustedHash, snv.VerifyOptions{
					PowLimit: f.powLimit, RequireBitcoin: true, FirstBlock: f.src.First})
			}
			if err == nil {
				t.Fatalf("byte %d ^ %#x: tampered proof verifies", i, mask)
			}
			codes[snv.CodeOf(err)]++
		}
	}
	if codes[0] != 0 {
		t.Errorf("%d errors without a code", codes[0])
	}
	t.Logf("rejections by code: %v", codes)
}

// TestTamperFields changes each field of a proof and checks the failure
// names the right step and reason.
func TestTamperFields(t *testing.T) {
	f := newBitcoinFixture(t)
	opts := f.verifyOptions()
	trustedHash := f.src.Consensus[f.trusted]
	base := f.proof(t)
	if len(base.Steps) < 3 {
		t.Fatalf("fixture proof has only %d steps", len(base.Steps))
	}
	type want struct {
		code snv.ErrorCode
		step int
	}
	check := func(name string, mutate func(p *snv.Proof), w want) {
		t.Helper()
		p := f.proof(t)
		mutate(p)
		_, err := snv.VerifyWith(p, f.trusted, trustedHash, opts)
		if w.code == 0 {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			return
		}
		var e *snv.Error
		if !errors.As(err, &e) || e.Code != w.code || e.Step != w.step {
			t.Errorf("%s: got %v, want %s at step %d", name, err, w.code, w.step)
		}
	}
	for i := range base.Steps {
		check("height", func(p *snv.Proof) { p.Steps[i].Height++ }, want{snv.ErrStepHeight, i})
		for b := range 32 {
			check("ops hash", func(p *snv.Proof) { p.Steps[i].OpsHash[b] ^= 1 }, want{snv.ErrConsensusMismatch, i})
		}
		for j := range base.Steps[i].Prev {
			check("prev", func(p *snv.Proof) { p.Steps[i].Prev[j][j%16] ^= 0x10 }, want{snv.ErrConsensusMismatch, i})
		}
		check("prev dropped", func(p *snv.Proof) { p.Steps[i].Prev = p.Steps[i].Prev[1:] }, want{snv.ErrPrevCount, i})
	}
	last := len(base.Steps)
	check("steps cut", func(p *snv.Proof) { p.Steps = p.Steps[:last-1] }, want{snv.ErrMissingStep, last - 1})
	check("step added", func(p *snv.Proof) { p.Steps = append(p.Steps, p.Steps[last-1]) }, want{snv.ErrExtraStep, last})
	for r := range base.Records {
		for b := range base.Records[r] {
			check("record byte", func(p *snv.Proof) { p.Records[r][b] ^= 0x20 }, want{snv.ErrOpsHashMismatch, -1})
		}
	}
	check("record dropped", func(p *snv.Proof) { p.Records = p.Records[1:] }, want{snv.ErrOpsHashMismatch, -1})
	check("selector", func(p *snv.Proof) { p.Select = snv.ByName("nobody.test") }, want{snv.ErrNotSelected, -1})
	check("selector other name", func(p *snv.Proof) { p.Select = snv.ByName("bar.test") }, want{snv.ErrTxidMismatch, -1})
	check("trusted height", func(p *snv.Proof) { p.TrustedHeight-- }, want{snv.ErrTrustedHeight, -1})
	check("target height", func(p *snv.Proof) { p.TargetHeight++ }, want{snv.ErrStepHeight, last - 1})
	check("target above trusted", func(p *snv.Proof) { p.TargetHeight = p.TrustedHeight + 1 }, want{snv.ErrTargetHeight, -1})
	// A first block that changes the trusted height's previous heights.
	check("first block", func(p *snv.Proof) { p.FirstBlock = p.TargetHeight - 8 }, want{snv.ErrPrevCount, 0})
	check("no evidence", func(p *snv.Proof) { p.Bitcoin = nil }, want{snv.ErrBitcoinMissing, -1})

	// The trusted hash itself.
	for b := range 16 {
		bad := []byte(trustedHash)
		bad[2*b] = "0123456789abcdef"[(bytes.IndexByte([]byte("0123456789abcdef"), bad[2*b])+1)%16]
		_, err := snv.VerifyWith(base, f.trusted, string(bad), opts)
		assertStepError(t, err, snv.ErrConsensusMismatch, 0)
	}
	if _, err := snv.VerifyWith(base, f.trusted, "XYZ", opts); !errors.Is(err, snv.ErrTrustedHash) {
		t.Errorf("malformed trusted hash: %v", err)
	}

	// Bitcoin evidence: header bytes, branch, index, transaction.
	ev := base.Bitcoin
	for b := range 80 {
		code := snv.ErrProofOfWork
		if b >= 36 && b < 68 {
			code = snv.ErrMerkleBranch
		}
		check("target header", func(p *snv.Proof) { p.Bitcoin.Header[b] ^= 1 }, want{code, -1})
	}
	for k := range ev.Headers {
		for b := range 80 {
			code := snv.ErrProofOfWork
			if b >= 4 && b < 36 {
				code = snv.ErrHeaderLink
			}
			check("header", func(p *snv.Proof) { p.Bitcoin.Headers[k][b] ^= 1 }, want{code, -1})
		}
	}
	for k := range ev.Branch {
		for b := range 32 {
			check("branch", func(p *snv.Proof) { p.Bitcoin.Branch[k][b] ^= 1 }, want{snv.ErrMerkleBranch, -1})
		}
	}
	check("branch cut", func(p *snv.Proof) { p.Bitcoin.Branch = p.Bitcoin.Branch[1:] }, want{snv.ErrMerkleBranch, -1})
	check("index", func(p *snv.Proof) { p.Bitcoin.TxIndex ^= 1 }, want{snv.ErrMerkleBranch, -1})
	check("index range", func(p *snv.Proof) { p.Bitcoin.TxIndex = 1 << 20 }, want{snv.ErrMerkleBranch, -1})
	for b := range ev.Tx {
		p := f.proof(t)
		p.Bitcoin.Tx[b] ^= 1
		_, err := snv.VerifyWith(p, f.trusted, trustedHash, opts)
		if c := snv.CodeOf(err); c != snv.ErrTxMalformed && c != snv.ErrTxidMismatch {
			t.Errorf("tx byte %d: %v", b, err)
		}
	}
	opts.MinConfirmations = 1 + len(ev.Headers)
	check("all confirmations", func(p *snv.Proof) {}, want{0, 0})
	check("confirmations", func(p *snv.Proof) { p.Bitcoin.Headers = p.Bitcoin.Headers[:1] }, want{snv.ErrConfirmations, -1})
	opts.MinConfirmations = 0
	opts.FirstBlock = f.src.First
	check("pinned first block", func(p *snv.Proof) { p.FirstBlock++ }, want{snv.ErrFirstBlock, -1})
}

// TestBitcoinEvidence checks what valid evidence reports.
func TestBitcoinEvidence(t *testing.T) {
	f := newBitcoinFixture(t)
	p := f.proof(t)
	res := verifyBoth(t, p, f.trusted, f.src.Consensus[f.trusted], f.verifyOptions())
	if res.Bitcoin == nil || res.Bitcoin.Txid.String() != f.txid {
		t.Fatalf("bitcoin result %+v", res.Bitcoin)
	}
	if want := int(f.trusted-f.target) + 1; res.Bitcoin.Confirmations != want {
		t.Errorf("%d confirmations, want %d", res.Bitcoin.Confirmations, want)
	}
	if res.Bitcoin.BlockHash != f.src.BitcoinBlocks[f.target].BlockHash() {
		t.Error("wrong block hash")
	}
	// Mainnet's limit rejects the fixture's easy headers.
	if _, err := snv.Verify(p, f.trusted, f.src.Consensus[f.trusted]); !errors.Is(err, snv.ErrProofOfWork) {
		t.Errorf("mainnet limit: %v", err)
	}
	// A subset of headers.
	q, err := snv.Build(context.Background(), f.src, snv.Target{Select: snv.ByName(f.name), Height: f.target},
		f.trusted, snv.BuildOptions{Bitcoin: true, Confirmations: 2, Params: regtest()})
	if err != nil || len(q.Bitcoin.Headers) != 2 {
		t.Fatalf("subset: %v", err)
	}
	// Selection by txid and vtxindex finds the same operation.
	sel, err := snv.ByTxid(f.txid)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []snv.Selector{sel, snv.ByVtxindex(4)} {
		q, err := snv.Build(context.Background(), f.src, snv.Target{Select: s}, f.trusted,
			snv.BuildOptions{Bitcoin: true, Params: regtest()})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		res, err := snv.VerifyWith(q, f.trusted, f.src.Consensus[f.trusted], f.verifyOptions())
		if err != nil || q.TargetHeight != f.target {
			t.Fatalf("%s: %v at %d", s, err, q.TargetHeight)
		}
		if v, _ := res.Op().Field("name"); v != f.name {
			t.Errorf("%s selected %q", s, v)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	f := newBitcoinFixture(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		target snv.Target
		trust  uint64
		opts   snv.BuildOptions
		code   snv.ErrorCode
	}{
		{"unknown name", snv.Target{Select: snv.ByName("nobody.test")}, f.trusted, snv.BuildOptions{}, snv.ErrNotFound},
		{"whole block needs height", snv.Target{}, f.trusted, snv.BuildOptions{}, snv.ErrNotFound},
		{"target above trusted", snv.Target{Height: f.trusted + 1}, f.trusted, snv.BuildOptions{}, snv.ErrTargetHeight},
		{"trusted beyond source", snv.Target{Height: f.target}, f.trusted + 5, snv.BuildOptions{}, snv.ErrSource},
		{"evidence for a block", snv.Target{Height: f.target}, f.trusted, snv.BuildOptions{Bitcoin: true}, snv.ErrNoBitcoinSource},
		{"mainnet limit", snv.Target{Select: snv.ByName(f.name)}, f.trusted, snv.BuildOptions{Bitcoin: true}, snv.ErrSource},
	}
	for _, c := range cases {
		_, err := snv.Build(ctx, f.src, c.target, c.trust, c.opts)
		if !errors.Is(err, c.code) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := snv.Build(cancelled, f.src, snv.Target{Height: f.target}, f.trusted, snv.BuildOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build: %v", err)
	}
	// A source whose hashes do not chain is caught at build time.
	bad := *f.src
	bad.Ops = map[uint64]string{}
	for h, v := range f.src.Ops {
		bad.Ops[h] = v
	}
	bad.Ops[f.target] = digest.EmptyOpsHash
	if _, err := snv.Build(ctx, &bad, snv.Target{Height: f.target}, f.trusted, snv.BuildOptions{}); !errors.Is(err, snv.ErrConsensusMismatch) {
		t.Errorf("inconsistent source: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	f := newBitcoinFixture(t)
	bin, js := encodings(t, f.proof(t))
	cases := []struct {
		name string
		in   []byte
		code snv.ErrorCode
	}{
		{"empty", nil, snv.ErrUnknownEncoding},
		{"garbage", []byte("hello"), snv.ErrUnknownEncoding},
		{"magic only", []byte("SNVP"), snv.ErrTruncated},
		{"version", append([]byte("SNVP\x02"), bin[5:]...), snv.ErrUnsupportedVersion},
		{"flags", append([]byte("SNVP\x01\x03"), bin[6:]...), snv.ErrNonCanonical},
		{"truncated", bin[:len(bin)-1], snv.ErrTruncated},
		{"trailing", append(bytes.Clone(bin), 0), snv.ErrTrailingData},
		{"json trailing", append(bytes.Clone(js), "{}"...), snv.ErrTrailingData},
		{"json unknown member", bytes.Replace(js, []byte(`"format"`), []byte(`"extra": 1, "format"`), 1), snv.ErrBadJSON},
		{"json version", bytes.Replace(js, []byte(`"version": 1,`), []byte(`"version": 9,`), 1), snv.ErrUnsupportedVersion},
		{"json upper hex", bytes.Replace(js, []byte(`"ops_hash": "`), []byte(`"ops_hash": "A`), 1), snv.ErrNonCanonical},
		{"json two selectors", bytes.Replace(js, []byte(`"select": {`), []byte(`"select": {"vtxindex": 1, `), 1), snv.ErrNonCanonical},
	}
	for _, c := range cases {
		_, _, err := snv.Decode(c.in)
		if !errors.Is(err, c.code) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
		if !snv.CodeOf(err).IsDecode() {
			t.Errorf("%s: %v is not a decode error", c.name, err)
		}
	}
	// A huge step count in a short input fails before allocating.
	huge := []byte("SNVP\x01\x00")
	huge = append(huge, make([]byte, 25)...)
	huge = append(huge, 0x00, 0x80) // 128 steps, no bytes for them
	if _, err := snv.DecodeBinary(huge); !errors.Is(err, snv.ErrTruncated) {
		t.Errorf("huge count: %v", err)
	}
}

// Heights near the top of uint64 are refused before any skip-list
// arithmetic (digest.PrevHeights does not terminate at math.MaxUint64).
func TestHeightRange(t *testing.T) {
	p := &snv.Proof{TrustedHeight: math.MaxUint64, TargetHeight: math.MaxUint64,
		Steps: []snv.Step{{Height: math.MaxUint64}}}
	if _, err := snv.Verify(p, math.MaxUint64, "2a9148d8b13939723d2aca16c75c6d68"); !errors.Is(err, snv.ErrHeightRange) {
		t.Errorf("got %v", err)
	}
	if _, err := snv.Build(context.Background(), &snv.MemorySource{}, snv.Target{Height: 1}, math.MaxUint64, snv.BuildOptions{}); !errors.Is(err, snv.ErrHeightRange) {
		t.Errorf("build: %v", err)
	}
}

// hashOnly hides everything of a source but the HashSource methods.
type hashOnly struct{ snv.HashSource }

func TestWithFirstBlock(t *testing.T) {
	f := newBitcoinFixture(t)
	ctx := context.Background()
	target := snv.Target{Select: snv.ByName(f.name), Height: f.target}
	opts := snv.BuildOptions{Bitcoin: true, Params: regtest()}
	p, err := snv.Build(ctx, snv.WithFirstBlock(f.src, f.src.First), target, f.trusted, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := f.proof(t)
	if !reflect.DeepEqual(p, want) {
		t.Error("adapter builds another proof")
	}
	if _, err := snv.Build(ctx, snv.WithFirstBlock(hashOnly{f.src}, f.src.First), target, f.trusted, opts); !errors.Is(err, snv.ErrNoBitcoinSource) {
		t.Errorf("hash-only source: %v", err)
	}
	// A first block that changes the previous heights of the walk gives a
	// chain that does not verify.
	if _, err := snv.Build(ctx, snv.WithFirstBlock(f.src, f.src.First+12), snv.Target{Height: f.target}, f.trusted, snv.BuildOptions{}); !errors.Is(err, snv.ErrSource) {
		t.Errorf("wrong first block: %v", err)
	}
}
