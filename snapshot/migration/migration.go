package migration

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/btcsuite/btcd/address/v2/base58"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops/c32"
)

// Section markers and the header of the NAMES section.
const (
	beginNames  = "-----BEGIN NAMES-----"
	endNames    = "-----END NAMES-----"
	namesHeader = "name,address,zonefile_hash"
)

// ErrMalformed is matched (errors.Is) by every *FormatError.
var ErrMalformed = errors.New("migration: malformed chainstate file")

// FormatError says which line of a chainstate file is wrong and why. Line
// is 1-based; 0 means the file as a whole (a missing section).
type FormatError struct {
	Line   int
	Reason string
}

func (e *FormatError) Error() string {
	if e.Line == 0 {
		return "chainstate file: " + e.Reason
	}
	return fmt.Sprintf("chainstate file line %d: %s", e.Line, e.Reason)
}

// Is makes errors.Is(err, ErrMalformed) hold.
func (e *FormatError) Is(target error) bool { return target == ErrMalformed }

// Entry is one row of the NAMES section: a name, its owner as a c32
// Stacks address, and its zone-file hash (hex, empty for none).
type Entry struct {
	Name         string `json:"name"`
	Address      string `json:"address"`
	ZonefileHash string `json:"zonefile_hash"`
}

// ReadNames reads the NAMES section of a chainstate file. Everything
// outside the section is skipped. The rows must be sorted by name in byte
// order without repeats, each with a well-formed name, a c32 Stacks address
// with a valid checksum and an empty or 40-hex-digit zone-file hash.
func ReadNames(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	line, in, header, ended := 0, false, false, false
	var out []Entry
	bad := func(format string, args ...any) error {
		return &FormatError{Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		switch {
		case !in && s == beginNames:
			if ended {
				return nil, bad("a second NAMES section")
			}
			in = true
			continue
		case !in:
			continue
		case s == endNames:
			in, ended = false, true
			continue
		case strings.HasPrefix(s, "-----"):
			return nil, bad("section marker %q inside the NAMES section", s)
		case !header:
			if s != namesHeader {
				return nil, bad("the NAMES section starts with %q, not the header %q", s, namesHeader)
			}
			header = true
			continue
		}
		f := strings.Split(s, ",")
		if len(f) != 3 {
			return nil, bad("%d fields, want 3 (name,address,zonefile_hash)", len(f))
		}
		e := Entry{Name: f[0], Address: f[1], ZonefileHash: f[2]}
		if err := checkName(e.Name); err != nil {
			return nil, bad("name %q: %v", e.Name, err)
		}
		if _, _, err := c32.ParseAddress(e.Address); err != nil {
			return nil, bad("address of %s: %v", e.Name, err)
		}
		if h := e.ZonefileHash; h != "" {
			if _, err := hex.DecodeString(h); err != nil || len(h) != 40 || strings.ToLower(h) != h {
				return nil, bad("zone-file hash of %s: %q is not 40 lower-case hex digits", e.Name, h)
			}
		}
		if n := len(out); n > 0 && out[n-1].Name >= e.Name {
			if out[n-1].Name == e.Name {
				return nil, bad("name %s is listed twice", e.Name)
			}
			return nil, bad("name %s comes after %s: the section is not sorted", e.Name, out[n-1].Name)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, &FormatError{Line: line + 1, Reason: err.Error()}
	}
	switch {
	case in:
		return nil, &FormatError{Reason: "the NAMES section has no end marker " + endNames}
	case !ended:
		return nil, &FormatError{Reason: "no NAMES section (" + beginNames + ")"}
	case !header:
		return nil, &FormatError{Reason: "the NAMES section has no header line"}
	}
	return out, nil
}

// checkName accepts a fully qualified name as the export wrote it: a
// non-empty label, one dot, a non-empty namespace id, no commas, spaces
// or upper case.
func checkName(n string) error {
	label, ns, ok := strings.Cut(n, ".")
	switch {
	case !ok || label == "" || ns == "" || strings.Contains(ns, "."):
		return errors.New("not NAME.NAMESPACE")
	case strings.ContainsAny(n, " \t") || strings.ToLower(n) != n:
		return errors.New("spaces or upper case")
	}
	return nil
}

// WriteNames writes entries as a NAMES section (with its markers), the
// form ReadNames reads; entries must already be sorted.
func WriteNames(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, beginNames)
	fmt.Fprintln(bw, namesHeader)
	for _, e := range entries {
		fmt.Fprintf(bw, "%s,%s,%s\n", e.Name, e.Address, e.ZonefileHash)
	}
	fmt.Fprintln(bw, endNames)
	return bw.Flush()
}

// StacksAddress re-encodes a v1 base58check owner address as the Stacks
// 2.0 genesis did.
func StacksAddress(v1 string) (string, error) {
	h, ver, err := base58.CheckDecode(v1)
	if err != nil {
		return "", fmt.Errorf("migration: owner address %q: %w", v1, err)
	}
	sv, ok := c32.VersionFromBase58(ver)
	if !ok {
		return "", fmt.Errorf("migration: owner address %q has version %d, which the export did not map", v1, ver)
	}
	return c32.Address(sv, h)
}

// ExportHeight is the height the verified table is taken at: the store's
// tip, or the freeze height once the store holds the final state (the
// state no longer changes there, and names whose expiry falls on it are
// expired for the export).
func ExportHeight(p *consensus.Params, tip uint64) uint64 {
	if h, ok := p.FinalHeight(); ok && tip >= h {
		return p.FreezeHeight
	}
	return tip
}

// StateNames lists the names of the verified state as the export would
// have written them at height h: alive, not revoked, not in their grace
// period, sorted by name in byte order. An owner address the export could
// not have re-encoded is kept as "unencodable:" + the v1 address, so that
// it shows as a difference.
func StateNames(v *consensus.View, h uint64) ([]Entry, error) {
	ids, err := v.NamespaceIDs()
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, id := range ids {
		names, err := v.NamesInNamespace(id)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			st, err := v.NameStatus(n, h)
			if err != nil {
				return nil, err
			}
			if st == nil || st.Namespace == nil || !st.Alive || st.Record.Revoked || st.InGrace {
				continue
			}
			addr, err := StacksAddress(st.Record.Address)
			if err != nil {
				addr = "unencodable:" + st.Record.Address
			}
			e := Entry{Name: n, Address: addr}
			if st.Record.ValueHash != nil {
				e.ZonefileHash = *st.Record.ValueHash
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Kind is what differs about a name.
type Kind string

// The differences Compare reports.
const (
	// MissingFromFile: the verified state has the name, the file does not.
	MissingFromFile Kind = "missing-from-file"
	// MissingFromState: the file has the name, the verified state does
	// not (or has it revoked, expired or in its grace period).
	MissingFromState Kind = "missing-from-state"
	// OwnerDiffers / ZonefileDiffers: both have the name with another
	// owner / zone-file hash.
	OwnerDiffers    Kind = "owner-differs"
	ZonefileDiffers Kind = "zonefile-hash-differs"
)

// Difference is one disagreement about one name. File and State are the
// two values (empty where a side lacks the name).
type Difference struct {
	Name  string `json:"name"`
	Kind  Kind   `json:"kind"`
	File  string `json:"file,omitempty"`
	State string `json:"state,omitempty"`
}

func (d Difference) String() string {
	switch d.Kind {
	case MissingFromFile:
		return fmt.Sprintf("%s: in the verified state (owner %s) but not in the file", d.Name, d.State)
	case MissingFromState:
		return fmt.Sprintf("%s: in the file (owner %s) but not in the verified state", d.Name, d.File)
	case OwnerDiffers:
		return fmt.Sprintf("%s: owner %s in the file, %s in the verified state", d.Name, d.File, d.State)
	}
	return fmt.Sprintf("%s: zone-file hash %q in the file, %q in the verified state", d.Name, d.File, d.State)
}

// Compare lists every difference between the file's entries and the
// state's, in name order (both must be sorted by name).
func Compare(file, state []Entry) []Difference {
	var out []Difference
	i, j := 0, 0
	for i < len(file) || j < len(state) {
		switch {
		case j == len(state) || (i < len(file) && file[i].Name < state[j].Name):
			out = append(out, Difference{Name: file[i].Name, Kind: MissingFromState, File: file[i].Address})
			i++
		case i == len(file) || state[j].Name < file[i].Name:
			out = append(out, Difference{Name: state[j].Name, Kind: MissingFromFile, State: state[j].Address})
			j++
		default:
			f, s := file[i], state[j]
			if f.Address != s.Address {
				out = append(out, Difference{Name: f.Name, Kind: OwnerDiffers, File: f.Address, State: s.Address})
			}
			if f.ZonefileHash != s.ZonefileHash {
				out = append(out, Difference{Name: f.Name, Kind: ZonefileDiffers, File: f.ZonefileHash, State: s.ZonefileHash})
			}
			i++
			j++
		}
	}
	return out
}
