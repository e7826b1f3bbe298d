package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/share"
)

// A data directory holds the verified store in store/ and the light
// client's header files in spv/.
const (
	storeSubdir = "store"
	spvSubdir   = "spv"
)

// datadirEnv names the environment variable that overrides the default data
// directory.
const datadirEnv = "SPVCHECK_DATADIR"

// defaultDatadir is the data directory commands use without --datadir:
// $SPVCHECK_DATADIR, else spvcheck under the user's data directory
// ($XDG_DATA_HOME, or ~/.local/share on Unix; the user configuration
// directory elsewhere). Empty when none can be found.
func defaultDatadir() string {
	if d := os.Getenv(datadirEnv); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "spvcheck")
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "spvcheck")
		}
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "spvcheck")
	}
	return ""
}

// datadirFlag defines a command's --datadir flag, defaulting to
// defaultDatadir.
func datadirFlag(fs *flag.FlagSet, usage string) *string {
	return fs.String("datadir", defaultDatadir(), usage+"; $"+datadirEnv+" sets the default")
}

// storeDir returns where the store of a data directory lives. A path that is
// itself a store (as written by import into a bare directory) is accepted.
func storeDir(datadir string) string {
	sub := filepath.Join(datadir, storeSubdir)
	if st, err := os.Stat(sub); err == nil && st.IsDir() {
		return sub
	}
	return datadir
}

// openedStore is a data directory's store as a command opened it: the store
// itself, or, while a running sync or server holds it, a checkpoint that
// process handed over (package snapshot/share), with what it said.
type openedStore struct {
	*snapshot.Store
	lease *share.Lease // nil when the store was opened directly
}

// Close closes the store and ends the lease, removing its checkpoint.
func (o *openedStore) Close() error {
	err := o.Store.Close()
	if o.lease != nil {
		if lerr := o.lease.Close(); err == nil {
			err = lerr
		}
	}
	return err
}

// holder is what the process holding the store said, or nil when the
// store was opened directly.
func (o *openedStore) holder() *share.Info {
	if o.lease == nil {
		return nil
	}
	return &o.lease.Info
}

// openStore opens the store of a data directory and the network it belongs
// to, refusing a store whose consensus parameters are not that network's
// preset. A read-only open of a store that a running sync or server holds
// reads a checkpoint of its last whole block instead.
func openStore(ctx context.Context, datadir string, readOnly bool) (*openedStore, *network, error) {
	if datadir == "" {
		return nil, nil, errors.New("no data directory given (--datadir, or set " + datadirEnv + ")")
	}
	st, err := os.Stat(datadir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("data directory %s: %w\n  run 'spvcheck sync' (or 'spvcheck import') to create it, or pass --datadir", datadir, err)
		}
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("data directory %s is not a directory", datadir)
	}
	o := &openedStore{}
	s, err := snapshot.Open(ctx, storeDir(datadir), snapshot.Options{ReadOnly: true})
	if errors.Is(err, snapshot.ErrStoreLocked) && readOnly {
		s, o.lease, err = openLeased(ctx, datadir, err)
	}
	if err != nil {
		switch {
		case errors.Is(err, snapshot.ErrCorrupt):
			err = fmt.Errorf("%w\n  the store is damaged: import a verified snapshot file into a new data directory, or sync into a new one", err)
		case errors.Is(err, snapshot.ErrStoreLocked):
			err = fmt.Errorf("%w\n  another spvcheck (a running sync?) has this store open; stop it or try again", err)
		}
		return nil, nil, err
	}
	o.Store = s
	net, err := networkByName(s.Network())
	if err != nil {
		o.Close()
		return nil, nil, fmt.Errorf("store belongs to an unknown network: %w", err)
	}
	if fp := net.Consensus.Fingerprint(); s.ParamsFingerprint() != fp {
		o.Close()
		return nil, nil, fmt.Errorf("store was built under consensus parameters %s, not this build's %s parameters %s",
			s.ParamsFingerprint(), net.Name, fp)
	}
	if readOnly {
		return o, net, nil
	}
	if err := s.Close(); err != nil {
		return nil, nil, err
	}
	s, err = snapshot.Open(ctx, storeDir(datadir), snapshot.Options{Network: net.Name, ParamsFingerprint: net.Consensus.Fingerprint()})
	if err != nil {
		return nil, nil, err
	}
	return &openedStore{Store: s}, net, nil
}

// openLeased opens a checkpoint of a store that another process holds.
// locked is the error that said so, returned when no process answers (a
// holder that is not spvcheck, or one that is starting or stopping).
func openLeased(ctx context.Context, datadir string, locked error) (*snapshot.Store, *share.Lease, error) {
	lease, err := share.Acquire(ctx, datadir)
	if err != nil {
		if errors.Is(err, share.ErrNoHolder) {
			return nil, nil, locked
		}
		return nil, nil, fmt.Errorf("the store is held by a running spvcheck, which refused a checkpoint: %w", err)
	}
	s, err := snapshot.Open(ctx, lease.Dir, snapshot.Options{ReadOnly: true})
	if err != nil {
		lease.Close()
		return nil, nil, fmt.Errorf("opening the checkpoint of the running spvcheck: %w", err)
	}
	return s, lease, nil
}
