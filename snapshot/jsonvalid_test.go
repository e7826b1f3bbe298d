package snapshot

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

var jsonValidSeeds = []string{
	``, ` `, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-`, `1e`, `-01`, `123456789012345678901234567890`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `"`, `""`, `"\"`, `"\\"`, `"\u00e9"`, `"\u00G9"`, `"\u12"`, `"\x"`,
	"\"a\tb\"", "\"\x7f\xff\xfe\"", `"\/\b\f\n\r\t"`, `{}`, `{ }`, `{"a":1}`, `{"a":1,}`, `{"a" : [1, 2 ,3] }`, `{a:1}`,
	`{"a"}`, `{"a":}`, `{,}`, `[]`, `[,]`, `[1,]`, `[1 2]`, `[[[]]]`, `[1]]`, `[{"a":[{}]}]`, " \t\r\n[1]\n ", "[1]\x00",
	`{"a":1}{}`, `1 2`, `"a" "b"`, `[true,false,null]`, `[-]`, `[01]`, `[1.e5]`, `{"a":1 "b":2}`,
	`{"opcode":"NAME_REGISTRATION","name":"somename.id","vtxindex":3,"op_fee":6400000,"sender":"76a914"}`,
}

func checkAgainstStdlib(t *testing.T, s []byte) {
	t.Helper()
	if got, want := validJSON(s), json.Valid(s); got != want {
		t.Fatalf("validJSON(%q) = %v, json.Valid says %v", s, got, want)
	}
}

// TestValidJSONMatchesStdlib: validJSON answers as encoding/json.Valid does
// on edge cases, nesting at and beyond the limit, real inputs and tens of
// thousands of random mutations of them.
func TestValidJSONMatchesStdlib(t *testing.T) {
	for _, s := range jsonValidSeeds {
		checkAgainstStdlib(t, []byte(s))
	}
	for _, d := range []int{maxJSONDepth - 1, maxJSONDepth, maxJSONDepth + 1} {
		checkAgainstStdlib(t, []byte(strings.Repeat("[", d)+strings.Repeat("]", d)))
		checkAgainstStdlib(t, []byte(strings.Repeat(`{"a":`, d)+"1"+strings.Repeat("}", d)))
	}
	docs := [][]byte{}
	for _, s := range jsonValidSeeds {
		docs = append(docs, []byte(s))
	}
	for _, op := range newWorkload().inputs {
		j, err := json.Marshal(&op)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, j)
	}
	const alphabet = "{}[],:\"\\/ \t\n\r0123456789-+.eEuatrfnlsb\x00\x1f\x7f\xff"
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50000; i++ {
		d := append([]byte(nil), docs[rng.IntN(len(docs))]...)
		for n := rng.IntN(3) + 1; n > 0; n-- {
			switch k := rng.IntN(3); {
			case k == 0 && len(d) > 0:
				d[rng.IntN(len(d))] = alphabet[rng.IntN(len(alphabet))]
			case k == 1 && len(d) > 0:
				p := rng.IntN(len(d))
				d = append(d[:p], d[p+1:]...)
			default:
				p := rng.IntN(len(d) + 1)
				d = append(d[:p], append([]byte{alphabet[rng.IntN(len(alphabet))]}, d[p:]...)...)
			}
		}
		checkAgainstStdlib(t, d)
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range jsonValidSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkAgainstStdlib(t, b) })
}
