package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
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
	// json is set once a command's flags asked for JSON; wroteJSON once it
	// printed a JSON document.
	json, wroteJSON bool

	stdin       io.Reader
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
		versionCommand(),
		serveCommand(),
		zonefilesCommand(),
		namespacesCommand(),
		ownedCommand(),
		priceCommand(),
		balanceCommand(),
		compareGenesisCommand(),
	}
}

// commandAlias returns the command another spelling users type names.
func commandAlias(name string) string {
	switch name {
	case "zonefile": // 'spvcheck zonefile check FILE NAME'
		return "zonefiles"
	}
	return name
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
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stderr))
	signal.Stop(sigs)
	os.Exit(code)
}

// interrupted is the cause of a command's context ending on a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.sig.String() }

// Is makes an interruption a cancellation to everything that tests for one.
func (i interrupted) Is(target error) bool { return target == context.Canceled }

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
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, interactive bool) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, interactive: interactive}
	cmds := commands()
	if len(args) == 0 {
		printUsage(stderr, cmds)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			want := commandAlias(args[1])
			for _, c := range cmds {
				if c.name == want {
					// -h prints the usage and every flag.
					return c.run(ctx, e, []string{"-h"})
				}
			}
			fmt.Fprintf(stderr, "spvcheck: unknown command %q\n", args[1])
			return exitUsage
		}
		printUsage(stdout, cmds)
		return exitOK
	case "--version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	}
	name = commandAlias(name)
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
	// The flag package's own messages name flags with one dash; parseArgs
	// prints its errors in the form users type, and -h prints the help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// printFlags lists a command's flags as users type them (--name).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "[]" && d != "0s" {
			line += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintln(w, line)
	})
}

// Messages of the flag package, rewritten with the flag as users type it.
var flagErrorForms = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^flag provided but not defined: -+(.*)$`), "unknown flag --$1"},
	{regexp.MustCompile(`^flag needs an argument: -+(.*)$`), "--$1 needs a value"},
	{regexp.MustCompile(`^invalid value (.*) for flag -+([^:]*): (.*)$`), "invalid value $1 for --$2: $3"},
	{regexp.MustCompile(`^invalid boolean value (.*) for -+([^:]*): (.*)$`), "invalid value $1 for --$2: $3"},
	{regexp.MustCompile(`^bad flag syntax: (.*)$`), "bad flag syntax: $1"},
}

func flagErrorMessage(err error) string {
	msg := err.Error()
	for _, f := range flagErrorForms {
		if f.re.MatchString(msg) {
			return f.re.ReplaceAllString(msg, f.repl)
		}
	}
	return msg
}

// usageError prints a usage problem and returns exitUsage.
func usageError(e *env, c *command, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(e.stderr, "spvcheck %s: %s\n", c.name, msg)
	writeJSONError(e, msg, "usage", exitUsage)
	synopsis, _, _ := strings.Cut(c.usage, "\n\n")
	fmt.Fprintf(e.stderr, "usage: spvcheck %s %s\n", c.name, synopsis)
	fmt.Fprintf(e.stderr, "run 'spvcheck help %s' for its arguments\n", c.name)
	return exitUsage
}

// fail prints an error with a hint and returns code.
func fail(e *env, c *command, code int, err error, hint string) int {
	msg := err.Error()
	if hint != "" {
		msg += "\n  " + hint
	}
	fmt.Fprintf(e.stderr, "spvcheck %s: %s\n", c.name, strings.TrimSpace(msg))
	writeJSONError(e, strings.TrimSpace(msg), errorCode(err, code), code)
	return code
}

// flagGiven reports whether the flag called name was set on the command
// line (as opposed to left at its default).
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// isFlagHelp reports whether a flag parse failed because -h was given.
func isFlagHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }

// parseArgs parses a command's flags (anywhere among its arguments) and
// checks that exactly n positional arguments remain, described by what
// ("NAME", "KIND and FILE"). ok is false when the command must return code
// at once: after -h (exit 0) or a usage error (exit 2, already printed).
func parseArgs(e *env, c *command, fs *flag.FlagSet, args []string, n int, what string) (pos []string, code int, ok bool) {
	pos, err := parseFlags(fs, args)
	if f := fs.Lookup("json"); f != nil && f.Value.String() == "true" {
		e.json = true
	}
	if err != nil {
		if isFlagHelp(err) {
			fmt.Fprintf(e.stdout, "spvcheck %s: %s\n\nusage: spvcheck %s %s\n\n", c.name, c.summary, c.name, c.usage)
			printFlags(e.stdout, fs)
			if schema, ok := jsonSchemas[c.name]; ok {
				fmt.Fprintf(e.stdout, "\nJSON (--json), keys in snake_case, lists [] when empty, \"?\" when omitted if unset:\n %s\n", schema)
				fmt.Fprintln(e.stdout, "On failure: {\"error\", \"code\", \"exit_code\"} (code: the failing package's ErrorCode, or usage, not_found, unusable_input, verification_failed).")
			}
			return nil, exitOK, false
		}
		fmt.Fprintf(e.stderr, "spvcheck %s: %s\n", c.name, flagErrorMessage(err))
		fmt.Fprintf(e.stderr, "run 'spvcheck help %s' for its arguments\n", c.name)
		writeJSONError(e, flagErrorMessage(err), "usage", exitUsage)
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
