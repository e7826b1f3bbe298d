package regtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
)

// Network selects the chain a node runs.
type Network int

const (
	// Regtest is Bitcoin's regression-test network: no difficulty
	// retargeting, instant mining, subsidy halving every 150 blocks. It is
	// the default and what the light client talks to.
	Regtest Network = iota
	// Simnet is btcd's simulation network. It exists here so tests can
	// present the light client with a peer on the wrong network.
	Simnet
)

// Params returns the chain parameters of the network.
func (n Network) Params() *chaincfg.Params {
	if n == Simnet {
		return &chaincfg.SimNetParams
	}
	return &chaincfg.RegressionNetParams
}

// Default timings. Starting is dominated by the first build of btcd, which
// Start does before the start timeout begins.
const (
	defaultStartTimeout = 30 * time.Second
	stopRPCTimeout      = 2 * time.Second
	stopGrace           = 5 * time.Second
	pollInterval        = 25 * time.Millisecond
	portRetries         = 3
)

// Options configures Start. The zero value starts a regtest node whose
// coinbases pay DefaultWallet's first key.
type Options struct {
	// Network is the chain to run; Regtest unless set.
	Network Network

	// MiningAddress receives the coinbase of every generated block.
	// Empty means the first key of NewWallet(DefaultSeed) on Network.
	MiningAddress string

	// BtcdPath is a btcd binary to run instead of building one from the
	// module graph with BuildBtcd.
	BtcdPath string

	// StartTimeout bounds the wait for the node's RPC server once the
	// process is running; 30 s unless set.
	StartTimeout time.Duration

	// ExtraArgs are appended to btcd's command line.
	ExtraArgs []string

	// Dir, when set, is the node's directory (created if missing; it must
	// hold no node yet) instead of a fresh temporary one. Stop leaves a
	// directory given here in place.
	Dir string

	// Detached starts btcd so that it survives this process: it is not
	// killed when the process that started it dies. Only for tools that
	// hand a running node to a person (spvcheck demo --keep); tests want
	// the default, which never leaves a node behind.
	Detached bool
}

// Node is a running btcd process on loopback. Its RPC methods come from the
// embedded *RPCClient. Stop must be called (t.Cleanup(func() { n.Stop() })
// in tests); it is safe to call more than once.
type Node struct {
	*RPCClient

	params  *chaincfg.Params
	p2pAddr string
	rpcAddr string
	rootDir string
	keepDir bool
	outPath string

	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has been reaped
	waitErr error         // valid once done is closed

	stopOnce sync.Once
	stopErr  error
}

// Start builds btcd (once per module state, see BuildBtcd), starts it in a
// fresh temporary directory listening only on 127.0.0.1, and returns when
// its RPC server answers. Mining is instant: call Generate.
//
// The node runs with --txindex so GetRawTransaction finds confirmed
// transactions, --rejectnonstd so relay policy is mainnet's, compact
// filters on (btcd's default), no DNS seeds and no onion routing. HOME is
// pointed into the temporary directory because btcd creates ~/.btcd
// whatever its flags say.
func Start(ctx context.Context, opts Options) (*Node, error) {
	bin := opts.BtcdPath
	if bin == "" {
		var err error
		if bin, err = BuildBtcd(ctx); err != nil {
			return nil, err
		}
	}
	if opts.MiningAddress == "" {
		opts.MiningAddress = NewWallet(opts.Network.Params(), DefaultSeed).Key(0).Address.EncodeAddress()
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = defaultStartTimeout
	}
	var lastErr error
	for attempt := 0; attempt < portRetries; attempt++ {
		n, err := startOnce(ctx, bin, opts)
		if err == nil {
			return n, nil
		}
		lastErr = err
		var e *Error
		if !errors.As(err, &e) || !e.portClash {
			return nil, err
		}
	}
	return nil, lastErr
}

func startOnce(ctx context.Context, bin string, opts Options) (*Node, error) {
	root, err := nodeDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		switch {
		case ok:
		case opts.Dir == "":
			os.RemoveAll(root)
		default:
			// The caller's directory stays, but not the failed node's
			// data: a retry after a port clash starts it afresh there.
			for _, sub := range []string{"data", "log", "home", "btcd.conf", "btcd.out"} {
				os.RemoveAll(filepath.Join(root, sub))
			}
		}
	}()
	conf := filepath.Join(root, "btcd.conf")
	home := filepath.Join(root, "home")
	for _, d := range []string{home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, newError(ErrStartFailed, err, "creating %s", d)
		}
	}
	if err := os.WriteFile(conf, nil, 0o644); err != nil {
		return nil, newError(ErrStartFailed, err, "writing empty config file")
	}
	p2pPort, err := freePort()
	if err != nil {
		return nil, err
	}
	rpcPort, err := freePort()
	if err != nil {
		return nil, err
	}
	p2pAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p2pPort))
	rpcAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(rpcPort))
	const user, pass = "spvcheck", "spvcheck"

	netFlag := "--regtest"
	if opts.Network == Simnet {
		netFlag = "--simnet"
	}
	args := []string{
		netFlag,
		"--configfile=" + conf,
		"--datadir=" + filepath.Join(root, "data"),
		"--logdir=" + filepath.Join(root, "log"),
		"--listen=" + p2pAddr,
		"--rpclisten=" + rpcAddr,
		"--rpcuser=" + user,
		"--rpcpass=" + pass,
		"--notls",
		"--miningaddr=" + opts.MiningAddress,
		"--nodnsseed",
		"--noonion",
		"--rejectnonstd",
		"--txindex",
		"--debuglevel=warn",
	}
	args = append(args, opts.ExtraArgs...)

	outPath := filepath.Join(root, "btcd.out")
	out, err := os.Create(outPath)
	if err != nil {
		return nil, newError(ErrStartFailed, err, "creating output file")
	}
	defer out.Close() // the child has its own copy of the descriptor

	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HOME="+home)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childProcAttr(opts.Detached)
	if err := cmd.Start(); err != nil {
		return nil, newError(ErrStartFailed, err, "starting %s", bin)
	}
	n := &Node{
		RPCClient: NewRPCClient("http://"+rpcAddr, user, pass),
		params:    opts.Network.Params(),
		p2pAddr:   p2pAddr,
		rpcAddr:   rpcAddr,
		rootDir:   root,
		keepDir:   opts.Dir != "",
		outPath:   outPath,
		cmd:       cmd,
		done:      make(chan struct{}),
	}
	go func() {
		n.waitErr = cmd.Wait()
		close(n.done)
	}()

	if err := n.waitReady(ctx, opts.StartTimeout); err != nil {
		n.kill()
		output := n.outputTail()
		var e *Error
		if errors.As(err, &e) && e.Code == ErrNodeExited && bytes.Contains(output, []byte("address already in use")) {
			e.portClash = true
		}
		if errors.As(err, &e) {
			e.Description += fmt.Sprintf(" (btcd output: %q)", output)
		}
		return nil, err
	}
	ok = true
	return n, nil
}

// waitReady polls the RPC server until it answers, the process exits, the
// timeout passes or ctx ends.
func (n *Node) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		probe, cancelProbe := context.WithTimeout(ctx, time.Second)
		_, err := n.GetBlockCount(probe)
		cancelProbe()
		if err == nil {
			return nil
		}
		select {
		case <-n.done:
			return newError(ErrNodeExited, n.waitErr, "btcd exited during start")
		case <-ctx.Done():
			return newError(ErrStartFailed, ctx.Err(), "btcd RPC not ready within %v", timeout)
		case <-time.After(pollInterval):
		}
	}
}

// Params returns the chain parameters the node runs with.
func (n *Node) Params() *chaincfg.Params { return n.params }

// P2PAddr returns the node's peer-to-peer address, "127.0.0.1:port".
func (n *Node) P2PAddr() string { return n.p2pAddr }

// Pid returns the process id of btcd (also its process group id).
func (n *Node) Pid() int { return n.cmd.Process.Pid }

// RPCAddr is the node's JSON-RPC address (user and password "spvcheck",
// no TLS); Dir its directory.
func (n *Node) RPCAddr() string { return n.rpcAddr }

// Dir is the node's directory: its data, logs and output.
func (n *Node) Dir() string { return n.rootDir }

// Release lets a Detached node run on after this process: it closes the
// client side and forgets the process without stopping it. The node is
// then stopped with its stop RPC or by killing Pid.
func (n *Node) Release() {
	n.stopOnce.Do(func() { n.RPCClient.close() })
}

// Done is closed once the btcd process has exited and been reaped.
func (n *Node) Done() <-chan struct{} { return n.done }

// Stop shuts the node down: the stop RPC first, then SIGKILL to its process
// group if it has not exited within a few seconds. It waits for the process
// to be reaped and removes the node's directory. Calling it again returns
// the first result.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		select {
		case <-n.done:
		default:
			ctx, cancel := context.WithTimeout(context.Background(), stopRPCTimeout)
			_ = n.call(ctx, "stop", nil, nil)
			cancel()
			select {
			case <-n.done:
			case <-time.After(stopGrace):
				n.kill()
			}
		}
		n.RPCClient.close()
		if n.keepDir {
			return
		}
		if err := os.RemoveAll(n.rootDir); err != nil {
			n.stopErr = newError(ErrNodeExited, err, "removing node directory")
		}
	})
	return n.stopErr
}

// Kill ends the node at once with SIGKILL, as a crash would; tests use it
// to take a peer away mid-sync. Stop is still needed to clean up.
func (n *Node) Kill() { n.kill() }

func (n *Node) kill() {
	select {
	case <-n.done:
		return
	default:
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	<-n.done
}

// outputTail returns the last few kilobytes btcd wrote to stdout/stderr.
func (n *Node) outputTail() []byte {
	b, _ := os.ReadFile(n.outPath)
	const max = 2048
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return bytes.TrimSpace(b)
}

// freePort asks the kernel for an unused loopback port. The port is free
// when this returns but nothing reserves it; Start retries on a clash.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, newError(ErrStartFailed, err, "finding a free port")
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nodeDir returns the node's directory: a fresh temporary one, or dir,
// which must not already hold a node.
func nodeDir(dir string) (string, error) {
	if dir == "" {
		root, err := os.MkdirTemp("", "spvcheck-regtest-")
		if err != nil {
			return "", newError(ErrStartFailed, err, "creating node directory")
		}
		return root, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		return "", newError(ErrStartFailed, nil, "%s already holds a node", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", newError(ErrStartFailed, err, "creating node directory")
	}
	return filepath.Abs(dir)
}
