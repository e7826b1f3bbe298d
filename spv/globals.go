package spv

import (
	"sync"

	"github.com/lightninglabs/neutrino"
)

// neutrinoGlobalsMu serialises the one place where this package writes
// neutrino's package-level settings. It guards neutrino's globals, not
// state of our own: neutrino is configured through package variables, so
// these writes are process-wide and are the documented exception to this
// package's rule of no global state.
var neutrinoGlobalsMu sync.Mutex

// withNeutrinoGlobals sets neutrino's globals for cfg and runs create while
// they hold, so the chain service copies the values meant for it.
//
//   - DisableDNSSeed: true, unless cfg seeds from DNS (Config.DNSSeeds).
//     A client with Config.Peers connects only to them; neutrino would
//     otherwise query the network's DNS seeds even when ConnectPeers is
//     set. neutrino reads the value when a chain service starts; a
//     client with peers that starts while it is false asks its resolver,
//     which refuses names, so it still never touches DNS.
//   - ConnectionRetryInterval: cfg.ConnectionRetryInterval when non-zero.
//     neutrino copies it into its connection manager at creation.
//   - UseLogger: cfg.Logger when non-nil (also replaces btcd's loggers).
func withNeutrinoGlobals(cfg *Config, create func() error) error {
	neutrinoGlobalsMu.Lock()
	defer neutrinoGlobalsMu.Unlock()
	// Running chain services read these globals without a lock: write
	// only what changes, so clients that agree on the values can be
	// created while others run.
	if want := !cfg.seeding(); neutrino.DisableDNSSeed != want {
		neutrino.DisableDNSSeed = want
	}
	if cfg.ConnectionRetryInterval > 0 && neutrino.ConnectionRetryInterval != cfg.ConnectionRetryInterval {
		neutrino.ConnectionRetryInterval = cfg.ConnectionRetryInterval
	}
	if cfg.Logger != nil {
		neutrino.UseLogger(cfg.Logger)
	}
	return create()
}
