package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Readers query while blocks commit and rewind: every answer is the state
// of one whole block, the one its headers name. Each block sets
// judecn.id's zone-file hash to a value of its own, so a body can be
// matched with the block it came from by the consensus hash in its
// headers.
func TestConcurrentReadsDuringCommitsAndRewinds(t *testing.T) {
	f := newFixture(t)
	type blockState struct {
		height uint64
		hash   string
		txid   string
	}
	var mu sync.Mutex
	states := map[string]blockState{} // consensus hash → what judecn.id looks like
	record := func() {
		v, err := f.w.st.ReadView()
		require.NoError(t, err)
		defer v.Close()
		tip, _, _ := v.Tip()
		ch, err := v.ConsensusHash(tip)
		require.NoError(t, err)
		r, err := consensusView(f, v).Name("judecn.id")
		require.NoError(t, err)
		mu.Lock()
		states[ch] = blockState{height: tip, hash: *r.ValueHash, txid: r.Txid}
		mu.Unlock()
	}
	record()
	lookup := func(ch string) (blockState, bool) {
		// The writer records a block just after committing it.
		for range 200 {
			mu.Lock()
			s, ok := states[ch]
			mu.Unlock()
			if ok {
				return s, true
			}
			time.Sleep(5 * time.Millisecond)
		}
		return blockState{}, false
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var answers atomic.Int64
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths := []string{"/v1/names/judecn.id", "/v1/blockchains/bitcoin/consensus", "/v1/info"}
			for i := 0; ctx.Err() == nil; i++ {
				p := paths[(i+r)%len(paths)]
				a := do(t, f.srv, "GET", p, nil)
				if a.status != 200 {
					t.Errorf("%s: %d %s", p, a.status, a.body)
					return
				}
				ch := a.header.Get(HeaderConsensusHash)
				h, err := strconv.ParseUint(a.header.Get(HeaderHeight), 10, 64)
				st, ok := lookup(ch)
				if err != nil || !ok || st.height != h {
					t.Errorf("%s: headers %d %s name no committed block", p, h, ch)
					return
				}
				var body map[string]any
				if err := json.Unmarshal(a.body, &body); err != nil {
					t.Errorf("%s: %v", p, err)
					return
				}
				switch p {
				case "/v1/names/judecn.id":
					if body["zonefile_hash"] != st.hash || body["last_txid"] != st.txid {
						t.Errorf("block %d %s: body %s, want hash %s txid %s", h, ch, a.body, st.hash, st.txid)
						return
					}
				case "/v1/blockchains/bitcoin/consensus":
					if body["consensus_hash"] != ch {
						t.Errorf("consensus body %s, headers %s", a.body, ch)
						return
					}
				case "/v1/info":
					if body["consensus"] != ch || body["last_block_processed"] != float64(h) {
						t.Errorf("info body %s, headers %d %s", a.body, h, ch)
						return
					}
				}
				answers.Add(1)
			}
		}()
	}

	for i := range 40 {
		f.w.block(f.w.update(f.alice, "judecn.id", fmt.Sprintf("%040x", i+1)))
		record()
		if i%6 == 5 {
			require.NoError(t, f.w.st.Rewind(context.Background(), 2))
			f.w.restart()
			record()
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	require.Greater(t, answers.Load(), int64(40))
}
