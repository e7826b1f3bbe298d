package snapshot

import (
	"context"
	"io"

	"github.com/cockroachdb/pebble/v2"

	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// Export writes the store as a snapshot file (see the package
// documentation for the layout). It reads from a Pebble snapshot, so blocks
// committed while it runs are not included and the file is consistent. A
// store without blocks cannot be exported. The store's Options.Progress,
// if set, hears how far it got.
func Export(ctx context.Context, s *Store, w io.Writer) (*FileInfo, error) {
	progress := s.opts.Progress
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()

	first, tip, err := chainBounds(snap)
	if err != nil {
		return nil, err
	}
	tipRaw, ok, err := getFrom(snap, heightKey(prefixBlock, tip))
	if err != nil {
		return nil, err
	}
	tipSum, okSum := decodeSummary(tipRaw)
	if !ok || !okSum {
		return nil, newError(ErrCorrupt, "no readable summary for the tip %d", tip)
	}
	hdr := &sfile.Header{
		Version: FormatVersion, Network: s.opts.Network, ParamsFingerprint: s.opts.ParamsFingerprint,
		First: first, Tip: tip, TipBlockHash: tipSum.BlockHash, TipConsensusHash: tipSum.ConsensusHash,
	}
	fw := sfile.NewWriter(w)
	if err := fw.Header(hdr); err != nil {
		return nil, err
	}
	report := func(phase string, h uint64) {
		if progress != nil && (h%1000 == 0 || h == tip) {
			progress(Progress{Phase: phase, Height: h, Tip: tip})
		}
	}

	// Chain: one entry per height, first to tip, no gaps.
	if err := fw.BeginSection(sfile.TagChain); err != nil {
		return nil, err
	}
	next := first
	err = iterBlocks(ctx, snap, first, func(b Block) (bool, error) {
		if b.Height != next || b.Height > tip {
			return false, newError(ErrCorrupt, "stored chain has block %d where %d belongs", b.Height, next)
		}
		sum, _ := checkCommitHashes(b)
		entry := enc.AppendUint64(make([]byte, 0, 8+summarySize), b.Height)
		if err := fw.Entry(append(entry, sum.encode()...)); err != nil {
			return false, err
		}
		report("chain", b.Height)
		next++
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if next != tip+1 {
		return nil, newError(ErrCorrupt, "stored chain ends at %d, the tip is %d", next-1, tip)
	}
	if err := fw.EndSection(); err != nil {
		return nil, err
	}

	// Blocks: records and inputs per height, copied in their stored form
	// (inputs converted when the store is of an older version).
	if err := fw.BeginSection(sfile.TagBlocks); err != nil {
		return nil, err
	}
	for h := first; h <= tip; h++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		records, ok1, err := getFrom(snap, heightKey(prefixRecords, h))
		if err != nil {
			return nil, err
		}
		inputs, ok2, err := getFrom(snap, heightKey(prefixInputs, h))
		if err != nil {
			return nil, err
		}
		if !ok1 || !ok2 {
			return nil, newError(ErrCorrupt, "block %d has no records or inputs", h)
		}
		if s.format != FormatVersion {
			// An older store: write its inputs as the file's version has them.
			ops, err := decodeInputs(s.format, inputs)
			if err != nil {
				return nil, wrapError(ErrCorrupt, err, "inputs of block %d", h)
			}
			inputs = encodeInputs(ops)
		}
		if err := fw.Entry(encodeBlockEntry(h, records, inputs)); err != nil {
			return nil, err
		}
		report("blocks", h)
		if h == tip {
			break // tip may be the largest uint64
		}
	}
	if err := fw.EndSection(); err != nil {
		return nil, err
	}

	// State: every state key in order.
	if err := fw.BeginSection(sfile.TagState); err != nil {
		return nil, err
	}
	n := 0
	err = scanState(snap, nil, func(k, v []byte) (bool, error) {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		return true, fw.Entry(encodeStateEntry(k, v))
	})
	if err != nil {
		return nil, err
	}
	if err := fw.EndSection(); err != nil {
		return nil, err
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return fileInfo(hdr), nil
}

// checkCommitHashes turns a Block back into its binary summary.
func checkCommitHashes(b Block) (blockSummary, bool) {
	var sum blockSummary
	sum.BlockHash = b.BlockHash
	ok1 := parseHexHash(b.OpsHash, sum.OpsHash[:])
	ok2 := parseHexHash(b.ConsensusHash, sum.ConsensusHash[:])
	return sum, ok1 && ok2
}

// chainBounds reads the first and tip heights as of r.
func chainBounds(r pebble.Reader) (first, tip uint64, err error) {
	tipRaw, okTip, err := getFrom(r, tipKey())
	if err != nil {
		return 0, 0, err
	}
	firstRaw, okFirst, err := getFrom(r, metaKey(metaFirst))
	if err != nil {
		return 0, 0, err
	}
	if !okTip {
		return 0, 0, newError(ErrNoSuchHeight, "the store holds no blocks")
	}
	d := enc.NewDecoder(tipRaw)
	tip = d.Uint64()
	if d.Finish() != nil || !okFirst {
		return 0, 0, newError(ErrCorrupt, "unreadable tip or first height")
	}
	d = enc.NewDecoder(firstRaw)
	first = d.Uint64()
	if d.Finish() != nil || first > tip {
		return 0, 0, newError(ErrCorrupt, "unreadable first height")
	}
	return first, tip, nil
}
