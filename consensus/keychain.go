package consensus

import (
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
)

// importKeychain builds the NAME_IMPORT keychain of a namespace (§3.5-3,
// §10.6): the address of the revealer's public key as given, plus the
// addresses of the compressed public keys of its BIP32 non-hardened
// children 0..size-1, derived with an all-zero chain code at depth 0.
func (p *Params) importKeychain(pubkeyHex string) ([]string, error) {
	pub, err := hex.DecodeString(pubkeyHex)
	if err != nil {
		return nil, fmt.Errorf("consensus: bad import public key: %w", err)
	}
	var out []string
	// hdkeychain wants a compressed key; a parse of the given key both
	// validates and compresses it.
	master := hdkeychain.NewExtendedKey([]byte{0, 0, 0, 0}, compressPubkey(pub), make([]byte, 32), []byte{0, 0, 0, 0}, 0, 0, false)
	if _, err := master.ECPubKey(); err != nil {
		return nil, fmt.Errorf("consensus: bad import public key: %w", err)
	}
	for i := 0; i < p.ImportKeyringSize; i++ {
		child, err := master.Derive(uint32(i))
		if err != nil {
			continue // an invalid child (probability < 2^-127) has no address
		}
		pk, err := child.ECPubKey()
		if err != nil {
			continue
		}
		out = append(out, addressFromHash160(address.Hash160(pk.SerializeCompressed()), p.AddressVersion))
	}
	// The revealer's own address comes last, as in build_import_keychain.
	return append(out, addressFromHash160(address.Hash160(pub), p.AddressVersion)), nil
}

// pubkeyAddress is the p2pkh address of a hex public key as given.
func (p *Params) pubkeyAddress(pubkeyHex string) string {
	pub, err := hex.DecodeString(pubkeyHex)
	if err != nil {
		return ""
	}
	return addressFromHash160(address.Hash160(pub), p.AddressVersion)
}

// compressPubkey returns the 33-byte form of a public key (uncompressed
// 65-byte keys are compressed; anything else is returned unchanged and
// rejected by the parse that follows).
func compressPubkey(pub []byte) []byte {
	if len(pub) == 65 && pub[0] == 4 {
		out := make([]byte, 33)
		out[0] = 2 | (pub[64] & 1)
		copy(out[1:], pub[1:33])
		return out
	}
	return pub
}
