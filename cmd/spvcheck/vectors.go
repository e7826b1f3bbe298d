package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spvcheck/spvcheck/testvectors/judge"
)

// vectorJudge judges one vector file format.
type vectorJudge struct {
	kind    string
	format  string
	judgeFn func(r io.Reader, name string) (*judge.Report, error)
}

func vectorJudges() []vectorJudge {
	return []vectorJudge{
		{kind: "wire", format: "blockstack.js vector (vectors.jsonl)", judgeFn: judge.Wire},
		{kind: "consensus", format: "consensus-vector (blocks.jsonl)", judgeFn: judge.Consensus},
		{kind: "replay", format: "replay-vector (scenarios.jsonl or sample.jsonl)", judgeFn: judge.Replay},
		{kind: "real-txs", format: "real-transaction (real_txs.jsonl)", judgeFn: judge.RealTxs},
	}
}

func vectorsCommand() command {
	c := command{
		name:    "vectors",
		summary: "check spvcheck against reference vector files (wire, consensus, replay)",
		usage:   "KIND FILE [--json]\n\nKIND is one of:",
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
	rep, err := j.judgeFn(f, path)
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
