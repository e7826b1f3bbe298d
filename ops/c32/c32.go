package c32

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// alphabet is Crockford's base-32 alphabet (no I, L, O, U).
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Address versions of Stacks 2.0.
const (
	MainnetP2PKH byte = 22 // SP
	MainnetP2SH  byte = 20 // SM
	TestnetP2PKH byte = 26 // ST
	TestnetP2SH  byte = 21 // SN
)

// ErrInvalid is the error of every malformed input; errors.Is matches it.
var ErrInvalid = errors.New("c32: invalid input")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// VersionFromBase58 maps a Bitcoin base58check address version to the
// Stacks version over the same hash160, as the Stacks 2.0 genesis did:
// 0→22 (SP), 5→20 (SM), 111→26 (ST), 196→21 (SN).
func VersionFromBase58(v byte) (byte, bool) {
	switch v {
	case 0:
		return MainnetP2PKH, true
	case 5:
		return MainnetP2SH, true
	case 111:
		return TestnetP2PKH, true
	case 196:
		return TestnetP2SH, true
	}
	return 0, false
}

// Encode returns the c32 encoding of data: the big-endian number in base
// 32 without leading zero digits, after one '0' per leading zero byte.
func Encode(data []byte) string {
	zeros := 0
	for zeros < len(data) && data[zeros] == 0 {
		zeros++
	}
	var b strings.Builder
	b.Grow(zeros + (len(data)*8+4)/5)
	for range zeros {
		b.WriteByte('0')
	}
	if zeros == len(data) {
		return b.String()
	}
	// big.Int.Text(32) uses 0-9a-v: the same digit values, another alphabet.
	for _, c := range []byte(new(big.Int).SetBytes(data[zeros:]).Text(32)) {
		d := c - '0'
		if c >= 'a' {
			d = c - 'a' + 10
		}
		b.WriteByte(alphabet[d])
	}
	return b.String()
}

// digit returns the value of one c32 character, accepting lower case and
// the homoglyphs Crockford's alphabet folds (O→0, I and L→1).
func digit(c byte) (byte, bool) {
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	switch c {
	case 'O':
		c = '0'
	case 'I', 'L':
		c = '1'
	}
	i := strings.IndexByte(alphabet, c)
	return byte(i), i >= 0
}

// Decode reverses Encode.
func Decode(s string) ([]byte, error) {
	zeros := 0
	n := new(big.Int)
	leading := true
	for i := 0; i < len(s); i++ {
		d, ok := digit(s[i])
		if !ok {
			return nil, invalid("character %q at %d is not c32", s[i], i)
		}
		if leading && d == 0 {
			zeros++
			continue
		}
		leading = false
		n.Lsh(n, 5)
		n.Or(n, big.NewInt(int64(d)))
	}
	out := make([]byte, zeros, zeros+len(s)*5/8+1)
	return append(out, n.Bytes()...), nil
}

func checksum(version byte, data []byte) []byte {
	h := sha256.New()
	h.Write([]byte{version})
	h.Write(data)
	first := h.Sum(nil)
	second := sha256.Sum256(first)
	return second[:4]
}

// CheckEncode returns c32check(version, data): the version's character,
// then data and its checksum in c32.
func CheckEncode(version byte, data []byte) (string, error) {
	if version >= 32 {
		return "", invalid("version %d is not below 32", version)
	}
	buf := append(append([]byte(nil), data...), checksum(version, data)...)
	return string(alphabet[version]) + Encode(buf), nil
}

// CheckDecode reverses CheckEncode and verifies the checksum.
func CheckDecode(s string) (version byte, data []byte, err error) {
	if len(s) < 2 {
		return 0, nil, invalid("%q is too short", s)
	}
	v, ok := digit(s[0])
	if !ok {
		return 0, nil, invalid("version character %q is not c32", s[0])
	}
	raw, err := Decode(s[1:])
	if err != nil {
		return 0, nil, err
	}
	if len(raw) < 4 {
		return 0, nil, invalid("%q has no checksum", s)
	}
	data, sum := raw[:len(raw)-4], raw[len(raw)-4:]
	if string(checksum(v, data)) != string(sum) {
		return 0, nil, invalid("checksum of %q does not match", s)
	}
	return v, data, nil
}

// Address returns the Stacks address "S" + c32check(version, hash160).
func Address(version byte, hash160 []byte) (string, error) {
	if len(hash160) != 20 {
		return "", invalid("a hash160 has 20 bytes, not %d", len(hash160))
	}
	s, err := CheckEncode(version, hash160)
	if err != nil {
		return "", err
	}
	return "S" + s, nil
}

// ParseAddress reverses Address.
func ParseAddress(s string) (version byte, hash160 []byte, err error) {
	if len(s) <= 5 || s[0] != 'S' {
		return 0, nil, invalid("%q is not a Stacks address", s)
	}
	v, h, err := CheckDecode(s[1:])
	if err != nil {
		return 0, nil, err
	}
	if len(h) != 20 {
		return 0, nil, invalid("%q holds %d bytes, not a 20-byte hash160", s, len(h))
	}
	return v, h, nil
}
