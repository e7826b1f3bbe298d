package snapshot

import (
	"context"

	"github.com/cockroachdb/pebble/v2"

	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// Rewind undoes the last n blocks, newest first, each in its own synced
// batch, so a crash part way leaves the store at a whole block. It checks
// before changing anything that every one of the n blocks still has its
// undo record: n beyond the store's height gives ErrRewindBeyondHeight, n
// beyond the undo window (or below an import point) ErrRewindBeyondWindow.
// Rewinding every block leaves an empty store whose next block must again be
// its first block.
func (s *Store) Rewind(ctx context.Context, n int) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if s.opts.ReadOnly {
		return newError(ErrReadOnly, "store is read-only")
	}
	if n < 0 {
		return newError(ErrRewindBeyondHeight, "cannot rewind %d blocks", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n == 0 {
		return nil
	}
	if !s.hasTip || uint64(n) > s.tip-s.first+1 {
		return newError(ErrRewindBeyondHeight, "cannot rewind %d blocks: the store holds %d", n, s.heldBlocks())
	}
	if n > s.opts.UndoWindow {
		return newError(ErrRewindBeyondWindow, "cannot rewind %d blocks: the undo window is %d", n, s.opts.UndoWindow)
	}
	for i := 0; i < n; i++ {
		h := s.tip - uint64(i)
		if _, ok, err := s.getRaw(heightKey(prefixUndo, h)); err != nil {
			return err
		} else if !ok {
			return newError(ErrRewindBeyondWindow, "cannot rewind %d blocks: block %d has no undo record", n, h)
		}
	}
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.undoTip(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) heldBlocks() uint64 {
	if !s.hasTip {
		return 0
	}
	return s.tip - s.first + 1
}

// undoTip reverses the tip block in one batch.
func (s *Store) undoTip() error {
	h := s.tip
	raw, ok, err := s.getRaw(heightKey(prefixUndo, h))
	if err != nil {
		return err
	}
	if !ok {
		return newError(ErrRewindBeyondWindow, "block %d has no undo record", h)
	}
	undo, err := decodeUndo(raw)
	if err != nil {
		return wrapError(ErrCorrupt, err, "undo record of block %d", h)
	}
	b := s.db.NewBatch()
	defer b.Close()
	for _, e := range undo {
		if e.Present {
			err = b.Set(stateKey(e.Key), e.Value, nil)
		} else {
			err = b.Delete(stateKey(e.Key), nil)
		}
		if err != nil {
			return err
		}
	}
	for _, p := range []byte{prefixUndo, prefixBlock, prefixRecords, prefixInputs} {
		if err := b.Delete(heightKey(p, h), nil); err != nil {
			return err
		}
	}
	atFirst := h == s.first
	if atFirst {
		err = b.Delete(tipKey(), nil)
	} else {
		err = b.Set(tipKey(), enc.AppendUint64(nil, h-1), nil)
	}
	if err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return wrapError(ErrCorrupt, err, "rewinding block %d", h)
	}
	s.unsynced = 0
	if atFirst {
		s.hasTip = false
	} else {
		s.tip = h - 1
	}
	return nil
}
