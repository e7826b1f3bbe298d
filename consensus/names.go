package consensus

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/address/v2/base58"
)

// The name helpers below restate the reference's b40.py, hashing.py and
// scripts.py:35-122 (state-machine.md §3 "Common definitions").

const b40Chars = "0123456789abcdefghijklmnopqrstuvwxyz-_.+"

// isB40 reports whether s matches the reference's `^[a-z0-9\-_.+]*$`.
// Python's `$` also matches before one trailing newline (§7.5); such a name
// would make the reference raise later in b40 conversion, so the engine
// treats it as invalid (documented deviation with no consensus effect: the
// reference op would be rejected by the exception handler too).
func isB40(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(b40Chars, s[i]) < 0 {
			return false
		}
	}
	return true
}

// isNamespaceIDValid: b40, no '+' or '.', length 1..19.
func isNamespaceIDValid(id string) bool {
	if len(id) == 0 || len(id) > 19 || !isB40(id) {
		return false
	}
	return !strings.ContainsAny(id, "+.")
}

// isNameValid is the reference's is_name_valid for a fully-qualified name.
func isNameValid(name string) bool {
	if len(name) == 0 || len(name) > 37 || strings.Count(name, ".") != 1 {
		return false
	}
	i := strings.IndexByte(name, '.')
	label, ns := name[:i], name[i+1:]
	if label == "" || !isNamespaceIDValid(ns) || !isB40(label) {
		return false
	}
	return !strings.ContainsAny(label, "+.")
}

// b40ToBin reads s as a base-40 number and returns its big-endian bytes
// (hex with a leading 0 nibble when odd), as b40.py does.
func b40ToBin(s string) []byte {
	n := new(big.Int)
	forty := big.NewInt(40)
	for i := 0; i < len(s); i++ {
		n.Mul(n, forty)
		n.Add(n, big.NewInt(int64(strings.IndexByte(b40Chars, s[i]))))
	}
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, _ := hex.DecodeString(h)
	return b
}

// hashName is hash_name(name, script_hex, address): hex hash160 of
// b40(name) ‖ script ‖ address.
func hashName(name, scriptHex, addr string) string {
	script, _ := hex.DecodeString(scriptHex)
	buf := append(b40ToBin(name), script...)
	buf = append(buf, addr...)
	return hex.EncodeToString(address.Hash160(buf))
}

// hash128 is hex(sha256(s)[:16]).
func hash128(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

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
