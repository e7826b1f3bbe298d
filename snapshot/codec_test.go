package snapshot

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestPropertyParseHexHash: parseHexHash accepts exactly the lower-case
// hex strings of the right length, and decodes them as encoding/hex does.
func TestPropertyParseHexHash(t *testing.T) {
	accepted := 0
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.SampledFrom([]int{16, 32}).Draw(t, "n")
		digits := rapid.SampledFrom([]string{"0123456789abcdef", "0123456789abcdefABCDEFgx/:`"}).Draw(t, "digits")
		s := rapid.StringOfN(rapid.RuneFrom([]rune(digits)), 2*n-1, 2*n+1, -1).Draw(t, "s")
		dst := make([]byte, n)
		ok := parseHexHash(s, dst)
		want, err := hex.DecodeString(s)
		valid := err == nil && len(want) == n && s == strings.ToLower(s)
		if ok != valid {
			t.Fatalf("parseHexHash(%q) = %v, want %v", s, ok, valid)
		}
		if ok && !bytes.Equal(dst, want) {
			t.Fatalf("parseHexHash(%q) = %x, want %x", s, dst, want)
		}
		if ok {
			accepted++
		}
	})
	if accepted == 0 {
		t.Fatal("no valid hash was drawn")
	}
}
