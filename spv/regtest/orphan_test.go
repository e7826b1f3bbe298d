package regtest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const orphanHelperEnv = "SPVCHECK_REGTEST_ORPHAN_HELPER"

// TestNodeDiesWithTestProcess runs a child test process that starts a node
// and then is killed with SIGKILL, as a timed-out test binary would be. The
// node must not survive it.
func TestNodeDiesWithTestProcess(t *testing.T) {
	if os.Getenv(orphanHelperEnv) == "1" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := Start(ctx, Options{})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Printf("node %d %s\n", n.Pid(), n.rootDir)
		time.Sleep(time.Minute) // killed long before this ends
		os.Exit(1)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestNodeDiesWithTestProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), orphanHelperEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	defer cmd.Process.Kill()

	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	fields := strings.Fields(line)
	require.Len(t, fields, 3, "helper said %q", line)
	require.Equal(t, "node", fields[0], "helper said %q", line)
	pid, err := strconv.Atoi(fields[1])
	require.NoError(t, err)
	defer os.RemoveAll(fields[2])
	require.True(t, processAlive(pid))

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) && !isZombie(pid) {
		require.True(t, time.Now().Before(deadline), "btcd %d outlived its killed parent", pid)
		time.Sleep(20 * time.Millisecond)
	}
}

// isZombie reports whether pid has exited but not been reaped (its parent
// is gone and init has not collected it yet).
func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}
