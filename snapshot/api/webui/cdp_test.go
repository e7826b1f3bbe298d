package webui_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// browser is headless chromium driven over its DevTools protocol on a
// pipe (--remote-debugging-pipe: requests on fd 3, answers and events on
// fd 4, each a JSON message ending in a NUL byte), so no WebSocket client
// is needed. One page, one session; calls are sequential.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  bytes.Buffer
	next    int
	session string
}

// launch starts chromium with the flags and a fresh profile, and
// opens one blank page.
func launch(t *testing.T) *browser {
	t.Helper()
	toChrome, toChromeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChromeR, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--remote-debugging-pipe", "--window-size=1000,1000",
		"--hide-scrollbars", "about:blank"}
	b := &browser{t: t, in: toChromeW, out: bufio.NewReader(fromChromeR)}
	b.cmd = exec.Command(chromiumBin(t), args...)
	b.cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	b.cmd.Stderr = &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	t.Cleanup(b.close)

	var created struct {
		TargetID string `json:"targetId"`
	}
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &created)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.call("", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call(b.session, "Page.enable", nil, nil)
	return b
}

// close asks the browser to quit and waits for it, killing it after a
// bound.
func (b *browser) close() {
	fmt.Fprintf(b.in, `{"id":%d,"method":"Browser.close"}`+"\x00", 1<<30)
	b.in.Close()
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-done
	}
}

// call sends one request and waits (bounded) for its answer, skipping
// events.
func (b *browser) call(session, method string, params any, result any) {
	b.t.Helper()
	b.next++
	id := b.next
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, _ := json.Marshal(msg)
	if _, err := b.in.Write(append(raw, 0)); err != nil {
		b.t.Fatalf("%s: %v\n%s", method, err, b.stderr.Bytes())
	}
	type answer struct {
		ID     int             `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	got := make(chan answer, 1)
	fail := make(chan error, 1)
	go func() {
		for {
			line, err := b.out.ReadBytes(0)
			if err != nil {
				fail <- err
				return
			}
			var a answer
			if json.Unmarshal(line[:len(line)-1], &a) == nil && a.ID == id {
				got <- a
				return
			}
		}
	}()
	select {
	case a := <-got:
		if a.Error != nil {
			b.t.Fatalf("%s: %s", method, a.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(a.Result, result); err != nil {
				b.t.Fatalf("%s: %v", method, err)
			}
		}
	case err := <-fail:
		b.t.Fatalf("%s: reading the browser: %v\n%s", method, err, b.stderr.Bytes())
	case <-time.After(time.Minute):
		b.cmd.Process.Kill()
		b.t.Fatalf("%s: no answer in a minute", method)
	}
}

// eval evaluates a JavaScript expression in the page (awaiting a
// promise) and decodes its JSON-able value into out.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.Exception != nil {
		b.t.Fatalf("evaluating %s: %s", expr, r.Exception.Text)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			b.t.Fatalf("evaluating %s: %v (%s)", expr, err, r.Result.Value)
		}
	}
}

// waitFor polls a boolean expression until it holds, within ctx.
func (b *browser) waitFor(ctx context.Context, expr string) {
	b.t.Helper()
	for {
		var ok bool
		b.eval(expr, &ok)
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("waiting for %s: %v", expr, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// screenshot writes a PNG of the page.
func (b *browser) screenshot(path string) {
	b.t.Helper()
	var r struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	b.call(b.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &r)
	if err := os.WriteFile(path, r.Data, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
