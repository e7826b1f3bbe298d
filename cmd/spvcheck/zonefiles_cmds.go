package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
)

func zonefilesCommand() command {
	c := command{
		name:    "zonefiles",
		summary: "load zone files under the Atlas rule, or check one against a name's hash",
		usage: "import FILE --datadir D [--json]\n" +
			"       spvcheck zonefiles check FILE NAME --datadir D [--json]\n\n" +
			"import reads an export file (pairs of lines: a zone-file hash, then the zone file with\n" +
			"each newline written as \\n; the format of the Stacks 2.0 genesis name_zonefiles.txt)\n" +
			"and stores in D/zonefiles, for 'spvcheck serve', every zone file whose hash an accepted\n" +
			"name operation announced; it reports how many were accepted, refused for a hash no\n" +
			"operation announced, and malformed. Exit 0 when the file was read, 2 when it could not be.\n\n" +
			"check hashes FILE (RIPEMD160 of SHA256) and compares it with the zone-file hash NAME\n" +
			"holds in the verified state. Exit 0 equal, 1 different (or NAME has none), 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runZonefiles(ctx, e, &c, args) }
	return c
}

func runZonefiles(ctx context.Context, e *env, c *command, args []string) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "check") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			_, code, _ := parseArgs(e, c, newFlagSet(e, c), args, 0, "")
			return code
		}
		return usageError(e, c, "want 'import FILE' or 'check FILE NAME'")
	}
	sub := args[0]
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	n, what := 1, "zone-file export FILE"
	if sub == "check" {
		n, what = 2, "FILE and NAME"
	}
	pos, code, ok := parseArgs(e, c, fs, args[1:], n, what)
	if !ok {
		return code
	}
	if sub == "check" {
		if err := validateName(pos[1]); err != nil {
			return usageError(e, c, "%v", err)
		}
		return runZonefileCheck(ctx, e, c, *datadir, pos[0], pos[1], *asJSON)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer f.Close()
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	zf, err := zonefiles.Open(filepath.Join(*datadir, "zonefiles"))
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	rep, err := api.ImportZonefiles(ctx, s.Store, net.Consensus, zf, bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return fail(e, c, exitUsage, err, "the zone files stored before the error stay stored")
	}
	if *asJSON {
		writeJSON(e, map[string]any{"file": pos[0], "accepted": rep.Accepted, "unknown": rep.Unknown,
			"malformed": rep.Malformed, "verified_at": at, "directory": zf.Dir()})
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%d zone files accepted, %d refused (no accepted operation announced their hash), %d malformed\n",
		rep.Accepted, rep.Unknown, rep.Malformed)
	fmt.Fprintf(e.stdout, "judged against block %d (consensus hash %s); stored in %s\n", at.Height, at.ConsensusHash, zf.Dir())
	return exitOK
}

func runZonefileCheck(ctx context.Context, e *env, c *command, datadir, file, name string, asJSON bool) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	s, net, at, err := openVerified(ctx, datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	rec, err := consensus.NewView(net.Consensus, s).Name(name)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if rec == nil {
		return fail(e, c, exitMismatch, fmt.Errorf("no name %q in the verified state at block %d", name, at.Height), "")
	}
	got := zonefiles.Hash(b)
	want := ""
	if rec.ValueHash != nil {
		want = *rec.ValueHash
	}
	match := want != "" && got == want
	if asJSON {
		writeJSON(e, map[string]any{"name": name, "file": file, "file_hash": got, "zonefile_hash": rec.ValueHash,
			"match": match, "verified_at": at})
	} else if match {
		fmt.Fprintf(e.stdout, "match: %s hashes to %s, the zone-file hash of %s at block %d\n", file, got, name, at.Height)
	} else if want == "" {
		fmt.Fprintf(e.stdout, "no match: %s has no zone-file hash at block %d (%s hashes to %s)\n", name, at.Height, file, got)
	} else {
		fmt.Fprintf(e.stdout, "no match: %s hashes to %s, but %s holds %s at block %d\n", file, got, name, want, at.Height)
	}
	if !match {
		return exitMismatch
	}
	return exitOK
}
