package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
	"github.com/spvcheck/spvcheck/testvectors"
)

// Real mainnet zone-file hashes of testvectors/zonefiles/name_zonefiles.txt.
const (
	judecnHash = "737c631c7c5d911c6617993c21fba731363f1cfe" // judecn.id's zone file
	zeroIDHash = "c5f5b4197c94d4561f6332160f624d728b0da8bf" // 0.id's zone file
	// unannounced is announced by no operation of the fixture.
	unannounced = "8961c32ad98df87af12b186c3d0be6ca22105936" // 1.id's zone file
)

// fixture is a store built by the real engine, with a server over it.
//
//	322-324  namespace "id" launched (lifetime 1000), ready at 324
//	325-327  namespace "test" launched (lifetime 3), ready at 327
//	328-329  judecn.id (alice), bob.id (bob), carol.id (carol), gone.id (alice)
//	330      judecn.id and bob.id set real zone-file hashes
//	331      carol.id transferred to dave
//	332-333  short.test (dave)
//	334      gone.id revoked
//	tip 340  (epoch 3: lifetime multiplier 2, grace period 5000)
type fixture struct {
	w                       *world
	srv                     *Server
	zf                      *zonefiles.Store
	alice, bob, carol, dave key
	regTx, updTx, updBobTx  string
	xferTx, revokeTx, preTx string
	shortTx                 string
	judecnZF                []byte
}

func newFixture(t testing.TB) *fixture {
	w := newWorld(t)
	f := &fixture{w: w}
	p := w.p
	f.alice, f.bob, f.carol, f.dave = newKey(p, "alice"), newKey(p, "bob"), newKey(p, "carol"), newKey(p, "dave")
	w.skipTo(322)
	w.launch(f.alice, f.bob, "id", 1000)
	w.launch(f.alice, f.bob, "test", 3)
	owners := []key{f.alice, f.bob, f.carol, f.alice}
	names := []string{"judecn.id", "bob.id", "carol.id", "gone.id"}
	pre, reg := w.registerAll(owners, names)
	f.preTx = pre.Ops[0].Txid
	f.regTx = reg.Ops[0].Txid
	res := w.block(w.update(f.alice, "judecn.id", judecnHash), w.update(f.bob, "bob.id", zeroIDHash))
	f.updTx, f.updBobTx = res.Ops[0].Txid, res.Ops[1].Txid
	f.xferTx = w.block(w.transfer(f.carol, f.dave, "carol.id")).Ops[0].Txid
	_, reg = w.registerAll([]key{f.dave}, []string{"short.test"})
	f.shortTx = reg.Ops[0].Txid
	f.revokeTx = w.block(revoke(f.alice, "gone.id")).Ops[0].Txid
	w.skipTo(341)

	zf, err := zonefiles.Open(t.TempDir())
	require.NoError(t, err)
	f.zf = zf
	f.srv, err = New(Config{Store: w.st, Params: p, Zonefiles: zf, Version: "test-1", BaseURL: "http://127.0.0.1:6270"})
	require.NoError(t, err)
	f.judecnZF = realZonefile(t, judecnHash)
	return f
}

// realZonefile returns the bytes of a zone file of the real table.
func realZonefile(t testing.TB, hash string) []byte {
	fh, err := os.Open(testvectors.Path("zonefiles", "name_zonefiles.txt"))
	require.NoError(t, err)
	defer fh.Close()
	var out []byte
	require.NoError(t, zonefiles.ParseExport(fh, func(e zonefiles.Entry) error {
		if e.Hash == hash {
			out = e.Data
		}
		return nil
	}))
	require.NotNil(t, out, hash)
	return out
}

// answer is one recorded response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, h http.Handler, method, target string, body []byte, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req = req.WithContext(context.Background())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}
