package migration

import (
	"bytes"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/testvectors"
)

func readSample(t *testing.T) []byte {
	raw, err := os.ReadFile(testvectors.Path("stacks2", "chainstate-test.txt"))
	require.NoError(t, err)
	return raw
}

// The public sample parses: twelve names, in order, every address a valid
// c32 Stacks address.
func TestReadSample(t *testing.T) {
	names, err := ReadNames(bytes.NewReader(readSample(t)))
	require.NoError(t, err)
	require.Len(t, names, 12)
	require.Equal(t, Entry{Name: "0.id", Address: "SP1HPCXTGV31W5659M3WTBEFP5AN55HV4B1Q9T31F",
		ZonefileHash: "c5f5b4197c94d4561f6332160f624d728b0da8bf"}, names[0])
	require.Equal(t, "zumrai.id", names[11].Name)
	// The file against itself: no difference; written back: read the same.
	require.Empty(t, Compare(names, names))
	var buf bytes.Buffer
	require.NoError(t, WriteNames(&buf, names))
	again, err := ReadNames(&buf)
	require.NoError(t, err)
	require.Equal(t, names, again)
}

// Alterations of the sample, as an auditor would meet them.
func TestCompareAltered(t *testing.T) {
	state, err := ReadNames(bytes.NewReader(readSample(t)))
	require.NoError(t, err)
	alter := func(f func([]Entry) []Entry) []Entry {
		return f(append([]Entry(nil), state...))
	}
	other := "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"
	cases := []struct {
		name string
		file []Entry
		want []Difference
	}{
		{"missing name", alter(func(e []Entry) []Entry { return append(e[:3], e[4:]...) }),
			[]Difference{{Name: "10x.id", Kind: MissingFromFile, State: state[3].Address}}},
		{"extra name", alter(func(e []Entry) []Entry {
			return append(e[:1], append([]Entry{{Name: "00.id", Address: other}}, e[1:]...)...)
		}), []Difference{{Name: "00.id", Kind: MissingFromState, File: other}}},
		{"changed owner", alter(func(e []Entry) []Entry { e[5].Address = other; return e }),
			[]Difference{{Name: "123.id", Kind: OwnerDiffers, File: other, State: state[5].Address}}},
		{"changed hash", alter(func(e []Entry) []Entry { e[11].ZonefileHash = ""; return e }),
			[]Difference{{Name: "zumrai.id", Kind: ZonefileDiffers, File: "", State: state[11].ZonefileHash}}},
		{"both at the end", alter(func(e []Entry) []Entry { return append(e[:11], Entry{Name: "zz.id", Address: other}) }),
			[]Difference{{Name: "zumrai.id", Kind: MissingFromFile, State: state[11].Address}, {Name: "zz.id", Kind: MissingFromState, File: other}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteNames(&buf, c.file))
			file, err := ReadNames(&buf)
			require.NoError(t, err)
			got := Compare(file, state)
			require.Equal(t, c.want, got)
			for _, d := range got {
				require.Contains(t, d.String(), d.Name)
			}
		})
	}
}

func TestReadMalformed(t *testing.T) {
	sample := string(readSample(t))
	replace := func(old, new string) string {
		require.Contains(t, sample, old)
		return strings.Replace(sample, old, new, 1)
	}
	// Line numbers count from the file's first line; the NAMES header is
	// line 10, 0.id line 11 and 1.id line 12.
	cases := []struct {
		name, file string
		line       int
		reason     string
	}{
		{"no names section", replace("-----BEGIN NAMES-----", "-----BEGIN NOMS-----"), 0, "no NAMES section"},
		{"end marker blanked", replace("-----END NAMES-----", ""), 23, "1 fields"},
		{"header", replace("name,address,zonefile_hash", "name,owner,zonefile_hash"), 10, "header"},
		{"fields", replace("0.id,SP1HPC", "0.id,x,SP1HPC"), 11, "4 fields"},
		{"checksum", replace("SP1HPCXTGV31W5659M3WTBEFP5AN55HV4B1Q9T31F", "SP1HPCXTGV31W5659M3WTBEFP5AN55HV4B1Q9T31G"), 11, "checksum"},
		{"base58 owner", replace("SP1HPCXTGV31W5659M3WTBEFP5AN55HV4B1Q9T31F", "1FzTxL9Mxnm2fdmnQEArfhzJHevwbvcH6d"), 11, "not a Stacks address"},
		{"hash", replace("c5f5b4197c94d4561f6332160f624d728b0da8bf", "c5f5b4197c94d4561f6332160f624d728b0da8b"), 11, "zone-file hash"},
		{"upper-case hash", replace("c5f5b4197c94d4561f6332160f624d728b0da8bf", "C5F5B4197C94D4561F6332160F624D728B0DA8BF"), 11, "zone-file hash"},
		{"name", replace("0.id,", "0id,"), 11, "NAME.NAMESPACE"},
		{"unsorted", replace("1.id,SP1FRD", "0.ic,SP1FRD"), 12, "not sorted"},
		{"duplicate", replace("1.id,SP1FRD", "0.id,SP1FRD"), 12, "twice"},
		{"empty", "", 0, "no NAMES section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadNames(strings.NewReader(c.file))
			require.ErrorIs(t, err, ErrMalformed)
			var fe *FormatError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, c.line, fe.Line, "%v", err)
			require.Contains(t, err.Error(), c.reason)
		})
	}
	// No end marker at all, the section running to the end of the file.
	cut := sample[:strings.Index(sample, "-----END NAMES-----")]
	_, err := ReadNames(strings.NewReader(cut))
	require.ErrorIs(t, err, ErrMalformed)
	require.Contains(t, err.Error(), "no end marker")
}

func TestStacksAddress(t *testing.T) {
	// The c32check library's b58 ↔ c32 pairs (testvectors/c32).
	for b58, want := range map[string]string{
		"1FzTxL9Mxnm2fdmnQEArfhzJHevwbvcH6d":  "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7",
		"3GgUssdoWh5QkoUDXKqT6LMESBDf8aqp2y":  "SM2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQVX8X0G",
		"mvWRFPELmpCHSkFQ7o9EVdCd9eXeUTa9T8":  "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ",
		"2N8EgwcZq89akxb6mCTTKiHLVeXRpxjuy98": "SN2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKP6D2ZK9",
	} {
		got, err := StacksAddress(b58)
		require.NoError(t, err)
		require.Equal(t, want, got, b58)
	}
	_, err := StacksAddress("A7RjcihhakxJfAqgwTVsLTyc8kbhDJPMVY") // version 23: not mapped
	require.Error(t, err)
	_, err = StacksAddress("not an address")
	require.Error(t, err)
}

// Compare reports exactly the names missing on either side and the fields
// that differ, for random tables.
func TestCompareProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		gen := func(label string) []Entry {
			names := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-d]{1,3}\.id`), 0, 12, rapid.ID[string]).Draw(t, label)
			sort.Strings(names)
			out := make([]Entry, len(names))
			for i, n := range names {
				out[i] = Entry{Name: n, Address: rapid.SampledFrom([]string{"SP1", "SP2"}).Draw(t, "addr"),
					ZonefileHash: rapid.SampledFrom([]string{"", "aa", "bb"}).Draw(t, "hash")}
			}
			return out
		}
		file, state := gen("file"), gen("state")
		got := Compare(file, state)
		byName := func(es []Entry) map[string]Entry {
			m := map[string]Entry{}
			for _, e := range es {
				m[e.Name] = e
			}
			return m
		}
		fm, sm := byName(file), byName(state)
		var want []Difference
		all := map[string]bool{}
		for n := range fm {
			all[n] = true
		}
		for n := range sm {
			all[n] = true
		}
		keys := make([]string, 0, len(all))
		for n := range all {
			keys = append(keys, n)
		}
		sort.Strings(keys)
		for _, n := range keys {
			f, inF := fm[n]
			s, inS := sm[n]
			switch {
			case !inS:
				want = append(want, Difference{Name: n, Kind: MissingFromState, File: f.Address})
			case !inF:
				want = append(want, Difference{Name: n, Kind: MissingFromFile, State: s.Address})
			default:
				if f.Address != s.Address {
					want = append(want, Difference{Name: n, Kind: OwnerDiffers, File: f.Address, State: s.Address})
				}
				if f.ZonefileHash != s.ZonefileHash {
					want = append(want, Difference{Name: n, Kind: ZonefileDiffers, File: f.ZonefileHash, State: s.ZonefileHash})
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("difference %d: got %v, want %v", i, got[i], want[i])
			}
		}
	})
}
