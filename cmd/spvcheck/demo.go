package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/pipeline"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
	"github.com/spvcheck/spvcheck/testvectors"
)

func demoCommand() command {
	c := command{
		name:    "demo",
		summary: "run the whole pipeline on a real local Bitcoin network (regtest)",
		usage: "[--datadir D] [--keep] [--json] [--quiet] [--btcd PATH]\n\n" +
			"Starts btcd in regtest mode on 127.0.0.1 (built from this module's pinned btcd), writes a\n" +
			"Blockstack name history onto it (four namespaces, 33 names, 122 operations through every\n" +
			"operation and all six compressed epochs, some rejected on purpose), syncs the chain with\n" +
			"the neutrino light client, replays and stores it in Pebble, audits the store, checks the\n" +
			"light client's consensus hash against an independent replay at every height, and prints\n" +
			"the verified name table and the tip consensus hash. Stops the node and exits 0.\n" +
			"--keep leaves the node running and the data directory in place for exploration.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runDemo(ctx, e, &c, args) }
	return c
}

// demoSummary is demo's --json output.
type demoSummary struct {
	DataDir        string        `json:"datadir"`
	Kept           bool          `json:"kept"`
	Node           *keptNode     `json:"node,omitempty"`
	Operations     int           `json:"operations"`
	FirstBlock     uint64        `json:"first_block"`
	Tip            tipRef        `json:"tip"`
	HeightsChecked int           `json:"heights_cross_checked"`
	Audit          string        `json:"audit"`
	Sync           syncSummary   `json:"sync"`
	Names          []nameSummary `json:"names"`
	// Zonefiles counts the real mainnet zone files loaded for serve: those
	// the history announced are stored, the others refused.
	Zonefiles api.ImportReport `json:"zonefiles"`
	Seconds   float64          `json:"seconds"`
}

type keptNode struct {
	Pid     int    `json:"pid"`
	P2P     string `json:"p2p"`
	RPC     string `json:"rpc"`
	RPCUser string `json:"rpc_user"`
	RPCPass string `json:"rpc_password"`
	Dir     string `json:"dir"`
}

type syncSummary struct {
	Blocks        int     `json:"blocks"`
	Operations    int     `json:"operations"`
	Accepted      int     `json:"accepted"`
	Rejected      int     `json:"rejected"`
	BlocksPerSec  float64 `json:"blocks_per_second"`
	HeaderHeight  int32   `json:"header_height"`
	LightSenders  bool    `json:"light_senders"`
	SignatureRule int     `json:"signature_decided"`
}

func runDemo(ctx context.Context, e *env, c *command, args []string) (code int) {
	// Interrupted, the demo stops its node and removes its data like any
	// other exit, and says it was interrupted rather than that something
	// failed to verify.
	defer func() {
		if sig, ok := interruptCode(ctx); ok && code != exitOK {
			fmt.Fprintln(e.stderr, "spvcheck demo: interrupted")
			code = sig
		}
	}()
	fs := newFlagSet(e, c)
	datadir := fs.String("datadir", "", "data directory to create (default: a temporary one, removed unless --keep)")
	keep := fs.Bool("keep", false, "leave the node running and the data directory in place")
	asJSON := fs.Bool("json", false, "print a JSON summary instead of the narrative")
	quiet := fs.Bool("quiet", false, "do not list every operation as it is written")
	btcdPath := fs.String("btcd", "", "run this btcd binary instead of building the pinned one from the source tree")
	if _, code, ok := parseArgs(e, c, fs, args, 0, ""); !ok {
		return code
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	say := func(format string, args ...any) {
		if !*asJSON {
			fmt.Fprintf(e.stdout, format+"\n", args...)
		}
	}
	dir := *datadir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "spvcheck-demo-")
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		dir = tmp
		if !*keep {
			defer os.RemoveAll(tmp)
		}
	} else if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fail(e, c, exitUsage, fmt.Errorf("%s is not empty", dir), "the demo writes a new data directory; choose an empty or new one")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	net, err := networkByName("regtest")
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	params := net.Consensus

	// 1. A real Bitcoin node.
	say("[1/5] starting btcd (regtest) on 127.0.0.1 — built from this module's pinned btcd; the first run compiles it")
	nodeOpts := regtest.Options{BtcdPath: *btcdPath}
	if *keep {
		nodeOpts.Dir, nodeOpts.Detached = filepath.Join(dir, "node"), true
	}
	node, err := regtest.Start(ctx, nodeOpts)
	if err != nil {
		hint := ""
		if errors.Is(err, regtest.ErrBuildFailed) {
			hint = "btcd is built from spvcheck's own module: run the demo from the source tree (go run ./cmd/spvcheck demo) or pass --btcd PATH"
		}
		return fail(e, c, exitUsage, err, hint)
	}
	released := false
	defer func() {
		if !released {
			if err := node.Stop(); err != nil && code == exitOK {
				code = fail(e, c, exitUsage, err, "")
			}
		}
	}()
	say("      node up: p2p %s, rpc %s (%.1f s)", node.P2PAddr(), node.RPCAddr(), time.Since(start).Seconds())

	// 2. The name history, replayed independently as it is written.
	script := scenario.Default()
	say("[2/5] writing the Blockstack name history %q onto the chain", script.Name)
	runner := scenario.Runner{Node: node, Params: params, Progress: func(p scenario.Progress) {
		if *asJSON || *quiet {
			return
		}
		if p.Step == 0 {
			fmt.Fprintf(e.stdout, "      funded the participants (%s)\n", p.Note)
			return
		}
		for _, o := range p.Ops {
			fmt.Fprintf(e.stdout, "      block %d  %-9s %s\n", p.Height, o.Verdict, o.Op)
		}
	}}
	result, err := runner.Run(ctx, script)
	if err != nil {
		return fail(e, c, exitMismatch, err, "")
	}
	if _, err := node.Generate(ctx, spv.DefaultConfirmationDepth); err != nil {
		return fail(e, c, exitUsage, fmt.Errorf("mining confirmations: %w", err), "")
	}
	say("      %d operations in blocks %d..%d, each checked against its expected verdict; +%d blocks to confirm them",
		result.Operations, result.FirstBlock, result.Tip, spv.DefaultConfirmationDepth)

	// 3. The light client verifies the chain from scratch.
	say("[3/5] light client (neutrino, BIP157/158) syncing headers and blocks from the node, replaying into Pebble")
	store, err := snapshot.Open(ctx, filepath.Join(dir, storeSubdir), net.StoreOptions())
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer store.Close()
	prog := newProgress(e)
	stats, err := pipeline.Run(ctx, pipeline.Config{
		SPV: spv.Config{
			Params: net.Chain, Peers: []string{node.P2PAddr()}, DataDir: filepath.Join(dir, spvSubdir),
			PeerTimeout: 20 * time.Second, ConnectionRetryInterval: time.Second,
		},
		Store: store, Consensus: params, Wire: net.Ops,
		Progress: func(p pipeline.Progress) {
			prog.update("      sync %s block %d/%d, %d ops, %.0f blocks/s", bar(uint64(max(p.Height, 0)), uint64(max(p.HeaderHeight, 1))),
				p.Height, p.HeaderHeight, p.Operations, p.BlocksPerSecond())
		},
	})
	prog.done()
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	say("      %d blocks, %d operations (%d accepted, %d rejected) in %.1f s, %.0f blocks/s; header tip %d",
		stats.Blocks, stats.Operations, stats.Accepted, stats.Rejected, stats.Elapsed.Seconds(), stats.BlocksPerSecond(), stats.HeaderHeight)
	if uint64(stats.Height) != result.Tip {
		return fail(e, c, exitMismatch, fmt.Errorf("the light client stopped at block %d, the history ends at %d", stats.Height, result.Tip), "")
	}

	// 4. Audit: every hash recomputed, every block replayed from its inputs.
	say("[4/5] auditing the store: recomputing every ops and consensus hash and replaying every block")
	rep, err := snapshot.AuditStore(ctx, store, snapshot.AuditOptions{Replayer: snapshot.EngineReplayer(params)})
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if rep.Verdict != snapshot.Verified {
		d := rep.Divergence
		if d != nil {
			return fail(e, c, exitMismatch, fmt.Errorf("audit: %s at block %d (%s): expected %s, stored %s", rep.Verdict, d.Height, d.Kind, d.Expected, d.Actual), "")
		}
		return fail(e, c, exitMismatch, fmt.Errorf("audit: %s: %v", rep.Verdict, rep.Err), "")
	}
	say("      verified: blocks %d..%d, inputs replayed, state identical", rep.First, rep.Tip)

	// 5. Cross-check with the independent replay made while writing.
	say("[5/5] cross-checking with the independent replay of the node's blocks (exact senders from the node)")
	checked := 0
	for h := result.FirstBlock; h <= result.Tip; h++ {
		want, _ := result.ConsensusHash(h)
		got, err := store.ConsensusHash(h)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		if got != want {
			return fail(e, c, exitMismatch, fmt.Errorf("block %d: light client consensus hash %s, independent replay %s", h, got, want), "")
		}
		checked++
	}
	view := consensus.NewView(params, store)
	lightTable, err := scenario.TableOf(view, script.Namespaces())
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if diff := result.Names.Diff(lightTable); len(diff) > 0 {
		return fail(e, c, exitMismatch, fmt.Errorf("name table differs from the independent replay: %v", diff), "")
	}
	if diff := scenario.Expected().Diff(lightTable); len(diff) > 0 {
		return fail(e, c, exitMismatch, fmt.Errorf("name table differs from the scenario's expectation: %v", diff), "")
	}
	say("      identical consensus hash at all %d heights; name table as the scenario intends", checked)

	// The real zone files, for 'spvcheck serve' on this data directory:
	// the Atlas rule stores those the history announced.
	zf, err := zonefiles.Open(filepath.Join(dir, "zonefiles"))
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	zrep, err := api.ImportZonefiles(ctx, store, params, zf, testvectors.ZoneFilesExport())
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	say("      zone files: %d of the 1,631 real mainnet zone files are announced by this history and stored for serve; %d refused as unannounced",
		zrep.Accepted, zrep.Unknown)

	at, err := tipOf(store)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	table, err := nameTable(view, at.Height, "", true)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	sum := demoSummary{
		DataDir: dir, Kept: *keep, Operations: result.Operations, FirstBlock: result.FirstBlock,
		Tip: tipRef{Height: at.Height, ConsensusHash: at.ConsensusHash, BlockHash: at.BlockHash}, HeightsChecked: checked, Audit: rep.Verdict.String(),
		Sync: syncSummary{Blocks: stats.Blocks, Operations: stats.Operations, Accepted: stats.Accepted,
			Rejected: stats.Rejected, BlocksPerSec: stats.BlocksPerSecond(), HeaderHeight: stats.HeaderHeight,
			LightSenders: stats.Light, SignatureRule: stats.SignatureDecided},
		Names: table, Zonefiles: zrep,
	}
	if err := store.Close(); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if *keep {
		node.Release()
		released = true
		sum.Node = &keptNode{Pid: node.Pid(), P2P: node.P2PAddr(), RPC: node.RPCAddr(), RPCUser: "spvcheck", RPCPass: "spvcheck", Dir: node.Dir()}
	}
	sum.Seconds = time.Since(start).Seconds()
	if *asJSON {
		writeJSON(e, sum)
		return exitOK
	}
	fmt.Fprintln(e.stdout)
	printNameTable(e.stdout, table)
	fmt.Fprintf(e.stdout, "\nverified %d names at block %d\ntip consensus hash %s\n", len(table), at.Height, at.ConsensusHash)
	fmt.Fprintf(e.stdout, "done in %.1f s\n", sum.Seconds)
	if *keep {
		fmt.Fprintf(e.stdout, "\nkept: data directory %s\n", dir)
		fmt.Fprintf(e.stdout, "  spvcheck names --datadir %s\n  spvcheck lookup %s --datadir %s\n", dir, firstName(table), dir)
		fmt.Fprintf(e.stdout, "  btcd still running: pid %d, p2p %s, rpc %s (user/password spvcheck); stop it with: kill %d\n",
			node.Pid(), node.P2PAddr(), node.RPCAddr(), node.Pid())
		fmt.Fprintf(e.stdout, "  keep following it: spvcheck sync --network regtest --peer %s --datadir %s --follow\n", node.P2PAddr(), dir)
	}
	return exitOK
}

func firstName(t []nameSummary) string {
	if len(t) == 0 {
		return "NAME"
	}
	return t[0].Name
}
