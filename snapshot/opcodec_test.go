package snapshot

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// TestOpCodecKnowsEveryField: the binary encoding names each field of
// ops.Op but Opcode (which it writes first); a field added to ops.Op
// must be added to opcodec.go, with a new format version.
func TestOpCodecKnowsEveryField(t *testing.T) {
	require.Equal(t, numOpFields+1, reflect.TypeOf(ops.Op{}).NumField(),
		"ops.Op has fields the binary inputs encoding does not know")
}

// TestOpCodecEachField sets each field of ops.Op alone, through
// reflection, to a value other than its zero value and requires it to
// survive the round trip: no field is forgotten or swapped with another.
func TestOpCodecEachField(t *testing.T) {
	typ := reflect.TypeOf(ops.Op{})
	for i := 0; i < typ.NumField(); i++ {
		var op ops.Op
		setNonZero(t, reflect.ValueOf(&op).Elem().Field(i))
		b := appendOp(nil, &op)
		var got ops.Op
		r := opReader{d: enc.NewCanonicalDecoder(b), keep: true}
		require.NoError(t, r.read(&got), typ.Field(i).Name)
		require.NoError(t, r.d.Finish(), typ.Field(i).Name)
		require.Equal(t, op, got, typ.Field(i).Name)
	}
}

func setNonZero(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int:
		v.SetInt(-3)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		setNonZero(t, v.Elem())
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			setNonZero(t, v.Index(i))
		}
	default:
		t.Fatalf("setNonZero: unhandled kind %s", v.Kind())
	}
}

func genString(t *rapid.T, label string) string {
	return rapid.OneOf(rapid.Just(""), rapid.StringN(1, 70, -1),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 1, 10), func(b []byte) string { return string(b) }), // not UTF-8
	).Draw(t, label)
}

func genPtr[T any](t *rapid.T, g *rapid.Generator[T], label string) *T {
	if rapid.Bool().Draw(t, label+" nil") {
		return nil
	}
	v := g.Draw(t, label)
	return &v
}

// genOp draws an operation with any field set or not, pointers nil or
// pointing at anything (zero values included), kinds known or not.
func genOp(t *rapid.T) ops.Op {
	str := rapid.Custom(func(t *rapid.T) string { return genString(t, "s") })
	kinds := []ops.Kind{ops.KindNamePreorder, ops.KindNameRegistration, ops.KindNameRenewal, ops.KindNameUpdate,
		ops.KindNameTransfer, ops.KindNameRevoke, ops.KindNameImport, ops.KindNamespacePreorder,
		ops.KindNamespaceReveal, ops.KindNamespaceReady, ops.KindAnnounce, ops.KindTokenTransfer, "", "OTHER"}
	op := ops.Op{
		Opcode:            ops.Opcode(rapid.Byte().Draw(t, "opcode")),
		Kind:              rapid.SampledFrom(kinds).Draw(t, "kind"),
		OpString:          genString(t, "op"),
		Txid:              genString(t, "txid"),
		Vtxindex:          rapid.Int().Draw(t, "vtxindex"),
		BlockHeight:       rapid.Uint64().Draw(t, "height"),
		Sender:            genString(t, "sender"),
		Address:           genString(t, "address"),
		SenderPubkey:      genPtr(t, str, "pubkey"),
		Recipient:         genString(t, "recipient"),
		RecipientAddress:  genString(t, "recipient address"),
		OpFee:             genPtr(t, rapid.Uint64(), "fee"),
		BurnAddress:       genString(t, "burn"),
		PreorderHash:      genString(t, "preorder"),
		ConsensusHash:     genString(t, "ch"),
		NameConsensusHash: genString(t, "nch"),
		Name:              genString(t, "name"),
		ValueHash:         genPtr(t, str, "value hash"),
		TokenFee:          genPtr(t, rapid.Uint64(), "token fee"),
		TokenUnits:        genPtr(t, str, "units"),
		KeepData:          genPtr(t, rapid.Bool(), "keep"),
		NameHash128:       genString(t, "nh128"),
		NamespaceID:       genString(t, "ns"),
		Lifetime:          rapid.Uint32().Draw(t, "lifetime"),
		Coeff:             rapid.Uint8().Draw(t, "coeff"),
		Base:              rapid.Uint8().Draw(t, "base"),
		NonalphaDiscount:  rapid.Uint8().Draw(t, "nonalpha"),
		NoVowelDiscount:   rapid.Uint8().Draw(t, "novowel"),
		Version:           rapid.Uint16().Draw(t, "version"),
		MessageHash:       genString(t, "message"),
		ScratchArea:       genPtr(t, str, "scratch"),
	}
	if !rapid.Bool().Draw(t, "no buckets") {
		var bs [16]int
		for i := range bs {
			bs[i] = rapid.Int().Draw(t, "bucket")
		}
		op.Buckets = &bs
	}
	return op
}

// TestPropertyInputsRoundTrip: any block of operations decodes to exactly
// what was encoded, and the checking pass accepts it.
func TestPropertyInputsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.SliceOfN(rapid.Custom(genOp), 0, 5).Draw(t, "inputs")
		b := encodeInputs(in)
		got, err := decodeInputs(inputsBinary, b)
		require.NoError(t, err)
		if len(in) == 0 {
			require.Empty(t, got)
		} else {
			require.Equal(t, in, got)
		}
		require.NoError(t, checkInputs(inputsBinary, b))
	})
}

// TestPropertyInputsDecoderStrict: on arbitrary bytes the decoder never
// panics, the checking pass accepts exactly what the decoder accepts, and
// whatever decodes encodes back to the same bytes (one encoding per
// block of operations, so stored inputs cannot be altered unnoticed by a
// re-encoding).
func TestPropertyInputsDecoderStrict(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b []byte
		if rapid.Bool().Draw(t, "mutate") {
			b = encodeInputs(rapid.SliceOfN(rapid.Custom(genOp), 1, 3).Draw(t, "inputs"))
			for range rapid.IntRange(1, 3).Draw(t, "flips") {
				i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
				b[i] ^= rapid.ByteRange(1, 255).Draw(t, "xor")
			}
		} else {
			b = rapid.SliceOfN(rapid.Byte(), 0, 60).Draw(t, "bytes")
		}
		got, err := decodeInputs(inputsBinary, b)
		cerr := checkInputs(inputsBinary, b)
		require.Equal(t, err == nil, cerr == nil, "decode: %v, check: %v", err, cerr)
		if err == nil {
			require.True(t, bytes.Equal(b, encodeInputs(got)), "%x re-encodes as %x", b, encodeInputs(got))
		}
	})
}

// TestInputsSmallerThanJSON: the binary form of the benchmark's inputs
// (1,750 bytes) is at most 60% of their JSON form (3,141 bytes): field
// names and nulls are gone, hex strings are kept as they are.
func TestInputsSmallerThanJSON(t *testing.T) {
	w := newWorkload()
	js, err := appendInputs(nil, inputsJSON, w.inputs)
	require.NoError(t, err)
	bin := encodeInputs(w.inputs)
	t.Logf("10 inputs: %d bytes binary, %d bytes JSON", len(bin), len(js))
	require.LessOrEqual(t, 10*len(bin), 6*len(js))
}

// FuzzInputs: the binary inputs decoder on arbitrary bytes, as
// TestPropertyInputsDecoderStrict.
func FuzzInputs(f *testing.F) {
	f.Add(encodeInputs(newWorkload().inputs))
	f.Add([]byte{1, '?', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeInputs(inputsBinary, b)
		if cerr := checkInputs(inputsBinary, b); (err == nil) != (cerr == nil) {
			t.Fatalf("decode: %v, check: %v", err, cerr)
		}
		if err == nil && !bytes.Equal(b, encodeInputs(got)) {
			t.Fatalf("%x re-encodes as %x", b, encodeInputs(got))
		}
	})
}

// genRawInputs draws bytes shaped like binary inputs, field by field:
// each operation carries any set of fields with ordinary values, except
// that one field may hold an edge value: an empty string or a zero where
// the encoder leaves the field out, a number beyond its field's range, a
// boolean byte of 2, an unknown kind code or a known kind spelled out, a
// number in a longer encoding than needed; and now and then an unknown
// mask bit or a trailing byte.
func genRawInputs(t *rapid.T) []byte {
	const (
		str = iota
		uvarint
		varint
		boolean
		buckets
		kind
	)
	// The value shape of each field, in mask order.
	shapes := [numOpFields]int{kind, str, str, varint, uvarint, str, str, str, str, str, uvarint, str, str, str,
		str, str, str, uvarint, str, boolean, str, str, uvarint, uvarint, uvarint, buckets, uvarint, uvarint, uvarint, str, str}
	n := rapid.IntRange(0, 2).Draw(t, "ops")
	b := enc.AppendUvarint(nil, uint64(n))
	for range n {
		b = append(b, rapid.Byte().Draw(t, "opcode"))
		mask := rapid.Uint64Range(0, 1<<numOpFields-1).Draw(t, "mask")
		if rapid.IntRange(0, 20).Draw(t, "unknown bit") == 0 {
			mask |= 1 << rapid.IntRange(numOpFields, 63).Draw(t, "bit")
		}
		edge := -1 // the field with an edge value, one the operation carries
		if set := setBits(mask); len(set) > 0 && rapid.IntRange(0, 3).Draw(t, "ordinary") != 0 {
			edge = rapid.SampledFrom(set).Draw(t, "edge field")
		}
		b = enc.AppendUvarint(b, mask)
		for f := 0; f < numOpFields; f++ {
			if mask&(1<<f) == 0 {
				continue
			}
			switch e := f == edge; shapes[f] {
			case str:
				v := rapid.StringN(1, 3, -1).Draw(t, "s")
				if e {
					v = ""
				}
				b = appendString(b, v)
			case uvarint:
				v := rapid.Uint64Range(1, 200).Draw(t, "u")
				if e && rapid.Bool().Draw(t, "overlong") {
					b = append(b, 0x81, 0x00) // 1, in two bytes
					continue
				}
				if e {
					v = rapid.SampledFrom([]uint64{0, 1 << 8, 1 << 16, 1 << 32, 1<<64 - 1}).Draw(t, "edge u")
				}
				b = enc.AppendUvarint(b, v)
			case varint:
				v := rapid.SampledFrom([]int64{-2, -1, 1, 2}).Draw(t, "i")
				if e && rapid.Bool().Draw(t, "overlong") {
					b = append(b, 0x82, 0x80, 0x00) // 1, in three bytes
					continue
				}
				if e {
					v = 0
				}
				b = enc.AppendVarint(b, v)
			case boolean:
				v := rapid.ByteRange(0, 1).Draw(t, "bool")
				if e {
					v = 2
				}
				b = append(b, v)
			case buckets:
				for range 16 {
					b = enc.AppendVarint(b, rapid.Int64Range(-1, 1).Draw(t, "bucket"))
				}
			case kind:
				c := rapid.ByteRange(0, 12).Draw(t, "kind code")
				if e {
					c = rapid.SampledFrom([]byte{0, 13, 255}).Draw(t, "edge kind code")
				}
				b = append(b, c)
				if c == 0 {
					k := "OTHER"
					if e {
						k = rapid.SampledFrom([]string{"", string(ops.KindNameUpdate)}).Draw(t, "edge kind")
					}
					b = appendString(b, k)
				}
			}
		}
	}
	if rapid.IntRange(0, 10).Draw(t, "trailing") == 0 {
		b = append(b, 0)
	}
	return b
}

func setBits(mask uint64) []int {
	var out []int
	for f := 0; f < numOpFields; f++ {
		if mask&(1<<f) != 0 {
			out = append(out, f)
		}
	}
	return out
}

// TestPropertyInputsOneEncoding: over encodings built field by field with
// arbitrary values, the decoder accepts exactly those that the encoder
// would write for what they decode to, and the checking pass agrees. Each
// check tries 20 encodings, so that every edge value of every field comes
// up.
func TestPropertyInputsOneEncoding(t *testing.T) {
	accepted, refused := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		for range 20 {
			b := genRawInputs(t)
			got, err := decodeInputs(inputsBinary, b)
			cerr := checkInputs(inputsBinary, b)
			require.Equal(t, err == nil, cerr == nil, "decode: %v, check: %v", err, cerr)
			if err != nil {
				refused++
				continue
			}
			accepted++
			require.Equal(t, b, encodeInputs(got))
		}
	})
	t.Logf("%d accepted, %d refused", accepted, refused)
	require.Positive(t, accepted)
	require.Positive(t, refused)
}
