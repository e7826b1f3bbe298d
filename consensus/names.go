package consensus

import (
	"encoding/hex"
	"strings"

	"github.com/btcsuite/btcd/address/v2/base58"
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
// name has no base-40 form.
func hashName(name, scriptHex, addr string) (string, bool) {
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
