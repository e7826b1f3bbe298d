package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
)

// verifiedAt says which verified block an answer comes from.
type verifiedAt struct {
	Height        uint64 `json:"height"`
	ConsensusHash string `json:"consensus_hash"`
	BlockHash     string `json:"block_hash,omitempty"`
	// Unverified is set when answers at Height are not verified (see
	// snapshot.Unverified; mainnet.go); Final when Height is at or past
	// the rules' final height.
	Unverified       string `json:"unverified,omitempty"`
	UnverifiedReason string `json:"unverified_reason,omitempty"`
	UnverifiedFrom   uint64 `json:"unverified_from,omitempty"`
	FreezeHeight     uint64 `json:"freeze_height,omitempty"`
	Final            bool   `json:"final,omitempty"`
}

// openVerified opens a data directory's store read-only and reads the
// verified tip every answer is given at. The store is closed on error.
func openVerified(ctx context.Context, datadir string) (*openedStore, *network, *verifiedAt, error) {
	s, net, err := openStore(ctx, datadir, true)
	if err != nil {
		return nil, nil, nil, err
	}
	at, err := tipOf(s.Store)
	if err == nil {
		err = at.trust(s.Store, net.Consensus)
	}
	if err != nil {
		s.Close()
		return nil, nil, nil, err
	}
	return s, net, at, nil
}

func tipOf(s *snapshot.Store) (*verifiedAt, error) {
	tip, ok, err := s.Tip()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the store is empty: run 'spvcheck sync' first")
	}
	ch, err := s.ConsensusHash(tip)
	if err != nil {
		return nil, err
	}
	bh, err := s.BlockHash(tip)
	if err != nil {
		return nil, err
	}
	v := &verifiedAt{Height: tip, ConsensusHash: ch}
	if bh != ([32]byte{}) {
		v.BlockHash = blockHashString(bh)
	}
	return v, nil
}

// nameSummary is one name as lookup and names print it.
type nameSummary struct {
	Name            string  `json:"name"`
	Owner           string  `json:"owner_address"`
	OwnerScript     string  `json:"owner_script"`
	ZonefileHash    *string `json:"zonefile_hash"`
	Registered      uint64  `json:"registered_at"`
	LastRenewed     uint64  `json:"last_renewed_at"`
	ExpiresAt       uint64  `json:"expires_at,omitempty"`
	RenewalDeadline uint64  `json:"renewal_deadline,omitempty"`
	NeverExpires    bool    `json:"never_expires"`
	Revoked         bool    `json:"revoked"`
	Status          string  `json:"status"`
	LastOp          string  `json:"last_op"`
	LastTxid        string  `json:"last_txid"`
}

func summarize(st *consensus.NameStatus) nameSummary {
	r := st.Record
	s := nameSummary{
		Name: r.Name, Owner: r.Address, OwnerScript: r.Sender, ZonefileHash: r.ValueHash,
		Registered: r.FirstRegistered, LastRenewed: r.LastRenewed, Revoked: r.Revoked,
		NeverExpires: st.NeverExpires, ExpiresAt: st.ExpireBlock, RenewalDeadline: st.RenewalDeadline,
		LastOp: opName(r.Op), LastTxid: r.Txid,
	}
	switch {
	case st.Namespace == nil:
		s.Status = "unknown-namespace"
	case !st.Alive:
		s.Status = "expired"
	case r.Revoked:
		s.Status = "revoked"
	case st.InGrace:
		s.Status = "grace-period"
	case !st.Namespace.Ready():
		s.Status = "imported"
	default:
		s.Status = "registered"
	}
	return s
}

func lookupCommand() command {
	c := command{
		name:    "lookup",
		summary: "show a verified name: owner, zone-file hash, heights, status and history",
		usage: "NAME|TXID --datadir D [--at HEIGHT] [--json]\n\n" +
			"Answers from the verified store only, and says at which block and consensus hash.\n" +
			"--at HEIGHT shows the record as it stood after block HEIGHT; a TXID (64 hex digits)\n" +
			"shows the name that accepted operation changed, as it stood after it.\n" +
			"Exit 0 found, 1 no such name (or operation), 2 unusable input (an invalid name says\n" +
			"which rule it breaks).",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runLookup(ctx, e, &c, args) }
	return c
}

// historyEntry is one accepted operation on a name, as lookup prints it.
type historyEntry struct {
	Height   uint64 `json:"height"`
	Vtxindex int    `json:"vtxindex"`
	Op       string `json:"op"`
	Txid     string `json:"txid"`
	Owner    string `json:"owner_address,omitempty"`
}

func historyEntries(hist []consensus.HistoryEntry, upTo uint64) []historyEntry {
	out := []historyEntry{}
	for _, x := range hist {
		if x.Height > upTo {
			break
		}
		he := historyEntry{Height: x.Height, Vtxindex: x.Vtxindex, Op: opName(x.Op), Txid: x.Txid}
		if x.Record != nil {
			he.Owner = x.Record.Address
		}
		out = append(out, he)
	}
	return out
}

func runLookup(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	atFlag := fs.Uint64("at", 0, "show the record as it stood after this block")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "NAME or TXID")
	if !ok {
		return code
	}
	arg := strings.TrimSpace(pos[0])
	byTxid := len(arg) == 64 && isHex(arg)
	if byTxid {
		arg = strings.ToLower(arg)
		if flagGiven(fs, "at") {
			return usageError(e, c, "--at goes with a NAME; a TXID names its own block")
		}
	} else if err := validateName(arg); err != nil {
		return usageError(e, c, "%v", err)
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	view := consensus.NewView(net.Consensus, s)
	name, height, asOf := arg, at.Height, flagGiven(fs, "at")
	if asOf {
		height = *atFlag
		first, _, _ := s.First()
		if height > at.Height || height < first {
			return usageError(e, c, "--at %d is outside the verified blocks %d..%d", height, first, at.Height)
		}
	}
	if byTxid {
		found, h, err := findNameOperation(view, arg)
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		if found == "" {
			return notFound(e, c, *asJSON, fmt.Errorf("no accepted name operation with txid %s in the verified state at block %d", arg, at.Height), at)
		}
		name, height, asOf = found, h, true
	}
	hist, err := view.NameHistory(name)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if asOf {
		return lookupAsOf(e, c, s, name, hist, height, at, *asJSON)
	}
	st, err := view.NameStatus(name, at.Height)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if st == nil {
		return notFound(e, c, *asJSON, fmt.Errorf("no name %q in the verified state at block %d (consensus hash %s)", name, at.Height, at.ConsensusHash), at)
	}
	sum := summarize(st)
	if *asJSON {
		writeJSON(e, map[string]any{"name": name, "found": true, "verified_at": at, "summary": sum, "history": historyEntries(hist, at.Height)})
		return exitOK
	}
	w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintf(w, "name\t%s\n", sum.Name)
	fmt.Fprintf(w, "status\t%s\n", sum.Status)
	fmt.Fprintf(w, "owner\t%s\n", sum.Owner)
	fmt.Fprintf(w, "zone-file hash\t%s\n", orNone(sum.ZonefileHash))
	fmt.Fprintf(w, "registered at\t%d\n", sum.Registered)
	fmt.Fprintf(w, "last renewed at\t%d\n", sum.LastRenewed)
	if sum.NeverExpires {
		fmt.Fprintf(w, "expires\tnever\n")
	} else {
		fmt.Fprintf(w, "expires at\t%d (renewable until %d)\n", sum.ExpiresAt, sum.RenewalDeadline)
	}
	fmt.Fprintf(w, "revoked\t%v\n", sum.Revoked)
	fmt.Fprintf(w, "verified at\tblock %d, consensus hash %s\n", at.Height, at.ConsensusHash)
	w.Flush()
	at.printNotes(e.stdout)
	printHistory(e, historyEntries(hist, at.Height))
	return exitOK
}

func printHistory(e *env, hist []historyEntry) {
	fmt.Fprintln(e.stdout, "\nhistory:")
	w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(w, "  HEIGHT\tOP\tOWNER\tTXID")
	for _, x := range hist {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\n", x.Height, x.Op, x.Owner, x.Txid)
	}
	w.Flush()
}

// asOfRecord is a name's record as it stood after one block.
type asOfRecord struct {
	Owner        string  `json:"owner_address"`
	ZonefileHash *string `json:"zonefile_hash"`
	Revoked      bool    `json:"revoked"`
	LastOp       string  `json:"last_op"`
	LastTxid     string  `json:"last_txid"`
	LastHeight   uint64  `json:"last_height"`
}

// lookupAsOf prints a name's record as it stood after block h: the record
// of its last accepted operation at or below h.
func lookupAsOf(e *env, c *command, s *openedStore, name string, hist []consensus.HistoryEntry, h uint64, tip *verifiedAt, asJSON bool) int {
	ch, err := s.ConsensusHash(h)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	at := &verifiedAt{Height: h, ConsensusHash: ch}
	if bh, err := s.BlockHash(h); err == nil && bh != ([32]byte{}) {
		at.BlockHash = blockHashString(bh)
	}
	var rec *consensus.NameRecord
	var last consensus.HistoryEntry
	for _, x := range hist {
		if x.Height > h {
			break
		}
		if x.Record != nil {
			rec, last = x.Record, x
		}
	}
	if rec == nil {
		return notFound(e, c, asJSON, fmt.Errorf("no name %q in the verified state at block %d", name, h), at)
	}
	r := asOfRecord{Owner: rec.Address, ZonefileHash: rec.ValueHash, Revoked: rec.Revoked,
		LastOp: opName(last.Op), LastTxid: last.Txid, LastHeight: last.Height}
	entries := historyEntries(hist, h)
	if asJSON {
		writeJSON(e, map[string]any{"name": name, "found": true, "as_of": h, "verified_at": at, "tip": tip, "record": r, "history": entries})
		return exitOK
	}
	w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintf(w, "name\t%s\n", name)
	fmt.Fprintf(w, "as of\tblock %d (consensus hash %s)\n", h, ch)
	fmt.Fprintf(w, "owner\t%s\n", r.Owner)
	fmt.Fprintf(w, "zone-file hash\t%s\n", orNone(r.ZonefileHash))
	fmt.Fprintf(w, "revoked\t%v\n", r.Revoked)
	fmt.Fprintf(w, "last operation\t%s in block %d, txid %s\n", r.LastOp, r.LastHeight, r.LastTxid)
	fmt.Fprintf(w, "verified tip\tblock %d, consensus hash %s\n", tip.Height, tip.ConsensusHash)
	w.Flush()
	printHistory(e, entries)
	return exitOK
}

// findNameOperation finds the accepted name operation with txid: the name
// it changed and its block. It reads every name's history, so it costs a
// pass over the state.
func findNameOperation(view *consensus.View, txid string) (string, uint64, error) {
	var name string
	var height uint64
	err := view.EachName(func(r *consensus.NameRecord) (bool, error) {
		hist, err := view.NameHistory(r.Name)
		if err != nil {
			return false, err
		}
		for _, x := range hist {
			if x.Txid == txid {
				name, height = r.Name, x.Height
				return false, nil
			}
		}
		return true, nil
	})
	return name, height, err
}

func orNone(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}

// opName turns a stored op string into the reference's operation name.
func opName(op string) string {
	switch op {
	case "?":
		return "NAME_PREORDER"
	case ":":
		return "NAME_REGISTRATION"
	case "::":
		return "NAME_RENEWAL"
	case "+":
		return "NAME_UPDATE"
	case ">", ">>", ">~":
		return "NAME_TRANSFER"
	case "~":
		return "NAME_REVOKE"
	case ";":
		return "NAME_IMPORT"
	}
	return op
}

func namesCommand() command {
	c := command{
		name:    "names",
		summary: "list the verified names, optionally of one namespace",
		usage: "--datadir D [--namespace NS] [--all] [--json]\n\n" +
			"Lists names with owner, zone-file hash, heights and status, from the verified store.\n" +
			"Expired names are left out unless --all.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runNames(ctx, e, &c, args) }
	return c
}

func runNames(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	namespace := fs.String("namespace", "", "only names in this namespace")
	all := fs.Bool("all", false, "include expired names")
	asJSON := fs.Bool("json", false, "print the table as JSON")
	if _, code, ok := parseArgs(e, c, fs, args, 0, ""); !ok {
		return code
	}
	if *namespace != "" {
		if err := validateNamespaceID(*namespace); err != nil {
			return usageError(e, c, "--namespace: %v", err)
		}
	}
	s, net, at, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	view := consensus.NewView(net.Consensus, s)
	table, err := nameTable(view, at.Height, *namespace, *all)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if *asJSON {
		writeJSON(e, map[string]any{"verified_at": at, "names": table})
		return exitOK
	}
	printNameTable(e.stdout, table)
	fmt.Fprintf(e.stdout, "\n%d names, verified at block %d, consensus hash %s\n", len(table), at.Height, at.ConsensusHash)
	at.printNotes(e.stdout)
	return exitOK
}

// nameTable lists names (all namespaces when ns is empty) at height h,
// sorted by name.
func nameTable(view *consensus.View, h uint64, ns string, all bool) ([]nameSummary, error) {
	var spaces []string
	if ns != "" {
		spaces = []string{ns}
	} else {
		ids, err := view.NamespaceIDs()
		if err != nil {
			return nil, err
		}
		spaces = ids
	}
	out := []nameSummary{}
	for _, id := range spaces {
		names, err := view.NamesInNamespace(id)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			st, err := view.NameStatus(n, h)
			if err != nil {
				return nil, err
			}
			if st == nil {
				continue
			}
			sum := summarize(st)
			if sum.Status == "expired" && !all {
				continue
			}
			out = append(out, sum)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func printNameTable(w io.Writer, table []nameSummary) {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tOWNER\tZONE-FILE HASH\tREGISTERED\tEXPIRES")
	for _, s := range table {
		exp := "never"
		if !s.NeverExpires {
			exp = fmt.Sprint(s.ExpiresAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, s.Status, s.Owner, orNone(s.ZonefileHash), s.Registered, exp)
	}
	tw.Flush()
}
