package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot/migration"
)

func compareGenesisCommand() command {
	c := command{
		name:    "compare-genesis",
		summary: "audit the Stacks 2.0 migration: compare a chainstate file's NAMES with the verified state",
		usage: "FILE --datadir D [--json]\n\n" +
			"Reads the NAMES section of a Stacks 2.0 chainstate file (name,address,zonefile_hash; the\n" +
			"format of stacks-core's stx-genesis/chainstate-test.txt) and compares it with the verified\n" +
			"name table as the export would have written it: at the store's tip (at the freeze for a\n" +
			"final mainnet store), revoked, expired and grace-period names left out, owners as c32\n" +
			"Stacks addresses. Lists every name missing on either side and every owner or zone-file\n" +
			"hash that differs. Exit 0 all equal, 1 differences, 2 unreadable or malformed input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runCompareGenesis(ctx, e, &c, args) }
	return c
}

type compareGenesisOutput struct {
	File        string                 `json:"file"`
	VerifiedAt  *verifiedAt            `json:"verified_at"`
	Height      uint64                 `json:"export_height"`
	FileNames   int                    `json:"file_names"`
	StateNames  int                    `json:"state_names"`
	Equal       bool                   `json:"equal"`
	Differences []migration.Difference `json:"differences"`
}

func runCompareGenesis(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := fs.String("datadir", "", "data directory holding the verified store")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "FILE")
	if !ok {
		return code
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	fileNames, err := migration.ReadNames(f)
	f.Close()
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	h := migration.ExportHeight(net.Consensus, at.Height)
	stateNames, err := migration.StateNames(consensus.NewView(net.Consensus, s), h)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	diffs := migration.Compare(fileNames, stateNames)
	out := compareGenesisOutput{File: pos[0], VerifiedAt: at, Height: h, FileNames: len(fileNames), StateNames: len(stateNames),
		Equal: len(diffs) == 0, Differences: diffs}
	if out.Differences == nil {
		out.Differences = []migration.Difference{}
	}
	if *asJSON {
		writeJSON(e, out)
	} else {
		for _, d := range diffs {
			fmt.Fprintln(e.stdout, d.String())
		}
		fmt.Fprintf(e.stdout, "%d names in the file, %d in the verified state at export height %d (block %d, consensus hash %s): %d differences\n",
			len(fileNames), len(stateNames), h, at.Height, at.ConsensusHash, len(diffs))
		at.printNotes(e.stdout)
		if at.FreezeHeight != 0 && !at.Final {
			fmt.Fprintf(e.stdout, "note: the store is not final yet (tip %d); the Stacks 2.0 export describes the state at block %d: sync to it first\n",
				at.Height, at.FreezeHeight)
		}
	}
	if len(diffs) > 0 {
		return exitMismatch
	}
	return exitOK
}
