package main_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
)

type demoJSON struct {
	DataDir string `json:"datadir"`
	Node    struct {
		Pid int    `json:"pid"`
		RPC string `json:"rpc"`
		P2P string `json:"p2p"`
	} `json:"node"`
	FirstBlock uint64 `json:"first_block"`
	Tip        struct {
		Height        uint64 `json:"height"`
		ConsensusHash string `json:"consensus_hash"`
	} `json:"tip"`
	HeightsChecked int `json:"heights_cross_checked"`
	Zonefiles      struct {
		Accepted, Unknown, Malformed int
	} `json:"zonefiles"`
	Audit   string  `json:"audit"`
	Seconds float64 `json:"seconds"`
	Names   []struct {
		Name    string  `json:"name"`
		Owner   string  `json:"owner_address"`
		Zone    *string `json:"zonefile_hash"`
		Revoked bool    `json:"revoked"`
		Status  string  `json:"status"`
	} `json:"names"`
}

// TestDemoEndToEnd runs the built `spvcheck demo`, then checks what it
// printed against the scenario and against a replay of the kept node's
// blocks that shares nothing with the demo's light client, and exercises
// every data-directory command on what it left.
func TestDemoEndToEnd(t *testing.T) {
	// Build btcd first so the timing below measures the demo, not the
	// compiler (the README promises < 60 s after the first build).
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := regtest.BuildBtcd(ctx); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "demo")
	start := time.Now()
	r := spvcheck(t, "demo", "--keep", "--datadir", dir, "--json")
	elapsed := time.Since(start)
	var out demoJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("demo --json output: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	if out.Node.Pid > 0 {
		t.Cleanup(func() { _ = syscall.Kill(-out.Node.Pid, syscall.SIGKILL) })
	}
	r.expect(t, 0)
	if elapsed > 60*time.Second {
		t.Errorf("demo took %s, want < 60 s", elapsed)
	}
	// The five real zone files the history announces are stored for serve.
	if z := out.Zonefiles; z.Accepted != 5 || z.Unknown != 1626 || z.Malformed != 0 {
		t.Fatalf("demo loaded zone files %+v, want 5 accepted, 1626 unknown", z)
	}
	if out.Audit != "verified" || out.HeightsChecked != int(out.Tip.Height-out.FirstBlock+1) {
		t.Fatalf("audit %q, %d heights cross-checked of %d..%d", out.Audit, out.HeightsChecked, out.FirstBlock, out.Tip.Height)
	}

	// The printed name table is the scenario's hand-written expectation.
	want := scenario.Expected()
	if len(out.Names) != len(want) {
		t.Errorf("demo printed %d names, the scenario expects %d", len(out.Names), len(want))
	}
	for _, n := range out.Names {
		w, ok := want[n.Name]
		if !ok {
			t.Errorf("unexpected name %s", n.Name)
			continue
		}
		zone := ""
		if n.Zone != nil {
			zone = *n.Zone
		}
		expired := n.Status == "expired" || n.Status == "grace-period"
		if n.Owner != w.Owner || zone != w.ValueHash || n.Revoked != w.Revoked || expired != w.Expired {
			t.Errorf("%s: printed owner %s zone %q revoked %v status %s; scenario wants %s", n.Name, n.Owner, zone, n.Revoked, n.Status, w)
		}
	}

	// The printed tip consensus hash equals a replay of the node's own
	// blocks over RPC with exact senders (no light client involved).
	if got := replayOverRPC(t, ctx, out.Node.RPC, out.FirstBlock, out.Tip.Height); got != out.Tip.ConsensusHash {
		t.Fatalf("independent replay gives %s at %d, demo printed %s", got, out.Tip.Height, out.Tip.ConsensusHash)
	}

	exploreDataDir(t, dir, out.Tip.Height, out.Tip.ConsensusHash)
	syncFromKeptNode(t, dir, out.Node.P2P, out.Node.RPC, out.Tip.Height, out.Tip.ConsensusHash)
	readersWhileFollowing(t, out.Node.P2P, out.Tip.Height, out.Tip.ConsensusHash)
	serveDemoStore(t, dir, out.Tip.Height, out.Tip.ConsensusHash)
	// Last: it mines blocks and reorganises the node's chain.
	serveFollowingThroughReorg(t, out.Node.P2P, out.Node.RPC, out.Tip.Height, out.Tip.ConsensusHash)
}

// syncFromKeptNode runs sync and status against the node the demo kept.
func syncFromKeptNode(t *testing.T, demoDir, p2p, rpc string, tip uint64, tipHash string) {
	dir := filepath.Join(t.TempDir(), "synced")
	logFile := filepath.Join(t.TempDir(), "sync.log")
	spvcheck(t, "sync", "--network", "regtest", "--peer", p2p, "--datadir", dir, "--log-file", logFile).
		expect(t, 0, "tip block "+strconv.FormatUint(tip, 10)+", consensus hash "+tipHash, "senders: light mode")
	if b, err := os.ReadFile(logFile); err != nil || !strings.Contains(string(b), "block "+strconv.FormatUint(tip, 10)+" consensus hash "+tipHash) {
		t.Errorf("--log-file lacks the tip (%v):\n%s", err, b)
	}
	spvcheck(t, "status", "--datadir", dir).expect(t, 0, "verified tip   block "+strconv.FormatUint(tip, 10), "lag 6")
	spvcheck(t, "status", "--datadir", dir, "--peer", p2p, "--json", "--alarm-window", "1000").expect(t, 0, `"warnings": []`, p2p, `"from": 256`, `"operations": 0`, `"raised": false`)
	spvcheck(t, "sync", "--network", "regtest", "--peer", p2p, "--datadir", dir).
		expect(t, 0, "already at tip "+strconv.FormatUint(tip, 10))
	// Wrong credentials for exact mode are found before anything syncs.
	spvcheck(t, "sync", "--network", "regtest", "--peer", p2p, "--datadir", dir, "--exact-rpc", "http://spvcheck:wrong@"+rpc).
		expect(t, 2, "--exact-rpc: the node did not answer", "HTTP 401", "the user and the password")
	// Resuming in exact mode continues after the stored tip.
	spvcheck(t, "sync", "--network", "regtest", "--peer", p2p, "--datadir", dir, "--exact-rpc", "http://spvcheck:spvcheck@"+rpc, "--json").
		expect(t, 0, `"blocks": 0`, `"light_senders": false`, tipHash)
	// Wrong network for the directory and bad flags are refused before
	// the store is opened for writing: its files stay byte-identical.
	before := dirDigest(t, filepath.Join(dir, "store"))
	spvcheck(t, "sync", "--network", "mainnet", "--peer", p2p, "--datadir", dir).expect(t, 2, "another network")
	spvcheck(t, "sync", "--network", "regtest", "--datadir", dir).expect(t, 2, "at least one --peer")
	spvcheck(t, "sync", "--peer", p2p, "--datadir", dir).expect(t, 2, "--network is required")
	if after := dirDigest(t, filepath.Join(dir, "store")); after != before {
		t.Fatal("refused syncs changed the store's files")
	}
	// An unreachable peer: a clear error in bounded time; the store still
	// holds exactly the same verified chain.
	start := time.Now()
	spvcheck(t, "sync", "--network", "regtest", "--peer", "127.0.0.1:1", "--datadir", dir, "--peer-timeout", "3s").
		expect(t, 2, "check --peer")
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("an unreachable peer took %s to report", d)
	}
	spvcheck(t, "status", "--datadir", dir).expect(t, 0, "verified tip   block "+strconv.FormatUint(tip, 10)+", consensus hash "+tipHash)
	// Commands that ask a peer once name an unreachable one, in bounded time.
	for _, args := range [][]string{
		{"status", "--datadir", dir, "--peer", "127.0.0.1:1"},
		{"prove", "alice.club", "--datadir", dir, "--bitcoin", "--peer", "127.0.0.1:1"},
	} {
		start := time.Now()
		spvcheck(t, args...).expect(t, 2, "peer 127.0.0.1:1", "connection refused")
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%v took %s to report an unreachable peer", args, d)
		}
	}
	spvcheck(t, "audit", dir).expect(t, 0, "verified", tipHash)
	spvcheck(t, "status", "--datadir", demoDir).expect(t, 0, tipHash)

	// A proof with Bitcoin evidence fetched through the light client: it
	// verifies under regtest's proof-of-work limit, not mainnet's.
	trusted := strconv.FormatUint(tip, 10) + ":" + tipHash
	proof := filepath.Join(t.TempDir(), "alice.proof")
	spvcheck(t, "prove", "alice.club", "--datadir", demoDir, "--bitcoin", "--peer", p2p, "-o", proof).expect(t, 0)
	spvcheck(t, "verify-proof", proof, "--trusted", trusted, "--network", "regtest", "--require-bitcoin").
		expect(t, 0, "valid", "headers of proof of work")
	spvcheck(t, "verify-proof", proof, "--trusted", trusted, "--require-bitcoin").expect(t, 1, "ErrProofOfWork", "they verify as regtest's: pass --network regtest")
	spvcheck(t, "prove", "alice.club", "--datadir", demoDir, "--bitcoin").expect(t, 2, "needs at least one --peer")
}

// replayOverRPC replays blocks first..tip of the node at rpcAddr in memory
// and returns the consensus hash of tip.
func replayOverRPC(t *testing.T, ctx context.Context, rpcAddr string, first, tip uint64) string {
	t.Helper()
	rpc := regtest.NewRPCClient("http://"+rpcAddr, "spvcheck", "spvcheck")
	params := consensus.Regtest()
	engine, err := consensus.NewEngine(params, consensus.NewMemStore())
	if err != nil {
		t.Fatal(err)
	}
	spent := spv.NewSpentOutputs(rpc, 0)
	var last string
	for h := first; h <= tip; h++ {
		hash, err := rpc.GetBlockHash(ctx, int32(h))
		if err != nil {
			t.Fatal(err)
		}
		blk, err := rpc.GetBlock(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		scan, err := ops.ScanBlock(ctx, blk, ops.ContextAt(ops.Regtest(), params.Schedule(), h), spent.ScriptsFunc(blk))
		if err != nil {
			t.Fatal(err)
		}
		var blockOps []ops.Op
		for _, op := range scan.Ops {
			blockOps = append(blockOps, *op)
		}
		res, err := engine.ProcessBlock(ctx, consensus.Block{Height: h, Hash: [32]byte(hash), Ops: blockOps})
		if err != nil {
			t.Fatal(err)
		}
		last = res.ConsensusHash
	}
	return last
}

// dirDigest hashes every file below dir (names and contents).
func dirDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(h.Sum(nil))
}

func exploreDataDir(t *testing.T, dir string, tip uint64, tipHash string) {
	storeDir := filepath.Join(dir, "store")
	before := dirDigest(t, storeDir)
	trusted := strconv.FormatUint(tip, 10) + ":" + tipHash
	tmp := t.TempDir()

	spvcheck(t, "names", "--datadir", dir).expect(t, 0, "33 names, verified at block "+strconv.FormatUint(tip, 10), tipHash)
	// Without --datadir, commands use $SPVCHECK_DATADIR.
	spvcheckEnv(t, []string{"SPVCHECK_DATADIR=" + dir}, "lookup", "alice.club").expect(t, 0, "verified at", tipHash)
	spvcheckEnv(t, []string{"SPVCHECK_DATADIR=" + dir}, "help", "lookup").expect(t, 0, "(default "+dir+")")
	spvcheck(t, "names", "--datadir", dir, "--namespace", "club", "--json").expect(t, 0, `"alice.club"`, `"vault.club"`)
	spvcheck(t, "lookup", "alice.club", "--datadir", dir).expect(t, 0, "NAME_TRANSFER", "verified at")
	spvcheck(t, "lookup", "nobody.blog", "--datadir", dir).expect(t, 1, "no name")
	queriesUsersAsk(t, dir, tip, tipHash)
	spvcheck(t, "audit", dir).expect(t, 0, "verified", tipHash)

	snap := filepath.Join(tmp, "bns.snap")
	spvcheck(t, "export", "--datadir", dir, snap).expect(t, 0, tipHash)
	spvcheck(t, "export", "--datadir", dir, snap).expect(t, 2, "already exists")
	spvcheck(t, "audit", snap, "--json").expect(t, 0, `"verdict": "verified"`)
	imported := filepath.Join(tmp, "imported")
	spvcheck(t, "import", snap, "--datadir", imported).expect(t, 0, tipHash)
	spvcheck(t, "import", snap, "--datadir", imported).expect(t, 2, "already holds a store")
	spvcheck(t, "import", snap, "--datadir", filepath.Join(imported, "store", "x")).expect(t, 2, "is inside the store in")
	spvcheck(t, "import", snap, "--datadir", filepath.Join(imported, "store")).expect(t, 2, "is inside the store in")
	emptyStoreDir := filepath.Join(tmp, "empty-store-folder")
	if err := os.MkdirAll(filepath.Join(emptyStoreDir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	spvcheck(t, "import", snap, "--datadir", emptyStoreDir).expect(t, 0, tipHash)
	spvcheck(t, "names", "--datadir", imported).expect(t, 0, tipHash)
	spvcheck(t, "status", "--datadir", imported).expect(t, 0, "header tip     none synced yet", "'spvcheck sync' verifies the chain past the store")

	// A flipped byte anywhere in the file: audit and import refuse it and
	// import writes nothing.
	raw, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{9, len(raw) / 3, len(raw) / 2, len(raw) - 5} {
		bad := append([]byte(nil), raw...)
		bad[off] ^= 0x20
		tampered := filepath.Join(tmp, "tampered.snap")
		if err := os.WriteFile(tampered, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if r := spvcheck(t, "audit", tampered); r.code == 0 {
			t.Fatalf("audit accepted a snapshot with byte %d flipped", off)
		}
		target := filepath.Join(tmp, "from-tampered")
		if r := spvcheck(t, "import", tampered, "--datadir", target); r.code == 0 {
			t.Fatalf("import accepted a snapshot with byte %d flipped", off)
		}
		if _, err := os.Stat(filepath.Join(target, "store")); !os.IsNotExist(err) {
			t.Fatalf("import of a tampered file wrote a store (%v)", err)
		}
	}

	proof := filepath.Join(tmp, "alice.proof")
	spvcheck(t, "prove", "alice.club", "--datadir", dir, "-o", proof).expect(t, 0, "verify with --trusted "+trusted)
	spvcheck(t, "verify-proof", proof, "--trusted", trusted).expect(t, 0, "valid", "alice.club")
	// An existing file is never overwritten.
	spvcheck(t, "prove", "vault.club", "--datadir", dir, "-o", proof).expect(t, 2, "already exists")
	spvcheck(t, "verify-proof", proof, "--trusted", trusted).expect(t, 0, "valid", "alice.club")
	wrong := trusted[:len(trusted)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", trusted[len(trusted)-1])+1)%16])
	spvcheck(t, "verify-proof", proof, "--trusted", wrong, "--json").expect(t, 1, `"valid": false`, "ErrConsensusMismatch")
	binProof := filepath.Join(tmp, "alice.bin")
	spvcheck(t, "prove", "alice.club", "--datadir", dir, "--binary", "-o", binProof).expect(t, 0)
	spvcheck(t, "verify-proof", binProof, "--trusted", trusted).expect(t, 0, "valid")
	spvcheck(t, "prove", "nobody.blog", "--datadir", dir).expect(t, 1, "ErrNotFound")

	compareGenesisOnStore(t, dir)

	if after := dirDigest(t, storeDir); after != before {
		t.Fatal("read-only commands changed the store's files")
	}
	corruptStores(t, dir)
}

// corruptStores damages copies of the store in two ways and checks that
// every command refuses them with exit 2 and a message, never a panic.
func corruptStores(t *testing.T, dir string) {
	for _, damage := range []struct {
		name string
		do   func(store string) error
	}{
		{"manifest removed", func(store string) error {
			ms, _ := filepath.Glob(filepath.Join(store, "MANIFEST-*"))
			for _, m := range ms {
				if err := os.Remove(m); err != nil {
					return err
				}
			}
			return nil
		}},
		{"tables truncated", func(store string) error {
			ts, _ := filepath.Glob(filepath.Join(store, "*.sst"))
			logs, _ := filepath.Glob(filepath.Join(store, "*.log"))
			for _, f := range append(ts, logs...) {
				if err := os.Truncate(f, 7); err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		t.Run(damage.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad")
			copyDir(t, filepath.Join(dir, "store"), filepath.Join(bad, "store"))
			if err := damage.do(filepath.Join(bad, "store")); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"names", "--datadir", bad},
				{"lookup", "alice.club", "--datadir", bad},
				{"audit", bad},
				{"status", "--datadir", bad},
			} {
				r := spvcheck(t, args...)
				if r.code == 0 || strings.Contains(r.stderr, "panic") || strings.TrimSpace(r.stdout+r.stderr) == "" {
					t.Errorf("%v on a store with %s: exit %d\n%s%s", args, damage.name, r.code, r.stdout, r.stderr)
				}
			}
		})
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
