package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/spvcheck/spvcheck/snapshot"
)

func auditCommand() command {
	c := command{
		name:    "audit",
		summary: "recompute every hash of a data directory or snapshot file and replay its blocks",
		usage: "PATH [--no-replay] [--json]\n\n" +
			"PATH is a data directory (or a store directory) or a snapshot file. Every block's ops\n" +
			"hash is recomputed from its committed records and every consensus hash from the skip\n" +
			"list; unless --no-replay, the stored inputs are replayed through the engine and the\n" +
			"resulting state compared with the stored state. Reports the first divergent block.\n" +
			"Exit 0 verified, 1 divergence found, 2 unreadable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runAudit(ctx, e, &c, args) }
	return c
}

// auditOutput is audit's --json form.
type auditOutput struct {
	Path              string      `json:"path"`
	Kind              string      `json:"kind"`
	Verdict           string      `json:"verdict"`
	Network           string      `json:"network,omitempty"`
	ParamsFingerprint string      `json:"params_fingerprint,omitempty"`
	First             uint64      `json:"first_block"`
	Tip               *tipRef     `json:"tip"`
	Blocks            uint64      `json:"blocks_checked"`
	Replayed          bool        `json:"replayed"`
	Divergence        *divergence `json:"divergence,omitempty"`
	Error             string      `json:"error,omitempty"`
	// Unverified marks answers past epoch 3 of a chain replayed without
	// its genesis allocation (mainnet.go).
	Unverified string `json:"unverified,omitempty"`
}

type divergence struct {
	Height   uint64 `json:"height"`
	Kind     string `json:"kind"`
	Key      string `json:"state_key,omitempty"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
}

func runAudit(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	noReplay := fs.Bool("no-replay", false, "only recompute hashes; do not replay the stored inputs")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "PATH")
	if !ok {
		return code
	}
	path := pos[0]
	st, err := os.Stat(path)
	if err != nil {
		return fail(e, c, exitUsage, err, "give a data directory or a snapshot file")
	}
	prog := newProgress(e)
	opts := snapshot.AuditOptions{Progress: func(p snapshot.Progress) {
		prog.update("audit %-7s %s %d/%d", p.Phase, bar(p.Height, p.Tip), p.Height, p.Tip)
	}}
	out := auditOutput{Path: path}
	if !*noReplay {
		// The replayed state goes to disk, not memory: a mainnet store's
		// state does not fit in memory on small machines.
		scratch, err := os.MkdirTemp("", "spvcheck-audit-")
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		defer os.RemoveAll(scratch)
		opts.ScratchFS, opts.ScratchDir = vfs.Default, filepath.Join(scratch, "replay")
	}
	var rep *snapshot.AuditReport
	if st.IsDir() {
		out.Kind = "store"
		s, net, err := openStore(ctx, path, true)
		if err != nil {
			prog.done()
			return reportUnreadable(e, c, &out, *asJSON, err)
		}
		defer s.Close()
		if _, ok, err := s.Tip(); err == nil && !ok {
			prog.done()
			return reportUnreadable(e, c, &out, *asJSON,
				errors.New("the store holds no block: nothing to verify (was a sync stopped before its first block? run 'spvcheck sync' again)"))
		}
		if !*noReplay {
			opts.Replayer = snapshot.EngineReplayer(net.Consensus)
		}
		rep, err = snapshot.AuditStore(ctx, s.Store, opts)
		prog.done()
		if err != nil {
			return reportUnreadable(e, c, &out, *asJSON, err)
		}
	} else {
		out.Kind = "file"
		if !*noReplay {
			info, err := peekSnapshotNetwork(path)
			if err != nil {
				return reportUnreadable(e, c, &out, *asJSON, err)
			}
			net, err := networkByName(info.Network)
			if err != nil {
				return reportUnreadable(e, c, &out, *asJSON, err)
			}
			opts.Replayer = snapshot.EngineReplayer(net.Consensus)
		}
		f, err := os.Open(path)
		if err != nil {
			return reportUnreadable(e, c, &out, *asJSON, err)
		}
		defer f.Close()
		rep, err = snapshot.AuditFile(ctx, bufio.NewReaderSize(f, 1<<20), opts)
		prog.done()
		if err != nil {
			return reportUnreadable(e, c, &out, *asJSON, err)
		}
	}
	out.Verdict = rep.Verdict.String()
	out.Network, out.ParamsFingerprint = rep.Network, rep.ParamsFingerprint
	out.First, out.Blocks, out.Replayed = rep.First, rep.Blocks, rep.Replayed
	if rep.TipConsensusHash != "" {
		out.Tip = &tipRef{Height: rep.Tip, ConsensusHash: rep.TipConsensusHash}
	}
	out.Unverified = unverifiedFor(rep.Network, rep.ParamsFingerprint, rep.Tip)
	if rep.Err != nil {
		out.Error = rep.Err.Error()
	}
	if d := rep.Divergence; d != nil {
		out.Divergence = &divergence{Height: d.Height, Kind: d.Kind.String(), Expected: d.Expected, Actual: d.Actual}
		if len(d.Key) > 0 {
			out.Divergence.Key = hex.EncodeToString(d.Key)
		}
	}
	if *asJSON {
		writeJSON(e, out)
	} else if rep.Verdict == snapshot.Unreadable {
		fmt.Fprintf(e.stdout, "%s %s: unreadable: %s\n", out.Kind, path, out.Error)
	} else {
		fmt.Fprintf(e.stdout, "%s %s: %s\n", out.Kind, path, out.Verdict)
		fmt.Fprintf(e.stdout, "  network %s, blocks %d..%d (%d checked", out.Network, out.First, rep.Tip, out.Blocks)
		if out.Replayed {
			fmt.Fprint(e.stdout, ", inputs replayed")
		}
		fmt.Fprintln(e.stdout, ")")
		if out.Tip != nil {
			fmt.Fprintf(e.stdout, "  tip consensus hash %s\n", out.Tip.ConsensusHash)
		}
		if d := out.Divergence; d != nil {
			fmt.Fprintf(e.stdout, "  first divergence at block %d (%s)\n    expected %s\n    stored   %s\n", d.Height, d.Kind, d.Expected, d.Actual)
			if d.Key != "" {
				fmt.Fprintf(e.stdout, "    state key %s\n", d.Key)
			}
		}
		if out.Error != "" {
			fmt.Fprintf(e.stdout, "  %s\n", out.Error)
		}
		if out.Unverified != "" {
			fmt.Fprintf(e.stdout, "  WARNING: %s: the hashes are self-consistent, but token-paid operations were judged against empty accounts\n", out.Unverified)
		}
	}
	switch rep.Verdict {
	case snapshot.Verified:
		return exitOK
	case snapshot.Divergent:
		return exitMismatch
	}
	return exitUsage
}

func reportUnreadable(e *env, c *command, out *auditOutput, asJSON bool, err error) int {
	if asJSON {
		out.Verdict = snapshot.Unreadable.String()
		out.Error = err.Error()
		writeJSON(e, out)
		return exitUsage
	}
	return fail(e, c, exitUsage, err, "")
}

// peekSnapshotNetwork reads a snapshot file's header.
func peekSnapshotNetwork(path string) (*snapshot.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return snapshot.ReadFileInfo(bufio.NewReader(f))
}

func exportCommand() command {
	c := command{
		name:    "export",
		summary: "write a data directory's verified state to a portable snapshot file",
		usage: "--datadir D FILE [--json]\n\n" +
			"Writes the store's state, consensus-hash chain and committed records to FILE\n" +
			"(use - for standard output). The file is checksummed section by section; anyone can\n" +
			"check it with 'spvcheck audit FILE' or load it with 'spvcheck import'.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runExport(ctx, e, &c, args) }
	return c
}

func runExport(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory to export")
	asJSON := fs.Bool("json", false, "print the snapshot header as JSON")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "output FILE")
	if !ok {
		return code
	}
	s, _, err := openStore(ctx, *datadir, true)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	out := pos[0]
	var w *os.File
	tmp := ""
	if out == "-" {
		w = os.Stdout
	} else {
		if _, err := os.Stat(out); err == nil {
			return fail(e, c, exitUsage, fmt.Errorf("%s already exists", out), "choose a new file name; export never overwrites")
		}
		w, err = os.CreateTemp(filepath.Dir(out), ".spvcheck-export-*")
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		tmp = w.Name()
		defer os.Remove(tmp)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	info, err := snapshot.Export(ctx, s.Store, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && tmp != "" {
		if err = w.Sync(); err == nil {
			if err = w.Close(); err == nil {
				err = os.Rename(tmp, out)
			}
		}
	}
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if out == "-" {
		return exitOK
	}
	return printFileInfo(e, out, info, *asJSON, "exported")
}

func printFileInfo(e *env, path string, info *snapshot.FileInfo, asJSON bool, verb string) int {
	if asJSON {
		writeJSON(e, map[string]any{
			"path": path, "network": info.Network, "params_fingerprint": info.ParamsFingerprint,
			"first_block": info.First, "format_version": info.Version,
			"tip": tipRef{Height: info.Tip, ConsensusHash: info.TipConsensusHash, BlockHash: blockHashString(info.TipBlockHash)},
		})
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%s %s: %s blocks %d..%d, tip consensus hash %s\n",
		verb, path, info.Network, info.First, info.Tip, info.TipConsensusHash)
	return exitOK
}

// blockHashString renders an internal-order block hash the way Bitcoin
// tools print it (byte-reversed hex).
func blockHashString(h [32]byte) string {
	var r [32]byte
	for i := range h {
		r[i] = h[31-i]
	}
	return hex.EncodeToString(r[:])
}

func importCommand() command {
	c := command{
		name:    "import",
		summary: "verify a snapshot file completely, then load it into a new data directory",
		usage: "FILE --datadir D [--genesis FILE] [--json]\n\n" +
			"Checks every checksum, the chain's continuity and every ops and consensus hash before\n" +
			"writing anything; D must not hold a store yet. A file synced with --genesis needs the\n" +
			"same --genesis FILE here. Exit 0 imported, 1 the file failed verification, 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runImport(ctx, e, &c, args) }
	return c
}

func runImport(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "new data directory to create")
	asJSON := fs.Bool("json", false, "print the snapshot header as JSON")
	genesisFile := fs.String("genesis", "", "the genesis allocation the file was synced with (sync --genesis)")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "snapshot FILE")
	if !ok {
		return code
	}
	if *datadir == "" {
		return usageError(e, c, "no data directory: pass --datadir or set %s", datadirEnv)
	}
	dst := filepath.Join(*datadir, storeSubdir)
	if inside, ok := enclosingStore(*datadir); ok {
		return fail(e, c, exitUsage, fmt.Errorf("%s is inside the store in %s", *datadir, inside), "import into a new data directory outside any store")
	}
	if entries, err := os.ReadDir(dst); err == nil {
		if len(entries) > 0 {
			return fail(e, c, exitUsage, fmt.Errorf("%s already holds a store", *datadir), "import only into a new data directory")
		}
		// An empty store/ folder holds nothing to lose: import replaces it.
		if err := os.Remove(dst); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fail(e, c, exitUsage, fmt.Errorf("%s exists and is not a directory of a store: %w", dst, err), "import only into a new data directory")
	}
	info, err := peekSnapshotNetwork(pos[0])
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	net, err := networkByName(info.Network)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	var genesisRaw []byte
	if *genesisFile != "" {
		g, raw, err := readGenesisFile(*genesisFile)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		net.Consensus.Genesis, genesisRaw = g, raw
	}
	if err := os.MkdirAll(*datadir, 0o755); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer f.Close()
	prog := newProgress(e)
	opts := snapshot.Options{Network: net.Name, ParamsFingerprint: net.Consensus.Fingerprint(),
		Progress: func(p snapshot.Progress) {
			prog.update("import %-7s %s %d/%d", p.Phase, bar(p.Height, p.Tip), p.Height, p.Tip)
		}}
	got, err := snapshot.Import(ctx, bufio.NewReaderSize(f, 1<<20), dst, opts)
	prog.done()
	if err != nil {
		code := exitUsage
		if failedVerification(err) {
			code = exitMismatch
		}
		return fail(e, c, code, err, "nothing was written")
	}
	if genesisRaw != nil {
		if err := recordGenesis(ctx, dst, net, genesisRaw); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
	}
	return printFileInfo(e, dst, got, *asJSON, "imported")
}

// enclosingStore returns the store directory (a Pebble database) that dir
// is, or lies inside, if any.
func enclosingStore(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for d := abs; ; d = filepath.Dir(d) {
		if m, _ := filepath.Glob(filepath.Join(d, "MANIFEST-*")); len(m) > 0 {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// failedVerification reports whether a snapshot error means the file was
// read whole but its content does not verify (its hashes disagree with its
// records), as opposed to a file that cannot be read: a bad magic, a
// checksum mismatch, truncation or malformed framing. The split is the
// audit's: divergent (1) versus unreadable (2).
func failedVerification(err error) bool {
	for _, code := range []snapshot.ErrorCode{
		snapshot.ErrChainBroken, snapshot.ErrOpsHashMismatch, snapshot.ErrConsensusHashMismatch,
	} {
		if errors.Is(err, code) {
			return true
		}
	}
	return false
}
