package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes (see doc.go).
const (
	exitOK       = 0
	exitMismatch = 1
	exitUsage    = 2
)

// env is what a subcommand may touch: its streams and whether stderr is a
// terminal (progress is drawn only then).
type env struct {
	stdout      io.Writer
	stderr      io.Writer
	interactive bool
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // argument synopsis, after the command name
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		demoCommand(),
		syncCommand(),
		statusCommand(),
		decodeCommand(),
		vectorsCommand(),
		lookupCommand(),
		namesCommand(),
		auditCommand(),
		exportCommand(),
		importCommand(),
		proveCommand(),
		verifyProofCommand(),
	}
}

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if sig, ok := (<-sigs).(syscall.Signal); ok {
			cancel(interrupted{sig})
		}
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, isTerminal(os.Stderr))
	signal.Stop(sigs)
	os.Exit(code)
}

// interrupted is the cause of a command's context ending on a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.sig.String() }

// interruptCode returns the shell's exit code for a command ended by the
// signal that cancelled ctx (130 for SIGINT, 143 for SIGTERM), if one did.
func interruptCode(ctx context.Context) (int, bool) {
	var i interrupted
	if errors.As(context.Cause(ctx), &i) {
		return 128 + int(i.sig), true
	}
	return 0, false
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, interactive bool) int {
	e := &env{stdout: stdout, stderr: stderr, interactive: interactive}
	cmds := commands()
	if len(args) == 0 {
		printUsage(stderr, cmds)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			for _, c := range cmds {
				if c.name == args[1] {
					fmt.Fprintf(stdout, "usage: spvcheck %s %s\n\n%s\n", c.name, c.usage, c.summary)
					return exitOK
				}
			}
			fmt.Fprintf(stderr, "spvcheck: unknown command %q\n", args[1])
			return exitUsage
		}
		printUsage(stdout, cmds)
		return exitOK
	case "version", "--version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	}
	for _, c := range cmds {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "spvcheck: unknown command %q (run 'spvcheck help' for the list)\n", name)
	return exitUsage
}

func printUsage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "spvcheck verifies Blockstack v1 names trustlessly from Bitcoin.")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "usage: spvcheck COMMAND [arguments]")
	fmt.Fprintln(w, "")
	sorted := append([]command(nil), cmds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Run 'spvcheck help COMMAND' for a command's arguments.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 verification failed, 2 unusable input.")
}

// parseFlags parses flags that may appear before, between or after the
// positional arguments (flag.Parse alone stops at the first positional one)
// and returns the positional arguments. Errors are printed with the
// command's usage; the caller returns exitUsage.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors to e.stderr with the
// command's synopsis.
func newFlagSet(e *env, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: spvcheck %s %s\n", c.name, c.usage)
		fs.PrintDefaults()
	}
	return fs
}

// usageError prints a usage problem and returns exitUsage.
func usageError(e *env, c *command, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "spvcheck %s: %s\n", c.name, fmt.Sprintf(format, args...))
	fmt.Fprintf(e.stderr, "usage: spvcheck %s %s\n", c.name, c.usage)
	return exitUsage
}

// fail prints an error with a hint and returns code.
func fail(e *env, c *command, code int, err error, hint string) int {
	msg := err.Error()
	if hint != "" {
		msg += "\n  " + hint
	}
	fmt.Fprintf(e.stderr, "spvcheck %s: %s\n", c.name, strings.TrimSpace(msg))
	return code
}

// isFlagHelp reports whether a flag parse failed because -h was given.
func isFlagHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }

// parseArgs parses a command's flags (anywhere among its arguments) and
// checks that exactly n positional arguments remain, described by what
// ("NAME", "KIND and FILE"). ok is false when the command must return code
// at once: after -h (exit 0) or a usage error (exit 2, already printed).
func parseArgs(e *env, c *command, fs *flag.FlagSet, args []string, n int, what string) (pos []string, code int, ok bool) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		if isFlagHelp(err) {
			return nil, exitOK, false
		}
		return nil, exitUsage, false
	}
	switch {
	case len(pos) == n:
		return pos, exitOK, true
	case n == 0:
		return nil, usageError(e, c, "unexpected argument %q", pos[0]), false
	case n == 1:
		return nil, usageError(e, c, "want exactly one %s, got %d", what, len(pos)), false
	}
	return nil, usageError(e, c, "want %s, got %d argument(s)", what, len(pos)), false
}
