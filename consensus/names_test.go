package consensus

import (
	"encoding/hex"
	"testing"

	"github.com/spvcheck/spvcheck/ops"
	"pgregory.net/rapid"
)

// The fixed-size base-40 conversion and hash_name agree with package ops's
// math/big ones on base-40 strings up to and past 48 digits (leading zeros,
// all digits, '.', '+'), on strings with other bytes, and on scripts in
// either hex case or not hex at all.
func TestHashNameMatchesOps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.OneOf(
			rapid.StringMatching(`[0-9a-z\-_.+]{0,60}`),
			rapid.StringMatching(`0{0,5}[0-9a-z.]{0,10}`),
			rapid.StringMatching(`\+{40,50}`),
			rapid.String(),
		).Draw(t, "name")
		want, werr := ops.B40ToBin(name)
		if got, ok := appendB40([]byte("x"), name); ok {
			if werr != nil || string(got) != "x"+string(want) {
				t.Fatalf("appendB40(%q) = %x, ops %x (%v)", name, got[1:], want, werr)
			}
		} else if werr == nil && len(name) <= 48 {
			t.Fatalf("appendB40(%q) refused a base-40 string", name)
		}
		script := rapid.OneOf(
			rapid.StringMatching(`[0-9a-f]{0,50}`),
			rapid.StringMatching(`[0-9A-Fa-f]{0,50}`),
			rapid.String(),
		).Draw(t, "script")
		addr := rapid.String().Draw(t, "addr")
		got, ok := hashName(name, script, addr)
		raw, err := hex.DecodeString(script)
		var exp string
		if err == nil {
			exp, err = ops.PreorderHash(name, raw, addr)
		}
		if ok != (err == nil) || got != exp {
			t.Fatalf("hashName(%q, %q, %q) = %q %v, ops %q %v", name, script, addr, got, ok, exp, err)
		}
	})
}
