package spv

import (
	"context"
	"net"
	"time"
)

// seedLookupTimeout bounds one DNS seed lookup.
const seedLookupTimeout = 10 * time.Second

// seeding reports whether the client finds its peers through the network's
// DNS seeds (Config.DNSSeeds without Config.Peers).
func (cfg *Config) seeding() bool { return cfg.DNSSeeds && len(cfg.Peers) == 0 }

// SeedHosts returns the DNS seeds a client with Config.DNSSeeds and no
// Config.Peers asks for peer addresses: the network's chaincfg seeds.
func (cfg *Config) SeedHosts() []string {
	if cfg.Params == nil {
		return nil
	}
	out := make([]string, 0, len(cfg.Params.DNSSeeds))
	for _, s := range cfg.Params.DNSSeeds {
		out = append(out, s.Host)
	}
	return out
}

// validateSeeding checks the DNS-seed settings.
func (cfg *Config) validateSeeding() error {
	if !cfg.seeding() {
		return nil
	}
	if !cfg.AllowRemotePeers {
		return newError(ErrConfig, nil, "Config.DNSSeeds finds remote peers: set AllowRemotePeers")
	}
	if len(cfg.Params.DNSSeeds) == 0 {
		return newError(ErrConfig, nil, "network %s has no DNS seeds: give Config.Peers", cfg.Params.Name)
	}
	return nil
}

// nameResolver is the resolver handed to neutrino: IP literals only, unless
// the client seeds from DNS, when seed names are looked up too, each
// lookup bounded in time.
func (cfg *Config) nameResolver() func(string) ([]net.IP, error) {
	if !cfg.seeding() {
		return resolveIPLiteral
	}
	return func(host string) ([]net.IP, error) {
		if ip := net.ParseIP(host); ip != nil {
			return []net.IP{ip}, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), seedLookupTimeout)
		defer cancel()
		return net.DefaultResolver.LookupIP(ctx, "ip", host)
	}
}
