package canon_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus/canon"
	"pgregory.net/rapid"
)

// Python 2.7's str(float) is '%.12g' with ".0" added to integral results;
// the expectations were produced by that rule in CPython.
func TestPyFloat(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{6400000.0, "6400000.0"}, // the NAME_IMPORT op_fee quirk
		{0.0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{26.666666666666664, "26.6666666667"},
		{1e16, "1e+16"},
		{-1e16, "-1e+16"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.3"},
		{1.0 / 3, "0.333333333333"},
		{123456789012.0, "123456789012.0"},
		{1234567890123.0, "1.23456789012e+12"},
		{999999999999.5, "1e+12"},
		{-1.5, "-1.5"},
		{-6400000.0, "-6400000.0"},
		{100.0, "100.0"},
		{1e-5, "1e-05"},
		{0.0001, "0.0001"},
		{1e22, "1e+22"},
		{2.5e-300, "2.5e-300"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, c := range cases {
		if got := canon.Float(c.in).String(); got != c.want {
			t.Errorf("str(%v) = %q, want %q", c.in, got, c.want)
		}
		if got := string(canon.AppendPyFloat([]byte("x"), c.in)); got != "x"+c.want {
			t.Errorf("AppendPyFloat(%v) = %q, want prefix kept", c.in, got)
		}
	}
}

func TestValueRendering(t *testing.T) {
	cases := []struct {
		name string
		v    canon.Value
		want string
	}{
		{"none", canon.None(), ""},
		{"zero value is none", canon.Value{}, ""},
		{"empty string", canon.Str(""), ""},
		{"string", canon.Str("foo.test"), "foo.test"},
		{"string with separators", canon.Str("a,b:c=d"), "a,b:c=d"},
		{"int", canon.Int(257), "257"},
		{"negative int", canon.Int(-42), "-42"},
		{"int zero", canon.Int(0), "0"},
		{"int min", canon.Int(math.MinInt64), "-9223372036854775808"},
		{"uint beyond int64", canon.Uint(math.MaxUint64), "18446744073709551615"},
		{"true", canon.Bool(true), "True"},
		{"false", canon.Bool(false), "False"},
		{"buckets", canon.IntList([]int{6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
			"[6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"},
		{"one bucket", canon.IntList([]int{15}), "[15]"},
		{"empty list", canon.IntList(nil), "[]"},
		{"negative bucket", canon.IntList([]int{-1, 2}), "[-1, 2]"},
	}
	for _, c := range cases {
		if got := c.v.String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if c.v.IsNone() != (c.name == "none" || c.name == "zero value is none") {
			t.Errorf("%s: IsNone %v", c.name, c.v.IsNone())
		}
	}
}

// IntList keeps its own copy: the caller may reuse its slice.
func TestIntListCopies(t *testing.T) {
	l := []int{1, 2}
	v := canon.IntList(l)
	l[0] = 9
	if got := v.String(); got != "[1, 2]" {
		t.Errorf("IntList aliases its input: %q", got)
	}
}

// A recorded NAMESPACE_PREORDER (0.14 name_import, block 257) and a
// recorded NAMESPACE_REVEAL with buckets (0.13 name_import_expire_isdead,
// block 258) rebuild byte for byte.
func TestRecordedSerializations(t *testing.T) {
	preorder := canon.Record{
		"preorder_hash":  canon.Str("db207fcd2150f332a53a8ff0be2a12a85445a2a9"),
		"consensus_hash": canon.Str("2a9148d8b13939723d2aca16c75c6d68"),
		"op":             canon.Str("*"),
		"op_fee":         canon.Int(400000000),
		"txid":           canon.Str("e897493900c91c8b6677efb623e71da342cbe1bc7b0cd38e66f85134bec351c5"),
		"vtxindex":       canon.Int(1),
		"block_number":   canon.Int(257),
		"sender":         canon.Str("76a9140e1c669e2756a79185299cb25ed043ab145f08f088ac"),
		"sender_pubkey":  canon.Str("04d6fd1ba0effaf1e8d94ea7b7a3d0ef26fea00a14ce5ffcc1495fe588a2c6d0f35eaa22c01a35bee5817f03d769a3a38a3bb50182c61449ad125555daf26396fb"),
		"address":        canon.Str("mgoZn4k6LuqiTYsVqQz9eu4LgpGVSz6NUC"),
		"ignored":        canon.Str("fields outside the list are not hashed"),
	}
	want := "*:40:db207fcd2150f332a53a8ff0be2a12a85445a2a9,32:2a9148d8b13939723d2aca16c75c6d68,1:*,9:400000000,64:e897493900c91c8b6677efb623e71da342cbe1bc7b0cd38e66f85134bec351c5,1:1,3:257,50:76a9140e1c669e2756a79185299cb25ed043ab145f08f088ac,130:04d6fd1ba0effaf1e8d94ea7b7a3d0ef26fea00a14ce5ffcc1495fe588a2c6d0f35eaa22c01a35bee5817f03d769a3a38a3bb50182c61449ad125555daf26396fb,34:mgoZn4k6LuqiTYsVqQz9eu4LgpGVSz6NUC"
	got, err := canon.Serialize('*', canon.FieldsFor('*'), preorder)
	if err != nil || string(got) != want {
		t.Errorf("preorder:\n got %s (%v)\nwant %s", got, err, want)
	}

	reveal := canon.Record{
		"namespace_id": canon.Str("test"), "preorder_hash": canon.Str("db207fcd2150f332a53a8ff0be2a12a85445a2a9"),
		"version": canon.Int(1), "sender": canon.Str("76a9140e1c669e2756a79185299cb25ed043ab145f08f088ac"),
		"sender_pubkey":     canon.Str("04d6fd1ba0effaf1e8d94ea7b7a3d0ef26fea00a14ce5ffcc1495fe588a2c6d0f35eaa22c01a35bee5817f03d769a3a38a3bb50182c61449ad125555daf26396fb"),
		"address":           canon.Str("mgoZn4k6LuqiTYsVqQz9eu4LgpGVSz6NUC"),
		"recipient":         canon.Str("76a914b7e40511f53f69045cb14c6c5a714d6a4ffe3a3788ac"),
		"recipient_address": canon.Str("mxHH7Fch85gD2i74yaWQxeqBkwk2NvzdWq"),
		"block_number":      canon.Int(257), "reveal_block": canon.Int(258), "op": canon.Str("&"),
		"txid":     canon.Str("4cc403cd34c0c3b22a1553ba46c0fd7814cbaedff56f3d8e88c3257bcece09a3"),
		"vtxindex": canon.Int(1), "lifetime": canon.Int(2), "coeff": canon.Int(250), "base": canon.Int(4),
		"buckets":           canon.IntList([]int{6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
		"nonalpha_discount": canon.Int(10), "no_vowel_discount": canon.Int(10),
	}
	want = "&:4:test,40:db207fcd2150f332a53a8ff0be2a12a85445a2a9,1:1,50:76a9140e1c669e2756a79185299cb25ed043ab145f08f088ac,130:04d6fd1ba0effaf1e8d94ea7b7a3d0ef26fea00a14ce5ffcc1495fe588a2c6d0f35eaa22c01a35bee5817f03d769a3a38a3bb50182c61449ad125555daf26396fb,34:mgoZn4k6LuqiTYsVqQz9eu4LgpGVSz6NUC,50:76a914b7e40511f53f69045cb14c6c5a714d6a4ffe3a3788ac,34:mxHH7Fch85gD2i74yaWQxeqBkwk2NvzdWq,3:257,3:258,1:&,64:4cc403cd34c0c3b22a1553ba46c0fd7814cbaedff56f3d8e88c3257bcece09a3,1:1,1:2,3:250,1:4,48:[6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],2:10,2:10"
	got, err = canon.Serialize('&', canon.FieldsFor('&'), reveal)
	if err != nil || string(got) != want {
		t.Errorf("reveal:\n got %s (%v)\nwant %s", got, err, want)
	}
}

// Duplicated names in a list are written twice, in list order.
func TestDuplicateFields(t *testing.T) {
	rec := canon.Record{"a": canon.Str("x"), "b": canon.None(), "c": canon.Float(6400000)}
	got, err := canon.Serialize(';', []string{"a", "b", "a", "c", "a"}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := ";:1:x,0:,1:x,9:6400000.0,1:x"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	fields := canon.FieldsFor(':')
	if n := strings.Count(strings.Join(fields, ","), "sender"); n < 2 {
		t.Errorf("registration list holds sender %d times, want the reference's duplicate", n)
	}
}

func TestMissingField(t *testing.T) {
	_, err := canon.Serialize('~', canon.FieldsFor('~'), canon.Record{"name": canon.Str("foo.test")})
	var mf *canon.MissingFieldError
	if !errors.As(err, &mf) {
		t.Fatalf("error %v is not a MissingFieldError", err)
	}
	if mf.Opcode != '~' || mf.Field != "value_hash" {
		t.Errorf("missing field %q for opcode %q, want value_hash for '~'", mf.Field, mf.Opcode)
	}
	if !strings.Contains(err.Error(), "value_hash") {
		t.Errorf("message %q does not name the field", err)
	}
}

func TestEmptyListAndUnknownOpcode(t *testing.T) {
	got, err := canon.Serialize('#', canon.FieldsFor('#'), nil)
	if err != nil || string(got) != "#:" {
		t.Errorf("announce: %q %v", got, err)
	}
	if canon.FieldsFor('x') != nil {
		t.Error("FieldsFor of a non-opcode is not nil")
	}
	for _, op := range []byte("?:;+>~*&!$") {
		if len(canon.FieldsFor(op)) == 0 {
			t.Errorf("opcode %q has no field list", op)
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	got, err := canon.Append([]byte("prefix|"), '!', []string{"x"}, canon.Record{"x": canon.Bool(true)})
	if err != nil || string(got) != "prefix|!:4:True" {
		t.Errorf("got %q, %v", got, err)
	}
}

// parseCanonical splits a serialization back into its opcode and values by
// their length prefixes, without looking at separators inside values.
func parseCanonical(b []byte) (byte, []string, error) {
	if len(b) < 2 || b[1] != ':' {
		return 0, nil, fmt.Errorf("no opcode prefix")
	}
	op, rest := b[0], b[2:]
	var out []string
	for len(rest) > 0 {
		if len(out) > 0 {
			if rest[0] != ',' {
				return 0, nil, fmt.Errorf("missing separator at value %d", len(out))
			}
			rest = rest[1:]
		}
		colon := slices.Index(rest, ':')
		if colon <= 0 {
			return 0, nil, fmt.Errorf("missing length at value %d", len(out))
		}
		n, err := strconv.Atoi(string(rest[:colon]))
		if err != nil || n < 0 || n > len(rest)-colon-1 || strconv.Itoa(n) != string(rest[:colon]) {
			return 0, nil, fmt.Errorf("bad length %q", rest[:colon])
		}
		out = append(out, string(rest[colon+1:colon+1+n]))
		rest = rest[colon+1+n:]
	}
	return op, out, nil
}

// typedValue is a drawn value with the rendering the test expects for it,
// worked out independently of package canon.
type typedValue struct {
	v    canon.Value
	want string
	f    float64
	isF  bool
}

func drawValue(t *rapid.T, label string) typedValue {
	switch rapid.IntRange(0, 6).Draw(t, label+"/kind") {
	case 0:
		return typedValue{v: canon.None()}
	case 1:
		s := rapid.String().Draw(t, label+"/str")
		return typedValue{v: canon.Str(s), want: s}
	case 2:
		n := rapid.Int64().Draw(t, label+"/int")
		return typedValue{v: canon.Int(n), want: fmt.Sprint(n)}
	case 3:
		n := rapid.Uint64().Draw(t, label+"/uint")
		return typedValue{v: canon.Uint(n), want: fmt.Sprint(n)}
	case 4:
		b := rapid.Bool().Draw(t, label+"/bool")
		return typedValue{v: canon.Bool(b), want: map[bool]string{true: "True", false: "False"}[b]}
	case 5:
		l := rapid.SliceOf(rapid.IntRange(-100, 1000)).Draw(t, label+"/list")
		parts := make([]string, len(l))
		for i, n := range l {
			parts[i] = fmt.Sprint(n)
		}
		return typedValue{v: canon.IntList(l), want: "[" + strings.Join(parts, ", ") + "]"}
	default:
		f := rapid.Float64().Draw(t, label+"/float")
		return typedValue{v: canon.Float(f), f: f, isF: true}
	}
}

// Property: every length prefix equals the byte length of what follows it,
// and the values parse back to their renderings, duplicates included.
func TestSerializeParsesBack(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		names := []string{"name", "txid", "op_fee", "buckets", "sender", "x"}
		rec := canon.Record{}
		vals := map[string]typedValue{}
		for _, n := range names {
			if rapid.IntRange(0, 9).Draw(t, "present/"+n) > 0 {
				tv := drawValue(t, n)
				rec[n] = tv.v
				vals[n] = tv
			}
		}
		fields := rapid.SliceOf(rapid.SampledFrom(names)).Draw(t, "fields")
		opcode := rapid.SampledFrom([]byte("?:;+>~*&!$")).Draw(t, "opcode")
		out, err := canon.Serialize(opcode, fields, rec)
		for _, f := range fields {
			if _, ok := vals[f]; !ok {
				var mf *canon.MissingFieldError
				if !errors.As(err, &mf) || mf.Field != f {
					t.Fatalf("field %s missing, error %v", f, err)
				}
				return
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		op, got, err := parseCanonical(out)
		if err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if op != opcode || len(got) != len(fields) {
			t.Fatalf("opcode %q with %d values, want %q with %d", op, len(got), opcode, len(fields))
		}
		for i, f := range fields {
			tv := vals[f]
			if !tv.isF {
				if got[i] != tv.want {
					t.Fatalf("field %d (%s): %q, want %q", i, f, got[i], tv.want)
				}
				continue
			}
			checkPyFloat(t, got[i], tv.f)
		}
	})
}

// checkPyFloat checks a float rendering by its properties: twelve
// significant digits that round-trip to f rounded to twelve digits, and a
// '.' or exponent always present.
func checkPyFloat(t *rapid.T, s string, f float64) {
	switch {
	case math.IsNaN(f):
		if s != "nan" {
			t.Fatalf("nan rendered %q", s)
		}
		return
	case math.IsInf(f, 0):
		if s != map[bool]string{true: "inf", false: "-inf"}[f > 0] {
			t.Fatalf("%v rendered %q", f, s)
		}
		return
	}
	if !strings.ContainsAny(s, ".e") {
		t.Fatalf("%v rendered %q without '.' or exponent", f, s)
	}
	back, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%v rendered %q: %v", f, s, err)
	}
	rounded, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'e', 11, 64), 64)
	if back != rounded {
		t.Fatalf("%v rendered %q, which reads back as %v, want %v", f, s, back, rounded)
	}
	if math.Signbit(back) != math.Signbit(f) {
		t.Fatalf("%v rendered %q lost its sign", f, s)
	}
	digits := strings.TrimLeft(strings.SplitN(strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", ""), "e", 2)[0], "0")
	if len(strings.TrimRight(digits, "0")) > 12 {
		t.Fatalf("%v rendered %q with more than 12 significant digits", f, s)
	}
}

// typicalRegistration is a NAME_REGISTRATION record as committed in 0.14.1.
func typicalRegistration() canon.Record {
	return canon.Record{
		"name": canon.Str("foo.test"), "value_hash": canon.None(),
		"sender":                canon.Str("76a914f75b20399d771f515a3cd80f941aa7461d92518c88ac"),
		"sender_pubkey":         canon.None(),
		"address":               canon.Str("n44rMyQ9rhTf7KjFdRwDNMWUSJ3MWLsDQ4"),
		"block_number":          canon.Int(262),
		"preorder_block_number": canon.Int(261),
		"first_registered":      canon.Int(262),
		"last_renewed":          canon.Int(262),
		"revoked":               canon.Bool(false),
		"op":                    canon.Str(":"),
		"txid":                  canon.Str("d5293044d66d81923a96699c8f2f7c4cde3329fb809d918e2e797073c507e0e4"),
		"vtxindex":              canon.Int(1),
		"op_fee":                canon.Float(6400000),
		"importer":              canon.None(),
		"importer_address":      canon.None(),
	}
}

// baselineAppend renders the same record from pre-rendered strings with
// plain strconv: the least work any serializer has to do.
func baselineAppend(dst []byte, values []string) []byte {
	dst = append(dst, ':', ':')
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(len(v)), 10)
		dst = append(dst, ':')
		dst = append(dst, v...)
	}
	return dst
}

func BenchmarkSerializeNameRecord(b *testing.B) {
	rec := typicalRegistration()
	fields := canon.FieldsFor(':')
	values := make([]string, len(fields))
	for i, f := range fields {
		values[i] = rec[f].String()
	}
	want, err := canon.Serialize(':', fields, rec)
	if err != nil {
		b.Fatal(err)
	}
	if got := baselineAppend(nil, values); string(got) != string(want) {
		b.Fatalf("baseline renders %q, canon %q", got, want)
	}
	// The baseline runs b.N times in the same run, then the timer restarts
	// for canon, so the ratio compares like with like on this machine.
	buf := make([]byte, 0, 512)
	start := time.Now()
	for i := 0; i < b.N; i++ {
		buf = baselineAppend(buf[:0], values)
	}
	baseNs := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.ResetTimer()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		if buf, err = canon.Append(buf[:0], ':', fields, rec); err != nil {
			b.Fatal(err)
		}
	}
	nsPerOp := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.ReportMetric(baseNs, "baseline-ns/op")
	b.ReportMetric(nsPerOp/baseNs, "x-strconv-baseline")
}
