package consensus

import (
	"encoding/binary"
	"strings"
)

// State layout. Every piece of consensus state is one key of the store.
// Values of the hot records (NameRecord, Namespace, preorder rows, Account,
// owner index) use the compact binary encoding of codec.go, history
// entries the delta form of history.go (each record as its changes from
// the name's previous entry; the older full form still reads); the rest (vesting rows, scheduled events, keychains) are JSON; consensus
// and ops hashes are their hex strings. All encodings are deterministic.
// Heights in keys are 8-byte big-endian so that byte order is height order.
//
//	c/<height>           consensus hash of a block (hex string)
//	o/<height>           ops hash of a block (hex string)
//	n/<ns>/<name>        NameRecord (names sort by namespace, then name)
//	x/<hash128>          name whose sha256(name)[:16] is hash128
//	y/<preorder hash>    name whose record was last written with that preorder hash
//	s/<sender script>    OwnerIndex: every name whose current owner script is sender
//	N/<namespace id>     Namespace
//	P/<preorder hash>    PreorderRows: name ('?') and namespace ('*') preorders of that hash
//	h/<name>/<height><vtxindex(4 bytes)>/<seq>  HistoryEntry of a name
//	a/<address>/<type>   Account
//	v/<height>           VestingRows credited after block height-1
//	k/<namespace id>     Keychain: cached import keychain addresses
//	e/<height>           ScheduledEvents at the end of that block (0.13 rules)
//	t                    height of the last committed block (8 bytes)
const (
	keyTip = "t"

	prefixConsensusHash = "c/"
	prefixOpsHash       = "o/"
	prefixName          = "n/"
	prefixNameHash128   = "x/"
	prefixNamePreorder  = "y/"
	prefixOwner         = "s/"
	prefixNamespace     = "N/"
	prefixPreorder      = "P/"
	prefixHistory       = "h/"
	prefixAccount       = "a/"
	prefixVesting       = "v/"
	prefixKeychain      = "k/"
	prefixEvents        = "e/"
)

func heightKey(prefix string, h uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], h)
	return k
}

func consensusHashKey(h uint64) []byte { return heightKey(prefixConsensusHash, h) }
func opsHashKey(h uint64) []byte       { return heightKey(prefixOpsHash, h) }
func vestingKey(h uint64) []byte       { return heightKey(prefixVesting, h) }
func eventsKey(h uint64) []byte        { return heightKey(prefixEvents, h) }

// namespaceOf returns the namespace part of a fully-qualified name.
func namespaceOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return ""
}

// The append forms build a key onto k: the engine builds the keys it reads
// in one scratch buffer (blockCtx.scratchKey) and those it writes as
// strings, both from these, so that each layout is spelled once.

// appendNameKey appends n/<namespace>/<name>.
func appendNameKey(k []byte, name string) []byte {
	return append(append(append(append(k, prefixName...), namespaceOf(name)...), '/'), name...)
}

// appendIDKey appends prefix+id, the layout of every key that is a prefix
// and one identifier.
func appendIDKey(k []byte, prefix, id string) []byte {
	return append(append(k, prefix...), id...)
}

// appendAccountKey appends a/<address>/<type>.
func appendAccountKey(k []byte, addr, typ string) []byte {
	return append(append(append(append(k, prefixAccount...), addr...), '/'), typ...)
}

func nameKey(name string) []byte              { return appendNameKey(nil, name) }
func namesInNamespacePrefix(ns string) []byte { return []byte(prefixName + ns + "/") }
func hash128Key(h string) []byte              { return appendIDKey(nil, prefixNameHash128, h) }
func namePreorderKey(h string) []byte         { return appendIDKey(nil, prefixNamePreorder, h) }
func namespaceKey(id string) []byte           { return appendIDKey(nil, prefixNamespace, id) }
func accountKey(addr, typ string) []byte      { return appendAccountKey(nil, addr, typ) }
func keychainKey(ns string) []byte            { return appendIDKey(nil, prefixKeychain, ns) }
func historyPrefix(name string) []byte        { return []byte(prefixHistory + name + "/") }

func historyKey(name string, height uint64, vtx int, seq int) []byte {
	return appendHistoryKey(make([]byte, 0, len(prefixHistory)+len(name)+1+14), name, height, vtx, seq)
}

// appendHistoryKey appends historyKey(name, height, vtx, seq) to k.
func appendHistoryKey(k []byte, name string, height uint64, vtx int, seq int) []byte {
	k = append(append(append(k, prefixHistory...), name...), '/')
	var b [14]byte
	binary.BigEndian.PutUint64(b[:8], height)
	binary.BigEndian.PutUint32(b[8:12], uint32(vtx))
	binary.BigEndian.PutUint16(b[12:], uint16(seq))
	return append(k, b[:]...)
}
