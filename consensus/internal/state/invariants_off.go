//go:build !invariants

package state

// Invariants reports whether the package was built with the invariants
// tag, which turns on its self-checks.
const Invariants = false
