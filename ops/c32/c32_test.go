package c32

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2/base58"
	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/testvectors"
)

type vectors struct {
	Encode []struct {
		Hex, C32 string
	} `json:"encode"`
	CheckEncode []struct {
		Version  byte
		Hex      string
		C32check string
	} `json:"check_encode"`
	Address []struct {
		Version byte
		Hex     string
		Address string
	} `json:"address"`
	B58Equivalent []struct {
		B58, C32 string
	} `json:"b58_equivalent"`
	InvalidC32Decode   []string `json:"invalid_c32_decode"`
	InvalidCheckDecode []string `json:"invalid_check_decode"`
	InvalidAddress     []struct {
		Version byte
		Hex     string
	} `json:"invalid_address"`
	InvalidAddressDecode []string `json:"invalid_address_decode"`
}

func load(t *testing.T) *vectors {
	raw, err := os.ReadFile(testvectors.Path("c32", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Encode) != 22 || len(v.CheckEncode) != 132 || len(v.Address) != 30 || len(v.B58Equivalent) != 20 {
		t.Fatalf("vector file incomplete: %d %d %d %d", len(v.Encode), len(v.CheckEncode), len(v.Address), len(v.B58Equivalent))
	}
	return &v
}

// unhex decodes a vector's hex, padding an odd length with a leading 0
// as the library does.
func unhex(t *testing.T, s string) []byte {
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeVectors(t *testing.T) {
	v := load(t)
	for _, c := range v.Encode {
		data := unhex(t, c.Hex)
		if got := Encode(data); got != c.C32 {
			t.Errorf("Encode(%s) = %s, want %s", c.Hex, got, c.C32)
		}
		back, err := Decode(c.C32)
		if err != nil || hex.EncodeToString(back) != hex.EncodeToString(data) {
			t.Errorf("Decode(%s) = %x %v, want %x", c.C32, back, err, data)
		}
	}
	for _, s := range v.InvalidC32Decode {
		if _, err := Decode(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%q) = %v", s, err)
		}
	}
}

func TestCheckEncodeVectors(t *testing.T) {
	v := load(t)
	for _, c := range v.CheckEncode {
		data := unhex(t, c.Hex)
		got, err := CheckEncode(c.Version, data)
		if err != nil || got != c.C32check {
			t.Errorf("CheckEncode(%d, %s) = %s %v, want %s", c.Version, c.Hex, got, err, c.C32check)
			continue
		}
		// Homoglyphs and lower case decode to the same.
		for _, s := range []string{got, strings.ReplaceAll(got, "1", "I"), strings.ReplaceAll(got, "1", "l"),
			strings.ReplaceAll(got, "0", "O"), strings.ReplaceAll(got, "0", "o"), strings.ToLower(got)} {
			ver, back, err := CheckDecode(s)
			if err != nil || ver != c.Version || hex.EncodeToString(back) != hex.EncodeToString(data) {
				t.Errorf("CheckDecode(%s) = %d %x %v", s, ver, back, err)
			}
		}
	}
	for _, s := range v.InvalidCheckDecode {
		if _, _, err := CheckDecode(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckDecode(%q) = %v", s, err)
		}
	}
}

func TestAddressVectors(t *testing.T) {
	v := load(t)
	for _, c := range v.Address {
		h := unhex(t, c.Hex)
		got, err := Address(c.Version, h)
		if err != nil || got != c.Address {
			t.Errorf("Address(%d, %s) = %s %v, want %s", c.Version, c.Hex, got, err, c.Address)
		}
		ver, back, err := ParseAddress(c.Address)
		if err != nil || ver != c.Version || hex.EncodeToString(back) != c.Hex {
			t.Errorf("ParseAddress(%s) = %d %x %v", c.Address, ver, back, err)
		}
	}
	for _, c := range v.InvalidAddress {
		if _, err := Address(c.Version, unhex(t, c.Hex)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Address(%d, %s) = %v", c.Version, c.Hex, err)
		}
	}
	for _, s := range v.InvalidAddressDecode {
		if _, _, err := ParseAddress(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseAddress(%q) = %v", s, err)
		}
	}
}

// The base58 ↔ c32 pairs: the same hash160, versions mapped as the Stacks
// 2.0 genesis did.
func TestBase58Equivalents(t *testing.T) {
	v := load(t)
	for _, c := range v.B58Equivalent {
		h, bver, err := base58.CheckDecode(c.B58)
		if err != nil {
			t.Fatal(err)
		}
		ver, ok := VersionFromBase58(bver)
		if !ok {
			t.Fatalf("%s: version %d unmapped", c.B58, bver)
		}
		got, err := Address(ver, h)
		if err != nil || got != c.C32 {
			t.Errorf("%s → %s %v, want %s", c.B58, got, err, c.C32)
		}
	}
	if _, ok := VersionFromBase58(42); ok {
		t.Fatal("version 42 mapped")
	}
}

func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "data")
		ver := rapid.ByteMax(31).Draw(t, "version")
		back, err := Decode(Encode(data))
		if err != nil || hex.EncodeToString(back) != hex.EncodeToString(data) {
			t.Fatalf("Decode(Encode(%x)) = %x %v", data, back, err)
		}
		s, err := CheckEncode(ver, data)
		if err != nil {
			t.Fatal(err)
		}
		v2, back, err := CheckDecode(s)
		if err != nil || v2 != ver || hex.EncodeToString(back) != hex.EncodeToString(data) {
			t.Fatalf("CheckDecode(%s) = %d %x %v", s, v2, back, err)
		}
	})
}
