package consensus

import (
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"strings"

	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
)

// The name helpers below restate the reference's b40.py, hashing.py and
// scripts.py:35-122 (state-machine.md §3 "Common definitions").

// The name helpers are package ops's (the reference's scripts.py, b40.py,
// hashing.py); these wrappers fix how the engine uses them.

// isNameValid is is_name_valid. A name ending in "\n" passes it, as in the
// reference (Python's `$`, state-machine.md §7.5), but its base-40
// conversion fails; the engine then rejects the operation (ErrInvalidName)
// where the reference's check would raise. Either way nothing is committed.
func isNameValid(name string) bool { return ops.IsNameValid(name) }

func isNamespaceIDValid(id string) bool { return ops.IsNamespaceIDValid(id) }

// hashName is hash_name(name, script_hex, address); ok is false when the
// name has no base-40 form (or the script is not hex).
func hashName(name, scriptHex, addr string) (string, bool) {
	var buf [160]byte
	b, ok := appendB40(buf[:0], name)
	if !ok {
		// Long or not base-40: the general (math/big) path decides.
		script, err := hex.DecodeString(scriptHex)
		if err != nil {
			return "", false
		}
		h, err := ops.PreorderHash(name, script, addr)
		if err != nil {
			return "", false
		}
		return h, true
	}
	if len(scriptHex)%2 != 0 {
		return "", false
	}
	for i := 0; i < len(scriptHex); i += 2 {
		hi, lo := fromAnyHex(scriptHex[i]), fromAnyHex(scriptHex[i+1])
		if hi|lo > 0xf {
			return "", false
		}
		b = append(b, hi<<4|lo)
	}
	b = append(b, addr...)
	var h [20]byte
	digest.Hash160Into(&h, b)
	return hex.EncodeToString(h[:]), true
}

// fromAnyHex is the value of a hex digit of either case, or 0xff.
func fromAnyHex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0xff
}

// appendB40 is ops.B40ToBin with fixed-size arithmetic, for strings of at
// most 48 base-40 digits (40^48 < 2^256); ok is false otherwise.
func appendB40(dst []byte, s string) ([]byte, bool) {
	if len(s) > 48 {
		return dst, false
	}
	var v [4]uint64 // little-endian limbs
	for i := 0; i < len(s); i++ {
		var d uint64
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'z':
			d = uint64(c-'a') + 10
		case c == '-':
			d = 36
		case c == '_':
			d = 37
		case c == '.':
			d = 38
		case c == '+':
			d = 39
		default:
			return dst, false
		}
		carry := d
		for j := range v {
			hi, lo := bits.Mul64(v[j], 40)
			lo, c := bits.Add64(lo, carry, 0)
			v[j], carry = lo, hi+c
		}
	}
	var be [32]byte
	for j := range v {
		binary.BigEndian.PutUint64(be[24-8*j:], v[j])
	}
	k := 0
	for k < 31 && be[k] == 0 {
		k++
	}
	return append(dst, be[k:]...), true
}

// hash128 is hex(sha256(s)[:16]).
func hash128(s string) string { return ops.Hash128([]byte(s)) }

// burnAddress renders hash160 0x00…00 under an address version byte.
func burnAddress(version byte) string {
	return base58.CheckEncode(make([]byte, 20), version)
}

// addressFromHash160 renders a p2pkh address.
func addressFromHash160(h []byte, version byte) string {
	return base58.CheckEncode(h, version)
}

// isP2SHAddress reports whether addr decodes with the p2sh version byte.
func (p *Params) isP2SHAddress(addr string) bool {
	_, v, err := base58.CheckDecode(addr)
	return err == nil && v == p.P2SHVersion
}

// isP2SHScript reports whether a hex script is OP_HASH160 <20> OP_EQUAL.
func isP2SHScript(scriptHex string) bool {
	return len(scriptHex) == 46 && strings.HasPrefix(scriptHex, "a914") && strings.HasSuffix(scriptHex, "87")
}
