package canon_test

import (
	"strconv"
	"testing"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"pgregory.net/rapid"
)

// Property: an Appender fed typed values in field order writes exactly what
// Append writes for a Record of the same values, prefix kept.
func TestAppenderMatchesAppend(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(t, "n")
		fields := make([]string, n)
		rec := canon.Record{}
		opcode := rapid.SampledFrom([]byte("?:+>~;*&!$")).Draw(t, "opcode")
		a := canon.NewAppender([]byte("prefix|"), opcode)
		for i := range fields {
			fields[i] = "f" + strconv.Itoa(i)
			label := fields[i]
			var v canon.Value
			switch rapid.IntRange(0, 8).Draw(t, label+"/kind") {
			case 0:
				a.None()
			case 1:
				s := rapid.String().Draw(t, label+"/str")
				v = canon.Str(s)
				a.Str(s)
			case 2:
				var p *string
				if rapid.Bool().Draw(t, label+"/some") {
					s := rapid.String().Draw(t, label+"/optstr")
					p, v = &s, canon.Str(s)
				}
				a.OptStr(p)
			case 3:
				x := rapid.Int64().Draw(t, label+"/int")
				v = canon.Int(x)
				a.Int(x)
			case 4:
				x := rapid.Uint64().Draw(t, label+"/uint")
				v = canon.Uint(x)
				a.Uint(x)
			case 5:
				b := rapid.Bool().Draw(t, label+"/bool")
				v = canon.Bool(b)
				a.Bool(b)
			case 6:
				l := rapid.SliceOf(rapid.IntRange(-100, 100000)).Draw(t, label+"/list")
				v = canon.IntList(l)
				a.IntList(l)
			case 7:
				f := rapid.Float64().Draw(t, label+"/float")
				v = canon.Float(f)
				a.Float(f)
			default:
				v = canon.Float(float64(rapid.Int64Range(-1<<53, 1<<53).Draw(t, label+"/value")))
				a.Value(v)
			}
			rec[fields[i]] = v
		}
		want, err := canon.Append([]byte("prefix|"), opcode, fields, rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Bytes(); string(got) != string(want) {
			t.Fatalf("appender %q, Append %q", got, want)
		}
		if a.Fields() != n {
			t.Fatalf("Fields() = %d, want %d", a.Fields(), n)
		}
	})
}

func BenchmarkAppenderNameRecord(b *testing.B) {
	buf := make([]byte, 0, 512)
	pub := "02d6fd1ba0effaf1e8d94ea7b7a3d0ef26fea00a14ce5ffcc1495fe588a2c6d0f3"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a := canon.NewAppender(buf[:0], ':')
		a.Str("demo.test")
		a.None()
		a.Str("76a914b7e40511f53f69045cb14c6c5a714d6a4ffe3a3788ac")
		a.OptStr(&pub)
		a.Str("n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4")
		a.Uint(262)
		a.Uint(261)
		a.Uint(262)
		a.Uint(262)
		a.Bool(false)
		a.Str(":")
		a.Str("d5293044d66d81923a96699c8f2f7c4cde3329fb809d918e2e797073c507e0e4")
		a.Int(1)
		a.Float(6400000)
		a.None()
		a.None()
		buf = a.Bytes()
	}
}
