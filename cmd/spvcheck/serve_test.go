package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/testvectors"
)

var baseURLRe = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

// startServe starts `spvcheck serve` with args and returns it with its
// base URL, read from the one line it prints when it accepts requests.
func startServe(t *testing.T, args ...string) (*background, string) {
	t.Helper()
	srv := startSpvcheck(t, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	line := srv.waitLine(t, "serving http://", time.Minute)
	url := baseURLRe.FindString(line)
	if url == "" {
		t.Fatalf("serve printed no base URL: %q", line)
	}
	return srv, url
}

// getJSON fetches url and decodes its JSON body into out (when not nil),
// returning the response.
func getJSON(t *testing.T, c *http.Client, url string, out any) (*http.Response, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return resp, fmt.Errorf("GET %s: %d, body %q is not JSON: %w", url, resp.StatusCode, body, err)
		}
	}
	return resp, nil
}

type lookupJSON struct {
	Found      bool `json:"found"`
	VerifiedAt struct {
		Height        uint64 `json:"height"`
		ConsensusHash string `json:"consensus_hash"`
		BlockHash     string `json:"block_hash"`
	} `json:"verified_at"`
	Summary struct {
		Owner        string  `json:"owner_address"`
		ZonefileHash *string `json:"zonefile_hash"`
	} `json:"summary"`
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// serveDemoStore serves the demo's store and checks the contract: flags,
// the base URL line, answers equal to the CLI's, proofs that verify-proof
// accepts, read commands alongside, and a clean stop on SIGINT.
func serveDemoStore(t *testing.T, dir string, tip uint64, tipHash string) {
	spvcheck(t, "serve").expect(t, 2, "spvcheck-test-no-default-datadir", "pass --datadir")
	spvcheck(t, "serve", "--datadir", dir, "--listen", "0.0.0.0:0").expect(t, 2, "not a loopback address", "--allow-remote")
	spvcheck(t, "serve", "--datadir", dir, "--listen", "nonsense").expect(t, 2, "want HOST:PORT")
	spvcheck(t, "serve", "--datadir", dir, "--peer", "127.0.0.1:1").expect(t, 2, "go with --follow")
	spvcheck(t, "serve", "--datadir", dir, "--follow").expect(t, 2, "--follow needs at least one --peer")
	spvcheck(t, "serve", "--datadir", filepath.Join(t.TempDir(), "none")).expect(t, 2, "no such file")

	srv, url := startServe(t, "--datadir", dir)
	c := &http.Client{Timeout: 10 * time.Second}
	var want lookupJSON
	if err := json.Unmarshal([]byte(spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--json").stdout), &want); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Address      string  `json:"address"`
		ZonefileHash *string `json:"zonefile_hash"`
		Zonefile     *string `json:"zonefile"`
		Status       string  `json:"status"`
	}
	resp, err := getJSON(t, c, url+"/v1/names/alice.club", &rec)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || rec.Address != want.Summary.Owner || rec.Status != "registered" ||
		deref(rec.ZonefileHash) != deref(want.Summary.ZonefileHash) {
		t.Fatalf("/v1/names/alice.club: %d %+v, lookup says %+v", resp.StatusCode, rec, want.Summary)
	}
	// The demo stored the real zone file alice.club committed to.
	if rec.Zonefile == nil || rec.ZonefileHash == nil || testvectors.ZoneHash([]byte(*rec.Zonefile)) != *rec.ZonefileHash {
		t.Fatalf("/v1/names/alice.club serves zone file %v for hash %v", rec.Zonefile, deref(rec.ZonefileHash))
	}
	if h, ch := resp.Header.Get("X-Spvcheck-Height"), resp.Header.Get("X-Spvcheck-Consensus-Hash"); h != strconv.FormatUint(tip, 10) || ch != tipHash {
		t.Fatalf("verified-at headers %s %s, want %d %s", h, ch, tip, tipHash)
	}
	var info map[string]any
	if _, err := getJSON(t, c, url+"/v1/info", &info); err != nil || info["consensus"] != tipHash {
		t.Fatalf("/v1/info %v (%v), want consensus %s", info, err, tipHash)
	}
	// It also carries the store's safeguards: the divergence alarm, quiet
	// on the demo's honest history.
	if g, ok := info["safeguards"].(map[string]any); !ok {
		t.Fatalf("/v1/info has no safeguards: %v", info)
	} else if a, ok := g["divergence_alarm"].(map[string]any); !ok || a["raised"] != false || info["warning"] != nil {
		t.Fatalf("/v1/info safeguards %v, warning %v", g, info["warning"])
	}
	// The page that verifies names in the browser is served at /.
	if resp, err := c.Get(url + "/"); err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / of serve: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	var notFound map[string]any
	if resp, err := getJSON(t, c, url+"/no/such/route", &notFound); err != nil || resp.StatusCode != 404 || notFound["error"] != "No such endpoint" {
		t.Fatalf("unknown route: %v %v", notFound, err)
	}
	// The served proof is the document verify-proof checks.
	resp, err = c.Get(url + "/v1/names/alice.club/proof")
	if err != nil {
		t.Fatal(err)
	}
	proof, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	proofFile := filepath.Join(t.TempDir(), "served.proof")
	if err := os.WriteFile(proofFile, proof, 0o644); err != nil {
		t.Fatal(err)
	}
	trusted := strconv.FormatUint(tip, 10) + ":" + tipHash
	spvcheck(t, "verify-proof", proofFile, "--trusted", trusted).expect(t, 0, "valid", "alice.club", want.Summary.Owner)

	// A second server, or a sync, cannot take the store; readers can.
	spvcheck(t, "serve", "--datadir", dir).expect(t, 2, "in use")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := spvcheck(t, "lookup", "alice.club", "--datadir", dir)
			if r.code != 0 {
				t.Errorf("lookup while serve ran: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		}()
	}
	wg.Wait()
	spvcheck(t, "status", "--datadir", dir).expect(t, 0, "held by        spvcheck serve", url)
	if code := srv.stop(t, os.Interrupt, 30*time.Second); code != 0 {
		t.Fatalf("serve exited %d after SIGINT\n%s%s", code, srv.stdout, srv.stderr)
	}
	if _, err := c.Get(url + "/v1/info"); err == nil {
		t.Fatal("the server still answers after it stopped")
	}
}

// answer is what one reader saw: the block an answer says it was verified
// at.
type answer struct {
	height uint64
	ch     string
}

// serveFollowingThroughReorg runs `serve --follow` against the demo's node
// while 8 CLI readers and 4 HTTP clients ask it about a name, mines new
// blocks, and replaces the newest applied blocks with a longer branch,
// while 16 stalled clients hold connections open.
// Every answer must name a block and consensus hash that the store held at
// some point, no reader may fail, and the server ends on the winning chain
// and stops with exit 0 on SIGTERM.
func serveFollowingThroughReorg(t *testing.T, p2p, rpcAddr string, tip uint64, tipHash string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rpc := regtest.NewRPCClient("http://"+rpcAddr, "spvcheck", "spvcheck")
	dir := filepath.Join(t.TempDir(), "served")
	srv, url := startServe(t, "--datadir", dir, "--follow", "--network", "regtest", "--peer", p2p)
	c := &http.Client{Timeout: 10 * time.Second}
	waitProcessed := func(h uint64) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			var info struct {
				Last uint64 `json:"last_block_processed"`
			}
			if _, err := getJSON(t, c, url+"/v1/info", &info); err == nil && info.Last == h {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("serve --follow did not reach block %d\n%s", h, srv.stderr)
	}
	waitProcessed(tip)

	// Every (height, consensus hash) the store ever showed, by height.
	var mu sync.Mutex
	seen := map[answer]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--json")
				var l lookupJSON
				if r.code != 0 || json.Unmarshal([]byte(r.stdout), &l) != nil || !l.Found {
					t.Errorf("lookup while serve --follow ran: exit %d\n%s%s", r.code, r.stdout, r.stderr)
					return
				}
				mu.Lock()
				seen[answer{l.VerifiedAt.Height, l.VerifiedAt.ConsensusHash}]++
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var rec map[string]any
				resp, err := getJSON(t, c, url+"/v1/names/alice.club", &rec)
				if err != nil || resp.StatusCode != 200 || rec["status"] != "registered" {
					t.Errorf("GET /v1/names/alice.club while following: %v %v", rec, err)
					return
				}
				h, err := strconv.ParseUint(resp.Header.Get("X-Spvcheck-Height"), 10, 64)
				if err != nil {
					t.Errorf("no verified height: %v", resp.Header)
					return
				}
				mu.Lock()
				seen[answer{h, resp.Header.Get("X-Spvcheck-Consensus-Hash")}]++
				mu.Unlock()
			}
		}()
	}

	// Clients that stall (half a request, or a request whose answer they
	// never read) stay connected throughout: the sync must not wait for
	// them.
	host := strings.TrimPrefix(url, "http://")
	for i := 0; i < 16; i++ {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		req := "GET /v1/names/alice.club HTTP/1.1\r\nHost: x\r\n" // never finished
		if i%2 == 1 {
			req = "GET /v1/names?page=0 HTTP/1.1\r\nHost: x\r\n\r\n" // never read
		}
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
	}

	// New blocks, then a reorganisation: the two newest applied blocks are
	// replaced by a longer branch.
	mustGenerate := func(n uint32) {
		if _, err := rpc.Generate(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	mustGenerate(4)
	waitProcessed(tip + 4)
	orphan, err := rpc.GetBlockHash(ctx, int32(tip+3))
	if err != nil {
		t.Fatal(err)
	}
	if err := rpc.InvalidateBlock(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	mustGenerate(10)
	final := tip + 2 + 10 - 6
	waitProcessed(final)
	time.Sleep(300 * time.Millisecond) // let the readers see the new branch
	close(stop)
	wg.Wait()

	// The store ends on the winning branch: its tip is the node's block.
	var l lookupJSON
	if err := json.Unmarshal([]byte(spvcheck(t, "lookup", "alice.club", "--datadir", dir, "--json").stdout), &l); err != nil {
		t.Fatal(err)
	}
	nodeHash, err := rpc.GetBlockHash(ctx, int32(final))
	if err != nil {
		t.Fatal(err)
	}
	if l.VerifiedAt.Height != final || l.VerifiedAt.BlockHash != nodeHash.String() {
		t.Fatalf("after the reorg the store is at %d %s, the node's block %d is %s", l.VerifiedAt.Height, l.VerifiedAt.BlockHash, final, nodeHash)
	}
	// Every answer named a whole block the store really held: its consensus
	// hash is the one the store records for that height (empty blocks on
	// either branch have the same consensus hash).
	if len(seen) < 2 {
		t.Errorf("the readers saw only %d blocks while the chain moved: %v", len(seen), seen)
	}
	total := 0
	for a, n := range seen {
		total += n
		if a.height < tip || a.height > final {
			t.Errorf("an answer at block %d, outside %d..%d", a.height, tip, final)
		}
		r := spvcheck(t, "prove", "alice.club", "--datadir", dir, "--trusted-height", strconv.FormatUint(a.height, 10), "-o", filepath.Join(t.TempDir(), "p"))
		r.expect(t, 0, "verify with --trusted "+strconv.FormatUint(a.height, 10)+":"+a.ch)
	}
	t.Logf("%d answers from %d distinct blocks while following and reorganising", total, len(seen))
	if code := srv.stop(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("serve --follow exited %d after SIGTERM\n%s%s", code, srv.stdout, srv.stderr)
	}
}
