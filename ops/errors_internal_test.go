package ops

import (
	"strings"
	"testing"
)

// Every code of every group has a name of its own, and the group
// sentinels bound exactly the named codes, so a code added without a name
// fails here.
func TestErrorCodeNames(t *testing.T) {
	seen := map[string]ErrorCode{}
	for _, g := range []struct{ first, end ErrorCode }{
		{ErrNoNullData, numIgnoredCodes}, {ErrNoInputs, numRejectCodes}, {ErrInvalidHash, numArgumentCodes},
	} {
		for c := g.first; c < g.end; c++ {
			name := c.String()
			if strings.HasPrefix(name, "ErrorCode(") || !strings.HasPrefix(name, "Err") {
				t.Errorf("code %d has no name (%q)", int(c), name)
			}
			if other, dup := seen[name]; dup {
				t.Errorf("codes %d and %d share the name %s", int(other), int(c), name)
			}
			seen[name] = c
		}
		if !strings.HasPrefix(g.end.String(), "ErrorCode(") {
			t.Errorf("the sentinel after %v has a name: a code was added past it", g.first)
		}
	}
}
