package webui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest/demofixture"
)

// chromiumBin finds Debian's chromium (.ci/run installs it when missing).
func chromiumBin(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: install Debian's chromium (bash .ci/run does)")
	return ""
}

// screenshotDir is where the test leaves its screenshots:
// $SPVCHECK_SCREENSHOTS, or a fixed directory under the system's
// temporary directory, so they outlive the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SPVCHECK_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "spvcheck-webui-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shown is what the page shows after a lookup.
type shown struct {
	State  string `json:"state"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
	Owner  string `json:"owner"`
}

// lookup loads url in the browser; when name is not empty it types the
// name and presses Verify as a user would (otherwise the URL names it);
// it waits for a verdict, reads it, and writes a screenshot to shot.
func lookup(t *testing.T, b *browser, url, name, shot string) shown {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b.call(b.session, "Page.navigate", map[string]any{"url": url}, nil)
	b.waitFor(ctx, `document.readyState === "complete" && !!document.getElementById("go")`)
	if name != "" {
		b.waitFor(ctx, `!document.getElementById("go").disabled`)
		b.eval(`document.getElementById("name").focus(), true`, nil)
		b.call(b.session, "Input.insertText", map[string]any{"text": name}, nil)
		b.eval(`document.getElementById("go").click(), true`, nil)
	}
	b.waitFor(ctx, `["verified", "not-verified"].includes(document.getElementById("verdict").dataset.state)`)
	var s shown
	var raw string
	b.eval(`JSON.stringify({state: document.getElementById("verdict").dataset.state,
		text: document.getElementById("verdict").textContent,
		reason: document.getElementById("reason").textContent,
		owner: getComputedStyle(document.getElementById("details")).display === "none" ? "" : document.getElementById("r-owner").textContent})`, &raw)
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(screenshotDir(t), shot)
	os.Remove(path)
	b.screenshot(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if bounds := img.Bounds(); bounds.Dx() < 500 || bounds.Dy() < 500 {
		t.Fatalf("screenshot %s is %v", path, bounds)
	}
	t.Logf("%s: %s %q (%s); screenshot %s", url, s.State, s.Text, s.Reason, path)
	return s
}

// TestPageInChromium: in a real browser, the page verifies a demo name
// served honestly, and says "not verified" with the reason when the
// server lies about the owner or when the pinned consensus hash is wrong.
// Each state's screenshot is written (see screenshotDir).
func TestPageInChromium(t *testing.T) {
	chromiumBin(t)
	ctx := context.Background()
	demo := demofixture.Make(ctx, t)

	api, err := demofixture.OpenServer(ctx, demo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	serve := func(alter func(string, map[string]any)) *httptest.Server {
		// The real name server, page included (Config.Fallback), as
		// `spvcheck serve` runs it; alter makes it lie.
		srv := httptest.NewServer(api.Lying(alter))
		t.Cleanup(srv.Close)
		return srv
	}
	name := "alice.club"
	var owner string
	for _, n := range demo.Names {
		if n.Name == name {
			owner = n.Owner
		}
	}
	if owner == "" {
		t.Fatalf("the demo has no %s", name)
	}

	b := launch(t)
	honest := serve(nil)
	got := lookup(t, b, honest.URL+"/", name, "verified.png")
	if got.State != "verified" || got.Text != "verified" || got.Owner != owner {
		t.Errorf("honest server: %+v; want verified, owner %s", got, owner)
	}

	liar := "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8"
	lying := serve(func(n string, a map[string]any) {
		if n == name {
			a["address"] = liar
		}
	})
	got = lookup(t, b, lying.URL+"/?name="+name, "", "server-lies.png")
	if got.State != "not-verified" || got.Text != "not verified" || !strings.Contains(got.Reason, "ErrAnswerAddress") ||
		!strings.Contains(got.Reason, liar) || !strings.HasPrefix(got.Reason, "answer:") || got.Owner != "" {
		t.Errorf("lying server: %+v", got)
	}

	wrong := []byte(demo.TipHash)
	// Another hex digit in one place: still a well-formed pin, but not the
	// block's consensus hash.
	const hexDigits = "0123456789abcdef"
	wrong[5] = hexDigits[(strings.IndexByte(hexDigits, wrong[5])+1)%16]
	trusted := strconv.FormatUint(demo.Tip, 10) + ":" + string(wrong)
	got = lookup(t, b, honest.URL+"/?name="+name+"&trusted="+trusted, "", "wrong-pinned-hash.png")
	if got.State != "not-verified" || got.Text != "not verified" || !strings.Contains(got.Reason, "ErrConsensusMismatch") ||
		!strings.HasPrefix(got.Reason, "consensus-chain:") || got.Owner != "" {
		t.Errorf("wrong pinned hash: %+v", got)
	}
	fmt.Fprintln(os.Stderr, "screenshots in", screenshotDir(t))
}
