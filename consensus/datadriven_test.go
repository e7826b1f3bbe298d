package consensus

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/ops"
)

// TestDataDriven runs the rule files in testdata/: each describes a few
// blocks of operations on the Regtest chain and the verdict expected for
// every operation. Commands (one per line, '#' starts a comment):
//
//	quota N                         set MaxNamesPerSender
//	skip H | skip MARK+K            process empty blocks until the next block is H
//	mark NAME                       remember the last processed height
//	launch CREATOR REVEALER NS LIFETIME FEE
//	                                preorder, reveal (v1, price 2 per name) and ready NS
//	block                           start a block; ops follow, one per line:
//	  preorder KEY OWNER NAME FEE => VERDICT
//	  register KEY OWNER NAME => VERDICT
//	  renew KEY OWNER NAME FEE => VERDICT
//	  update KEY NAME => VERDICT
//	  transfer KEY TO NAME => VERDICT
//	  revoke KEY NAME => VERDICT
//	end                             process the block and check the verdicts
//
// VERDICT is "accepted" or the name of an ErrorCode. Keys are named test
// keys (newTestKey seeds).
func TestDataDriven(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runRuleFile(t, f) })
	}
}

func runRuleFile(t *testing.T, path string) {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	p := Regtest()
	var c *testChain
	chain := func() *testChain {
		if c == nil {
			c = newTestChain(t, p)
		}
		return c
	}
	marks := map[string]uint64{}
	key := func(name string) testKey { return newTestKey(p, name) }
	var num func(s string, line int) uint64
	num = func(s string, line int) uint64 {
		if i := strings.IndexByte(s, '+'); i > 0 {
			base, ok := marks[s[:i]]
			if !ok {
				t.Fatalf("%s:%d: unknown mark %q", path, line, s[:i])
			}
			return base + num(s[i+1:], line)
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s:%d: bad number %q", path, line, s)
		}
		return v
	}
	var pending []ops.Op
	var verdicts []string
	var opLines []int
	inBlock := false
	sc := bufio.NewScanner(fh)
	line := 0
	checked := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if text == "" {
			continue
		}
		verdict := ""
		if i := strings.Index(text, "=>"); i >= 0 {
			verdict = strings.TrimSpace(text[i+2:])
			text = strings.TrimSpace(text[:i])
		}
		f := strings.Fields(text)
		want := func(n int) {
			if len(f) != n {
				t.Fatalf("%s:%d: %s takes %d arguments", path, line, f[0], n-1)
			}
		}
		if inBlock && f[0] != "end" {
			if verdict == "" {
				t.Fatalf("%s:%d: operation without => verdict", path, line)
			}
			c := chain()
			var op ops.Op
			switch f[0] {
			case "preorder":
				want(5)
				op = c.preorder(key(f[1]), key(f[2]), f[3], num(f[4], line))
			case "register":
				want(4)
				op = register(key(f[1]), key(f[2]), f[3])
			case "renew":
				want(5)
				op = c.renew(key(f[1]), key(f[2]), f[3], num(f[4], line))
			case "update":
				want(3)
				op = c.update(key(f[1]), f[2], strings.Repeat("ab", 20))
			case "transfer":
				want(4)
				op = c.transfer(key(f[1]), key(f[2]), f[3], true)
			case "revoke":
				want(3)
				op = revoke(key(f[1]), f[2])
			default:
				t.Fatalf("%s:%d: unknown operation %q", path, line, f[0])
			}
			pending, verdicts, opLines = append(pending, op), append(verdicts, verdict), append(opLines, line)
			continue
		}
		switch f[0] {
		case "quota":
			want(2)
			p.MaxNamesPerSender = int(num(f[1], line))
		case "skip":
			want(2)
			chain().skipTo(num(f[1], line))
		case "mark":
			want(2)
			marks[f[1]] = chain().next - 1
		case "launch":
			want(6)
			chain().launch(key(f[1]), key(f[2]), f[3], uint32(num(f[4], line)), num(f[5], line))
		case "block":
			inBlock, pending, verdicts, opLines = true, nil, nil, nil
		case "end":
			inBlock = false
			res := chain().block(pending...)
			for i, r := range res.Ops {
				got := "accepted"
				if r.Outcome == Rejected {
					got = r.Err.Code.String()
				}
				if got != verdicts[i] {
					t.Errorf("%s:%d: block %d: got %s (%v), want %s", path, opLines[i], res.Height, got, r.Err, verdicts[i])
				}
				checked++
			}
		default:
			t.Fatalf("%s:%d: unknown command %q", path, line, f[0])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if inBlock {
		t.Fatalf("%s: block without end", path)
	}
	if checked == 0 {
		t.Fatalf("%s: no verdicts checked", path)
	}
}
