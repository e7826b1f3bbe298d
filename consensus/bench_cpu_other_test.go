//go:build !unix

package consensus

import "time"

// processCPU falls back to wall time where getrusage is missing.
func processCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }
