package main_test

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
)

// An interrupted demo exits as shells expect of an interrupted program
// (128 + the signal), not with "verification failed".
func TestDemoInterrupted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := regtest.BuildBtcd(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		demo := startSpvcheck(t, "demo", "--quiet")
		demo.waitLine(t, "[2/5]", 2*time.Minute)
		if code := demo.stop(t, tc.sig, time.Minute); code != tc.code {
			t.Fatalf("demo after %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.sig, code, tc.code, demo.stdout, demo.stderr)
		}
		if !strings.Contains(demo.stderr.String(), "interrupted") {
			t.Fatalf("demo after %v does not say it was interrupted:\n%s", tc.sig, demo.stderr)
		}
	}
}
