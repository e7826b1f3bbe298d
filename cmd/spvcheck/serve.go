package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/pipeline"
)

// defaultListen is the Core API's customary port, on loopback.
const defaultListen = "127.0.0.1:6270"

func serveCommand() command {
	c := command{
		name:    "serve",
		summary: "serve the verified names over the Blockstack Core REST API, with proofs",
		usage: "--datadir D [--listen 127.0.0.1:6270] [--allow-remote]\n" +
			"       [--follow --peer HOST:PORT ... [--network N] [--exact-rpc URL]] [--zonefiles DIR]\n\n" +
			"Answers the read endpoints of a Blockstack Core node (/v1/names/..., /v1/namespaces/...,\n" +
			"prices, consensus hash, /v1/info) and zone-file uploads from the verified store, so that\n" +
			"blockstack.js and other clients can use it by changing one URL. Every name answer says\n" +
			"the block and consensus hash it was verified at, and /v1/names/NAME/proof returns the\n" +
			"SNV proof that 'spvcheck verify-proof' checks. With --follow it also keeps syncing new\n" +
			"blocks from the peers in the same process. Prints one line with its base URL when it\n" +
			"accepts requests; SIGINT or SIGTERM stops it cleanly at a whole block (exit 0).\n" +
			"It listens on loopback unless --allow-remote is given. Read commands (lookup, names,\n" +
			"status, prove, export, audit) keep working on the same data directory while it runs.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runServe(ctx, e, &c, args) }
	return c
}

func runServe(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	listen := fs.String("listen", defaultListen, "address to listen on, HOST:PORT (port 0 picks a free one)")
	allowRemote := fs.Bool("allow-remote", false, "allow listening on an address other than loopback")
	follow := fs.Bool("follow", false, "keep syncing new blocks from --peer while serving")
	netName := fs.String("network", "", "Bitcoin network, for --follow (default: the store's)")
	var peers peerList
	fs.Var(&peers, "peer", "peer to follow, HOST:PORT (repeatable; with --follow)")
	exactRPC := fs.String("exact-rpc", "", "full node JSON-RPC URL for exact-mode senders (with --follow)")
	zonefileDir := fs.String("zonefiles", "", "directory of stored zone files (default: D/zonefiles)")
	if _, code, ok := parseArgs(e, c, fs, args, 0, ""); !ok {
		return code
	}
	if *datadir == "" {
		return usageError(e, c, "no data directory: pass --datadir or set %s", datadirEnv)
	}
	if err := checkListen(*listen, *allowRemote); err != nil {
		return usageError(e, c, "--listen: %v", err)
	}
	if !*follow && (len(peers) > 0 || *netName != "" || *exactRPC != "") {
		return usageError(e, c, "--peer, --network and --exact-rpc go with --follow")
	}
	if *follow && len(peers) == 0 {
		return usageError(e, c, "--follow needs at least one --peer (a node serving compact filters)")
	}
	if *zonefileDir == "" {
		*zonefileDir = filepath.Join(*datadir, "zonefiles")
	}

	store, net, err := openServedStore(ctx, *datadir, *follow, *netName)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer store.Close()
	var cfg pipeline.Config
	if *follow {
		if cfg, err = followConfig(*datadir, net, store, peers, *exactRPC); err != nil {
			return usageError(e, c, "%v", err)
		}
	}

	ln, err := listenTCP(ctx, *listen)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	url := "http://" + ln.Addr().String()
	holder := newHolderState("serve", url, *follow)
	names, err := newNameAPI(store, net, *zonefileDir, holder)
	if err != nil {
		ln.Close()
		return fail(e, c, exitUsage, err, "")
	}
	stopSharing, err := shareStore(ctx, *datadir, store, holder)
	if err != nil {
		ln.Close()
		return fail(e, c, exitUsage, err, "")
	}
	defer stopSharing()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	httpErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		httpErr <- names.Serve(ctx, ln)
	}()
	at, _ := tipOf(store)
	if at != nil {
		fmt.Fprintf(e.stdout, "serving %s (%s, verified block %d, consensus hash %s)\n", url, net.Name, at.Height, at.ConsensusHash)
	} else {
		fmt.Fprintf(e.stdout, "serving %s (%s, no verified block yet)\n", url, net.Name)
	}
	if *follow {
		wg.Add(2)
		go func() {
			defer wg.Done()
			names.refresh(ctx)
		}()
		go func() {
			defer wg.Done()
			followForever(ctx, e, cfg, holder, names)
		}()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-httpErr:
	}
	cancel()
	wg.Wait()
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		return fail(e, c, exitUsage, serveErr, "")
	}
	fmt.Fprintln(e.stderr, "spvcheck serve: stopped")
	return exitOK
}

// checkListen refuses a listen address that is malformed, or not loopback
// without allowRemote.
func checkListen(addr string, allowRemote bool) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("want HOST:PORT, got %q", addr)
	}
	if !allowRemote && !api.IsLoopback(addr) {
		return fmt.Errorf("%s is not a loopback address; pass --allow-remote to serve other machines", addr)
	}
	return nil
}

func listenTCP(ctx context.Context, addr string) (net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// openServedStore opens the store serve owns: for writing, since with
// --follow it goes on committing blocks, and since checkpoints for readers
// need a writable database. Without --follow the store must exist.
func openServedStore(ctx context.Context, datadir string, follow bool, netName string) (*snapshot.Store, *network, error) {
	if !follow || netName == "" {
		o, n, err := openStore(ctx, datadir, false)
		if err != nil {
			if follow && errors.Is(err, os.ErrNotExist) {
				return nil, nil, fmt.Errorf("%w\n  a new data directory needs --network", err)
			}
			return nil, nil, err
		}
		if netName != "" {
			want, err := networkByName(netName)
			if err != nil {
				o.Close()
				return nil, nil, err
			}
			if want.Name != n.Name {
				o.Close()
				return nil, nil, fmt.Errorf("the store in %s belongs to %s, not %s", datadir, n.Name, want.Name)
			}
		}
		return o.Store, n, nil
	}
	n, err := networkByName(netName)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(datadir, 0o755); err != nil {
		return nil, nil, err
	}
	s, err := snapshot.Open(ctx, filepath.Join(datadir, storeSubdir), n.StoreOptions())
	if err != nil {
		if errors.Is(err, snapshot.ErrNetworkMismatch) || errors.Is(err, snapshot.ErrParamsMismatch) {
			err = fmt.Errorf("%w\n  this data directory belongs to another network or rule set; use another --datadir", err)
		}
		return nil, nil, err
	}
	return s, n, nil
}

// followConfig is the pipeline configuration of sync and serve --follow.
func followConfig(datadir string, net *network, store *snapshot.Store, peers []string, exactRPC string) (pipeline.Config, error) {
	cfg := pipeline.Config{
		SPV: spv.Config{
			Params: net.Chain, Peers: peers, DataDir: filepath.Join(datadir, spvSubdir),
			AllowRemotePeers: true,
		},
		Store: store, Consensus: net.Consensus, Wire: net.Ops, Follow: true,
	}
	if exactRPC != "" {
		src, err := rpcFromURL(exactRPC)
		if err != nil {
			return cfg, fmt.Errorf("--exact-rpc: %v", err)
		}
		cfg.Exact = src
	}
	return cfg, nil
}

// Bounds of followForever's retry delay.
const (
	followRetryMin = 2 * time.Second
	followRetryMax = time.Minute
)

// followForever keeps the store following the chain until ctx ends. A
// failed sync (peers gone, say) is logged, shown to readers as a warning,
// and tried again after a growing delay, while the server goes on serving
// the last verified block. Every applied block is logged on stderr, at most
// one line a second.
func followForever(ctx context.Context, e *env, cfg pipeline.Config, holder *holderState, names *nameAPI) {
	var last time.Time
	cfg.ProgressEvery = 0
	cfg.Progress = func(p pipeline.Progress) {
		holder.progress(p)
		holder.setWarnings(nil)
		names.indexing.Store(p.TipLag > int64(spv.DefaultConfirmationDepth)+2)
		names.applied()
		if now := time.Now(); now.Sub(last) >= time.Second {
			last = now
			fmt.Fprintf(e.stderr, "spvcheck serve: block %d, consensus hash %s, header tip %d\n", p.Height, p.TipConsensusHash, p.HeaderHeight)
		}
	}
	cfg.OnStall = func(st spv.Stall) {
		// A peer announced more than it delivered: readers (status) and
		// the log hear it; the follower keeps going.
		msg := "peer stall: " + st.String()
		fmt.Fprintf(e.stderr, "spvcheck serve: %s\n", msg)
		holder.setWarnings([]string{msg})
	}
	delay := followRetryMin
	for {
		stats, err := pipeline.Run(ctx, cfg)
		if ctx.Err() != nil {
			return
		}
		msg := fmt.Sprintf("following the chain stopped at block %d: %v; retrying in %s", stats.Height, err, delay)
		if err == nil {
			msg = fmt.Sprintf("following the chain ended at block %d; retrying in %s", stats.Height, delay)
		}
		fmt.Fprintf(e.stderr, "spvcheck serve: %s\n", msg)
		holder.setWarnings([]string{msg})
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		if stats.Blocks > 0 {
			delay = followRetryMin
		} else {
			delay = min(2*delay, followRetryMax)
		}
	}
}
