package snapshot

import "github.com/spvcheck/spvcheck/snapshot/internal/enc"

// The store keeps two keyspaces in one Pebble database, told apart by the
// first byte of every key. Engine state lives under prefixState and is all
// that Get and Scan ever see; everything below prefixState is the store's
// own bookkeeping. Per-height keys end in the big-endian height, so they
// iterate in height order.
const (
	prefixMeta    byte = 0x00 // + meta name: format version, network, ...
	prefixTip     byte = 0x01 // the tip height
	prefixBlock   byte = 0x02 // + height: blockSummary
	prefixRecords byte = 0x03 // + height: committed records
	prefixInputs  byte = 0x04 // + height: parsed inputs
	prefixUndo    byte = 0x05 // + height: undo record
	prefixState   byte = 0x80 // + engine key: engine value
)

// Metadata names under prefixMeta.
const (
	metaFormat  = "format"  // uvarint format version
	metaNetwork = "network" // network name
	metaParams  = "params"  // consensus parameters fingerprint
	metaFirst   = "first"   // 8-byte height of the first block ever committed
)

func metaKey(name string) []byte { return append([]byte{prefixMeta}, name...) }

func tipKey() []byte { return []byte{prefixTip} }

func heightKey(prefix byte, h uint64) []byte {
	return appendHeightKey(make([]byte, 0, 9), prefix, h)
}

func appendHeightKey(b []byte, prefix byte, h uint64) []byte {
	return enc.AppendUint64(append(b, prefix), h)
}

func stateKey(k []byte) []byte {
	out := make([]byte, 0, 1+len(k))
	out = append(out, prefixState)
	return append(out, k...)
}

// stateBounds returns the Pebble key range holding the state keys that
// start with prefix. upper is nil when the range runs to the end of the
// keyspace (a prefix of all 0xff bytes).
func stateBounds(prefix []byte) (lower, upper []byte) {
	lower = stateKey(prefix)
	upper = append([]byte(nil), lower...)
	for i := len(upper) - 1; i >= 0; i-- {
		if upper[i] != 0xff {
			upper[i]++
			return lower, upper[:i+1]
		}
	}
	return lower, nil
}
