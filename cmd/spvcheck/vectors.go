package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spvcheck/spvcheck/testvectors/judge"
)

// vectorJudge judges one vector file format. A judge that needs companion
// files (the blocks a commit or chain file refers to) reads them from
// side, the paths of the --blocks and --field-orders flags.
type vectorJudge struct {
	kind    string
	format  string
	judgeFn func(r io.Reader, name string, side sideFiles) (*judge.Report, error)
}

// sideFiles are the companion files of the commits and chains judges.
type sideFiles struct{ blocks, fieldOrders string }

func plain(fn func(io.Reader, string) (*judge.Report, error)) func(io.Reader, string, sideFiles) (*judge.Report, error) {
	return func(r io.Reader, name string, _ sideFiles) (*judge.Report, error) { return fn(r, name) }
}

func vectorJudges() []vectorJudge {
	return []vectorJudge{
		{kind: "wire", format: "blockstack.js vector (vectors.jsonl)", judgeFn: plain(judge.Wire)},
		{kind: "consensus", format: "consensus-vector (blocks.jsonl)", judgeFn: plain(judge.Consensus)},
		{kind: "commits", format: "committed-record (commits.jsonl; with blocks.jsonl and field_orders.json)", judgeFn: judgeCommits},
		{kind: "chains", format: "SNV chain (chains.jsonl; with blocks.jsonl)", judgeFn: judgeChains},
		{kind: "replay", format: "replay-vector (scenarios.jsonl or sample.jsonl)", judgeFn: plain(judge.Replay)},
		{kind: "real-txs", format: "real-transaction (real_txs.jsonl)", judgeFn: plain(judge.RealTxs)},
	}
}

func judgeCommits(r io.Reader, name string, side sideFiles) (*judge.Report, error) {
	b, err := os.Open(side.blocks)
	if err != nil {
		return nil, fmt.Errorf("the blocks file (--blocks): %w", err)
	}
	defer b.Close()
	fo, err := os.Open(side.fieldOrders)
	if err != nil {
		return nil, fmt.Errorf("the field orders file (--field-orders): %w", err)
	}
	defer fo.Close()
	return judge.Commits(judge.CommitsInput{Commits: r, CommitsName: name, Blocks: b, BlocksName: side.blocks,
		FieldOrders: fo, FieldOrdersName: side.fieldOrders})
}

func judgeChains(r io.Reader, name string, side sideFiles) (*judge.Report, error) {
	b, err := os.Open(side.blocks)
	if err != nil {
		return nil, fmt.Errorf("the blocks file (--blocks): %w", err)
	}
	defer b.Close()
	return judge.Chains(judge.ChainsInput{Chains: r, ChainsName: name, Blocks: b, BlocksName: side.blocks})
}

func vectorsCommand() command {
	c := command{
		name:    "vectors",
		summary: "check spvcheck against reference vector files (wire, consensus, commits, chains, replay)",
		usage:   "KIND FILE [--blocks FILE] [--field-orders FILE] [--json]\n\nKIND is one of:",
	}
	for _, j := range vectorJudges() {
		c.usage += fmt.Sprintf("\n  %-10s %s", j.kind, j.format)
	}
	c.usage += "\n\nPrints one line per failing record and ends with 'N passed, M failed'.\n" +
		"Exit status 0 only when nothing failed; a malformed file exits 2."
	c.run = func(ctx context.Context, e *env, args []string) int { return runVectors(ctx, e, &c, args) }
	return c
}

func runVectors(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	blocks := fs.String("blocks", "", "for commits and chains: the blocks file they refer to (default: blocks.jsonl beside FILE)")
	fieldOrders := fs.String("field-orders", "", "for commits: the field orders file (default: field_orders.json beside FILE)")
	pos, code, ok := parseArgs(e, c, fs, args, 2, "KIND and FILE")
	if !ok {
		return code
	}
	kind, path := pos[0], pos[1]
	var j *vectorJudge
	var kinds []string
	for _, cand := range vectorJudges() {
		kinds = append(kinds, cand.kind)
		if cand.kind == kind {
			j = &cand
		}
	}
	if j == nil {
		return usageError(e, c, "unknown vector kind %q (want one of: %s)", kind, strings.Join(kinds, ", "))
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer f.Close()
	if err := ctx.Err(); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	side := sideFiles{blocks: *blocks, fieldOrders: *fieldOrders}
	if side.blocks == "" {
		side.blocks = filepath.Join(filepath.Dir(path), "blocks.jsonl")
	}
	if side.fieldOrders == "" {
		side.fieldOrders = filepath.Join(filepath.Dir(path), "field_orders.json")
	}
	rep, err := j.judgeFn(f, path, side)
	if err != nil {
		return fail(e, c, exitUsage, err, fmt.Sprintf("is %s a %s file?", path, j.format))
	}
	if *asJSON {
		writeJSON(e, rep)
	} else {
		for _, n := range rep.Notes {
			fmt.Fprintf(e.stderr, "note: %s\n", n)
		}
		if err := rep.WriteText(e.stdout); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
	}
	if !rep.OK() {
		return exitMismatch
	}
	return exitOK
}
