package codec

import (
	"encoding/binary"
	"strings"
)

// The state's key layout. Every piece of consensus state is one key of the store.
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
	KeyTip = "t"

	PrefixConsensusHash = "c/"
	PrefixOpsHash       = "o/"
	PrefixName          = "n/"
	PrefixNameHash128   = "x/"
	PrefixNamePreorder  = "y/"
	PrefixOwner         = "s/"
	PrefixNamespace     = "N/"
	PrefixPreorder      = "P/"
	PrefixHistory       = "h/"
	PrefixAccount       = "a/"
	PrefixVesting       = "v/"
	PrefixKeychain      = "k/"
	PrefixEvents        = "e/"
)

func HeightKey(prefix string, h uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], h)
	return k
}

func ConsensusHashKey(h uint64) []byte { return HeightKey(PrefixConsensusHash, h) }
func OpsHashKey(h uint64) []byte       { return HeightKey(PrefixOpsHash, h) }
func VestingKey(h uint64) []byte       { return HeightKey(PrefixVesting, h) }
func EventsKey(h uint64) []byte        { return HeightKey(PrefixEvents, h) }

// NamespaceOf returns the namespace part of a fully-qualified name.
func NamespaceOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return ""
}

// The append forms build a key onto k: the engine builds the keys it reads
// in one scratch buffer (blockCtx.scratchKey) and those it writes as
// strings, both from these, so that each layout is spelled once.

// AppendNameKey appends n/<namespace>/<name>.
func AppendNameKey(k []byte, name string) []byte {
	return append(append(append(append(k, PrefixName...), NamespaceOf(name)...), '/'), name...)
}

// AppendIDKey appends prefix+id, the layout of every key that is a prefix
// and one identifier.
func AppendIDKey(k []byte, prefix, id string) []byte {
	return append(append(k, prefix...), id...)
}

// AppendAccountKey appends a/<address>/<type>.
func AppendAccountKey(k []byte, addr, typ string) []byte {
	return append(append(append(append(k, PrefixAccount...), addr...), '/'), typ...)
}

func NameKey(name string) []byte              { return AppendNameKey(nil, name) }
func NamesInNamespacePrefix(ns string) []byte { return []byte(PrefixName + ns + "/") }
func Hash128Key(h string) []byte              { return AppendIDKey(nil, PrefixNameHash128, h) }
func NamePreorderKey(h string) []byte         { return AppendIDKey(nil, PrefixNamePreorder, h) }
func NamespaceKey(id string) []byte           { return AppendIDKey(nil, PrefixNamespace, id) }
func AccountKey(addr, typ string) []byte      { return AppendAccountKey(nil, addr, typ) }
func KeychainKey(ns string) []byte            { return AppendIDKey(nil, PrefixKeychain, ns) }
func HistoryPrefix(name string) []byte        { return []byte(PrefixHistory + name + "/") }

func HistoryKey(name string, height uint64, vtx int, seq int) []byte {
	return AppendHistoryKey(make([]byte, 0, len(PrefixHistory)+len(name)+1+14), name, height, vtx, seq)
}

// AppendHistoryKey appends HistoryKey(name, height, vtx, seq) to k.
func AppendHistoryKey(k []byte, name string, height uint64, vtx int, seq int) []byte {
	k = append(append(append(k, PrefixHistory...), name...), '/')
	var b [14]byte
	binary.BigEndian.PutUint64(b[:8], height)
	binary.BigEndian.PutUint32(b[8:12], uint32(vtx))
	binary.BigEndian.PutUint16(b[12:], uint16(seq))
	return append(k, b[:]...)
}
