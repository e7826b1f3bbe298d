package regtest

import "syscall"

// childProcAttr puts btcd in its own process group (so Stop can kill it and
// anything it spawned in one signal) and asks the kernel to kill it when the
// thread that started it dies, so a test binary killed by a timeout or a
// signal leaves no node behind.
//
// Pdeathsig fires when the creating OS thread exits, not the process. Go
// only retires threads whose goroutine exits while locked to them, which
// Start never does, so in practice this is tied to the process. A detached
// node (Options.Detached) gets no death signal: it is meant to outlive us.
func childProcAttr(detached bool) *syscall.SysProcAttr {
	if detached {
		return &syscall.SysProcAttr{Setpgid: true}
	}
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
