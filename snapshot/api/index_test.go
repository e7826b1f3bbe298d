package api

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
	"github.com/spvcheck/spvcheck/testvectors"
)

// The genesis table imports under the Atlas rule: the fixture announced
// two of its 1,631 zone files.
func TestImportZonefiles(t *testing.T) {
	f := newFixture(t)
	fh, err := os.Open(testvectors.Path("zonefiles", "name_zonefiles.txt"))
	require.NoError(t, err)
	defer fh.Close()
	rep, err := ImportZonefiles(context.Background(), f.w.st, f.w.p, f.zf, fh)
	require.NoError(t, err)
	require.Equal(t, ImportReport{Accepted: 2, Unknown: 1629, Malformed: 0}, rep)
	hs, err := f.zf.Hashes()
	require.NoError(t, err)
	require.Equal(t, []string{judecnHash, zeroIDHash}, hs)

	// Malformed entries are counted, not fatal.
	good := f.judecnZF
	in := judecnHash + "\n" + strings.ReplaceAll(string(good), "\n", `\n`) + "\n" +
		"nothex\nzone\n" + zeroIDHash + "\nnot the zone file\n" + unannounced + "\n" +
		strings.ReplaceAll(string(realZonefile(t, unannounced)), "\n", `\n`) + "\n"
	rep, err = ImportZonefiles(context.Background(), f.w.st, f.w.p, f.zf, strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, ImportReport{Accepted: 1, Unknown: 1, Malformed: 2}, rep)
	_, err = ImportZonefiles(context.Background(), f.w.st, f.w.p, nil, strings.NewReader(in))
	require.Error(t, err)
}

// A long-lived server answers exactly as a fresh one over the same store
// after blocks are applied, rewound, and replaced by another branch: its
// index of announcements and creations follows the chain.
func TestIndexFollowsReorgs(t *testing.T) {
	f := newFixture(t)
	paths := []string{"/v1/names/judecn.id", "/v1/names/gone.id", "/v1/names/carol.id",
		"/v1/names/short.test", "/v1/names/new.id", "/v1/names/bob.id"}
	check := func(step string) map[string]string {
		fresh, err := New(Config{Store: f.w.st, Params: f.w.p, Zonefiles: f.zf, Version: "test-1"})
		require.NoError(t, err)
		out := map[string]string{}
		for _, p := range paths {
			a, b := do(t, f.srv, "GET", p, nil), do(t, fresh, "GET", p, nil)
			require.Equal(t, b.status, a.status, "%s %s", step, p)
			require.Equal(t, string(b.body), string(a.body), "%s %s", step, p)
			out[p] = string(a.body)
		}
		return out
	}
	admitted := func(data []byte) bool {
		body, _ := json.Marshal(map[string]string{"zonefile": string(data)})
		a := do(t, f.srv, "POST", "/v1/zonefile", body, "Content-Type", "application/json")
		return a.status == 200
	}
	before := check("start")
	require.Contains(t, before["/v1/names/gone.id"], "-1\"")
	require.NoError(t, f.w.st.Rewind(context.Background(), 11)) // tip 329: registrations only
	f.w.restart()
	require.Equal(t, uint64(329), f.w.tip())
	mid := check("rewound")
	require.Contains(t, mid["/v1/names/judecn.id"], `"zonefile_hash": null`)
	require.False(t, admitted(f.judecnZF), "judecn.id's hash is not announced on this branch")

	// Another branch: judecn.id takes 0.id's zone-file hash, alice
	// registers new.id (her third creation) and gives up gone.id.
	f.w.block(f.w.update(f.alice, "judecn.id", zeroIDHash))
	f.w.registerAll([]key{f.alice}, []string{"new.id"})
	f.w.block(revoke(f.alice, "gone.id"))
	after := check("other branch")
	require.Contains(t, after["/v1/names/new.id"], "did:stack:v0:"+f.alice.addr+"-2")
	require.Contains(t, after["/v1/names/judecn.id"], `"zonefile_hash": "`+zeroIDHash+`"`)
	require.Contains(t, after["/v1/names/short.test"], `"status": "available"`)
	require.False(t, admitted(f.judecnZF))
	require.True(t, admitted(realZonefile(t, zeroIDHash)))
	hs, err := f.zf.Hashes()
	require.NoError(t, err)
	require.Equal(t, []string{zeroIDHash}, hs)

	// Refresh follows too.
	f.w.skipTo(f.w.next + 3)
	require.NoError(t, f.srv.Refresh(context.Background()))
	check("refreshed")
	_ = zonefiles.MaxSize
}
