package main

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"text/tabwriter"

	"github.com/spvcheck/spvcheck/consensus"
)

func namespacesCommand() command {
	c := command{
		name:    "namespaces",
		summary: "list the verified namespaces, or show one's record and price function",
		usage: "[ID] --datadir D [--json]\n\n" +
			"Without ID, lists every namespace ever revealed: whether it is ready, its reveal and\n" +
			"ready heights, version, lifetime and how many names it lists. With ID, shows its whole\n" +
			"record: owner and recipient, lifetime, the price function (coefficient, base, buckets,\n" +
			"discounts) and heights. Exit 0 found, 1 no such namespace, 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runNamespaces(ctx, e, &c, args) }
	return c
}

// namespaceSummary is one row of the namespace list.
type namespaceSummary struct {
	NamespaceID string `json:"namespace_id"`
	Ready       bool   `json:"ready"`
	RevealBlock uint64 `json:"reveal_block"`
	ReadyBlock  uint64 `json:"ready_block"`
	Version     int    `json:"version"`
	Lifetime    uint64 `json:"lifetime"`
	Names       int    `json:"names"`
}

func runNamespaces(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) > 1 {
		_, code, _ := parseArgs(e, c, fs, args, 1, "namespace ID at most")
		return code
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	view := consensus.NewView(net.Consensus, s)
	if len(pos) == 1 {
		id := strings.TrimSpace(pos[0])
		if err := validateNamespaceID(id); err != nil {
			return usageError(e, c, "%v", err)
		}
		ns, err := view.Namespace(id)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		if ns == nil {
			return notFound(e, c, *asJSON, fmt.Errorf("no namespace %q in the verified state at block %d", id, at.Height), at)
		}
		if *asJSON {
			writeJSON(e, map[string]any{"verified_at": at, "namespace": ns})
			return exitOK
		}
		w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintf(w, "namespace\t%s\n", ns.NamespaceID)
		fmt.Fprintf(w, "ready\t%v\n", ns.Ready())
		fmt.Fprintf(w, "version\t%d\n", ns.Version)
		fmt.Fprintf(w, "revealed at\t%d\n", ns.RevealBlock)
		if ns.Ready() {
			fmt.Fprintf(w, "ready at\t%d\n", ns.ReadyBlock)
		}
		if ns.Lifetime == consensus.NamespaceLifeInfinite {
			fmt.Fprintf(w, "lifetime\tnames never expire\n")
		} else {
			fmt.Fprintf(w, "lifetime\t%d blocks\n", ns.Lifetime)
		}
		fmt.Fprintf(w, "price function\tcoeff %d, base %d, buckets %v\n", ns.Coeff, ns.Base, ns.Buckets)
		fmt.Fprintf(w, "discounts\tnon-alpha %d, no-vowel %d\n", ns.NonalphaDiscount, ns.NoVowelDiscount)
		fmt.Fprintf(w, "revealer\t%s\n", ns.Address)
		fmt.Fprintf(w, "recipient\t%s\n", ns.RecipientAddress)
		fmt.Fprintf(w, "reveal txid\t%s\n", ns.Txid)
		fmt.Fprintf(w, "verified at\tblock %d, consensus hash %s\n", at.Height, at.ConsensusHash)
		w.Flush()
		return exitOK
	}
	ids, err := view.NamespaceIDs()
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	out := []namespaceSummary{}
	for _, id := range ids {
		ns, err := view.Namespace(id)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		if ns == nil {
			continue
		}
		names, err := view.ListedNamesInNamespace(id, at.Height)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		out = append(out, namespaceSummary{NamespaceID: id, Ready: ns.Ready(), RevealBlock: ns.RevealBlock,
			ReadyBlock: ns.ReadyBlock, Version: ns.Version, Lifetime: ns.Lifetime, Names: len(names)})
	}
	if *asJSON {
		writeJSON(e, map[string]any{"verified_at": at, "namespaces": out})
		return exitOK
	}
	w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(w, "NAMESPACE\tREADY\tREVEALED\tREADY AT\tVERSION\tLIFETIME\tNAMES")
	for _, n := range out {
		ready, life := "-", fmt.Sprint(n.Lifetime)
		if n.Ready {
			ready = fmt.Sprint(n.ReadyBlock)
		}
		if n.Lifetime == consensus.NamespaceLifeInfinite {
			life = "never expire"
		}
		fmt.Fprintf(w, "%s\t%v\t%d\t%s\t%d\t%s\t%d\n", n.NamespaceID, n.Ready, n.RevealBlock, ready, n.Version, life, n.Names)
	}
	w.Flush()
	fmt.Fprintf(e.stdout, "\n%d namespaces, verified at block %d, consensus hash %s\n", len(out), at.Height, at.ConsensusHash)
	return exitOK
}

func ownedCommand() command {
	c := command{
		name:    "owned",
		summary: "the verified names an address owns",
		usage: "ADDRESS --datadir D [--json]\n\n" +
			"Lists the names the address owns at the verified tip (the names blockstack.js's\n" +
			"getNamesOwned asks a node for). Exit 0 (an empty list included), 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runOwned(ctx, e, &c, args) }
	return c
}

func runOwned(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "ADDRESS")
	if !ok {
		return code
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	addr := strings.TrimSpace(pos[0])
	if _, ok := net.Consensus.ScriptOfAddress(addr); !ok {
		return usageError(e, c, "%q is not a %s address (base58check p2pkh or p2sh)", addr, net.Name)
	}
	names, err := consensus.NewView(net.Consensus, s).NamesOwnedBy(addr, at.Height)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if names == nil {
		names = []string{}
	}
	if *asJSON {
		writeJSON(e, map[string]any{"address": addr, "names": names, "verified_at": at})
		return exitOK
	}
	for _, n := range names {
		fmt.Fprintln(e.stdout, n)
	}
	fmt.Fprintf(e.stdout, "%d names owned by %s, verified at block %d, consensus hash %s\n", len(names), addr, at.Height, at.ConsensusHash)
	return exitOK
}

func priceCommand() command {
	c := command{
		name:    "price",
		summary: "what a name or a namespace costs at the next block, by the consensus rules",
		usage: "NAME.NS|NAMESPACE --datadir D [--json]\n\n" +
			"Prices a name (label.namespace) or a namespace ID at the block after the verified tip,\n" +
			"by the price rules in force there: satoshis (BTC) or micro-STX (STACKS), rounded up as\n" +
			"the reference did. Exit 0 priced, 1 the namespace does not exist or has no price at\n" +
			"that height, 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runPrice(ctx, e, &c, args) }
	return c
}

func runPrice(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "NAME or NAMESPACE")
	if !ok {
		return code
	}
	what := strings.TrimSpace(pos[0])
	isName := strings.Contains(what, ".")
	if isName {
		if err := validateName(what); err != nil {
			return usageError(e, c, "%v", err)
		}
	} else if err := validateNamespaceID(what); err != nil {
		return usageError(e, c, "%v", err)
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	view := consensus.NewView(net.Consensus, s)
	h := at.Height + 1
	var amount *big.Int
	var units string
	if isName {
		amount, units, ok, err = view.NamePrice(what, h)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
	} else {
		amount, units, ok = view.NamespacePrice(what, h)
	}
	if !ok {
		msg := fmt.Errorf("no price for namespace %q at block %d", what, h)
		if isName {
			msg = fmt.Errorf("the namespace of %q does not exist at block %d", what, at.Height)
		}
		return notFound(e, c, *asJSON, msg, at)
	}
	if *asJSON {
		writeJSON(e, map[string]any{"name": what, "height": h, "amount": amount.String(), "units": units, "verified_at": at})
		return exitOK
	}
	unit := "satoshis"
	if units == "STACKS" {
		unit = "micro-STX"
	}
	fmt.Fprintf(e.stdout, "%s costs %s %s at block %d (verified tip %d, consensus hash %s)\n", what, amount, unit, h, at.Height, at.ConsensusHash)
	return exitOK
}

func balanceCommand() command {
	c := command{
		name:    "balance",
		summary: "the token balances of an address (or every account with --all)",
		usage: "ADDRESS --datadir D [--json]\n       spvcheck balance --all --datadir D [--json]\n\n" +
			"Token balances from the verified state (Blockstack's STACKS token, from epoch 4):\n" +
			"credit minus debit of each token type the address holds. Exit 0, 2 unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runBalance(ctx, e, &c, args) }
	return c
}

type balanceRow struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Balance string `json:"balance"`
	Credit  string `json:"credit"`
	Debit   string `json:"debit"`
}

func runBalance(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	all := fs.Bool("all", false, "list every token account")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	n, what := 1, "ADDRESS"
	for _, a := range args {
		if a == "--all" || a == "-all" || a == "--all=true" {
			n, what = 0, ""
		}
	}
	pos, code, ok := parseArgs(e, c, fs, args, n, what)
	if !ok {
		return code
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	addr := ""
	if !*all {
		addr = strings.TrimSpace(pos[0])
		if _, ok := net.Consensus.ScriptOfAddress(addr); !ok {
			return usageError(e, c, "%q is not a %s address (base58check p2pkh or p2sh)", addr, net.Name)
		}
	}
	accounts, err := consensus.NewView(net.Consensus, s).Accounts()
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	rows := []balanceRow{}
	for _, a := range accounts {
		if addr != "" && a.Address != addr {
			continue
		}
		rows = append(rows, balanceRow{Address: a.Address, Type: a.Type, Balance: a.Balance().String(), Credit: a.Credit, Debit: a.Debit})
	}
	if *asJSON {
		writeJSON(e, map[string]any{"address": addr, "accounts": rows, "verified_at": at})
		return exitOK
	}
	w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(w, "ADDRESS\tTOKEN\tBALANCE")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Address, r.Type, r.Balance)
	}
	w.Flush()
	fmt.Fprintf(e.stdout, "%d accounts, verified at block %d, consensus hash %s\n", len(rows), at.Height, at.ConsensusHash)
	return exitOK
}

// notFound reports an answer that does not exist (exit 1), as JSON with
// --json.
func notFound(e *env, c *command, asJSON bool, err error, at *verifiedAt) int {
	if asJSON {
		writeJSON(e, map[string]any{"found": false, "error": err.Error(), "code": "not_found", "verified_at": at})
		return exitMismatch
	}
	return fail(e, c, exitMismatch, err, "")
}
