package ops

import (
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestCheckNameSaysWhichRule(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ALICE.CLUB", `lower case (did you mean "alice.club"?)`},
		{"A..b", "2 dots"},
		{"", "empty"},
		{strings.Repeat("a", 2000), "more than 37 in all"},
		{"alice", "no namespace"},
		{"c1b4ef0f9d8b3b8e2a3f6a1f6e4d53c0d2b5c0a6f5e4d3c2b1a0f9e8d7c6b5a4", "more than 37"},
		{".club", "empty label"},
		{"alice.", "empty namespace"},
		{"al ice.club", `" " is not allowed in a label`},
		{"al+ice.club", "'+' is not allowed"},
		{"alice.cl+ub", "its namespace: '+' is not allowed"},
		{"alice.abcdefghijklmnopqrstu", "its namespace"},
		{"Ålice.club", "upper case"},
	} {
		err := CheckName(tc.in)
		if err == nil {
			t.Errorf("CheckName(%q) = nil", tc.in)
			continue
		}
		if !errors.Is(err, &Error{Code: ErrInvalidName}) {
			t.Errorf("CheckName(%q) = %v, not ErrInvalidName", tc.in, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckName(%q) = %q, want it to say %q", tc.in, err, tc.want)
		}
	}
	for _, ok := range []string{"alice.club", "muneeb.id", "a-b_c.x1", "0.id"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", "empty"}, {"ID", "lower case"}, {"a.b", "no dot"}, {strings.Repeat("x", 20), "more than 19"}, {"a+b", "'+'"},
	} {
		err := CheckNamespaceID(tc.in)
		if err == nil || !errors.Is(err, &Error{Code: ErrInvalidNamespaceID}) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckNamespaceID(%q) = %v, want ErrInvalidNamespaceID saying %q", tc.in, err, tc.want)
		}
	}
}

// CheckName and CheckNamespaceID accept exactly what the consensus
// predicates accept.
func TestCheckNameAgreesWithTheRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(
			rapid.String(),
			rapid.StringMatching(`[a-zA-Z0-9+_.\-\n ]{0,40}`),
		).Draw(t, "s")
		if (CheckName(s) == nil) != IsNameValid(s) {
			t.Fatalf("CheckName(%q) = %v, IsNameValid = %v", s, CheckName(s), IsNameValid(s))
		}
		if (CheckNamespaceID(s) == nil) != IsNamespaceIDValid(s) {
			t.Fatalf("CheckNamespaceID(%q) = %v, IsNamespaceIDValid = %v", s, CheckNamespaceID(s), IsNamespaceIDValid(s))
		}
	})
}
