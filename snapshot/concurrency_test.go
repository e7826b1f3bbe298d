package snapshot

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
)

// TestReadersSeeWholeBlocks scans while blocks are being committed and
// rewound: every block sets all keys to the same value, so a scan that saw
// two different values would have seen half a block.
func TestReadersSeeWholeBlocks(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	block := func(h uint64) *consensus.BlockCommit {
		c := &consensus.BlockCommit{Height: h, OpsHash: hex64, ConsensusHash: hex32}
		for k := 0; k < 20; k++ {
			c.Writes = append(c.Writes, consensus.Write{Key: fmt.Appendf(nil, "k%02d", k), Value: fmt.Appendf(nil, "v%d", h)})
		}
		return c
	}
	require.NoError(t, s.CommitBlock(block(1)))
	var wg sync.WaitGroup
	done := make(chan struct{})
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				var vals []string
				err := s.Scan([]byte("k"), func(k, v []byte) (bool, error) {
					vals = append(vals, string(v))
					return true, nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(vals) != 20 {
					t.Errorf("scan saw %d keys", len(vals))
					return
				}
				for _, v := range vals {
					if v != vals[0] {
						t.Errorf("scan saw part of a block: %v", vals)
						return
					}
				}
			}
		}()
	}
	h := uint64(1)
	for i := 0; i < 200; i++ {
		if i%7 == 6 {
			require.NoError(t, s.Rewind(ctx, 2))
			h -= 2
			continue
		}
		h++
		require.NoError(t, s.CommitBlock(block(h)))
	}
	close(done)
	wg.Wait()
}
