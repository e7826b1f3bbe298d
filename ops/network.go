package ops

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/btcsuite/btcd/address/v2/bech32"
)

// Network holds what the decoder and the encoders need to know about the
// Bitcoin network they run on: the address version bytes, the bech32 prefix
// the reference used and the magic bytes that mark Blockstack data.
//
// The reference chose the address versions from one environment switch
// (BLOCKSTACK_TESTNET): 0/5 on mainnet, 111/196 on testnet and regtest alike,
// with the bech32 prefix "tb" for both of the latter (virtualchain
// keys.py:92-124, bech32.py:27-35). Addresses matter for consensus: the
// preorder hash covers the register address as a string.
type Network struct {
	// Name is a label for logs ("mainnet", "testnet", "regtest").
	Name string
	// PubKeyHashAddrID and ScriptHashAddrID are the base58 version bytes.
	PubKeyHashAddrID byte
	ScriptHashAddrID byte
	// Bech32HRP is the human-readable part of bech32 addresses.
	Bech32HRP string
	// Magic is the two bytes every operation's data starts with ("id").
	Magic [2]byte
}

// DefaultMagic is the magic of every public Blockstack network.
const DefaultMagic = "id"

func defaultMagic() [2]byte { return [2]byte{DefaultMagic[0], DefaultMagic[1]} }

// Mainnet returns the Bitcoin mainnet network with magic "id".
func Mainnet() Network {
	return Network{Name: "mainnet", PubKeyHashAddrID: 0, ScriptHashAddrID: 5, Bech32HRP: "bc", Magic: defaultMagic()}
}

// Testnet returns Bitcoin testnet with magic "id".
func Testnet() Network {
	return Network{Name: "testnet", PubKeyHashAddrID: 111, ScriptHashAddrID: 196, Bech32HRP: "tb", Magic: defaultMagic()}
}

// Regtest returns a regtest network. Its addresses are testnet addresses,
// as in the reference (which used the same switch for both).
func Regtest() Network {
	n := Testnet()
	n.Name = "regtest"
	return n
}

// WithMagic returns a copy of n that looks for other magic bytes (a
// deployment with BLOCKSTACK_TESTNET_ID set, e.g. "di").
func (n Network) WithMagic(magic [2]byte) Network {
	n.Magic = magic
	return n
}

// BurnAddress returns the network's burn address
// (1111111111111111111114oLvT2 on mainnet).
func (n Network) BurnAddress() string {
	return base58.CheckEncode(make([]byte, 20), n.PubKeyHashAddrID)
}

// BurnScript returns the p2pkh script of the burn address, whose hash160 is
// 20 zero bytes.
func BurnScript() []byte { return P2PKHScript(make([]byte, 20)) }

// P2PKHScript returns OP_DUP OP_HASH160 <h160> OP_EQUALVERIFY OP_CHECKSIG.
func P2PKHScript(h160 []byte) []byte {
	s := make([]byte, 0, 25)
	s = append(s, 0x76, 0xa9, 0x14)
	s = append(s, h160...)
	return append(s, 0x88, 0xac)
}

// P2SHScript returns OP_HASH160 <h160> OP_EQUAL.
func P2SHScript(h160 []byte) []byte {
	s := make([]byte, 0, 23)
	s = append(s, 0xa9, 0x14)
	s = append(s, h160...)
	return append(s, 0x87)
}

// ScriptAddress renders the address of an output script the way the
// reference does (virtualchain btc_script_hex_to_address): base58check for
// p2pkh and p2sh, bech32 for 0014/0020 witness programs, nothing for any
// other script.
//
// Quirk reproduced: the reference encodes witness programs with witness
// version 1 and the original bech32 checksum, so a p2wpkh output renders as
// "bc1p…" rather than "bc1q…". Such addresses only appear in fields the
// reference does not type-check (the burn output of a NAME_RENEWAL).
func (n Network) ScriptAddress(script []byte) (string, bool) {
	switch {
	case isP2PKH(script):
		return base58.CheckEncode(script[3:23], n.PubKeyHashAddrID), true
	case isP2SH(script):
		return base58.CheckEncode(script[2:22], n.ScriptHashAddrID), true
	case len(script) == 22 && script[0] == 0x00 && script[1] == 0x14,
		len(script) == 34 && script[0] == 0x00 && script[1] == 0x20:
		conv, err := bech32.ConvertBits(script[2:], 8, 5, true)
		if err != nil {
			return "", false
		}
		addr, err := bech32.Encode(n.Bech32HRP, append([]byte{1}, conv...))
		if err != nil {
			return "", false
		}
		return addr, true
	}
	return "", false
}

// AddressScript returns the output script paying a base58 address of this
// network (p2pkh or p2sh). Encoders use it for every address argument.
func (n Network) AddressScript(addr string) ([]byte, error) {
	h, ver, err := base58.CheckDecode(addr)
	if err != nil {
		return nil, newError(ErrInvalidAddress, "", "address %q: %v", addr, err)
	}
	if len(h) != 20 {
		return nil, newError(ErrInvalidAddress, "", "address %q: payload of %d bytes", addr, len(h))
	}
	switch ver {
	case n.PubKeyHashAddrID:
		return P2PKHScript(h), nil
	case n.ScriptHashAddrID:
		return P2SHScript(h), nil
	}
	return nil, newError(ErrInvalidAddress, "", "address %q: version %d is not a %s address", addr, ver, n.Name)
}

// P2PKHAddress returns the base58 p2pkh address of a hash160.
func (n Network) P2PKHAddress(h160 []byte) string {
	return base58.CheckEncode(h160, n.PubKeyHashAddrID)
}

// String names the network and its magic.
func (n Network) String() string {
	return fmt.Sprintf("%s(magic %q)", n.Name, n.Magic[:])
}

func isP2PKH(s []byte) bool {
	return len(s) == 25 && s[0] == 0x76 && s[1] == 0xa9 && s[2] == 0x14 && s[23] == 0x88 && s[24] == 0xac
}

func isP2SH(s []byte) bool {
	return len(s) == 23 && s[0] == 0xa9 && s[1] == 0x14 && s[22] == 0x87
}

// senderTypeOK is the reference's sender rule (scripts.py:750-767): the
// spent script must be p2pkh or p2sh (nested segwit is p2sh).
func senderTypeOK(s []byte) bool { return isP2PKH(s) || isP2SH(s) }

// outputTypeOK is check_tx_output_types for one output (scripts.py:734-747):
// only nulldata, p2pkh and p2sh are accepted, in every epoch.
func outputTypeOK(s []byte) bool {
	return isP2PKH(s) || isP2SH(s) || (len(s) > 0 && s[0] == opReturn)
}

// hasMagic reports whether data starts with the magic bytes.
func (n Network) hasMagic(data []byte) bool {
	return len(data) >= 2 && bytes.Equal(data[:2], n.Magic[:])
}
