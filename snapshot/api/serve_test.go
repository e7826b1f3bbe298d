package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:6270": true, "127.1.2.3:0": true, "[::1]:6270": true, "localhost:6270": true,
		"LocalHost:1": true, "0.0.0.0:6270": false, ":6270": false, "[::]:6270": false,
		"10.0.0.1:6270": false, "example.com:80": false, "127.0.0.1": false, "": false,
	} {
		require.Equal(t, want, IsLoopback(addr), addr)
	}
}

// startServe runs Serve on a loopback port and returns its address and a
// stop function that waits for Serve to return.
func startServe(t *testing.T, h http.Handler, lim Limits) (string, func() error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, lim) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("Serve did not return")
		}
	}
	t.Cleanup(func() { stop() })
	return ln.Addr().String(), stop
}

// raw sends one raw HTTP/1.1 request on a fresh connection and reads the
// response, as curl would.
func raw(t *testing.T, addr, request string) (*http.Response, string) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, request)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestServeRawRequests(t *testing.T) {
	f := newFixture(t)
	addr, stop := startServe(t, f.srv, Limits{MaxHeaderBytes: 4096})
	a := f.alice.addr
	for _, c := range []struct {
		req    string
		status int
		body   string // prefix
		ctype  string
	}{
		{"GET /v1/names/judecn.id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200, `{"status": "registered", "zonefile": null, "zonefile_hash": "` + judecnHash + `", "address": "` + a + `"`, "application/json"},
		{"GET //v1//names/judecn.id/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200, `{"status": "registered"`, "application/json"},
		{"GET /v1/names/nobody.id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, `{"status": "available"}`, "application/json"},
		{"GET /v1/names/NOPE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400, `{"error": "Invalid name or subdomain"}`, "application/json"},
		{"GET /nothing/here?x=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, `{"error": "No such endpoint"}`, "application/json"},
		{"PUT /v1/names/judecn.id HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 404, `{"error": "No such endpoint"}`, "application/json"},
		{"GET /v1/names?page=0 HTTP/1.0\r\n\r\n", 200, `["bob.id", "carol.id", "gone.id", "judecn.id", "short.test"]`, "application/json"},
		{"POST /v1/zonefile HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", 400, `{"error": "Invalid request"}`, "application/json"},
		{"GET /v1/zonefiles/" + judecnHash + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, `{"error": "Blockstack node does not have this zonefile.`, "application/json"},
	} {
		resp, body := raw(t, addr, c.req)
		require.Equal(t, c.status, resp.StatusCode, "%q: %s", c.req[:min(len(c.req), 60)], body)
		require.True(t, strings.HasPrefix(body, c.body), "%q: %s", c.req[:min(len(c.req), 60)], body)
		if c.ctype != "" {
			require.Equal(t, c.ctype, resp.Header.Get("Content-Type"))
			require.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// A header block over the limit is refused: 431, or a reset when the
	// server closes with our excess bytes unread.
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, "GET /v1/names/judecn.id HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 16<<10)+"\r\n\r\n")
	if err == nil {
		resp, rerr := http.ReadResponse(bufio.NewReader(c), nil)
		if rerr == nil {
			require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
			resp.Body.Close()
		} else {
			require.ErrorIs(t, rerr, syscall.ECONNRESET)
		}
	}
	require.NoError(t, stop())
}

// At most MaxConns connections are served at once; the next waits until
// one closes. A stopped server refuses new connections.
func TestServeConnectionCapAndShutdown(t *testing.T) {
	f := newFixture(t)
	addr, stop := startServe(t, f.srv, Limits{MaxConns: 2})
	req := "GET /v1/blockchains/bitcoin/consensus HTTP/1.1\r\nHost: x\r\n\r\n"
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = io.WriteString(c, req)
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode)
		resp.Body.Close()
		held = append(held, c) // kept alive
	}
	third, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer third.Close()
	_, err = io.WriteString(third, req)
	require.NoError(t, err)
	br := bufio.NewReader(third)
	require.NoError(t, third.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err = br.Peek(1)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "the third connection was served: %v", err)
	held[0].Close()
	require.NoError(t, third.SetReadDeadline(time.Now().Add(5*time.Second)))
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	resp.Body.Close()
	held[1].Close()

	require.NoError(t, stop())
	_, err = net.DialTimeout("tcp", addr, time.Second)
	require.Error(t, err)
}

// A slow client that never finishes its header is cut off by the header
// timeout.
func TestServeSlowClient(t *testing.T) {
	f := newFixture(t)
	addr, _ := startServe(t, f.srv, Limits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "GET /v1/info HTTP/1.1\r\nHost: x\r\n")
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = io.ReadAll(c)
	// The server closed the connection (EOF, or a reset) well before our
	// own deadline.
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "connection still open: %v", err)
	_ = os.Stderr
}
