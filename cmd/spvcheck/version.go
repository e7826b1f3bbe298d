package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionCommand() command {
	c := command{
		name:    "version",
		summary: "print the version, the source commit it was built from, and the Go toolchain",
		usage:   "\n\nPrints the module version (or devel), the commit and whether the checkout had\nuncommitted changes when the binary was built from a git checkout, and the Go version.",
	}
	c.run = func(_ context.Context, e *env, args []string) int {
		fs := newFlagSet(e, &c)
		if _, code, ok := parseArgs(e, &c, fs, args, 0, ""); !ok {
			return code
		}
		fmt.Fprintln(e.stdout, versionString())
		return exitOK
	}
	return c
}

func versionString() string {
	v, commit, modified := "devel", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	out := "spvcheck " + v
	if commit != "" {
		if len(commit) > 12 {
			commit = commit[:12]
		}
		out += " (commit " + commit
		if modified {
			out += ", modified"
		}
		out += ")"
	}
	return out + " " + runtime.Version()
}
