package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spvcheck/spvcheck/snapshot"
)

// A data directory holds the verified store in store/ and the light
// client's header files in spv/.
const (
	storeSubdir = "store"
	spvSubdir   = "spv"
)

// storeDir returns where the store of a data directory lives. A path that is
// itself a store (as written by import into a bare directory) is accepted.
func storeDir(datadir string) string {
	sub := filepath.Join(datadir, storeSubdir)
	if st, err := os.Stat(sub); err == nil && st.IsDir() {
		return sub
	}
	return datadir
}

// openStore opens the store of a data directory and the network it belongs
// to, refusing a store whose consensus parameters are not that network's
// preset.
func openStore(ctx context.Context, datadir string, readOnly bool) (*snapshot.Store, *network, error) {
	if datadir == "" {
		return nil, nil, errors.New("no data directory given (--datadir)")
	}
	st, err := os.Stat(datadir)
	if err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("data directory %s is not a directory", datadir)
	}
	s, err := snapshot.Open(ctx, storeDir(datadir), snapshot.Options{ReadOnly: true})
	if err != nil {
		switch {
		case errors.Is(err, snapshot.ErrCorrupt):
			err = fmt.Errorf("%w\n  the store is damaged: import a verified snapshot file into a new data directory, or sync into a new one", err)
		case errors.Is(err, snapshot.ErrStoreLocked):
			err = fmt.Errorf("%w\n  another spvcheck (a running sync?) has this store open; stop it or try again", err)
		}
		return nil, nil, err
	}
	net, err := networkByName(s.Network())
	if err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("store belongs to an unknown network: %w", err)
	}
	if err := applyStoredGenesis(s, net); err != nil {
		s.Close()
		return nil, nil, err
	}
	if fp := net.Consensus.Fingerprint(); s.ParamsFingerprint() != fp {
		s.Close()
		return nil, nil, fmt.Errorf("store was built under consensus parameters %s, not this build's %s parameters %s",
			s.ParamsFingerprint(), net.Name, fp)
	}
	if readOnly {
		return s, net, nil
	}
	if err := s.Close(); err != nil {
		return nil, nil, err
	}
	s, err = snapshot.Open(ctx, storeDir(datadir), snapshot.Options{Network: net.Name, ParamsFingerprint: net.Consensus.Fingerprint()})
	if err != nil {
		return nil, nil, err
	}
	return s, net, nil
}
