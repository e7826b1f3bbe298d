package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// FormatVersion is the version of the store layout (and of the snapshot
// file) written by this build. Version 2 stores a block's inputs in a
// compact binary encoding instead of JSON; nothing else changed.
const FormatVersion = 2

// oldestFormatVersion is the oldest version this build reads. A store of
// version 1 is read and also extended in its own format; Export writes a
// version 1 store as a current file, and Import turns a version 1 file
// into a current store.
const oldestFormatVersion = 1

// Defaults for Options.
const (
	// DefaultUndoWindow is the number of most recent blocks a store can
	// rewind: a day of Bitcoin blocks, far deeper than any reorg the
	// reference ever followed (it processed blocks 6 deep).
	DefaultUndoWindow = 144
	// DefaultCacheSize bounds Pebble's cache, which holds its memtables
	// as well as cached blocks (see Options.CacheSize).
	DefaultCacheSize = 8 << 20
)

const (
	// defaultMemTableSize is Pebble's default memtable size.
	defaultMemTableSize = 4 << 20
	// l0StopWritesThreshold is how many L0 sublevels Pebble lets pile up
	// before it stalls writes (its default is 12). Every flush of this
	// store spans its whole keyspace (state, per-height data, undo), so
	// each L0 compaction rewrites much of the level below, and at the
	// default a steady stream of commits spent half its time stalled
	// waiting for them (BenchmarkCommitBlock mem: 0.55x -> 0.75-1.0x of
	// a raw batch; BenchmarkCommitMillionOps: 30k -> 51k ops/s, peak RSS
	// 55 -> 58 MiB). The price is reads through more L0 files while the
	// compactions catch up (a point lookup right after a million
	// operations: 10.4 -> 14.7 us; 1000 gave 25 us), which left the engine
	// replaying into the store (consensus BenchmarkReplayIntoPebble,
	// 300k operations) at 20.6k ops/s either way.
	l0StopWritesThreshold = 40
	// minBlockCache is what Pebble's cache keeps for blocks beyond the
	// memtables it also holds: enough for the filter and index blocks
	// that every commit's before-image lookups consult.
	minBlockCache = 2 << 20
)

// Options configure Open.
type Options struct {
	// Network and ParamsFingerprint identify the chain and consensus rules
	// the state was computed under. A new store records them; an existing
	// store whose recorded values differ is refused. Empty values accept
	// whatever an existing store holds (for tools that only read), but a
	// new store needs both.
	Network           string
	ParamsFingerprint string
	// UndoWindow is how many of the latest blocks keep undo records and can
	// be rewound; zero means DefaultUndoWindow.
	UndoWindow int
	// CacheSize bounds Pebble's cache in bytes; zero means
	// DefaultCacheSize. Pebble charges its two memtables (4 MiB each) to
	// this cache, so it is raised when needed to leave at least 2 MiB for
	// blocks.
	CacheSize int64
	// SyncEvery is how many block commits share one disk sync. Zero or one
	// (the default) syncs every CommitBlock before it returns. N > 1 lets
	// blocks return once they are in the write-ahead log and syncs every
	// N-th: a crash then loses at most the last N-1 blocks, never part of
	// one, and the store reopens at the last whole block that reached the
	// disk. Meant for initial sync, where lost blocks are simply processed
	// again; a sync costs milliseconds on real disks. Rewind, Sync and
	// Close always sync.
	SyncEvery int
	// VerifyPriors makes CommitBlock read the before-image of every written
	// key from the database, as it does for writes without
	// consensus.Write.PriorKnown, and refuse with ErrInvalidCommit, writing
	// nothing, a block in which a supplied Prior disagrees with the stored
	// value. Without it a supplied Prior is trusted and goes into the undo
	// record unread, so a wrong one would make a later Rewind restore wrong
	// state. For tests of whatever fills the priors, and for paranoid users:
	// it costs the lookups the priors save.
	VerifyPriors bool
	// FS is the filesystem; nil means the operating system's.
	FS vfs.FS
	// ReadOnly opens an existing store without ever writing to it.
	ReadOnly bool
	// Progress, if set, is called now and then during Export, Import and
	// Audit.
	Progress func(Progress)

	// tweakPebble lets tests shrink Pebble's memtables and thresholds so
	// that flushes and compactions happen inside small tests.
	tweakPebble func(*pebble.Options)
}

func (o Options) withDefaults() Options {
	if o.UndoWindow <= 0 {
		o.UndoWindow = DefaultUndoWindow
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
	return o
}

// Store is verified Blockstack state kept in a Pebble database, extended
// and rewound one whole block at a time. It implements consensus.Store.
//
// Reads may run concurrently with each other and with a commit; commits and
// rewinds are serialized. Close must not race with other calls.
type Store struct {
	db     *pebble.DB
	lock   *pebble.Lock // held from Open to Close for existing stores
	opts   Options
	format uint64 // the store's format version
	closed atomic.Bool

	// mu serializes CommitBlock, Rewind and Close, and guards the cached
	// chain bounds below (the database is their source of truth).
	mu       sync.Mutex
	unsynced int // blocks committed since the last sync
	tip      uint64
	hasTip   bool
	first    uint64
	hasFirst bool
	scratch  []byte // CommitBlock's encoding buffer, kept between blocks
}

var _ consensus.Store = (*Store)(nil)

// quietLogger drops Pebble's informational chatter but keeps its errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)         {}
func (quietLogger) Errorf(f string, args ...any) { pebble.DefaultLogger.Errorf(f, args...) }
func (quietLogger) Fatalf(f string, args ...any) { pebble.DefaultLogger.Fatalf(f, args...) }

// dirState is what a directory holds before Open touches it.
type dirState int

const (
	dirEmpty  dirState = iota // missing or empty
	dirPebble                 // a Pebble database
)

func inspectDir(fs vfs.FS, dir string) (dirState, error) {
	names, err := fs.List(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return dirEmpty, nil
		}
		return 0, wrapError(ErrNotAStore, err, "cannot list %s", dir)
	}
	if len(names) == 0 {
		return dirEmpty, nil
	}
	desc, err := pebble.Peek(dir, fs)
	if err != nil {
		return 0, wrapError(ErrNotAStore, err, "%s is not a store", dir)
	}
	if !desc.Exists {
		return 0, newError(ErrNotAStore, "%s is not empty and holds no store", dir)
	}
	return dirPebble, nil
}

func openPebble(dir string, o Options, lock *pebble.Lock, readOnly, mustExist bool) (*pebble.DB, error) {
	po := &pebble.Options{
		FS:               o.FS,
		ReadOnly:         readOnly,
		ErrorIfNotExists: mustExist,
		Lock:             lock,
		Logger:           quietLogger{},
		// Pebble's default reaction to a damaged file is to end the
		// process. The read that found the damage also returns an error,
		// which the store reports as ErrCorrupt, so a damaged store is a
		// verdict, not a crash.
		EventListener: &pebble.EventListener{DataCorruption: func(pebble.DataCorruptionInfo) {}},
	}
	// The engine looks up many keys that do not exist (new names), and a
	// commit the before-images the engine did not supply, mostly of new
	// keys: Bloom filters let those lookups skip tables that cannot hold
	// the key instead of reading and decompressing their blocks.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	po.L0StopWritesThreshold = l0StopWritesThreshold
	if o.tweakPebble != nil {
		o.tweakPebble(po)
	}
	// Pebble charges its memtables (one being filled, one being flushed)
	// to the block cache. A cache no larger than they are caches no blocks
	// at all, and then every before-image lookup of a commit re-reads and
	// re-checksums whole filter and index blocks from the files: that was
	// most of a commit's time. So the cache is at least the memtables plus
	// minBlockCache. It stays small on purpose: with cgo, Pebble allocates
	// cached blocks with C malloc, whose per-thread arenas keep freed
	// blocks, so every MiB of cache costs several of resident memory.
	if po.MemTableSize == 0 {
		po.MemTableSize = defaultMemTableSize
	}
	cache := pebble.NewCache(max(o.CacheSize, 2*int64(po.MemTableSize)+minBlockCache))
	defer cache.Unref()
	po.Cache = cache
	return pebble.Open(dir, po)
}

// Open opens the store in dir, creating it when dir is missing or empty
// (unless opts.ReadOnly). A directory holding anything else, a store of
// another network or parameters, or a store in another format version is
// refused with a typed error and left untouched: the store is first opened
// read-only to check its metadata, and only then for writing.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	state, err := inspectDir(o.FS, dir)
	if err != nil {
		return nil, err
	}
	if state == dirEmpty {
		if o.ReadOnly {
			return nil, newError(ErrStoreNotFound, "no store in %s", dir)
		}
		return create(dir, o)
	}

	// Take the directory's lock first, so that a store in use is reported
	// as such and not as damage, and hold it across both opens.
	lock, err := pebble.LockDirectory(dir, o.FS)
	if err != nil {
		return nil, wrapError(ErrStoreLocked, err, "%s is in use", dir)
	}
	s, err := openExisting(dir, o, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

func openExisting(dir string, o Options, lock *pebble.Lock) (*Store, error) {
	db, err := openPebble(dir, o, lock, true, true)
	if err != nil {
		return nil, wrapError(ErrCorrupt, err, "cannot open the database in %s", dir)
	}
	s := &Store{db: db, lock: lock, opts: o, format: FormatVersion}
	pristine, err := s.loadMeta()
	if err != nil {
		db.Close()
		return nil, err
	}
	if o.ReadOnly {
		if pristine {
			db.Close()
			return nil, newError(ErrStoreNotFound, "the store in %s was never initialized", dir)
		}
		return s, nil
	}
	if err := db.Close(); err != nil {
		return nil, wrapError(ErrCorrupt, err, "closing %s after checking it", dir)
	}
	if s.db, err = openPebble(dir, o, lock, false, true); err != nil {
		return nil, wrapError(ErrCorrupt, err, "cannot open the database in %s", dir)
	}
	if pristine {
		// A crash between creating the database and recording its
		// metadata leaves an empty database: finish creating it.
		if err := s.writeMeta(); err != nil {
			s.db.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.pruneStaleUndo(); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func create(dir string, o Options) (*Store, error) {
	if o.Network == "" || o.ParamsFingerprint == "" {
		return nil, newError(ErrMissingIdentity, "a new store needs a network and a parameters fingerprint")
	}
	if err := o.FS.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("snapshot: creating %s: %w", dir, err)
	}
	db, err := openPebble(dir, o, nil, false, false)
	if err != nil {
		return nil, fmt.Errorf("snapshot: creating a database in %s: %w", dir, err)
	}
	s := &Store{db: db, opts: o, format: FormatVersion}
	if err := s.writeMeta(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) writeMeta() error {
	b := s.db.NewBatch()
	defer b.Close()
	_ = b.Set(metaKey(metaFormat), enc.AppendUvarint(nil, s.format), nil)
	_ = b.Set(metaKey(metaNetwork), []byte(s.opts.Network), nil)
	_ = b.Set(metaKey(metaParams), []byte(s.opts.ParamsFingerprint), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("snapshot: writing store metadata: %w", err)
	}
	return nil
}

// loadMeta checks the metadata against the options and loads the chain
// bounds. pristine reports a database holding no keys at all.
func (s *Store) loadMeta() (pristine bool, err error) {
	format, ok, err := s.getRaw(metaKey(metaFormat))
	if err != nil {
		return false, err
	}
	if !ok {
		empty, err := s.isEmpty()
		if err != nil {
			return false, err
		}
		if empty {
			return true, nil
		}
		return false, newError(ErrNotAStore, "the database holds no store metadata")
	}
	d := enc.NewDecoder(format)
	v := d.Uvarint()
	if d.Finish() != nil {
		return false, newError(ErrCorrupt, "unreadable format version")
	}
	if v < oldestFormatVersion || v > FormatVersion {
		return false, newError(ErrFormatVersion, "store format version %d, this build reads %d to %d", v, oldestFormatVersion, FormatVersion)
	}
	s.format = v
	network, _, err := s.getRaw(metaKey(metaNetwork))
	if err != nil {
		return false, err
	}
	params, _, err := s.getRaw(metaKey(metaParams))
	if err != nil {
		return false, err
	}
	if s.opts.Network != "" && s.opts.Network != string(network) {
		return false, newError(ErrNetworkMismatch, "store is for network %q, not %q", network, s.opts.Network)
	}
	if s.opts.ParamsFingerprint != "" && s.opts.ParamsFingerprint != string(params) {
		return false, newError(ErrParamsMismatch, "store was built with parameters %q, not %q", params, s.opts.ParamsFingerprint)
	}
	s.opts.Network, s.opts.ParamsFingerprint = string(network), string(params)
	return false, s.loadBounds()
}

func (s *Store) isEmpty() (bool, error) {
	it, err := s.db.NewIter(nil)
	if err != nil {
		return false, wrapError(ErrCorrupt, err, "iterating the database")
	}
	empty := !it.First()
	if err := it.Close(); err != nil {
		return false, wrapError(ErrCorrupt, err, "iterating the database")
	}
	return empty, nil
}

func (s *Store) loadBounds() error {
	s.hasTip, s.hasFirst = false, false
	if v, ok, err := s.getRaw(metaKey(metaFirst)); err != nil {
		return err
	} else if ok {
		d := enc.NewDecoder(v)
		s.first = d.Uint64()
		if d.Finish() != nil {
			return newError(ErrCorrupt, "unreadable first height")
		}
		s.hasFirst = true
	}
	if v, ok, err := s.getRaw(tipKey()); err != nil {
		return err
	} else if ok {
		d := enc.NewDecoder(v)
		s.tip = d.Uint64()
		if d.Finish() != nil {
			return newError(ErrCorrupt, "unreadable tip")
		}
		s.hasTip = true
	}
	if s.hasTip && (!s.hasFirst || s.tip < s.first) {
		return newError(ErrCorrupt, "tip %d below the first block", s.tip)
	}
	return nil
}

// pruneStaleUndo drops undo records older than the window, left behind when
// a store is reopened with a smaller window than it was written with.
func (s *Store) pruneStaleUndo() error {
	if !s.hasTip || s.tip+1 <= uint64(s.opts.UndoWindow) {
		return nil
	}
	keep := s.tip + 1 - uint64(s.opts.UndoWindow)
	if err := s.db.DeleteRange(heightKey(prefixUndo, 0), heightKey(prefixUndo, keep), pebble.Sync); err != nil {
		return fmt.Errorf("snapshot: pruning undo records: %w", err)
	}
	return nil
}

// getRaw reads one key of either keyspace; the value is a copy.
func (s *Store) getRaw(key []byte) ([]byte, bool, error) {
	return getFrom(s.db, key)
}

func getFrom(r pebble.Reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrapError(ErrCorrupt, err, "reading key %x", key)
	}
	out := bytes.Clone(v)
	if out == nil {
		out = []byte{}
	}
	closer.Close()
	return out, true, nil
}

// Network returns the network the store belongs to.
func (s *Store) Network() string { return s.opts.Network }

// ParamsFingerprint returns the fingerprint of the consensus parameters the
// store was built with.
func (s *Store) ParamsFingerprint() string { return s.opts.ParamsFingerprint }

// UndoWindow returns how many of the latest blocks can be rewound.
func (s *Store) UndoWindow() int { return s.opts.UndoWindow }

// Sync makes every committed block durable (see Options.SyncEvery).
func (s *Store) Sync() error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncLocked()
}

func (s *Store) syncLocked() error {
	if s.unsynced == 0 {
		return nil
	}
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("snapshot: syncing: %w", err)
	}
	s.unsynced = 0
	return nil
}

// Close syncs and closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Swap(true) {
		return newError(ErrClosed, "store already closed")
	}
	syncErr := s.syncLocked()
	closeErr := s.db.Close()
	if s.lock != nil {
		if err := s.lock.Close(); err != nil && closeErr == nil {
			closeErr = err
		}
	}
	if closeErr != nil {
		return closeErr
	}
	return syncErr
}

func (s *Store) checkOpen() error {
	if s.closed.Load() {
		return newError(ErrClosed, "store is closed")
	}
	return nil
}

// Get implements consensus.Reader: the state value under key, or
// consensus.ErrNotFound.
func (s *Store) Get(key []byte) ([]byte, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	v, ok, err := s.getRaw(stateKey(key))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, consensus.ErrNotFound
	}
	return v, nil
}

// Scan implements consensus.Reader. The key and value passed to fn are the
// caller's to keep.
func (s *Store) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	return scanState(s.db, prefix, fn)
}

func scanState(r pebble.Reader, prefix []byte, fn func(key, value []byte) (bool, error)) error {
	lower, upper := stateBounds(prefix)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return wrapError(ErrCorrupt, err, "scanning state")
	}
	var fnErr error
	for valid := it.First(); valid; valid = it.Next() {
		k, v := it.Key(), it.Value()
		buf := make([]byte, len(k)-1+len(v))
		n := copy(buf, k[1:])
		copy(buf[n:], v)
		more, err := fn(buf[:n:n], buf[n:])
		if err != nil {
			fnErr = err
			break
		}
		if !more {
			break
		}
	}
	if err := it.Close(); err != nil && fnErr == nil {
		return wrapError(ErrCorrupt, err, "scanning state")
	}
	return fnErr
}

// Tip implements consensus.Store: the height of the last committed block.
func (s *Store) Tip() (uint64, bool, error) {
	if err := s.checkOpen(); err != nil {
		return 0, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tip, s.hasTip, nil
}

// First returns the height of the store's first block: the network's first
// block for a store built from genesis. ok is false before any commit.
func (s *Store) First() (uint64, bool, error) {
	if err := s.checkOpen(); err != nil {
		return 0, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, s.hasFirst, nil
}
