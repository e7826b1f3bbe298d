//go:build unix && !linux

package regtest

import "syscall"

// childProcAttr puts btcd in its own process group so Stop can kill it in
// one signal. Outside Linux there is no parent-death signal: a test process
// killed with SIGKILL can leave the node running until its stop RPC or a
// manual kill.
func childProcAttr(_ bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
