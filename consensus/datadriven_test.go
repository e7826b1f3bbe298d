package consensus

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/cockroachdb/datadriven"
	"github.com/spvcheck/spvcheck/ops"
)

// TestDataDriven runs the rule files in testdata/rules/ (cockroachdb/
// datadriven; `go test -run TestDataDriven -rewrite` regenerates the
// expected output, which is then read and checked like any change). Each
// file drives a fresh Regtest chain. Commands:
//
//	quota n=N                 set MaxNamesPerSender
//	skip to=H | to=MARK+K     process empty blocks until the next block is H
//	mark name=M               remember the last processed height as M
//	launch creator=K revealer=K ns=NS lifetime=L fee=F
//	                          preorder, reveal (v1, price 2 per name) and ready NS
//	block                     one block of the input's operations, one a line;
//	                          prints each operation's verdict:
//	  preorder KEY OWNER NAME FEE       register KEY OWNER NAME
//	  renew KEY OWNER NAME FEE          update KEY NAME
//	  transfer KEY TO NAME              revoke KEY NAME
//	  ns-preorder KEY REVEALER NS FEE [TOKENS]
//	  ns-reveal KEY REVEALER NS VERSION LIFETIME
//	  ns-ready KEY NS                   import KEY TO NAME
//	  token KEY TO AMOUNT [zero-ch]
//	names ns=NS               the names of NS: owner, renewal, revocation, status
//	namespace id=NS           a namespace's record
//	balances keys=K,K...      STACKS balances
//	history name=NAME         a name's accepted changes
//
// Keys are named test keys (newTestKey seeds), regtest0..regtest3 (the
// Regtest genesis keys) or child:K:i (child i of K's import keychain).
func TestDataDriven(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "rules", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := &ruleRunner{t: t, p: Regtest(), marks: map[string]uint64{}, keys: map[string]testKey{}}
			datadriven.RunTest(t, f, r.run)
		})
	}
}

type ruleRunner struct {
	t     *testing.T
	p     *Params
	c     *testChain
	marks map[string]uint64
	keys  map[string]testKey
}

func (r *ruleRunner) chain() *testChain {
	if r.c == nil {
		r.c = newTestChain(r.t, r.p)
	}
	return r.c
}

// key returns the named key, remembering it for the dumps.
func (r *ruleRunner) key(d *datadriven.TestData, name string) testKey {
	if k, ok := r.keys[name]; ok {
		return k
	}
	var k testKey
	switch {
	case strings.HasPrefix(name, "regtest"):
		i, err := strconv.Atoi(strings.TrimPrefix(name, "regtest"))
		if err != nil || i < 0 || i >= RegtestKeyCount {
			d.Fatalf(r.t, "bad key %q", name)
		}
		_, pub := btcec.PrivKeyFromBytes(RegtestPrivateKey(i))
		h := address.Hash160(pub.SerializeCompressed())
		k = testKey{script: "76a914" + hexs(h) + "88ac", addr: addressFromHash160(h, r.p.AddressVersion), pub: hexs(pub.SerializeCompressed())}
	case strings.HasPrefix(name, "child:"):
		f := strings.Split(name, ":")
		i, err := strconv.Atoi(f[len(f)-1])
		if len(f) != 3 || err != nil {
			d.Fatalf(r.t, "bad key %q", name)
		}
		k = keychainChild(r.t, r.key(d, f[1]).pub, uint32(i))
	default:
		k = newTestKey(r.p, name)
	}
	r.keys[name] = k
	return k
}

// keyName names a script by the keys seen so far.
func (r *ruleRunner) keyName(script string) string {
	for name, k := range r.keys {
		if k.script == script {
			return name
		}
	}
	return script
}

func (r *ruleRunner) num(d *datadriven.TestData, s string) uint64 {
	if i := strings.IndexByte(s, '+'); i > 0 {
		base, ok := r.marks[s[:i]]
		if !ok {
			d.Fatalf(r.t, "unknown mark %q", s[:i])
		}
		return base + r.num(d, s[i+1:])
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		d.Fatalf(r.t, "bad number %q", s)
	}
	return v
}

func (r *ruleRunner) arg(d *datadriven.TestData, name string) string {
	var v string
	d.ScanArgs(r.t, name, &v)
	return v
}

func (r *ruleRunner) run(t *testing.T, d *datadriven.TestData) string {
	switch d.Cmd {
	case "quota":
		r.p.MaxNamesPerSender = int(r.num(d, r.arg(d, "n")))
		return "ok\n"
	case "skip":
		r.chain().skipTo(r.num(d, r.arg(d, "to")))
		return fmt.Sprintf("next block %d\n", r.chain().next)
	case "mark":
		r.marks[r.arg(d, "name")] = r.chain().next - 1
		return fmt.Sprintf("%s = %d\n", r.arg(d, "name"), r.chain().next-1)
	case "launch":
		c := r.chain()
		creator, revealer, ns := r.key(d, r.arg(d, "creator")), r.key(d, r.arg(d, "revealer")), r.arg(d, "ns")
		lifetime, fee := r.num(d, r.arg(d, "lifetime")), r.num(d, r.arg(d, "fee"))
		var out strings.Builder
		for _, op := range []func() ops.Op{
			func() ops.Op { return c.nsPreorder(creator, revealer, ns, fee, nil) },
			func() ops.Op { return nsReveal(creator, revealer, ns, 1, uint32(lifetime), 1, 2, flatBuckets, 1, 1) },
			func() ops.Op { return nsReady(revealer, ns) },
		} {
			out.WriteString(r.verdicts(c.block(op())))
		}
		return out.String()
	case "block":
		c := r.chain()
		var list []ops.Op
		for _, line := range strings.Split(d.Input, "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				list = append(list, r.op(d, f))
			}
		}
		return r.verdicts(c.block(list...))
	case "names":
		return r.names(d, r.arg(d, "ns"))
	case "namespace":
		ns, err := r.chain().e.View().Namespace(r.arg(d, "id"))
		if err != nil {
			d.Fatalf(t, "%v", err)
		}
		if ns == nil {
			return "none\n"
		}
		return fmt.Sprintf("%s op=%s version=%d revealed=%d ready=%d lifetime=%d revealer=%s sender=%s\n",
			ns.NamespaceID, ns.Op, ns.Version, ns.RevealBlock, ns.ReadyBlock, ns.Lifetime,
			r.keyName(ns.Recipient), r.keyName(ns.Sender))
	case "balances":
		var out strings.Builder
		for _, k := range strings.Split(r.arg(d, "keys"), ",") {
			b, err := r.chain().e.View().Balance(r.key(d, k).addr, "STACKS")
			if err != nil {
				d.Fatalf(t, "%v", err)
			}
			fmt.Fprintf(&out, "%s %s\n", k, b)
		}
		return out.String()
	case "history":
		hist, err := r.chain().e.View().NameHistory(r.arg(d, "name"))
		if err != nil {
			d.Fatalf(t, "%v", err)
		}
		var out strings.Builder
		for _, e := range hist {
			fmt.Fprintf(&out, "%d.%d %s", e.Height, e.Vtxindex, e.Op)
			if e.Record != nil {
				fmt.Fprintf(&out, " owner=%s", r.keyName(e.Record.Sender))
			}
			out.WriteString("\n")
		}
		return out.String()
	}
	d.Fatalf(t, "unknown command %q", d.Cmd)
	return ""
}

// op parses one operation line of a block.
func (r *ruleRunner) op(d *datadriven.TestData, f []string) ops.Op {
	c := r.chain()
	want := func(n ...int) {
		for _, k := range n {
			if len(f) == k {
				return
			}
		}
		d.Fatalf(r.t, "%s takes %v fields, got %d", f[0], n, len(f))
	}
	k := func(i int) testKey { return r.key(d, f[i]) }
	switch f[0] {
	case "preorder":
		want(5)
		return c.preorder(k(1), k(2), f[3], r.num(d, f[4]))
	case "register":
		want(4)
		return register(k(1), k(2), f[3])
	case "renew":
		want(5)
		return c.renew(k(1), k(2), f[3], r.num(d, f[4]))
	case "update":
		want(3)
		return c.update(k(1), f[2], strings.Repeat("ab", 20))
	case "transfer":
		want(4)
		return c.transfer(k(1), k(2), f[3], true)
	case "revoke":
		want(3)
		return revoke(k(1), f[2])
	case "ns-preorder":
		want(5, 6)
		var tokens *uint64
		if len(f) == 6 {
			tokens = u64(r.num(d, f[5]))
		}
		return c.nsPreorder(k(1), k(2), f[3], r.num(d, f[4]), tokens)
	case "ns-reveal":
		want(6)
		return nsReveal(k(1), k(2), f[3], uint16(r.num(d, f[4])), uint32(r.num(d, f[5])), 1, 2, flatBuckets, 1, 1)
	case "ns-ready":
		want(3)
		return nsReady(k(1), f[2])
	case "import":
		want(4)
		return importOp(k(1), k(2), f[3])
	case "token":
		want(4, 5)
		op := c.tokenTransfer(k(1), k(2), r.num(d, f[3]))
		if len(f) == 5 {
			if f[4] != "zero-ch" {
				d.Fatalf(r.t, "unknown token option %q", f[4])
			}
			op.ConsensusHash = strings.Repeat("0", 32)
		}
		return op
	}
	d.Fatalf(r.t, "unknown operation %q", f[0])
	return ops.Op{}
}

// verdicts prints a block's outcomes, one line per operation.
func (r *ruleRunner) verdicts(res *BlockResult) string {
	var out strings.Builder
	for i, o := range res.Ops {
		v := o.Outcome.String()
		if o.Outcome == Rejected {
			v = o.Err.Code.String()
		}
		fmt.Fprintf(&out, "%d.%d %s: %s\n", res.Height, i+1, o.Kind, v)
	}
	return out.String()
}

// names prints every name of ns with its status at the tip.
func (r *ruleRunner) names(d *datadriven.TestData, ns string) string {
	v := r.chain().e.View()
	list, err := v.NamesInNamespace(ns)
	if err != nil {
		d.Fatalf(r.t, "%v", err)
	}
	tip := r.chain().next - 1
	var out strings.Builder
	for _, name := range list {
		st, err := v.NameStatus(name, tip)
		if err != nil || st == nil {
			d.Fatalf(r.t, "status of %s: %v", name, err)
		}
		rec := st.Record
		fmt.Fprintf(&out, "%s owner=%s registered=%d renewed=%d revoked=%v alive=%v expires=%d\n", name,
			r.keyName(rec.Sender), rec.FirstRegistered, rec.LastRenewed, rec.Revoked, st.Alive, st.ExpireBlock)
	}
	if len(list) == 0 {
		out.WriteString("none\n")
	}
	return out.String()
}
