package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cockroachdb/pebble/v2"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// importBatchSize is how many bytes of an import are staged in one Pebble
// batch; it bounds the memory an import uses besides the chain itself.
const importBatchSize = 4 << 20

// Import creates a new store in dir from a snapshot file, verifying
// everything first: the header and section checksums and the whole-file
// digest, the section structure, that the chain runs without a gap from the
// first block to the header's tip, every block's ops hash recomputed from
// its records and every consensus hash recomputed from the skip list, the
// inputs' encoding and the order of state keys.
//
// dir must not exist. The file is streamed into a temporary directory next
// to dir, which is renamed to dir only once all of it has been verified and
// synced; on any failure the temporary directory is removed and dir is
// never created. opts.Network and opts.ParamsFingerprint, when set, must
// match the file's header. The new store has no undo records: it cannot be
// rewound below the imported tip.
func Import(ctx context.Context, r io.Reader, dir string, opts Options) (*FileInfo, error) {
	o := opts.withDefaults()
	if _, err := o.FS.Stat(dir); err == nil {
		return nil, newError(ErrDestinationExists, "%s already exists", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("snapshot: checking %s: %w", dir, err)
	}
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return nil, err
	}
	sink := &importSink{tmp: dir + ".import-" + hex.EncodeToString(suffix[:]), opts: o}
	var info *FileInfo
	got, err := readSnapshot(ctx, r, readOptions{
		network: o.Network, params: o.ParamsFingerprint, sink: sink, progress: o.Progress,
	})
	if err == nil {
		info = got.info
		err = sink.finish(info)
	}
	if err != nil {
		sink.abandon()
		return nil, err
	}
	if err := o.FS.Rename(sink.tmp, dir); err != nil {
		sink.abandon()
		return nil, fmt.Errorf("snapshot: moving the import into place: %w", err)
	}
	if d, err := o.FS.OpenDir(o.FS.PathDir(dir)); err == nil {
		syncErr := d.Sync()
		d.Close()
		if syncErr != nil {
			return nil, fmt.Errorf("snapshot: syncing the parent of %s: %w", dir, syncErr)
		}
	}
	return info, nil
}

// importSink writes verified entries into a store in a temporary directory.
type importSink struct {
	version uint64 // the file's format version
	tmp     string
	opts    Options
	store   *Store
	batch   *pebble.Batch
}

func (s *importSink) begin(hdr *sfile.Header) error {
	s.version = hdr.Version
	o := s.opts
	o.Network, o.ParamsFingerprint = hdr.Network, hdr.ParamsFingerprint
	if err := o.FS.MkdirAll(o.FS.PathDir(s.tmp), 0o755); err != nil {
		return err
	}
	st, err := create(s.tmp, o)
	if err != nil {
		return err
	}
	s.store, s.batch = st, st.db.NewBatch()
	return nil
}

func (s *importSink) set(k, v []byte) error {
	if err := s.batch.Set(k, v, nil); err != nil {
		return err
	}
	if s.batch.Len() < importBatchSize {
		return nil
	}
	if err := s.batch.Commit(pebble.NoSync); err != nil {
		return err
	}
	s.batch.Close()
	s.batch = s.store.db.NewBatch()
	return nil
}

func (s *importSink) chainEntry(h uint64, sum *blockSummary) error {
	return s.set(heightKey(prefixBlock, h), sum.encode())
}

func (s *importSink) blockEntry(h uint64, records, inputs []byte, decoded []ops.Op) error {
	if err := s.set(heightKey(prefixRecords, h), records); err != nil {
		return err
	}
	if s.version != s.store.format {
		inputs = encodeInputs(decoded) // an older file: store them as the new store does
	}
	return s.set(heightKey(prefixInputs, h), inputs)
}

func (s *importSink) stateEntry(key, value []byte) error {
	return s.set(stateKey(key), value)
}

// finish records the chain bounds and syncs everything.
func (s *importSink) finish(info *FileInfo) error {
	if err := s.set(metaKey(metaFirst), enc.AppendUint64(nil, info.First)); err != nil {
		return err
	}
	if err := s.set(tipKey(), enc.AppendUint64(nil, info.Tip)); err != nil {
		return err
	}
	if err := s.batch.Commit(pebble.Sync); err != nil {
		return err
	}
	s.batch.Close()
	s.batch = nil
	err := s.store.Close()
	s.store = nil
	return err
}

// abandon closes and removes the temporary directory.
func (s *importSink) abandon() {
	if s.batch != nil {
		s.batch.Close()
	}
	if s.store != nil {
		s.store.Close()
	}
	_ = s.opts.FS.RemoveAll(s.tmp)
}
