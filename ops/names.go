package ops

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
)

// B40Alphabet lists the base-40 digits in value order.
const B40Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz-_.+"

// Length limits of names and namespace IDs (reference config.py:1074-1099).
const (
	MaxNameLength        = 37 // fully-qualified, "name.ns"
	MaxNamespaceIDLength = 19
)

func b40Digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c == '-':
		return 36
	case c == '_':
		return 37
	case c == '.':
		return 38
	case c == '+':
		return 39
	}
	return -1
}

// IsB40 reports whether s passes the reference's base-40 test.
//
// Quirk reproduced deliberately: the reference tests with the regular
// expression ^[a-z0-9\-_.+]*$ under Python's re.match, whose $ also matches
// just before one final newline. So a single trailing "\n" passes. Names are
// consensus data: a name the reference accepted must be accepted here too, or
// the two state machines diverge, so we accept it as well.
func IsB40(s string) bool {
	s = strings.TrimSuffix(s, "\n")
	for i := 0; i < len(s); i++ {
		if b40Digit(s[i]) < 0 {
			return false
		}
	}
	return true
}

// B40ToBin converts a base-40 string to bytes as the reference does
// (b40.py b40_to_bin): the string is read as one big base-40 number, most
// significant digit first, and written as big-endian bytes without leading
// zero bytes ("" and "0…0" give the single byte 0x00).
//
// Quirk reproduced: leading '0' digits carry no value, so "00ab.id" and
// "ab.id" convert to the same bytes and therefore have the same preorder
// hash. Preorder hashes are consensus data, so this cannot be "fixed".
// A character outside the alphabet is an error (including the trailing
// newline that IsB40 lets through: the reference raises there too).
func B40ToBin(s string) ([]byte, error) {
	v := new(big.Int)
	forty := big.NewInt(40)
	d := new(big.Int)
	for i := 0; i < len(s); i++ {
		x := b40Digit(s[i])
		if x < 0 {
			return nil, newError(ErrInvalidName, "", "%q is not base-40 (byte %d)", s, i)
		}
		v.Mul(v, forty)
		v.Add(v, d.SetInt64(int64(x)))
	}
	b := v.Bytes()
	if len(b) == 0 {
		return []byte{0}, nil
	}
	return b, nil
}

// IsNamespaceIDValid reports whether id is a valid namespace ID
// (scripts.py:99-122): base-40, no '+' or '.', 1 to 19 bytes.
func IsNamespaceIDValid(id string) bool {
	if !IsB40(id) || strings.ContainsAny(id, "+.") {
		return false
	}
	return len(id) > 0 && len(id) <= MaxNamespaceIDLength
}

// IsNameValid reports whether fqn is a valid fully-qualified name
// (scripts.py:35-96): exactly one '.', a non-empty base-40 name part without
// '+', a valid namespace ID and at most 37 bytes in all. Bytes are taken as
// they are: no case folding, any byte outside the alphabet (NUL padding
// included) invalidates the name. See IsB40 for the trailing-newline quirk.
func IsNameValid(fqn string) bool {
	if ok, decided := plainNameValid(fqn); decided {
		return ok
	}
	return nameValidByRules(fqn)
}

// plainNameValid decides, in one pass, a name made only of the digits
// 0-9a-z, '-', '_' and '.', which is every name the replay meets; decided
// is false for anything else ('+', a newline, a byte outside the
// alphabet), which nameValidByRules then judges. For such a name the
// rules reduce to: one dot, non-empty parts, a namespace of at most
// MaxNamespaceIDLength bytes and MaxNameLength in all.
func plainNameValid(fqn string) (ok, decided bool) {
	dot := -1
	for i := 0; i < len(fqn); i++ {
		switch c := fqn[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.':
			if dot >= 0 {
				return false, true
			}
			dot = i
		default:
			return false, false
		}
	}
	nsLen := len(fqn) - dot - 1
	return dot > 0 && nsLen > 0 && nsLen <= MaxNamespaceIDLength && len(fqn) <= MaxNameLength, true
}

// nameValidByRules is IsNameValid spelled as the reference's rules, one
// by one (scripts.py:35-96).
func nameValidByRules(fqn string) bool {
	if strings.Count(fqn, ".") != 1 {
		return false
	}
	name, ns, _ := strings.Cut(fqn, ".")
	if name == "" || ns == "" {
		return false
	}
	if !IsB40(name) || strings.Contains(name, "+") {
		return false
	}
	if !IsNamespaceIDValid(ns) {
		return false
	}
	return len(fqn) <= MaxNameLength
}

// PreorderHash is the reference's hash_name (hashing.py:32-42): hash160 of
// B40ToBin(name) ‖ the sender's scriptPubKey bytes ‖ the register address as
// ASCII, lower-case hex. name is a fully-qualified name for NAME_PREORDER
// and a namespace ID for NAMESPACE_PREORDER / NAMESPACE_REVEAL;
// registerAddr is the address of the registration's (reveal's) outputs[1],
// rendered for the network in use.
func PreorderHash(name string, senderScript []byte, registerAddr string) (string, error) {
	b, err := B40ToBin(name)
	if err != nil {
		return "", err
	}
	buf := make([]byte, 0, len(b)+len(senderScript)+len(registerAddr))
	buf = append(buf, b...)
	buf = append(buf, senderScript...)
	buf = append(buf, registerAddr...)
	return hex.EncodeToString(address.Hash160(buf)), nil
}

// Hash128 is the first 16 bytes of SHA-256 of data, lower-case hex
// (hashing.py hash256_trunc128).
func Hash128(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:16])
}

// NameHash128 is the name_hash128 of a NAME_TRANSFER: Hash128 of the name.
func NameHash128(name string) string { return Hash128([]byte(name)) }

// UpdateHash is the name_consensus_hash of a NAME_UPDATE: Hash128 of the
// name followed by the consensus hash as lower-case hex text (not bytes).
func UpdateHash(name, consensusHashHex string) string {
	return Hash128([]byte(name + consensusHashHex))
}
