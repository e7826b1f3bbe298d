package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// background is an spvcheck process started by a test and stopped by it.
type background struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan struct{}
	code   int
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSpvcheck starts the built binary with args in the background; the
// test's cleanup kills it if the test did not stop it.
func startSpvcheck(t *testing.T, args ...string) *background {
	t.Helper()
	b := &background{cmd: exec.Command(binary, args...), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	b.cmd.Stdout, b.cmd.Stderr = b.stdout, b.stderr
	b.cmd.Env = testEnv()
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := b.cmd.Wait()
		b.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			b.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				b.code = 128 + int(ws.Signal())
			}
		}
		close(b.done)
	}()
	t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			_ = b.cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// stop sends sig and returns the exit code, failing the test if the
// process does not end within the bound.
func (b *background) stop(t *testing.T, sig os.Signal, bound time.Duration) int {
	t.Helper()
	_ = b.cmd.Process.Signal(sig)
	select {
	case <-b.done:
		return b.code
	case <-time.After(bound):
		t.Fatalf("%v did not stop within %s of %v\nstdout:\n%s\nstderr:\n%s", b.cmd.Args, bound, sig, b.stdout, b.stderr)
	}
	return -1
}

// waitLine waits until the process has printed a line containing want on
// stdout and returns it.
func (b *background) waitLine(t *testing.T, want string, bound time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(bytes.NewReader([]byte(b.stdout.String())))
		for sc.Scan() {
			if bytes.Contains(sc.Bytes(), []byte(want)) {
				return sc.Text()
			}
		}
		select {
		case <-b.done:
			t.Fatalf("%v exited %d before printing %q\nstdout:\n%s\nstderr:\n%s", b.cmd.Args, b.code, want, b.stdout, b.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%v printed no %q within %s\nstdout:\n%s\nstderr:\n%s", b.cmd.Args, want, bound, b.stdout, b.stderr)
	return ""
}

// waitForTip polls status (which reads through the running holder when
// there is one) until the data directory's store reaches tip.
func waitForTip(t *testing.T, dir string, tip uint64, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	var last result
	for time.Now().Before(deadline) {
		last = spvcheck(t, "status", "--datadir", dir, "--json")
		var st struct {
			Tip struct {
				Height uint64 `json:"height"`
			} `json:"tip"`
		}
		if json.Unmarshal([]byte(last.stdout), &st) == nil && st.Tip.Height >= tip {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the store in %s did not reach block %d within %s; last status:\n%s%s", dir, tip, bound, last.stdout, last.stderr)
}

// readersWhileFollowing runs `sync --follow` on a new data directory and,
// while it holds the store, every read command at once, several times
// over: none may fail for a store in use, all must answer from a whole
// block, and the follower must stop cleanly afterwards.
func readersWhileFollowing(t *testing.T, p2p string, tip uint64, tipHash string) {
	dir := filepath.Join(t.TempDir(), "following")
	follower := startSpvcheck(t, "sync", "--network", "regtest", "--peer", p2p, "--datadir", dir, "--follow")
	waitForTip(t, dir, tip, 90*time.Second)

	tmp := t.TempDir()
	tipS := strconv.FormatUint(tip, 10)
	type check struct {
		args []string
		want []string
	}
	checks := []check{
		{[]string{"lookup", "alice.club", "--datadir", dir, "--json"}, []string{`"found": true`, tipHash}},
		{[]string{"names", "--datadir", dir}, []string{"verified at block " + tipS, tipHash}},
		{[]string{"status", "--datadir", dir}, []string{"verified tip   block " + tipS, "held by        spvcheck sync"}},
		{[]string{"audit", dir}, []string{"verified", tipHash}},
		{[]string{"prove", "alice.club", "--datadir", dir, "-o", ""}, []string{"verify with --trusted " + tipS + ":" + tipHash}},
		{[]string{"export", "--datadir", dir, ""}, []string{tipHash}},
		{[]string{"lookup", "vault.club", "--datadir", dir}, []string{"verified at"}},
		{[]string{"names", "--datadir", dir, "--namespace", "club", "--json"}, []string{`"alice.club"`}},
	}
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for i, c := range checks {
			args := append([]string(nil), c.args...)
			for j, a := range args {
				if a == "" { // an output file of its own
					args[j] = filepath.Join(tmp, strconv.Itoa(round)+"-"+strconv.Itoa(i))
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := spvcheck(t, args...)
				if r.code != 0 {
					t.Errorf("%v while sync --follow ran: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
					return
				}
				for _, w := range c.want {
					if !bytes.Contains([]byte(r.stdout+r.stderr), []byte(w)) {
						t.Errorf("%v while sync --follow ran: output lacks %q\nstdout:\n%s\nstderr:\n%s", args, w, r.stdout, r.stderr)
					}
				}
			}()
		}
	}
	wg.Wait()
	if left, _ := filepath.Glob(filepath.Join(dir, ".readers", "*")); len(left) > 0 {
		t.Errorf("readers left checkpoints behind: %v", left)
	}
	if code := follower.stop(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("sync --follow exited %d after SIGTERM\nstdout:\n%s\nstderr:\n%s", code, follower.stdout, follower.stderr)
	}
	// Without a terminal, following logs its blocks, the tip included.
	if want := "block " + tipS + " consensus hash " + tipHash; !strings.Contains(follower.stderr.String(), want) {
		t.Errorf("sync --follow's log lacks %q:\n%s", want, follower.stderr)
	}
	// With the holder gone, the store opens directly again.
	spvcheck(t, "status", "--datadir", dir).expect(t, 0, "verified tip   block "+tipS)
	if _, err := os.Stat(filepath.Join(dir, "spvcheck.sock")); !os.IsNotExist(err) {
		t.Errorf("the follower left its socket behind (%v)", err)
	}
}
