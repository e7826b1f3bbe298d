package spv

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// The tests in this package share neutrino's package globals (set through
// Config.ConnectionRetryInterval), so none of them calls t.Parallel.

const testRetryInterval = 250 * time.Millisecond

func startNode(t testing.TB, opts regtest.Options) *regtest.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n, err := regtest.Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

func mine(t testing.TB, n *regtest.Node, blocks uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for blocks > 0 {
		step := min(blocks, 2000)
		_, err := n.Generate(ctx, step)
		require.NoError(t, err)
		blocks -= step
	}
}

func testConfig(t testing.TB, peers ...string) Config {
	return Config{
		Params:                  regtest.Regtest.Params(),
		Peers:                   peers,
		DataDir:                 t.TempDir(),
		PeerTimeout:             2 * time.Second,
		FetchTimeout:            5 * time.Second,
		PollInterval:            50 * time.Millisecond,
		ConnectionRetryInterval: testRetryInterval,
	}
}

// startClient creates and starts a client; Stop runs at cleanup.
func startClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Start(ctx))
	return c
}

// recorder collects events and checks invariants as they arrive.
type recorder struct {
	t      *testing.T
	node   *regtest.Node
	depth  int32
	last   Cursor
	blocks []*BlockEvent
	reorgs []*ReorgEvent
	stopAt int32 // cancel once this height is delivered
	cancel context.CancelFunc
}

func (r *recorder) handle(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case *BlockEvent:
		require.Equal(r.t, r.last.Height+1, e.Height, "heights must be consecutive")
		require.Equal(r.t, e.Hash, e.Block.MsgBlock().BlockHash())
		if r.last.Height >= 0 {
			require.Equal(r.t, r.last.Hash, e.Block.MsgBlock().Header.PrevBlock)
		}
		// Confirmation depth: the node's tip is at least as high as the
		// client's header tip, so this bound must hold.
		tip, err := r.node.GetBlockCount(ctx)
		require.NoError(r.t, err)
		require.LessOrEqual(r.t, e.Height, tip-r.depth, "block delivered before it was %d deep", r.depth)
		r.blocks = append(r.blocks, e)
		r.last = Cursor{Height: e.Height, Hash: e.Hash}
		if r.cancel != nil && e.Height >= r.stopAt {
			r.cancel()
		}
	case *ReorgEvent:
		r.reorgs = append(r.reorgs, e)
		if e.Rewind {
			require.Less(r.t, e.ForkHeight, r.last.Height)
			r.last = Cursor{Height: e.ForkHeight, Hash: e.ForkHash}
		}
	default:
		r.t.Fatalf("unexpected event %T", ev)
	}
	return nil
}

// follow runs Follow from the recorder's cursor until height stopAt is
// delivered, bounded by timeout.
func (r *recorder) follow(c *Client, stopAt int32, timeout time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r.stopAt, r.cancel = stopAt, cancel
	err := c.Follow(ctx, r.last, r.handle)
	require.ErrorIs(r.t, err, context.Canceled, "Follow ended before height %d was delivered", stopAt)
	require.Equal(r.t, stopAt, r.last.Height)
}

func (r *recorder) requireOnNodeChain(from int32) {
	r.t.Helper()
	ctx := context.Background()
	for _, b := range r.blocks {
		if b.Height < from {
			continue
		}
		want, err := r.node.GetBlockHash(ctx, b.Height)
		require.NoError(r.t, err)
		require.Equal(r.t, want, b.Hash, "height %d", b.Height)
	}
}

func TestSyncAndDeliverInOrder(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 300)
	cfg := testConfig(t, node.P2PAddr())
	c := startClient(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var seen []Progress
	require.NoError(t, c.WaitSynced(ctx, func(p Progress) { seen = append(seen, p) }))
	require.NotEmpty(t, seen)
	final := seen[len(seen)-1]
	require.True(t, final.Synced())
	require.Equal(t, int32(300), final.HeaderHeight)
	require.Equal(t, int32(300), final.FilterHeaderHeight)
	require.Equal(t, 1, final.Peers)
	best, _, err := node.GetBestBlock(ctx)
	require.NoError(t, err)
	require.Equal(t, best, final.HeaderHash)
	for i := 1; i < len(seen); i++ {
		require.GreaterOrEqual(t, seen[i].HeaderHeight, seen[i-1].HeaderHeight, "header progress went backwards")
	}

	// Every confirmed block from genesis, in order, exactly once.
	rec := &recorder{t: t, node: node, depth: DefaultConfirmationDepth, last: Cursor{Height: -1}}
	cur, err := c.CatchUp(ctx, rec.last, rec.handle)
	require.NoError(t, err)
	require.Equal(t, int32(300-DefaultConfirmationDepth), cur.Height)
	require.Len(t, rec.blocks, 300-DefaultConfirmationDepth+1)
	require.Equal(t, *regtest.Regtest.Params().GenesisHash, rec.blocks[0].Hash)
	require.Empty(t, rec.reorgs)
	rec.requireOnNodeChain(0)

	// New blocks are delivered as they become confirmed, and not before.
	mine(t, node, 10)
	rec.follow(c, 304, 20*time.Second)
	require.Len(t, rec.blocks, 305)
	rec.requireOnNodeChain(0)

	// Resuming from a cursor continues with the next block.
	rec2 := &recorder{t: t, node: node, depth: DefaultConfirmationDepth, last: rec.blocks[250].cursor()}
	rec2.follow(c, 255, 10*time.Second)
	require.Equal(t, int32(251), rec2.blocks[0].Height)
	require.Len(t, rec2.blocks, 5)

	// A cursor whose block is not on the chain is refused.
	bad := Cursor{Height: 100, Hash: chainhash.Hash{1}}
	_, err = c.CatchUp(ctx, bad, rec.handle)
	require.ErrorIs(t, err, ErrResumeMismatch)
	// So is a cursor above the synced chain's tip.
	start := time.Now()
	_, err = c.CatchUp(ctx, Cursor{Height: 10000}, rec.handle)
	require.ErrorIs(t, err, ErrResumeMismatch)
	require.Less(t, time.Since(start), 5*time.Second)
}

func (e *BlockEvent) cursor() Cursor { return Cursor{Height: e.Height, Hash: e.Hash} }

func TestShallowReorg(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 120)
	c := startClient(t, testConfig(t, node.P2PAddr()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := &recorder{t: t, node: node, depth: DefaultConfirmationDepth, last: Cursor{Height: -1}}
	_, err := c.CatchUp(ctx, rec.last, rec.handle)
	require.NoError(t, err)
	require.Equal(t, int32(114), rec.last.Height)

	// Replace blocks 118..120 (all unconfirmed) with a longer fork.
	var orphaned []chainhash.Hash
	for h := int32(120); h >= 118; h-- {
		hash, err := node.GetBlockHash(ctx, h)
		require.NoError(t, err)
		orphaned = append(orphaned, hash)
	}
	require.NoError(t, node.InvalidateBlock(ctx, orphaned[2]))
	mine(t, node, 5) // tip 122: blocks up to 116 become confirmed

	rec.follow(c, 116, 20*time.Second)
	rec.requireOnNodeChain(0)
	require.NotEmpty(t, rec.reorgs, "the reorganisation was not reported")
	var disconnected []chainhash.Hash
	for _, ev := range rec.reorgs {
		require.False(t, ev.Rewind, "a reorg above the confirmation depth must not rewind")
		require.GreaterOrEqual(t, ev.ForkHeight, int32(117))
		disconnected = append(disconnected, ev.Disconnected...)
	}
	require.Subset(t, disconnected, orphaned)
	require.Len(t, rec.blocks, 117) // 0..116, each once
}

func TestDeepReorgRewinds(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 50)
	cfg := testConfig(t, node.P2PAddr())
	cfg.ConfirmationDepth = 3
	c := startClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := &recorder{t: t, node: node, depth: 3, last: Cursor{Height: -1}}
	_, err := c.CatchUp(ctx, rec.last, rec.handle)
	require.NoError(t, err)
	require.Equal(t, int32(47), rec.last.Height)
	old45 := rec.blocks[45].Hash
	old47 := rec.blocks[47].Hash

	// Orphan 45..50, three of them already delivered.
	require.NoError(t, node.InvalidateBlock(ctx, old45))
	mine(t, node, 8) // new tip 52, confirmed up to 49

	rec.follow(c, 49, 20*time.Second)
	// neutrino may roll the header chain back in steps, so the rewind
	// can arrive as several events; together they must reach the fork.
	fork, forkHash := int32(1<<30), chainhash.Hash{}
	var disconnected []chainhash.Hash
	for _, ev := range rec.reorgs {
		disconnected = append(disconnected, ev.Disconnected...)
		if ev.Rewind && ev.ForkHeight < fork {
			fork, forkHash = ev.ForkHeight, ev.ForkHash
		}
	}
	require.Equal(t, int32(44), fork, "no rewind to the fork: %+v", rec.reorgs)
	require.Equal(t, rec.blocks[44].Hash, forkHash)
	require.Contains(t, disconnected, old45)
	require.Contains(t, disconnected, old47)

	// After the rewind, 45.. were delivered again from the new chain.
	var after []int32
	for _, b := range rec.blocks[48:] {
		after = append(after, b.Height)
	}
	require.Equal(t, []int32{45, 46, 47, 48, 49}, after)
	for _, b := range rec.blocks[48:] {
		want, err := node.GetBlockHash(ctx, b.Height)
		require.NoError(t, err)
		require.Equal(t, want, b.Hash)
	}
}

func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

func TestBadPeers(t *testing.T) {
	startErr := func(t *testing.T, cfg Config) (time.Duration, error) {
		c, err := New(cfg)
		require.NoError(t, err)
		defer c.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		err = c.Start(ctx)
		return time.Since(start), err
	}

	t.Run("nothing listens", func(t *testing.T) {
		took, err := startErr(t, testConfig(t, deadAddr(t)))
		require.ErrorIs(t, err, ErrPeerUnreachable)
		require.Less(t, took, 10*time.Second)
	})

	t.Run("other network", func(t *testing.T) {
		simnet := startNode(t, regtest.Options{Network: regtest.Simnet})
		took, err := startErr(t, testConfig(t, simnet.P2PAddr()))
		require.ErrorIs(t, err, ErrWrongNetwork)
		require.Contains(t, err.Error(), "is on simnet, not regtest")
		require.Less(t, took, 15*time.Second)
	})

	t.Run("silent listener", func(t *testing.T) {
		// Accepts TCP, never speaks.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
			}
		}()
		took, err := startErr(t, testConfig(t, l.Addr().String()))
		require.ErrorIs(t, err, ErrHandshakeFailed)
		require.Less(t, took, 40*time.Second)
	})

	t.Run("node stopped mid-sync", func(t *testing.T) {
		node := startNode(t, regtest.Options{})
		mine(t, node, 1500)
		cfg := testConfig(t, node.P2PAddr())
		cfg.ConfirmationDepth = 1
		cfg.FetchParallelism = 2
		c := startClient(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		delivered := 0
		start := time.Now()
		_, err := c.CatchUp(ctx, Cursor{Height: -1}, func(ctx context.Context, ev Event) error {
			delivered++
			if delivered == 20 {
				node.Kill()
				start = time.Now()
			}
			return nil
		})
		require.ErrorIs(t, err, ErrPeerLost)
		require.Less(t, time.Since(start), cfg.PeerTimeout+cfg.FetchTimeout+2*time.Second)
		require.Less(t, delivered, 1500)

		// Waiting for sync with no peer fails the same way.
		start = time.Now()
		err = c.WaitSynced(ctx, nil)
		require.ErrorIs(t, err, ErrPeerLost)
		require.Less(t, time.Since(start), cfg.PeerTimeout+2*time.Second)
	})
}

func TestCancellation(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mine(t, node, 20)
	c := startClient(t, testConfig(t, node.P2PAddr()))

	// Following an idle chain ends promptly when the context does.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	start := time.Now()
	err := c.Follow(ctx, Cursor{Height: -1}, func(context.Context, Event) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), 2*time.Second)

	// A consumer error stops delivery and is returned as is.
	stopErr := &Error{Code: ErrConfig, Description: "consumer says stop"}
	err = c.Follow(context.Background(), Cursor{Height: -1}, func(context.Context, Event) error { return stopErr })
	require.ErrorIs(t, err, stopErr)

	// Start with an already cancelled context fails at once.
	c2, err := New(testConfig(t, deadAddr(t)))
	require.NoError(t, err)
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	start = time.Now()
	require.ErrorIs(t, c2.Start(done), context.Canceled)
	require.Less(t, time.Since(start), 5*time.Second)
	require.NoError(t, c2.Stop())

	// Stop ends a running Follow promptly.
	followErr := make(chan error, 1)
	go func() {
		followErr <- c.Follow(context.Background(), Cursor{Height: -1}, func(context.Context, Event) error { return nil })
	}()
	time.Sleep(200 * time.Millisecond)
	start = time.Now()
	require.NoError(t, c.Stop())
	select {
	case err := <-followErr:
		require.ErrorIs(t, err, ErrNotStarted)
	case <-time.After(2 * time.Second):
		t.Fatal("Follow still running after Stop")
	}
	require.Less(t, time.Since(start), 2*time.Second)

	// After Stop everything refuses.
	require.NoError(t, c.Stop())
	_, err = c.Progress()
	require.ErrorIs(t, err, ErrNotStarted)
	require.ErrorIs(t, c.Follow(context.Background(), Cursor{Height: -1}, nil), ErrNotStarted)
}

func TestConfigValidation(t *testing.T) {
	base := func() Config { return testConfig(t, "127.0.0.1:18444") }
	cases := []struct {
		name   string
		modify func(*Config)
		ok     bool
	}{
		{"valid", func(*Config) {}, true},
		{"ipv6 loopback", func(c *Config) { c.Peers = []string{"[::1]:18444"} }, true},
		{"no params", func(c *Config) { c.Params = nil }, false},
		{"no peers (offline header reads)", func(c *Config) { c.Peers = nil }, true},
		{"no data dir", func(c *Config) { c.DataDir = "" }, false},
		{"host name", func(c *Config) { c.Peers = []string{"localhost:18444"} }, false},
		{"no port", func(c *Config) { c.Peers = []string{"127.0.0.1"} }, false},
		{"remote refused", func(c *Config) { c.Peers = []string{"192.0.2.1:8333"} }, false},
		{"remote allowed", func(c *Config) { c.Peers = []string{"192.0.2.1:8333"}; c.AllowRemotePeers = true }, true},
		{"negative depth", func(c *Config) { c.ConfirmationDepth = -1 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.modify(&cfg)
			cfg.applyDefaults()
			err := cfg.validate()
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrConfig)
			}
		})
	}

	// The dialer refuses non-loopback addresses unless allowed.
	cfg := base()
	_, err := cfg.dialer()(context.Background(), &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 8333})
	require.Error(t, err)
	ips, err := resolveIPLiteral("127.0.0.1")
	require.NoError(t, err)
	require.True(t, ips[0].IsLoopback())
	_, err = resolveIPLiteral("example.com")
	require.Error(t, err)
}
