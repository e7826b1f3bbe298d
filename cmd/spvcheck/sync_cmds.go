package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
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
			"       [--follow] [--exact-rpc http://USER:PASS@HOST:PORT] [--genesis FILE] [--allow-unverified] [--json]\n\n" +
			"Syncs verified headers and compact-filter headers from the peers (IP literals; they must\n" +
			"serve BIP157 filters), then reads every confirmed block from the network's first\n" +
			"Blockstack block, decodes its operations, replays them and commits each block to the\n" +
			"store in D. Resumes where the last run stopped; Ctrl-C stops cleanly at a whole block.\n" +
			"--follow keeps following new blocks. Senders are derived from scriptSigs (light mode)\n" +
			"unless --exact-rpc names a full node with a transaction index (exact mode).\n" +
			"Peers that announce more than they deliver are dropped after --stall-timeout without\n" +
			"progress; after a second one the sync ends at the best tip the verified headers allow,\n" +
			"exit 0 with a WARNING naming each peer and its claim (--follow warns and keeps going).\n" +
			"On mainnet and testnet, without --peer, peers are found through Bitcoin's DNS seeds.\n" +
			"Mainnet stops after block 665750, from which the final v1 rules ignore every operation\n" +
			"(the state is final). Past epoch 3 (block 547921) the replay needs the genesis token\n" +
			"allocation (--genesis FILE, JSON lines as consensus.ReadGenesis documents); without it\n" +
			"sync stops there with exit 2, unless --allow-unverified lets it go on with every answer\n" +
			"from block 547922 marked \"unverified: no genesis allocation\". Published consensus\n" +
			"hashes are checked as their blocks pass; a mismatch at one the final rules must\n" +
			"reproduce stops the sync at that block with exit 1. A raised divergence alarm (see status)\n" +
			"at the end of the sync also exits 1.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runSync(ctx, e, &c, args) }
	return c
}

type syncOutput struct {
	Network          string  `json:"network"`
	Interrupted      bool    `json:"interrupted"`
	StartHeight      int64   `json:"start_height"`
	Tip              *tipRef `json:"tip"`
	HeaderHeight     int32   `json:"header_height"`
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
	// Stalled is set when the sync stopped waiting for peers that
	// announced more than they delivered; Warnings say who claimed what.
	Stalled  bool     `json:"stalled"`
	Warnings []string `json:"warnings"`
	// The mainnet safeguards (mainnet.go).
	Final       bool                        `json:"final,omitempty"`
	FinalHeight uint64                      `json:"final_height,omitempty"`
	Unverified  string                      `json:"unverified,omitempty"`
	Checkpoints []pipeline.CheckpointReport `json:"checkpoints,omitempty"`
	Alarm       *snapshot.DivergenceAlarm   `json:"divergence_alarm,omitempty"`
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
	stallTimeout := fs.Duration("stall-timeout", spv.DefaultStallTimeout, "how long peers may announce more than they deliver before they are dropped")
	genesisFile := fs.String("genesis", "", "the genesis token allocation (JSON lines) the replay needs past epoch 3")
	allowUnverified := fs.Bool("allow-unverified", false, "go past the first token block without --genesis, marking answers unverified")
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
	seeds := len(peers) == 0
	if seeds && len(net.Chain.DNSSeeds) == 0 {
		return usageError(e, c, "at least one --peer is required (a node serving compact filters); %s has no DNS seeds", net.Name)
	}
	if *datadir == "" {
		return usageError(e, c, "no data directory: pass --datadir or set %s", datadirEnv)
	}
	if err := os.MkdirAll(*datadir, 0o755); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	var genesisRaw []byte
	if *genesisFile != "" {
		g, raw, err := readGenesisFile(*genesisFile)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		net.Consensus.Genesis, genesisRaw = g, raw
	} else if raw, err := storedGenesis(ctx, filepath.Join(*datadir, storeSubdir)); err != nil {
		return fail(e, c, exitUsage, err, "")
	} else if raw != nil {
		g, err := consensus.ReadGenesis(bytes.NewReader(raw))
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		net.Consensus.Genesis = g
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
	if genesisRaw != nil {
		if err := store.SetGenesisData(genesisRaw); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
	}
	cfg := pipeline.Config{
		SPV: spv.Config{
			Params: net.Chain, Peers: peers, DNSSeeds: seeds, DataDir: filepath.Join(*datadir, spvSubdir),
			AllowRemotePeers: true, PeerTimeout: *peerTimeout, StallTimeout: *stallTimeout,
		},
		Store: store, Consensus: net.Consensus, Wire: net.Ops, Follow: *follow,
		ProgressEvery: 200 * time.Millisecond,
	}
	if seeds {
		fmt.Fprintf(e.stderr, "no --peer: finding %s peers through the DNS seeds %v\n", net.Name, cfg.SPV.SeedHosts())
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
	cfg.Guards = pipeline.GuardConfig{AllowUnverified: *allowUnverified, OnCheckpoint: func(r pipeline.CheckpointReport) {
		prog.done()
		fmt.Fprintln(e.stderr, r.String())
	}}
	cfg.Progress = func(p pipeline.Progress) {
		holder.progress(p)
		prog.update("sync block %d / headers %d (lag %d), %d ops, %.0f blocks/s",
			p.Height, p.HeaderHeight, p.TipLag, p.Operations, p.BlocksPerSecond())
		blockLog(p)
	}
	if *follow {
		// A follower keeps going: each warning is shown as it happens.
		cfg.OnStall = func(st spv.Stall) {
			prog.done()
			fmt.Fprintf(e.stderr, "WARNING: %s\n", st)
		}
	}
	stats, err := pipeline.Run(ctx, cfg)
	prog.done()
	interrupted := errors.Is(err, context.Canceled) && ctx.Err() != nil
	if err != nil && !interrupted {
		switch {
		case errors.Is(err, pipeline.ErrGenesisRequired):
			return fail(e, c, exitUsage, err, "pass --genesis FILE, or --allow-unverified to go on with answers marked unverified")
		case errors.Is(err, pipeline.ErrCheckpointMismatch):
			return fail(e, c, exitMismatch, err, "our replay disagrees with a published consensus hash the final rules reproduce; nothing past that block was stored")
		}
		hint := "the store is at the last whole block; run the same command again to resume"
		for _, code := range []spv.ErrorCode{spv.ErrPeerUnreachable, spv.ErrWrongNetwork, spv.ErrHandshakeFailed, spv.ErrNoPeers, spv.ErrPeerLost} {
			if errors.Is(err, code) {
				hint = "check --peer: it must be reachable, on the same network, and serve compact filters (BIP157); " + hint
			}
		}
		if errors.Is(err, spv.ErrLowWork) {
			hint = "the peers' chain does not reach this network's checkpoints or minimum chain work: it is not the network's chain; use other peers"
		}
		return fail(e, c, exitUsage, err, hint)
	}
	out := syncOutput{
		Network: net.Name, Interrupted: interrupted, StartHeight: stats.StartHeight,
		HeaderHeight: stats.HeaderHeight, Blocks: stats.Blocks,
		Operations: stats.Operations, Accepted: stats.Accepted, Rejected: stats.Rejected, Reorgs: stats.Reorgs,
		RewoundBlocks: stats.RewoundBlocks, LightSenders: stats.Light, SignatureDecided: stats.SignatureDecided,
		Seconds: stats.Elapsed.Seconds(), BlocksPerSecond: stats.BlocksPerSecond(),
		Warnings: []string{},
		Final:    stats.Guards.Final, FinalHeight: stats.Guards.FinalHeight, Checkpoints: stats.Guards.Checkpoints,
	}
	if stats.Height >= 0 {
		// The store's tip: null while the store holds no block.
		out.Tip = &tipRef{Height: uint64(stats.Height), ConsensusHash: stats.TipConsensusHash}
		if stats.TipHash != ([32]byte{}) {
			out.Tip.BlockHash = stats.TipHash.String()
		}
	}
	if st, ok := stats.Stalled(); ok {
		out.Stalled = true
		out.Warnings = append(out.Warnings, "stopped at the best verified tip: "+st.String())
	}
	if u := stats.Guards.Unverified; u != nil && stats.Height >= int64(u.From) {
		out.Unverified = u.String()
	}
	// The divergence alarm as of the new tip: raised, the sync's result
	// is a failed verification (exit 1); the store keeps what it holds.
	done := exitOK
	if a, ok, err := store.DivergenceAlarm(net.Consensus, 0, 0); err != nil {
		return fail(e, c, exitUsage, err, "")
	} else if ok {
		out.Alarm = &a
		if a.Raised {
			done = exitMismatch
		}
	}
	if *asJSON {
		writeJSON(e, out)
		return done
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
	for _, w := range out.Warnings {
		fmt.Fprintf(e.stdout, "WARNING: %s\n", w)
	}
	if out.Unverified != "" {
		fmt.Fprintf(e.stdout, "WARNING: %s\n", out.Unverified)
	}
	if stats.Guards.Final {
		fmt.Fprintln(e.stdout, finalLine(net.Consensus))
	}
	if out.Alarm != nil && out.Alarm.Raised {
		fmt.Fprintf(e.stdout, "WARNING: %s (see spvcheck status)\n", out.Alarm.String())
	}
	return done
}

// askPeerTimeout is how long a command that asks peers one question
// (status --peer, prove --bitcoin) waits for a handshake before it dials
// each peer itself to say why none answered: well inside the command's own
// bound, so the user hears "peer X refused the connection", not "context
// deadline exceeded".
func askPeerTimeout(bound time.Duration) time.Duration {
	return min(bound/3, 10*time.Second)
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
		usage: "--datadir D [--peer HOST:PORT ...] [--stale-after 3h] [--clear-bans] [--json]\n\n" +
			"Reads the store's tip and the light client's stored headers. With --peer, also connects\n" +
			"to the peers, syncs headers, and compares their announced heights. Warns when the store\n" +
			"lags the verified headers, when the tip block is older than --stale-after, or when peers\n" +
			"disagree about the tip. Lists peers the light client has banned (each ban covers one\n" +
			"peer address, never others on the same IP); --clear-bans lifts them first.\n" +
			"Exit 0 without warnings, 1 with warnings, 2 unusable input.\n" +
			"Also shows the freeze (mainnet: operations from block 665750 on are ignored), the\n" +
			"unverified mark (answers past epoch 3 synced without --genesis), the published\n" +
			"checkpoints against the store's hashes, and the divergence alarm: operations in the\n" +
			"last --alarm-window blocks (default 144) that quoted a consensus hash this store never\n" +
			"computed, and their distinct senders; 3 or more senders is a warning (exit 1), the\n" +
			"earliest sign that the replay diverged from the network's.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runStatus(ctx, e, &c, args) }
	return c
}

type statusOutput struct {
	Network      string    `json:"network"`
	Tip          tipRef    `json:"tip"`
	HeaderHeight int32     `json:"header_height"`
	Lag          int64     `json:"lag"`
	Peers        []peerRef `json:"peers"`
	HeldBy       *heldBy   `json:"held_by,omitempty"`
	Bans         []spv.Ban `json:"bans"`
	ClearedBans  []string  `json:"cleared_bans,omitempty"`
	Warnings     []string  `json:"warnings"`
	statusGuards
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
	clearBans := fs.Bool("clear-bans", false, "lift every ban on a peer before anything else")
	alarmWindow := fs.Uint64("alarm-window", snapshot.DefaultAlarmWindow, "blocks the divergence alarm counts over")
	if _, code, ok := parseArgs(e, c, fs, args, 0, ""); !ok {
		return code
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	holder := s.holder()
	guards, guardWarnings, err := readStatusGuards(s.Store, net.Consensus, *alarmWindow)
	s.Close()
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	out := statusOutput{Network: net.Name, Tip: tipRef{Height: at.Height, ConsensusHash: at.ConsensusHash, BlockHash: at.BlockHash}, Peers: []peerRef{},
		Bans: []spv.Ban{}, Warnings: guardWarnings, statusGuards: guards}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	spvDir := filepath.Join(*datadir, spvSubdir)
	if holder != nil {
		// A running sync or server holds the store and the light client's
		// files: it says where its headers stand.
		out.HeldBy = &heldBy{Command: holder.Holder, PID: holder.PID, URL: holder.URL}
		if holder.HasHeaders {
			out.HeaderHeight = holder.HeaderHeight
		}
		out.Tip.Time = holder.TipTime
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
			DataDir: spvDir, AllowRemotePeers: true, PeerTimeout: askPeerTimeout(*timeout)})
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		defer client.Stop()
		if *clearBans {
			if out.ClearedBans, err = client.ClearBans(); err != nil {
				return fail(e, c, exitUsage, err, "")
			}
		}
		if out.Bans, err = client.Bans(); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		for _, b := range out.Bans {
			out.Warnings = append(out.Warnings, fmt.Sprintf("peer %s is banned until %s (%s); spvcheck status --clear-bans lifts it",
				b.Peer, b.Expires.Format(time.RFC3339), b.Reason))
		}
		if len(peers) > 0 {
			cctx, cancel := context.WithTimeout(ctx, *timeout)
			err := client.Start(cctx)
			if err == nil {
				err = client.WaitSynced(cctx, nil)
			}
			cancel()
			if errors.Is(err, spv.ErrStalled) {
				// The peers claim more than they deliver: say so and
				// report what was verified.
				out.Warnings = append(out.Warnings, err.Error())
				err = nil
			}
			if err != nil {
				return fail(e, c, exitUsage, err, "")
			}
			heights, err := client.PeerHeights()
			if err != nil {
				return fail(e, c, exitUsage, err, "")
			}
			for _, p := range heights {
				out.Peers = append(out.Peers, peerRef{Address: p.Addr, Height: p.Height})
			}
		}
		p, err := client.Headers()
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		out.HeaderHeight = p.HeaderHeight
		if hdr, err := client.HeaderAt(int32(at.Height)); err == nil {
			out.Tip.Time = hdr.Timestamp.UTC().Format(time.RFC3339)
			if age := time.Since(hdr.Timestamp); age > *staleAfter && !out.Final {
				out.Warnings = append(out.Warnings, fmt.Sprintf("the tip block is %s old: is the sync running, or are peers withholding blocks?", age.Round(time.Minute)))
			}
		}
	}
	if out.HeaderHeight > 0 {
		out.Lag = int64(out.HeaderHeight) - int64(at.Height)
	}
	if depth := int64(spv.DefaultConfirmationDepth); out.HeaderHeight > 0 && out.Lag > depth+2 && !out.Final {
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
	if out.Bans == nil {
		out.Bans = []spv.Ban{}
	}
	if *asJSON {
		writeJSON(e, out)
	} else {
		fmt.Fprintf(e.stdout, "network        %s\n", out.Network)
		fmt.Fprintf(e.stdout, "verified tip   block %d, consensus hash %s\n", out.Tip.Height, out.Tip.ConsensusHash)
		if out.Tip.Time != "" {
			fmt.Fprintf(e.stdout, "tip time       %s\n", out.Tip.Time)
		}
		if out.HeaderHeight > 0 {
			fmt.Fprintf(e.stdout, "header tip     %d (lag %d)\n", out.HeaderHeight, out.Lag)
		} else {
			fmt.Fprintf(e.stdout, "header tip     none synced yet (an imported store?): 'spvcheck sync' verifies the chain past the store and tells how far behind it is\n")
		}
		if h := out.HeldBy; h != nil {
			fmt.Fprintf(e.stdout, "held by        spvcheck %s (pid %d)", h.Command, h.PID)
			if h.URL != "" {
				fmt.Fprintf(e.stdout, ", serving %s", h.URL)
			}
			fmt.Fprintln(e.stdout)
		}
		for _, p := range out.Peers {
			fmt.Fprintf(e.stdout, "peer           %s at %d\n", p.Address, p.Height)
		}
		for _, p := range out.ClearedBans {
			fmt.Fprintf(e.stdout, "ban lifted     %s\n", p)
		}
		out.statusGuards.print(e.stdout)
		for _, w := range out.Warnings {
			fmt.Fprintf(e.stdout, "WARNING: %s\n", w)
		}
	}
	if len(out.Warnings) > 0 {
		return exitMismatch
	}
	return exitOK
}
