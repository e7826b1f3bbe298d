package codec

import (
	"testing"

	"pgregory.net/rapid"
)

// Every primitive reads back what it wrote, in sequence; and any prefix of
// an encoding cut short fails with ErrCorrupt rather than panicking.
func TestRoundTripAndTruncation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := rapid.Uint64().Draw(t, "u")
		i := rapid.Int64().Draw(t, "i")
		s := rapid.String().Draw(t, "s")
		hx := rapid.StringMatching(`([0-9a-f]{2}){0,20}|[0-9A-Fa-fxyz]{0,7}`).Draw(t, "hex")
		b := rapid.Bool().Draw(t, "b")
		f := rapid.Float64().Draw(t, "f")
		var os *string
		if rapid.Bool().Draw(t, "has os") {
			os = &s
		}
		e := &Encoder{}
		e.U(u)
		e.I(i)
		e.S(s)
		e.Hs(hx)
		e.Bo(b)
		e.F(f)
		e.Os(os)
		e.Ou(&u)
		e.Ohs(nil)
		d := NewStringDecoder(e.B)
		gu, gi, gs, ghx, gb, gf, gos, gou, gohs := d.U(), d.I(), d.S(), d.Hs(), d.Bo(), d.F(), d.Os(), d.Ou(), d.Ohs()
		if d.Err != nil || len(d.B) != 0 || gu != u || gi != i || gs != s || ghx != hx || gb != b ||
			(gf != f && f == f) || (gos == nil) != (os == nil) || (os != nil && *gos != *os) || gou == nil || *gou != u || gohs != nil {
			t.Fatalf("round trip differs (err %v)", d.Err)
		}
		cut := rapid.IntRange(0, len(e.B)-1).Draw(t, "cut")
		d = &Decoder{B: e.B[:cut]}
		d.U()
		d.I()
		d.S()
		d.Hs()
		d.Bo()
		d.F()
		d.Os()
		d.Ou()
		d.Ohs()
		if d.Err != ErrCorrupt {
			t.Fatalf("an encoding cut at %d of %d bytes decoded", cut, len(e.B))
		}
	})
}
