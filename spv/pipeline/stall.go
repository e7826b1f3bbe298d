package pipeline

import "github.com/spvcheck/spvcheck/spv"

// maxStalls bounds Stats.Stalls: a follower facing a peer that stalls
// forever keeps only the latest warnings.
const maxStalls = 16

// stall records a warning from the light client and reports it at once,
// so a follower's status shows it without waiting for the next block.
func (s *syncer) stall(st spv.Stall) {
	s.stats.Stalls = append(s.stats.Stalls, st)
	if n := len(s.stats.Stalls); n > maxStalls {
		s.stats.Stalls = append(s.stats.Stalls[:0], s.stats.Stalls[n-maxStalls:]...)
	}
	if s.cfg.OnStall != nil {
		s.cfg.OnStall(st)
	}
	s.report(true)
}

// Stalled reports whether the run ended because the peers stalled (its
// last stall is Final) and returns that stall: the store is at the best
// tip the verified headers allow, not at what the peers claimed.
func (st Stats) Stalled() (spv.Stall, bool) {
	if n := len(st.Stalls); n > 0 && st.Stalls[n-1].Final {
		return st.Stalls[n-1], true
	}
	return spv.Stall{}, false
}
