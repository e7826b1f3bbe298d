package spv

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The watchdog counts a window only while something is still expected and
// nothing moves; any progress, or having nothing to wait for, starts over.
func TestStallWatch(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	m := func(h, f, d int32) progressMark { return progressMark{h, f, d} }
	steps := []struct {
		ms      int
		mark    progressMark
		waiting bool
		stalled bool
		strikes int
	}{
		{0, m(10, 10, 4), true, false, 0},
		{999, m(10, 10, 4), true, false, 0},
		{1000, m(10, 10, 4), true, true, 1},   // a window without progress
		{1500, m(10, 10, 4), true, false, 1},  // a new window started at 1000
		{2000, m(10, 10, 4), true, true, 2},   // and passed
		{2100, m(11, 10, 4), true, false, 0},  // progress resets the strikes
		{3000, m(11, 10, 4), true, false, 0},  // 900 ms since
		{3100, m(11, 10, 4), false, false, 0}, // nothing expected: starts over
		{4000, m(11, 10, 4), true, false, 0},
		{4100, m(11, 10, 4), true, true, 1},
		{4200, m(11, 10, 5), true, false, 0}, // a delivered block is progress
	}
	w := newStallWatch(time.Second)
	for i, s := range steps {
		stalled, waited := w.observe(at(s.ms), s.mark, s.waiting)
		require.Equal(t, s.stalled, stalled, "step %d", i)
		require.Equal(t, s.strikes, w.strikes, "step %d", i)
		if stalled {
			require.GreaterOrEqual(t, waited, time.Second, "step %d", i)
		}
	}
}

func TestStallString(t *testing.T) {
	s := Stall{Claims: []Claim{{"127.0.0.1:8333", 1_000_000}}, Dropped: []string{"127.0.0.1:8333"},
		HeaderHeight: 400, FilterHeaderHeight: 0, Waited: 1500 * time.Millisecond}
	require.Equal(t, "no progress for 1.5s: 127.0.0.1:8333 claimed height 1000000; verified headers reach 400, "+
		"filter headers 0; dropped 127.0.0.1:8333", s.String())
	s.Final, s.Dropped = true, nil
	require.True(t, strings.HasSuffix(s.String(), "; stopped waiting"))
	s.Below = true
	require.True(t, strings.HasPrefix(s.String(), "the peers' best chain does not reach the stored tip: "))
	require.Contains(t, Stall{}.String(), "no peer connected")
	// With none connected, the configured peers are named.
	require.Contains(t, Stall{Peers: []string{"127.0.0.1:1", "127.0.0.1:2"}}.String(), "no peer connected of 127.0.0.1:1, 127.0.0.1:2")
}
