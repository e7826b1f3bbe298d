//go:build race

package main

// raceEnabled: the race detector slows the native side several times over,
// so the speed ratio means nothing under it.
const raceEnabled = true
