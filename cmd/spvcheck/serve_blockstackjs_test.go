package main_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
	"github.com/spvcheck/spvcheck/testvectors"
	"github.com/stretchr/testify/require"
)

// servedChain is the demo's history plus one block of profile zone files,
// synced by the light client into a data directory.
type servedChain struct {
	dir      string
	script   *scenario.Script
	profiles *http.ServeMux // serves the profile token files on tokens
	tokens   string         // http://127.0.0.1:PORT of the token server
	// zone files of the extra block: travel.blog's points at a token that
	// alice (its owner) signed, garden.blog's at one alice signed for a
	// name carol owns.
	travelZone, gardenZone string
}

// buildServedChain writes the default scenario and one more block onto a
// fresh regtest node: alice and carol update travel.blog and garden.blog
// with zone files whose URI records point at a token server on loopback,
// whose port is fixed before the chain is written. Then `spvcheck sync`
// verifies it all into a data directory, and the node stops.
func buildServedChain(t *testing.T, js *jsClient) *servedChain {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := regtest.BuildBtcd(ctx); err != nil {
		t.Fatal(err)
	}
	c := &servedChain{dir: filepath.Join(t.TempDir(), "served"), script: scenario.Default(), profiles: http.NewServeMux()}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tokenSrv := &http.Server{Handler: c.profiles, ReadHeaderTimeout: 10 * time.Second}
	t.Cleanup(func() { _ = tokenSrv.Close(); _ = ln.Close() })
	c.tokens = "http://" + ln.Addr().String()
	c.travelZone = profileZoneFile("travel.blog", c.tokens+"/travel.blog/profile.json")
	c.gardenZone = profileZoneFile("garden.blog", c.tokens+"/garden.blog/profile.json")

	last := c.script.Steps[len(c.script.Steps)-1].Height
	c.script.Steps = append(c.script.Steps, scenario.Step{Height: last + 1, Note: "profile zone files on loopback", Ops: []scenario.Expect{
		scenario.Accept(scenario.NameUpdate{From: "alice", Name: "travel.blog", Zone: c.travelZone}),
		scenario.Accept(scenario.NameUpdate{From: "carol", Name: "garden.blog", Zone: c.gardenZone}),
	}})

	node, err := regtest.Start(ctx, regtest.Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, node.Stop()) }()
	res, err := (&scenario.Runner{Node: node}).Run(ctx, c.script)
	require.NoError(t, err)
	_, err = node.Generate(ctx, spv.DefaultConfirmationDepth)
	require.NoError(t, err)
	spvcheck(t, "sync", "--network", "regtest", "--peer", node.P2PAddr(), "--datadir", c.dir).
		expect(t, 0, "tip block "+strconv.FormatUint(res.Tip, 10))

	// The owners' tokens, signed by blockstack.js itself.
	profile := blockstackProfile()
	alice, err := c.script.PrivateKey("alice")
	require.NoError(t, err)
	signed := js.signProfile(t, alice, profile)
	c.profiles.HandleFunc("GET /travel.blog/profile.json", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(signed) })
	c.profiles.HandleFunc("GET /garden.blog/profile.json", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(signed) })
	go func() { _ = tokenSrv.Serve(ln) }()
	return c
}

func blockstackProfile() map[string]any {
	return map[string]any{
		"@type": "Person", "name": "Alice", "description": "travel notes, verified from Bitcoin by spvcheck",
		"account": []any{map[string]any{"@type": "Account", "service": "web", "identifier": "https://travel.blog.example"}},
	}
}

// jsLookup is the part of `spvcheck lookup --json` the test compares.
type jsLookup struct {
	Found   bool `json:"found"`
	Summary struct {
		Owner           string  `json:"owner_address"`
		ZonefileHash    *string `json:"zonefile_hash"`
		ExpiresAt       int64   `json:"expires_at"`
		RenewalDeadline int64   `json:"renewal_deadline"`
		NeverExpires    bool    `json:"never_expires"`
		Revoked         bool    `json:"revoked"`
		Status          string  `json:"status"`
		LastTxid        string  `json:"last_txid"`
	} `json:"summary"`
	VerifiedAt struct {
		Height        uint64 `json:"height"`
		ConsensusHash string `json:"consensus_hash"`
	} `json:"verified_at"`
}

func lookupName(t *testing.T, dir, name string) jsLookup {
	t.Helper()
	r := spvcheck(t, "lookup", name, "--datadir", dir, "--json")
	r.expect(t, 0)
	var l jsLookup
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &l), r.stdout)
	require.True(t, l.Found)
	return l
}

type statusJSON struct {
	Tip struct {
		Height        uint64 `json:"height"`
		ConsensusHash string `json:"consensus_hash"`
	} `json:"tip"`
}

type namesJSON struct {
	Names []struct {
		Name   string  `json:"name"`
		Owner  string  `json:"owner_address"`
		Zone   *string `json:"zonefile_hash"`
		Status string  `json:"status"`
	} `json:"names"`
}

// TestServeBlockstackJS drives blockstack.js 21.1.1, unchanged, against
// `spvcheck serve` on the demo's history (plus one block of profile zone
// files), and requires every answer to equal what the CLI says about the
// same store: owners, zone-file hashes and zone files, the consensus hash,
// names owned, and prices; zone-file uploads accepted only for announced
// hashes; lookupProfile resolving a profile token on loopback signed by the
// name's owner and refusing one signed by someone else.
func TestServeBlockstackJS(t *testing.T) {
	js := blockstackJS(t)
	c := buildServedChain(t, js)

	// What the CLI says, before anything is served.
	var status statusJSON
	r := spvcheck(t, "status", "--datadir", c.dir, "--json")
	r.expect(t, 0)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &status))
	var table namesJSON
	r = spvcheck(t, "names", "--datadir", c.dir, "--json")
	r.expect(t, 0)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &table))
	require.Len(t, table.Names, 33)

	// The real mainnet zone files: the five the history announced are
	// accepted, the other 1,626 refused as unknown.
	r = spvcheck(t, "zonefiles", "import", testvectors.Path(testvectors.ZoneFilesName), "--datadir", c.dir, "--json")
	r.expect(t, 0)
	var imported struct{ Accepted, Unknown, Malformed int }
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &imported), r.stdout)
	require.Equal(t, struct{ Accepted, Unknown, Malformed int }{5, 1626, 0}, imported)

	priced := []string{"alice.blog", "x.blog", "abcdefghij.blog", "brief.temp", "peggy.shop", "alice.club", "zz.club", "any.nons"}
	namespaces := []string{"blog", "club", "shop", "temp", "nons"}
	facts := readStoreFacts(t, c.dir, status.Tip.Height, priced, append(namespaces, "newns"))
	require.Len(t, facts.namePrices, len(priced)-1, "every name but any.nons has a price")
	require.Len(t, facts.namespaces, 4)

	srv, base := startServe(t, "--datadir", c.dir)
	t.Logf("serve at %s", base)

	// The CLI's answers, read while serve holds the store.
	var during statusJSON
	r = spvcheck(t, "status", "--datadir", c.dir, "--json")
	r.expect(t, 0)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &during))
	require.Equal(t, status, during)
	names := []string{"alice.blog", "dave.blog", "news.blog", "photos.blog", "alice.club", "travel.blog",
		"garden.blog", "heidi.blog", "bob.blog", "vault.club", "peggy.shop", "founder.blog"}
	lookups := map[string]jsLookup{}
	for _, n := range names {
		lookups[n] = lookupName(t, c.dir, n)
		require.Equal(t, status.Tip.Height, lookups[n].VerifiedAt.Height)
	}
	owners := []string{"alice", "bob", "carol", "heidi", "trent", "stx-2"}
	addrs, err := c.script.Addresses()
	require.NoError(t, err)

	zones, err := testvectors.ZoneFiles()
	require.NoError(t, err)
	announced := map[string]bool{}
	for _, h := range scenario.RealZoneFileHashes() {
		announced[h] = true
	}
	var unannounced testvectors.ZoneFile
	for _, z := range zones {
		if !announced[z.Hash] {
			unannounced = z
			break
		}
	}
	realZones, err := testvectors.ZoneFilesByHash(scenario.RealZoneFileHashes()...)
	require.NoError(t, err)

	var tasks []jsTask
	// Uploads first: the profile zone files reach the server through
	// blockstack.js itself.
	tasks = append(tasks,
		task("broadcastZoneFile", c.travelZone),
		task("broadcastZoneFile", c.gardenZone),
		task("broadcastZoneFile", string(unannounced.Bytes)),
		task("broadcastZoneFile", "$ORIGIN nobody.blog\n$TTL 3600\n"),
		task("getConsensusHash"),
	)
	for _, n := range names {
		tasks = append(tasks, task("getNameInfo", n))
	}
	tasks = append(tasks, task("getNameInfo", "nobody.blog"))
	for _, z := range realZones {
		tasks = append(tasks, task("getZonefile", z.Hash))
	}
	tasks = append(tasks, task("getZonefile", unannounced.Hash))
	for _, o := range owners {
		tasks = append(tasks, task("getNamesOwned", addrs[o]))
	}
	for _, n := range priced {
		tasks = append(tasks, task("getNamePrice", n))
	}
	for _, ns := range append(namespaces, "newns") {
		tasks = append(tasks, task("getNamespacePrice", ns))
		if ns != "newns" {
			tasks = append(tasks, task("getNamespaceInfo", ns))
		}
	}
	tasks = append(tasks, task("lookupProfile", "travel.blog"), task("lookupProfile", "garden.blog"))

	ans := js.run(t, base, tasks)
	byCall := map[string]jsAnswer{}
	for _, a := range ans {
		t.Log(a)
		key := a.Fn
		if len(a.Args) > 0 {
			key += " " + fmt.Sprint(a.Args[0])
		}
		byCall[key] = a
	}
	get := func(fn, arg string) jsAnswer {
		t.Helper()
		key := fn
		if arg != "" {
			key += " " + arg
		}
		a, ok := byCall[key]
		require.True(t, ok, "no answer for %s", key)
		return a
	}
	okResult := func(fn, arg string, into any) {
		t.Helper()
		a := get(fn, arg)
		require.True(t, a.OK, a.String())
		require.NoError(t, json.Unmarshal(a.Result, into), a.String())
	}

	// Uploads: announced zone files are stored, others refused.
	var servers []any
	okResult("broadcastZoneFile", c.travelZone, &servers)
	okResult("broadcastZoneFile", c.gardenZone, &servers)
	require.Equal(t, "remote_service_error", get("broadcastZoneFile", string(unannounced.Bytes)).Code, "an unannounced real zone file")
	require.Equal(t, "remote_service_error", get("broadcastZoneFile", "$ORIGIN nobody.blog\n$TTL 3600\n").Code)

	// The consensus hash is status's.
	var ch string
	okResult("getConsensusHash", "", &ch)
	require.Equal(t, status.Tip.ConsensusHash, ch)

	// Every name record is lookup's: owner (coerced by blockstack.js to
	// mainnet's version byte), zone-file hash and zone file, status,
	// expiry, last txid.
	zoneByHash := map[string]string{
		testvectors.ZoneHash([]byte(c.travelZone)): c.travelZone,
		testvectors.ZoneHash([]byte(c.gardenZone)): c.gardenZone,
	}
	for _, z := range realZones {
		zoneByHash[z.Hash] = string(z.Bytes)
	}
	for _, n := range names {
		l := lookups[n].Summary
		var info struct {
			Status          string  `json:"status"`
			Address         string  `json:"address"`
			Zonefile        *string `json:"zonefile"`
			ZonefileHash    *string `json:"zonefile_hash"`
			LastTxid        string  `json:"last_txid"`
			ExpireBlock     int64   `json:"expire_block"`
			RenewalDeadline int64   `json:"renewal_deadline"`
			Blockchain      string  `json:"blockchain"`
		}
		okResult("getNameInfo", n, &info)
		require.Equal(t, mainnetAddress(t, l.Owner), info.Address, n)
		require.Equal(t, l.ZonefileHash, info.ZonefileHash, n)
		require.Equal(t, l.LastTxid, info.LastTxid, n)
		require.Equal(t, "bitcoin", info.Blockchain, n)
		if l.Revoked {
			require.Equal(t, "revoked", info.Status, n)
		} else {
			require.Equal(t, "registered", info.Status, n)
		}
		if l.NeverExpires {
			require.Equal(t, int64(-1), info.ExpireBlock, n)
		} else {
			require.Equal(t, l.ExpiresAt, info.ExpireBlock, n)
			require.Equal(t, l.RenewalDeadline, info.RenewalDeadline, n)
		}
		if l.ZonefileHash == nil {
			require.Nil(t, info.Zonefile, n)
			continue
		}
		want, ok := zoneByHash[*l.ZonefileHash]
		if !ok {
			// A placeholder zone file of the scenario: never uploaded,
			// so the server has none to give.
			require.Nil(t, info.Zonefile, "%s: the server has no zone file for %s", n, *l.ZonefileHash)
			continue
		}
		require.NotNil(t, info.Zonefile, n)
		require.Equal(t, want, *info.Zonefile, n)
	}
	require.Equal(t, "Name not found", get("getNameInfo", "nobody.blog").Error)

	// Zone files by hash: the real ones byte for byte (blockstack.js
	// re-hashes them too), an unannounced one not at all.
	for _, z := range realZones {
		var text string
		okResult("getZonefile", z.Hash, &text)
		require.Equal(t, string(z.Bytes), text)
	}
	require.Equal(t, "Bad response status: 404", get("getZonefile", unannounced.Hash).Error)

	// Names owned: the names the table gives each owner that are neither
	// revoked nor past their grace period (the reference's
	// namedb_get_names_owned_by_address counts a name in its grace period
	// as unexpired): heidi's revoked name is not hers any more, trent's
	// brief.temp still is.
	for _, o := range owners {
		want := []string{}
		for _, n := range table.Names {
			if n.Owner == addrs[o] && (n.Status == "registered" || n.Status == "grace-period") {
				want = append(want, n.Name)
			}
		}
		var got []string
		okResult("getNamesOwned", addrs[o], &got)
		slices.Sort(got)
		slices.Sort(want)
		require.Equal(t, want, got, "names owned by %s", o)
	}

	// lookupProfile: the token alice signed resolves for her travel.blog;
	// the same token under carol's garden.blog is refused.
	var prof map[string]any
	okResult("lookupProfile", "travel.blog", &prof)
	require.Equal(t, blockstackProfile(), prof)
	require.Contains(t, get("lookupProfile", "garden.blog").Error, "does not match the verifying value")

	// Prices: the consensus price rules at the next block, as
	// blockstack.js reads them (v2 first; BTC raised to its dust minimum).
	for _, n := range priced {
		want, ok := facts.namePrices[n]
		a := get("getNamePrice", n)
		if !ok {
			require.False(t, a.OK, "%s has no namespace: %s", n, a)
			continue
		}
		var got jsPrice
		okResult("getNamePrice", n, &got)
		require.Equal(t, want, got, n)
	}
	for _, id := range append(namespaces, "newns") {
		want, ok := facts.namespacePrices[id]
		require.True(t, ok, "every namespace ID has a price")
		var got jsPrice
		okResult("getNamespacePrice", id, &got)
		require.Equal(t, want, got, id)
	}
	// Namespace records, the fields blockstack.js reads.
	for _, id := range namespaces {
		ns, ok := facts.namespaces[id]
		if !ok {
			require.Equal(t, "Namespace not found", get("getNamespaceInfo", id).Error)
			continue
		}
		var got struct {
			ID               string `json:"namespace_id"`
			Address          string `json:"address"`
			RecipientAddress string `json:"recipient_address"`
			Version          int    `json:"version"`
			RevealBlock      uint64 `json:"reveal_block"`
			ReadyBlock       uint64 `json:"ready_block"`
		}
		okResult("getNamespaceInfo", id, &got)
		require.Equal(t, id, got.ID)
		require.Equal(t, mainnetAddress(t, ns.Address), got.Address, id)
		require.Equal(t, mainnetAddress(t, ns.RecipientAddress), got.RecipientAddress, id)
		require.Equal(t, ns.Version, got.Version, id)
		require.Equal(t, ns.RevealBlock, got.RevealBlock, id)
		require.Equal(t, ns.ReadyBlock, got.ReadyBlock, id)
	}

	checkRawAPI(t, base, c, status)

	if code := srv.stop(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("serve exited %d on SIGTERM, want 0\nstdout:\n%s\nstderr:\n%s", code, srv.stdout, srv.stderr)
	}
}

// storeFacts is what the consensus package reads from the store before
// serve starts: prices at the next block and namespace records.
type storeFacts struct {
	namePrices      map[string]jsPrice // missing: no such namespace
	namespacePrices map[string]jsPrice
	namespaces      map[string]*consensus.Namespace
}

type jsPrice struct {
	Units  string `json:"units"`
	Amount string `json:"amount"`
}

// readStoreFacts opens the data directory's store read-only and reads
// name and namespace prices at tip+1 (the block a preorder sent now would
// land in) from the consensus price rules, and namespace records.
func readStoreFacts(t *testing.T, dir string, tip uint64, names, nss []string) storeFacts {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := snapshot.Open(ctx, filepath.Join(dir, "store"), snapshot.Options{ReadOnly: true})
	require.NoError(t, err)
	defer st.Close()
	v := consensus.NewView(consensus.Regtest(), st)
	f := storeFacts{namePrices: map[string]jsPrice{}, namespacePrices: map[string]jsPrice{}, namespaces: map[string]*consensus.Namespace{}}
	for _, n := range names {
		amount, units, ok, err := v.NamePrice(n, tip+1)
		require.NoError(t, err)
		if ok {
			f.namePrices[n] = jsPrice{Units: units, Amount: dust(units, amount)}
		}
	}
	for _, id := range nss {
		if amount, units, ok := v.NamespacePrice(id, tip+1); ok {
			f.namespacePrices[id] = jsPrice{Units: units, Amount: dust(units, amount)}
		}
		ns, err := v.Namespace(id)
		require.NoError(t, err)
		if ns != nil {
			f.namespaces[id] = ns
		}
	}
	return f
}

// dust is blockstack.js's view of a price: BTC amounts below its dust
// minimum (5,500 satoshis) are raised to it.
func dust(units string, amount *big.Int) string {
	if units == "BTC" && amount.Cmp(big.NewInt(5500)) < 0 {
		return "5500"
	}
	return amount.String()
}

// rawAnswer is one HTTP exchange.
type rawAnswer struct {
	code   int
	header http.Header
	body   []byte
}

func (a rawAnswer) json(t *testing.T, into any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.body, into), "body %q", a.body)
}

func rawRequest(t *testing.T, method, url, contentType string, body []byte) rawAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "%s %s", method, url)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"), "%s %s: every answer allows any origin", method, url)
	return rawAnswer{resp.StatusCode, resp.Header, b}
}

// checkRawAPI asks what blockstack.js does not: shapes, status codes and
// error bodies of core-api.md, with plain HTTP.
func checkRawAPI(t *testing.T, base string, c *servedChain, status statusJSON) {
	t.Helper()
	get := func(path string) rawAnswer { return rawRequest(t, http.MethodGet, base+path, "", nil) }
	wantError := func(a rawAnswer, code int, path string) {
		t.Helper()
		require.Equal(t, code, a.code, "%s: %s", path, a.body)
		var e map[string]any
		a.json(t, &e)
		require.IsType(t, "", e["error"], "%s: an error body is {\"error\": message}: %s", path, a.body)
	}
	judecn := string(mustZoneFile(t, "737c631c7c5d911c6617993c21fba731363f1cfe").Bytes)

	// Names.
	a := get("/v1/names/alice.blog")
	require.Equal(t, 200, a.code)
	var rec map[string]any
	a.json(t, &rec)
	require.Equal(t, judecn, rec["zonefile"])
	require.Equal(t, 200, get("/v1/names/alice.blog/").code, "a trailing slash still matches")
	a = get("/v1/names/nobody.blog")
	require.Equal(t, 404, a.code)
	require.JSONEq(t, `{"status": "available"}`, string(a.body))
	wantError(get("/v1/names/Alice.blog"), 400, "invalid name (upper case)")
	wantError(get("/v1/no/such/endpoint"), 404, "unknown route")
	require.JSONEq(t, `{"error": "No such endpoint"}`, string(get("/v1/no/such/endpoint").body))

	// Zone files of a name, and by hash.
	a = get("/v1/names/alice.blog/zonefile")
	require.Equal(t, 200, a.code)
	var zf map[string]any
	a.json(t, &zf)
	require.Equal(t, judecn, zf["zonefile"])
	a = get("/v1/names/alice.blog/zonefile?raw=1")
	require.Equal(t, 200, a.code)
	require.Equal(t, judecn, string(a.body))
	wantError(get("/v1/names/bob.blog/zonefile"), 404, "a name without a zone file")
	a = get("/v1/names/alice.blog/zonefile/737c631c7c5d911c6617993c21fba731363f1cfe")
	require.Equal(t, 200, a.code)
	a.json(t, &zf)
	require.Equal(t, judecn, zf["zonefile"])
	wantError(get("/v1/names/dave.blog/zonefile/737c631c7c5d911c6617993c21fba731363f1cfe"), 404, "a hash another name set")
	a = get("/v1/zonefiles/737c631c7c5d911c6617993c21fba731363f1cfe")
	require.Equal(t, 200, a.code)
	require.Equal(t, judecn, string(a.body))
	require.Equal(t, "application/octet-stream", a.header.Get("Content-Type"))
	require.Equal(t, 404, get("/v1/zonefiles/"+strings.Repeat("0", 40)).code)

	// Uploads: a real announced zone file as base64 is accepted again; an
	// unannounced one, an oversized one and a body that is not JSON are
	// refused with 400.
	post := func(body string) rawAnswer {
		return rawRequest(t, http.MethodPost, base+"/v1/zonefile", "application/json", []byte(body))
	}
	a = post(`{"zonefile_b64": "` + base64.StdEncoding.EncodeToString([]byte(judecn)) + `"}`)
	require.Equal(t, 200, a.code, "%s", a.body)
	var ok map[string]any
	a.json(t, &ok)
	require.Equal(t, true, ok["status"])
	wantError(post(`{"zonefile": "$ORIGIN nobody.blog\n"}`), 400, "unannounced")
	big := strings.Repeat("x", 40961)
	wantError(post(`{"zonefile": "`+big+`"}`), 400, "over 40,960 bytes")
	wantError(post(`not json`), 400, "not JSON")

	// Listings.
	a = get("/v1/names?page=0")
	require.Equal(t, 200, a.code)
	var listed []string
	a.json(t, &listed)
	require.Contains(t, listed, "alice.blog")
	require.Contains(t, listed, "travel.blog")
	wantError(get("/v1/names"), 400, "no page")
	wantError(get("/v1/names?page=x"), 400, "bad page")
	a = get("/v1/namespaces")
	require.Equal(t, 200, a.code)
	var nss []string
	a.json(t, &nss)
	for _, id := range []string{"blog", "club", "shop", "temp"} {
		require.Contains(t, nss, id)
	}
	a = get("/v1/namespaces/club/names?page=0")
	require.Equal(t, 200, a.code)
	a.json(t, &listed)
	slices.Sort(listed)
	require.Equal(t, []string{"alice.club", "vault.club"}, listed)
	wantError(get("/v1/namespaces/nons"), 404, "no such namespace")

	// Addresses, consensus, counts, info.
	wantError(get("/v1/addresses/bitcoin/notanaddress"), 400, "invalid address")
	a = get("/v1/blockchains/bitcoin/consensus")
	require.Equal(t, 200, a.code)
	require.JSONEq(t, `{"consensus_hash": "`+status.Tip.ConsensusHash+`"}`, string(a.body))
	a = get("/v1/blockchains/bitcoin/name_count")
	require.Equal(t, 200, a.code)
	var count map[string]any
	a.json(t, &count)
	require.IsType(t, float64(0), count["names_count"], "%s", a.body)
	a = get("/v1/info")
	require.Equal(t, 200, a.code)
	var info map[string]any
	a.json(t, &info)
	require.Equal(t, status.Tip.ConsensusHash, info["consensus"])
	require.Equal(t, float64(status.Tip.Height), info["last_block_processed"])

	// Prices: invalid names are 400, unknown namespaces 404.
	wantError(get("/v2/prices/names/Alice.blog"), 400, "invalid name price")
	wantError(get("/v2/prices/names/any.nons"), 404, "unknown namespace price")
	a = get("/v2/prices/names/alice.club")
	require.Equal(t, 200, a.code)
	var price struct {
		NamePrice map[string]any `json:"name_price"`
	}
	a.json(t, &price)
	require.Equal(t, "STACKS", price.NamePrice["units"])
	require.NotContains(t, price.NamePrice, "satoshis", "STACKS prices carry no satoshis")
	// A BTC price in both versions: v2's decimal string is v1's satoshis
	// (what blockstack.js falls back to), below the dust minimum here.
	var v2, v1 struct {
		NamePrice map[string]any `json:"name_price"`
	}
	a = get("/v2/prices/names/alice.blog")
	require.Equal(t, 200, a.code)
	a.json(t, &v2)
	require.Equal(t, "BTC", v2.NamePrice["units"])
	a = get("/v1/prices/names/alice.blog")
	require.Equal(t, 200, a.code)
	a.json(t, &v1)
	sat, isNumber := v1.NamePrice["satoshis"].(float64)
	require.True(t, isNumber, "v1 name_price.satoshis is a number: %s", a.body)
	require.Equal(t, v2.NamePrice["amount"], strconv.FormatFloat(sat, 'f', -1, 64))
	require.Less(t, sat, 5500.0, "alice.blog costs less than blockstack.js's dust minimum")
	// The reference's v2 handler (rpc.py GET_prices_name, as
	// GET_prices_namespace) adds "satoshis" beside amount and units when
	// the units are BTC ("v1 compat"); core-api.md's table says the same.
	t.Run("v2 BTC prices carry satoshis", func(t *testing.T) {
		require.Equal(t, sat, v2.NamePrice["satoshis"], "/v2/prices/names/alice.blog: %v", v2.NamePrice)
	})
}

func mustZoneFile(t *testing.T, hash string) testvectors.ZoneFile {
	t.Helper()
	zs, err := testvectors.ZoneFilesByHash(hash)
	require.NoError(t, err)
	return zs[0]
}
