package spv

import (
	"context"
	"math/big"
	"net"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btclog"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultConfirmationDepth = 6
	DefaultFetchParallelism  = 8
	DefaultPeerTimeout       = 30 * time.Second
	DefaultFetchTimeout      = 30 * time.Second
	DefaultPollInterval      = 200 * time.Millisecond
	DefaultMaxReorgDepth     = 1000
)

// Config is everything a Client needs; there are no hidden settings. Zero
// values of optional fields take the defaults above.
type Config struct {
	// Params selects the Bitcoin network: &chaincfg.MainNetParams,
	// &chaincfg.TestNet3Params or &chaincfg.RegressionNetParams.
	Params *chaincfg.Params

	// Peers are the only peers the client connects to ("ip:port"; IP
	// literals, as no DNS resolution is done). Start requires at least one;
	// a client without peers can still read its stored headers (Headers,
	// HeaderAt).
	Peers []string

	// DNSSeeds, with no Peers, finds peers through the network's DNS
	// seeds (chaincfg's, see SeedHosts) as neutrino does, and connects to
	// remote peers it learns of; it needs AllowRemotePeers (seeds.go).
	DNSSeeds bool

	// DataDir holds neutrino's header files and its walletdb (bdb)
	// database. Required; created if missing. Reusing it resumes the
	// header chain where the last run stopped.
	DataDir string

	// AllowRemotePeers lets the client dial non-loopback addresses. By
	// default every dial outside 127.0.0.0/8 and ::1 is refused.
	AllowRemotePeers bool

	// ConfirmationDepth is how many blocks must be mined on top of a
	// block before Blocks delivers it: block h is delivered once the
	// header tip is at least h + ConfirmationDepth. The reference indexer
	// processed blocks up to tip − 6; 6 is the default (zero means the
	// default, so the header tip itself is never delivered).
	ConfirmationDepth int32

	// FetchParallelism is how many block fetches Blocks keeps in flight.
	FetchParallelism int

	// PeerTimeout is how long the client tolerates having no connected
	// peer: at start (ErrNoPeers and the probes' finer codes) and later
	// (ErrPeerLost).
	PeerTimeout time.Duration

	// FetchTimeout bounds the fetch of one block.
	FetchTimeout time.Duration

	// StallTimeout bounds how long the client waits for peers that
	// announced more than they have delivered (headers, filter headers or
	// blocks) while nothing moves: after one StallTimeout the peers whose
	// claims were not met are dropped, after a second one without
	// progress CatchUp ends at the best verified tip and WaitSynced fails
	// with ErrStalled (see Stall). Zero means DefaultStallTimeout.
	StallTimeout time.Duration

	// PollInterval is how often waits re-read the header tips, in
	// addition to waking on neutrino's block notifications.
	PollInterval time.Duration

	// MaxReorgDepth is how many delivered block hashes Blocks remembers
	// to find the fork point of a reorganisation.
	MaxReorgDepth int32

	// ConnectionRetryInterval is neutrino's reconnect delay, a package
	// global in neutrino (default 5 s). When non-zero, New sets it before
	// creating the chain service, which copies it; see neutrinoGlobals.
	ConnectionRetryInterval time.Duration

	// Logger, when non-nil, receives neutrino's logs. neutrino's
	// UseLogger is process-wide and also replaces the loggers of btcd's
	// packages.
	Logger btclog.Logger

	// MinChainWork, when set, is the least total work the verified header
	// chain must hold before any block is delivered (see work.go): a
	// chain with less is refused with ErrLowWork once the peers have
	// nothing more to give. Checkpoints in Params play the same part
	// below the last one; this covers networks without them.
	MinChainWork *big.Int

	// aliases maps the addresses neutrino knows peers by to Peers (see
	// peers.go); set by New.
	aliases peerAliases
}

func (cfg *Config) applyDefaults() {
	if cfg.ConfirmationDepth == 0 {
		cfg.ConfirmationDepth = DefaultConfirmationDepth
	}
	if cfg.FetchParallelism <= 0 {
		cfg.FetchParallelism = DefaultFetchParallelism
	}
	if cfg.PeerTimeout <= 0 {
		cfg.PeerTimeout = DefaultPeerTimeout
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.MaxReorgDepth <= 0 {
		cfg.MaxReorgDepth = DefaultMaxReorgDepth
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = DefaultStallTimeout
	}
}

func (cfg *Config) validate() error {
	if cfg.Params == nil {
		return newError(ErrConfig, nil, "Config.Params is required")
	}
	if cfg.DataDir == "" {
		return newError(ErrConfig, nil, "Config.DataDir is required")
	}
	if cfg.ConfirmationDepth < 0 {
		return newError(ErrConfig, nil, "Config.ConfirmationDepth %d is negative", cfg.ConfirmationDepth)
	}
	if err := cfg.validateSeeding(); err != nil {
		return err
	}
	for _, p := range cfg.Peers {
		host, _, err := net.SplitHostPort(p)
		if err != nil {
			return newError(ErrConfig, err, "peer %q", p)
		}
		ip := net.ParseIP(host)
		if ip == nil {
			return newError(ErrConfig, nil, "peer %q is not an IP literal", p)
		}
		if !cfg.AllowRemotePeers && !ip.IsLoopback() {
			return newError(ErrConfig, nil, "peer %q is not on loopback (set AllowRemotePeers)", p)
		}
	}
	return nil
}

// resolveIPLiteral is neutrino's name resolver: it returns IP literals as
// they are and refuses names. neutrino resolves even literals, so a
// resolver that refused everything would silently prevent every
// connection.
func resolveIPLiteral(host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	return nil, &net.DNSError{Err: "spv resolves IP literals only", Name: host, IsNotFound: true}
}

// dialer returns the dial function handed to neutrino: loopback only
// unless remote peers are allowed, and never unbounded.
func (cfg *Config) dialer() func(ctx context.Context, addr net.Addr) (net.Conn, error) {
	const dialTimeout = 10 * time.Second
	return func(ctx context.Context, addr net.Addr) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr.String())
		if err != nil {
			return nil, err
		}
		ip := net.ParseIP(host)
		if ip == nil || (!cfg.AllowRemotePeers && !ip.IsLoopback()) {
			return nil, &net.OpError{Op: "dial", Net: addr.Network(), Addr: addr,
				Err: &net.AddrError{Err: "non-loopback address refused", Addr: addr.String()}}
		}
		d := net.Dialer{Timeout: dialTimeout}
		return d.DialContext(ctx, "tcp", addr.String())
	}
}
