package judge

import (
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/testvectors"
)

// A reject record for any builder with any arguments is judged from the
// call itself: refused arguments pass, arguments our encoder accepts fail,
// and a record the judge cannot read fails rather than passes.
func TestRejectRecordsOfAnyBuilder(t *testing.T) {
	rec := func(fn, args, msg string) *testvectors.BlockstackJSRecord {
		return &testvectors.BlockstackJSRecord{ID: "x", Kind: "reject", Fn: fn, Error: msg,
			Source: "() => skeletons." + fn + "(" + args + ")"}
	}
	for _, tc := range []struct {
		fn, args, msg string
		ok            bool
		want          string
	}{
		// refused by both
		{"makeUpdateSkeleton", "'a.id', CH[0], 'zz'", "Invalid value hash", true, ""},
		{"makeUpdateSkeleton", "'a.id', 'abcd', '" + strings.Repeat("00", 20) + "'", "Invalid consensus hash", true, ""},
		{"makeRevokeSkeleton", "'A..id'", "Invalid name", true, ""},
		{"makeNamespaceReadySkeleton", "'x'.repeat(20)", "Invalid namespace ID", true, ""},
		{"makeTransferSkeleton", "'a.id', CH[1], 'not-an-address', true", "Invalid address", true, ""},
		{"makePreorderSkeleton", "'a.id', CH[0], addrOf(KEYS.k1c), addrOf(KEYS.k2c), new BN(5500), 'nope'", "Invalid register address", true, ""},
		{"makeNameImportSkeleton", "'a.id', addrOf(KEYS.k1c), '12'", "Invalid zonefile hash", true, ""},
		{"makeTokenTransferSkeleton", "addrOf(KEYS.k1c), CH[0], 'STACKS', new BN('1'), 'y'.repeat(35)", "Invalid scratch area", true, ""},
		{"makeRenewalSkeleton", "'a.id', addrOf(KEYS.k1c), addrOf(KEYS.k1c), addrOf(KEYS.k3c), new BN(1), 'xyz'", "Invalid value hash", true, ""},
		// accepted by our encoder: the record must fail
		{"makeRevokeSkeleton", "'a.id'", "?", false, "built makeRevokeSkeleton"},
		{"makeAnnounceSkeleton", "'" + strings.Repeat("ab", 20) + "'", "Invalid message hash", false, "built"},
		// refused for another reason than blockstack.js names
		{"makeUpdateSkeleton", "'a.id', CH[0], 'zz'", "Invalid name", false, "want ErrInvalidName"},
		// unreadable records
		{"makeFrobSkeleton", "'a.id'", "?", false, "unknown blockstack.js builder"},
		{"makeRevokeSkeleton", "'a.id', 'b', 'c'", "?", false, "takes 1 arguments"},
		{"makeRevokeSkeleton", "someVariable", "?", false, "none of the forms"},
	} {
		err := judgeReject(rec(tc.fn, tc.args, tc.msg))
		if tc.ok && err != nil {
			t.Errorf("%s(%s): %v", tc.fn, tc.args, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s(%s): %v, want an error saying %q", tc.fn, tc.args, err, tc.want)
		}
	}
}
