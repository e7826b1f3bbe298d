package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/pipeline"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

// peerList is a repeatable --peer flag.
type peerList []string

func (p *peerList) String() string { return strings.Join(*p, ",") }
func (p *peerList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*p = append(*p, s)
		}
	}
	return nil
}

func syncCommand() command {
	c := command{
		name:    "sync",
		summary: "verify a network from peers with the light client and store the result",
		usage: "--network mainnet|testnet|regtest --peer HOST:PORT [--peer ...] --datadir D\n" +
			"       [--follow] [--exact-rpc http://USER:PASS@HOST:PORT] [--json]\n\n" +
			"Syncs verified headers and compact-filter headers from the peers (IP literals; they must\n" +
			"serve BIP157 filters), then reads every confirmed block from the network's first\n" +
			"Blockstack block, decodes its operations, replays them and commits each block to the\n" +
			"store in D. Resumes where the last run stopped; Ctrl-C stops cleanly at a whole block.\n" +
			"--follow keeps following new blocks. Senders are derived from scriptSigs (light mode)\n" +
			"unless --exact-rpc names a full node with a transaction index (exact mode).",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runSync(ctx, e, &c, args) }
	return c
}

type syncOutput struct {
	Network          string  `json:"network"`
	Interrupted      bool    `json:"interrupted"`
	StartHeight      int64   `json:"start_height"`
	Height           int64   `json:"height"`
	HeaderHeight     int32   `json:"header_height"`
	TipConsensusHash string  `json:"tip_consensus_hash"`
	Blocks           int     `json:"blocks"`
	Operations       int     `json:"operations"`
	Accepted         int     `json:"accepted"`
	Rejected         int     `json:"rejected"`
	Reorgs           int     `json:"reorgs"`
	RewoundBlocks    int     `json:"rewound_blocks"`
	LightSenders     bool    `json:"light_senders"`
	SignatureDecided int     `json:"signature_decided"`
	Seconds          float64 `json:"seconds"`
	BlocksPerSecond  float64 `json:"blocks_per_second"`
}

func runSync(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	netName := fs.String("network", "", "Bitcoin network: mainnet, testnet or regtest")
	var peers peerList
	fs.Var(&peers, "peer", "peer address HOST:PORT (repeatable; IP literals)")
	datadir := datadirFlag(fs, "data directory (created if missing)")
	follow := fs.Bool("follow", false, "keep following new blocks until interrupted")
	exactRPC := fs.String("exact-rpc", "", "full node JSON-RPC URL for exact-mode senders")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	logFile := fs.String("log-file", "", "append a timestamped line per applied block (one a second while catching up) to this file")
	peerTimeout := fs.Duration("peer-timeout", spv.DefaultPeerTimeout, "how long to wait without any connected peer")
	if _, code, ok := parseArgs(e, c, fs, args, 0, ""); !ok {
		return code
	}
	if *netName == "" {
		return usageError(e, c, "--network is required")
	}
	net, err := networkByName(*netName)
	if err != nil {
		return usageError(e, c, "%v", err)
	}
	if len(peers) == 0 {
		return usageError(e, c, "at least one --peer is required (a node serving compact filters)")
	}
	if *datadir == "" {
		return usageError(e, c, "no data directory: pass --datadir or set %s", datadirEnv)
	}
	if err := os.MkdirAll(*datadir, 0o755); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	store, err := snapshot.Open(ctx, filepath.Join(*datadir, storeSubdir), net.StoreOptions())
	if err != nil {
		hint := ""
		if errors.Is(err, snapshot.ErrNetworkMismatch) || errors.Is(err, snapshot.ErrParamsMismatch) {
			hint = "this data directory belongs to another network or rule set; use another --datadir"
		}
		return fail(e, c, exitUsage, err, hint)
	}
	defer store.Close()
	cfg := pipeline.Config{
		SPV: spv.Config{
			Params: net.Chain, Peers: peers, DataDir: filepath.Join(*datadir, spvSubdir),
			AllowRemotePeers: true, PeerTimeout: *peerTimeout,
		},
		Store: store, Consensus: net.Consensus, Wire: net.Ops, Follow: *follow,
		ProgressEvery: 200 * time.Millisecond,
	}
	if *exactRPC != "" {
		src, err := rpcFromURL(*exactRPC)
		if err != nil {
			return usageError(e, c, "--exact-rpc: %v", err)
		}
		// Check the node and its credentials before anything syncs: a
		// refusal found at the first operation would waste a header sync.
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, err = src.GetBlockCount(cctx)
		cancel()
		if err != nil {
			return fail(e, c, exitUsage, fmt.Errorf("--exact-rpc: the node did not answer: %w", err),
				"check the URL, the user and the password, and that the node's RPC server is on")
		}
		cfg.Exact = src
	}
	holder := newHolderState("sync", "", true)
	stopSharing, err := shareStore(ctx, *datadir, store, holder)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer stopSharing()
	prog := newProgress(e)
	blockLog, closeLog, err := syncLog(e, *logFile, *follow)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer closeLog()
	cfg.Progress = func(p pipeline.Progress) {
		holder.progress(p)
		prog.update("sync block %d / headers %d (lag %d), %d ops, %.0f blocks/s",
			p.Height, p.HeaderHeight, p.TipLag, p.Operations, p.BlocksPerSecond())
		blockLog(p)
	}
	stats, err := pipeline.Run(ctx, cfg)
	prog.done()
	interrupted := errors.Is(err, context.Canceled) && ctx.Err() != nil
	if err != nil && !interrupted {
		hint := "the store is at the last whole block; run the same command again to resume"
		for _, code := range []spv.ErrorCode{spv.ErrPeerUnreachable, spv.ErrWrongNetwork, spv.ErrHandshakeFailed, spv.ErrNoPeers, spv.ErrPeerLost} {
			if errors.Is(err, code) {
				hint = "check --peer: it must be reachable, on the same network, and serve compact filters (BIP157); " + hint
			}
		}
		return fail(e, c, exitUsage, err, hint)
	}
	out := syncOutput{
		Network: net.Name, Interrupted: interrupted, StartHeight: stats.StartHeight, Height: stats.Height,
		HeaderHeight: stats.HeaderHeight, TipConsensusHash: stats.TipConsensusHash, Blocks: stats.Blocks,
		Operations: stats.Operations, Accepted: stats.Accepted, Rejected: stats.Rejected, Reorgs: stats.Reorgs,
		RewoundBlocks: stats.RewoundBlocks, LightSenders: stats.Light, SignatureDecided: stats.SignatureDecided,
		Seconds: stats.Elapsed.Seconds(), BlocksPerSecond: stats.BlocksPerSecond(),
	}
	if *asJSON {
		writeJSON(e, out)
		return exitOK
	}
	if interrupted {
		fmt.Fprintln(e.stdout, "interrupted: stopped cleanly at a whole block; run again to resume")
	}
	mode := "light"
	if !stats.Light {
		mode = "exact"
	}
	if stats.Blocks == 0 {
		fmt.Fprintf(e.stdout, "%s: already at tip %d; no new confirmed block (%.1f s)\n", net.Name, stats.Height, stats.Elapsed.Seconds())
	} else {
		fmt.Fprintf(e.stdout, "%s: blocks %d..%d applied (%d blocks, %d operations: %d accepted, %d rejected) in %.1f s\n",
			net.Name, stats.Height-int64(stats.Blocks)+1, stats.Height, stats.Blocks, stats.Operations, stats.Accepted, stats.Rejected, stats.Elapsed.Seconds())
	}
	fmt.Fprintf(e.stdout, "tip block %d, consensus hash %s; header tip %d; senders: %s mode", stats.Height, stats.TipConsensusHash, stats.HeaderHeight, mode)
	if stats.SignatureDecided > 0 {
		fmt.Fprintf(e.stdout, " (%d transactions classified by the signature rule)", stats.SignatureDecided)
	}
	fmt.Fprintln(e.stdout)
	if stats.Reorgs > 0 {
		fmt.Fprintf(e.stdout, "%d reorganisations rewound %d blocks\n", stats.Reorgs, stats.RewoundBlocks)
	}
	return exitOK
}

// syncLog returns what logs a sync's applied blocks: to the file named by
// path, if any, and to stderr when following without a terminal there (a
// service's log): a line a second while catching up, then one per block.
func syncLog(e *env, path string, follow bool) (logBlock func(pipeline.Progress), closeLog func(), err error) {
	var sinks []io.Writer
	closeLog = func() {}
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %w", err)
		}
		sinks = append(sinks, f)
		closeLog = func() { f.Close() }
	}
	if follow && !e.interactive {
		sinks = append(sinks, e.stderr)
	}
	var last time.Time
	var lastHeight int64 = -1
	return func(p pipeline.Progress) {
		now := time.Now()
		caughtUp := p.TipLag <= int64(spv.DefaultConfirmationDepth)
		if len(sinks) == 0 || p.Height == lastHeight || (now.Sub(last) < time.Second && !caughtUp) {
			return
		}
		last, lastHeight = now, p.Height
		line := fmt.Sprintf("%s block %d consensus hash %s, header tip %d (lag %d), %d blocks %d operations this run\n",
			now.UTC().Format(time.RFC3339), p.Height, p.TipConsensusHash, p.HeaderHeight, p.TipLag, p.Blocks, p.Operations)
		for _, w := range sinks {
			_, _ = io.WriteString(w, line)
		}
	}, closeLog, nil
}

// rpcFromURL makes an RPC client from http://user:pass@host:port.
func rpcFromURL(raw string) (*regtest.RPCClient, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return nil, fmt.Errorf("want http://USER:PASS@HOST:PORT, got %q", raw)
	}
	cred, host, ok := strings.Cut(rest, "@")
	if !ok {
		return nil, fmt.Errorf("no credentials in %q (want http://USER:PASS@HOST:PORT)", raw)
	}
	user, pass, _ := strings.Cut(cred, ":")
	return regtest.NewRPCClient(scheme+"://"+host, user, pass), nil
}

func statusCommand() command {
	c := command{
		name:    "status",
		summary: "where the verified store stands: tip, headers, lag, consensus hash, warnings",
		usage: "--datadir D [--peer HOST:PORT ...] [--stale-after 3h] [--json]\n\n" +
			"Reads the store's tip and the light client's stored headers. With --peer, also connects\n" +
			"to the peers, syncs headers, and compares their announced heights. Warns when the store\n" +
			"lags the verified headers, when the tip block is older than --stale-after, or when peers\n" +
			"disagree about the tip. Exit 0 without warnings, 1 with warnings, 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runStatus(ctx, e, &c, args) }
	return c
}

type statusOutput struct {
	Network          string           `json:"network"`
	Tip              uint64           `json:"tip"`
	TipConsensusHash string           `json:"tip_consensus_hash"`
	TipBlockHash     string           `json:"tip_block_hash,omitempty"`
	TipTime          string           `json:"tip_time,omitempty"`
	HeaderHeight     int32            `json:"header_height"`
	Lag              int64            `json:"lag"`
	Peers            []spv.PeerHeight `json:"peers,omitempty"`
	HeldBy           *heldBy          `json:"held_by,omitempty"`
	Warnings         []string         `json:"warnings"`
}

// heldBy names the running spvcheck that holds the store, when one does.
type heldBy struct {
	Command string `json:"command"`
	PID     int    `json:"pid"`
	URL     string `json:"url,omitempty"`
}

func runStatus(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory")
	var peers peerList
	fs.Var(&peers, "peer", "peer to ask (repeatable); without it status stays offline")
	staleAfter := fs.Duration("stale-after", 3*time.Hour, "warn when the tip block is older than this")
	timeout := fs.Duration("timeout", time.Minute, "bound on connecting to peers and syncing headers")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if _, code, ok := parseArgs(e, c, fs, args, 0, ""); !ok {
		return code
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	holder := s.holder()
	s.Close()
	out := statusOutput{Network: net.Name, Tip: at.Height, TipConsensusHash: at.ConsensusHash, TipBlockHash: at.BlockHash, Warnings: []string{}}
	spvDir := filepath.Join(*datadir, spvSubdir)
	if holder != nil {
		// A running sync or server holds the store and the light client's
		// files: it says where its headers stand.
		out.HeldBy = &heldBy{Command: holder.Holder, PID: holder.PID, URL: holder.URL}
		if holder.HasHeaders {
			out.HeaderHeight = holder.HeaderHeight
		}
		out.TipTime = holder.TipTime
		out.Warnings = append(out.Warnings, holder.Warnings...)
		if len(peers) > 0 && holder.LightClient {
			// Its header files are in use: ask the peers with headers of
			// our own, synced from scratch into a temporary directory.
			tmp, err := os.MkdirTemp("", "spvcheck-status-")
			if err != nil {
				return fail(e, c, exitUsage, err, "")
			}
			defer os.RemoveAll(tmp)
			spvDir = tmp
		}
	}
	if _, err := os.Stat(spvDir); (err == nil && (holder == nil || !holder.LightClient)) || len(peers) > 0 {
		client, err := spv.New(spv.Config{Params: net.Chain, Peers: peers,
			DataDir: spvDir, AllowRemotePeers: true, PeerTimeout: *timeout})
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		defer client.Stop()
		if len(peers) > 0 {
			cctx, cancel := context.WithTimeout(ctx, *timeout)
			err := client.Start(cctx)
			if err == nil {
				err = client.WaitSynced(cctx, nil)
			}
			cancel()
			if err != nil {
				return fail(e, c, exitUsage, err, "")
			}
			if out.Peers, err = client.PeerHeights(); err != nil {
				return fail(e, c, exitUsage, err, "")
			}
		}
		p, err := client.Headers()
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		out.HeaderHeight = p.HeaderHeight
		if hdr, err := client.HeaderAt(int32(at.Height)); err == nil {
			out.TipTime = hdr.Timestamp.UTC().Format(time.RFC3339)
			if age := time.Since(hdr.Timestamp); age > *staleAfter {
				out.Warnings = append(out.Warnings, fmt.Sprintf("the tip block is %s old: is the sync running, or are peers withholding blocks?", age.Round(time.Minute)))
			}
		}
	}
	if out.HeaderHeight > 0 {
		out.Lag = int64(out.HeaderHeight) - int64(at.Height)
	} else {
		out.Warnings = append(out.Warnings, "no Bitcoin headers are synced in this data directory yet (an imported store?): run 'spvcheck sync' to verify the chain beyond the store, and to know how far behind it is")
	}
	if depth := int64(spv.DefaultConfirmationDepth); out.HeaderHeight > 0 && out.Lag > depth+2 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the store is %d blocks behind the verified headers (%d are expected for confirmation): run spvcheck sync", out.Lag, depth))
	}
	if len(out.Peers) > 1 {
		lo, hi := out.Peers[0].Height, out.Peers[0].Height
		for _, p := range out.Peers {
			lo, hi = min(lo, p.Height), max(hi, p.Height)
		}
		if hi-lo > 2 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("peers disagree about the tip: heights %d..%d", lo, hi))
		}
	}
	if *asJSON {
		writeJSON(e, out)
	} else {
		fmt.Fprintf(e.stdout, "network        %s\n", out.Network)
		fmt.Fprintf(e.stdout, "verified tip   block %d, consensus hash %s\n", out.Tip, out.TipConsensusHash)
		if out.TipTime != "" {
			fmt.Fprintf(e.stdout, "tip time       %s\n", out.TipTime)
		}
		if out.HeaderHeight > 0 {
			fmt.Fprintf(e.stdout, "header tip     %d (lag %d)\n", out.HeaderHeight, out.Lag)
		} else {
			fmt.Fprintf(e.stdout, "header tip     none synced yet\n")
		}
		if h := out.HeldBy; h != nil {
			fmt.Fprintf(e.stdout, "held by        spvcheck %s (pid %d)", h.Command, h.PID)
			if h.URL != "" {
				fmt.Fprintf(e.stdout, ", serving %s", h.URL)
			}
			fmt.Fprintln(e.stdout)
		}
		for _, p := range out.Peers {
			fmt.Fprintf(e.stdout, "peer           %s at %d\n", p.Addr, p.Height)
		}
		for _, w := range out.Warnings {
			fmt.Fprintf(e.stdout, "WARNING: %s\n", w)
		}
	}
	if len(out.Warnings) > 0 {
		return exitMismatch
	}
	return exitOK
}
