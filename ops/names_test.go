package ops_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/ops"
)

// TestIsNameValid covers the reference's doctests (scripts.py:35-96) and
// the quirks we reproduce on purpose.
func TestIsNameValid(t *testing.T) {
	cases := []struct {
		name string
		want bool
	}{
		{"abcd", false},
		{"abcd.", false},
		{".abcd", false},
		{"Abcd.abcd", false},
		{"abcd.abc.d", false},
		{"abcd.abc+d", false},
		{"a.b.c", false},
		{"", false},
		{"abcdabcdabcdabcdabcdabcdabcdabcda.bcd", true},
		{"abcdabcdabcdabcdabcdabcdabcdabcdab.bcd", false},
		{"abcdabcdabcdabcdabcdabcdabcdabcdabc.d", true},
		{"a+b.c", false},
		{"a_b.c", true},
		{"a-b.c", true},
		{"muneeb.id", true},
		{"a.abcdefghijklmnopqrs", true},   // 19-char namespace
		{"a.abcdefghijklmnopqrst", false}, // 20-char namespace
		{"a.id\x00", false},
		{"a\x00.id", false},
		{"ab.i d", false},
		{"é.id", false},
		// Python's $ matches before one final newline: accepted, as in the
		// reference; the newline counts towards the length limits.
		{"a.id\n", true},
		{"a\n.id", true},
		{"a.id\n\n", false},
		{"a.\n", true}, // namespace "\n": non-empty and passes the regex
		{"abcdabcdabcdabcdabcdabcdabcdabcda.bc\n", true},
		{"abcdabcdabcdabcdabcdabcdabcdabcda.bcd\n", false},
	}
	for _, c := range cases {
		if got := ops.IsNameValid(c.name); got != c.want {
			t.Errorf("IsNameValid(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIsNamespaceIDValid(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"abcd", true}, {"+abcd", false}, {"abc.def", false}, {".abcd", false},
		{"abcdabcdabcdabcdabcd", false}, {"abcdabcdabcdabcdabc", true}, {"", false},
		{"id\n", true}, {"ID", false}, {"\n", true},
	}
	for _, c := range cases {
		if got := ops.IsNamespaceIDValid(c.id); got != c.want {
			t.Errorf("IsNamespaceIDValid(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}

func TestB40ToBin(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "00"},
		{"0", "00"},
		{"000", "00"},
		{"1", "01"},
		{"10", "28"},
		{"abcd", "0a0aad"},            // 658093 (b40.py doctest)
		{"muneeb.id", "87b0059d8e5d"}, // 149190078205533
		{"00.id", "f05d"},
		{"+", "27"},
	}
	for _, c := range cases {
		b, err := ops.B40ToBin(c.in)
		if err != nil || hex.EncodeToString(b) != c.want {
			t.Errorf("B40ToBin(%q) = %x, %v; want %s", c.in, b, err, c.want)
		}
	}
	// Leading zeros carry no value: different names, same preorder hash.
	a, _ := ops.PreorderHash("00ab.id", exS, exRAddr)
	b, _ := ops.PreorderHash("ab.id", exS, exRAddr)
	if a != b {
		t.Errorf("leading zeros changed the preorder hash: %s vs %s", a, b)
	}
	for _, bad := range []string{"a.id\n", "A", "a b"} {
		if _, err := ops.B40ToBin(bad); !errors.Is(err, &ops.Error{Code: ops.ErrInvalidName}) {
			t.Errorf("B40ToBin(%q): %v", bad, err)
		}
	}
}

// TestNewlineQuirkThroughTheDecoder: names with the trailing newline are
// decoded (revoke, registration), but a namespace reveal whose ID ends in a
// newline is rejected because its preorder hash cannot be computed (the
// reference's b40 conversion raises there).
func TestNewlineQuirkThroughTheDecoder(t *testing.T) {
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)
	op, err := ops.Decode(exTx([]byte("id~a.id\n")), [][]byte{exS}, dc)
	if err != nil || op.Name != "a.id\n" {
		t.Errorf("revoke a.id\\n: %v %v", op, err)
	}
	reveal := exTx(mustHex(t, "6964260000cd7304046543211111111111aa0001"+hex.EncodeToString([]byte("hello\n"))), out{exRcpt, 5500}, out{exS, 1})
	if _, err := ops.Decode(reveal, [][]byte{exS}, dc); !errors.Is(err, &ops.Error{Code: ops.ErrInvalidNamespaceID}) {
		t.Errorf("reveal hello\\n: %v", err)
	}
	op, err = ops.Decode(exTx([]byte("id!.hello\n")), [][]byte{exS}, dc)
	if err != nil || op.NamespaceID != "hello\n" {
		t.Errorf("ready hello\\n: %v %v", op, err)
	}
}

func TestAddresses(t *testing.T) {
	main, test := ops.Mainnet(), ops.Testnet()
	if main.BurnAddress() != "1111111111111111111114oLvT2" || test.BurnAddress() != "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8" {
		t.Error("burn addresses")
	}
	if a, ok := main.ScriptAddress(exS); !ok || a != exSAddr {
		t.Errorf("p2pkh address %s", a)
	}
	s, err := test.AddressScript("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc")
	if err != nil || len(s) != 23 {
		t.Errorf("testnet p2sh: %x %v", s, err)
	}
	if _, err := main.AddressScript("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc"); !errors.Is(err, &ops.Error{Code: ops.ErrInvalidAddress}) {
		t.Errorf("testnet address on mainnet: %v", err)
	}
	// The reference renders witness programs as witness version 1 with the
	// bech32 checksum ("bc1p…", not "bc1q…").
	wpkh := append([]byte{0, 0x14}, make([]byte, 20)...)
	if a, ok := main.ScriptAddress(wpkh); !ok || !strings.HasPrefix(a, "bc1p") {
		t.Errorf("p2wpkh rendered %q", a)
	}
	if _, ok := main.ScriptAddress([]byte{0x6a}); ok {
		t.Error("OP_RETURN has an address")
	}
}

func TestEncoderValidation(t *testing.T) {
	net := ops.Mainnet()
	addr := net.BurnAddress()
	ch := strings.Repeat("00", 16)
	cases := []struct {
		name string
		args ops.Args
		want ops.ErrorCode
	}{
		{"preorder without register address", ops.NamePreorderArgs{Name: "a.id", ConsensusHash: ch, SenderAddress: addr}, ops.ErrInvalidAddress},
		{"preorder invalid name", ops.NamePreorderArgs{Name: "a+b.id", ConsensusHash: ch, SenderAddress: addr, RegisterAddress: addr}, ops.ErrInvalidName},
		{"preorder short consensus hash", ops.NamePreorderArgs{Name: "a.id", ConsensusHash: "00", SenderAddress: addr, RegisterAddress: addr}, ops.ErrInvalidHash},
		{"registration testnet owner", ops.NameRegistrationArgs{Name: "a.id", OwnerAddress: ops.Testnet().BurnAddress()}, ops.ErrInvalidAddress},
		{"update bad value hash", ops.NameUpdateArgs{Name: "a.id", ConsensusHash: ch, ValueHash: "zz"}, ops.ErrInvalidHash},
		{"transfer bad name", ops.NameTransferArgs{Name: "A.id", ConsensusHash: ch, NewOwnerAddress: addr}, ops.ErrInvalidName},
		{"revoke bad name", ops.NameRevokeArgs{Name: "a.b.c"}, ops.ErrInvalidName},
		{"namespace preorder bad id", ops.NamespacePreorderArgs{NamespaceID: "a.b", ConsensusHash: ch, SenderAddress: addr, RevealAddress: addr}, ops.ErrInvalidNamespaceID},
		{"reveal version 4", ops.NamespaceRevealArgs{NamespaceID: "x", Version: 4, NonalphaDiscount: 1, NoVowelDiscount: 1, RevealAddress: addr}, ops.ErrInvalidArgument},
		{"reveal bucket 16", ops.NamespaceRevealArgs{NamespaceID: "x", Version: 1, NonalphaDiscount: 1, NoVowelDiscount: 1, Buckets: [16]uint8{16}, RevealAddress: addr}, ops.ErrInvalidArgument},
		{"ready bad id", ops.NamespaceReadyArgs{NamespaceID: ""}, ops.ErrInvalidNamespaceID},
		{"token units too long", ops.TokenTransferArgs{RecipientAddress: addr, ConsensusHash: ch, TokenUnits: strings.Repeat("S", 20)}, ops.ErrInvalidArgument},
	}
	for _, c := range cases {
		if _, err := c.args.Encode(net); !errors.Is(err, &ops.Error{Code: c.want}) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// IsNameValid's one-pass path for plain names agrees with the rules
// spelled one by one, on strings drawn mostly from the name alphabet (with
// '+', newlines and other bytes mixed in) and on arbitrary bytes.
func TestIsNameValidFastPathMatchesRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Mostly plain characters, sometimes one the fast path hands on.
		char := rapid.OneOf(
			rapid.SampledFrom([]byte("0123456789abcdefghijklmnopqrstuvwxyz-_")),
			rapid.SampledFrom([]byte(".+\n\x00A\xe9")),
		)
		part := func(label string, most int) string {
			return string(rapid.SliceOfN(char, 0, most).Draw(t, label))
		}
		var s string
		plain := rapid.SampledFrom([]byte("0123456789abcdefghijklmnopqrstuvwxyz-_"))
		switch rapid.IntRange(0, 3).Draw(t, "shape") {
		case 0: // a plain label.namespace at the limits: empty parts, the
			// longest namespace and name, one byte either side
			ns := rapid.SampledFrom([]int{0, 1, ops.MaxNamespaceIDLength - 1, ops.MaxNamespaceIDLength, ops.MaxNamespaceIDLength + 1}).Draw(t, "nsLen")
			fill := ops.MaxNameLength - 1 - ns // label length that reaches MaxNameLength
			label := rapid.SampledFrom([]int{0, 1, fill - 1, fill, fill + 1}).Draw(t, "labelLen")
			s = string(rapid.SliceOfN(plain, label, label).Draw(t, "label")) + "." +
				string(rapid.SliceOfN(plain, ns, ns).Draw(t, "ns"))
		case 1: // label.namespace of any length
			s = part("label", 36) + "." + part("ns", 21)
		case 2: // any mix of the alphabet
			s = part("s", 45)
		default:
			s = rapid.String().Draw(t, "arbitrary")
		}
		if got, want := ops.IsNameValid(s), ops.NameValidByRules(s); got != want {
			t.Fatalf("IsNameValid(%q) = %v, the rules say %v", s, got, want)
		}
	})
}
