package judge

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

func chainsPath() string { return testvectors.Path("consensus", "chains.jsonl") }

// Every SNV pair the reference verified proves offline, and every
// self-consistent chain proves whole from its last block.
func TestChainVectors(t *testing.T) {
	rep, err := ChainsFiles(chainsPath(), blocksPath())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var out bytes.Buffer
		_ = rep.WriteText(&out)
		t.Fatalf("chain failures:\n%s", out.String())
	}
	pairs, whole := 0, 0
	err = testvectors.ReadJSONLFile(chainsPath(), func(_ int, c *testvectors.ChainRecord) error {
		pairs += len(c.SNVVerified)
		if c.SelfConsistent {
			whole++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pairs != 2674 || rep.Passed != pairs+whole {
		t.Fatalf("%d passed; the file has %d pairs (want 2674) and %d self-consistent chains", rep.Passed, pairs, whole)
	}
}

// A changed hash in a pair, a chain hash that no longer fits, and a
// malformed file are caught.
func TestChainsDetectTampering(t *testing.T) {
	chains, err := os.ReadFile(chainsPath())
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := os.ReadFile(blocksPath())
	if err != nil {
		t.Fatal(err)
	}
	run := func(c []byte) (*Report, error) {
		return Chains(ChainsInput{Chains: bytes.NewReader(c), Blocks: bytes.NewReader(blocks), ChainsName: "c", BlocksName: "b"})
	}
	// The first pair of the first chain that has pairs: its target hash
	// changed in one hex digit.
	lines := bytes.Split(chains, []byte("\n"))
	n := -1
	for j, l := range lines {
		if bytes.Contains(l, []byte(`"snv_verified":[[`)) {
			n = j
			break
		}
	}
	if n < 0 {
		t.Fatal("no chain has pairs")
	}
	line := append([]byte(nil), lines[n]...)
	i := bytes.Index(line, []byte(`"snv_verified":[[`))
	pairEnd := i + bytes.Index(line[i:], []byte("]"))
	lastQuote := bytes.LastIndexByte(line[:pairEnd], '"')
	line[lastQuote-1] = "1032547698badcfe"[strings.IndexByte("0123456789abcdef", line[lastQuote-1])]
	lines[n] = line
	rep, err := run(bytes.Join(lines, []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 || !strings.Contains(rep.Failures[0].Message, "the reference verified") {
		t.Fatalf("a changed target hash passed: %+v", rep.Failures)
	}
	// Not chain records at all.
	if _, err := run([]byte(`{"id": "x"}` + "\n")); err == nil {
		t.Fatal("a file of other records was judged")
	}
	if _, err := run(nil); err == nil {
		t.Fatal("an empty file was judged")
	}
}
