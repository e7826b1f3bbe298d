// Package snv builds and verifies simplified name verification (SNV)
// proofs: compact, self-contained evidence that a Blockstack block committed
// a given set of records, checkable offline, in well under a millisecond,
// by anyone who trusts one recent (height, consensus hash) pair.
//
// # Why it works
//
// Block N's consensus hash commits to its ops hash and to the consensus
// hashes of blocks N-1, N-3, N-7, ..., N-(2^i-1) down to the first block
// (package digest). The reference client (blockstack snv.py,
// snv_get_blockstack_ops_at; consensus-hash.md (f)) uses this skip list
// online: it asks an untrusted node for a block's ops hash and previous
// hashes, checks they hash to the consensus hash it already trusts, trusts
// the previous hashes in turn, and jumps to the lowest trusted height not
// below its target, until it reaches the target; then it fetches the
// target's records and checks they give its ops hash. A proof here is the
// transcript of that walk, so the verifier needs no node:
//
//   - Steps: for each height of the walk, from the trusted height down to
//     the target, the block's ops hash and the consensus hashes of its
//     previous heights. Each step at most halves the remaining distance, so
//     a proof spanning d blocks has at most bits.Len(d)+1 steps (19 for
//     300,000 blocks, about 6 KiB).
//   - Records: the target block's canonical serialized records (package
//     canon), the leaves of its ops hash.
//   - A selector (a name, a txid or a vtxindex, or the whole block) saying
//     which record the proof is about. Name records carry the name as their
//     first field; txid and vtxindex are found by position in the opcode's
//     field list (canon.FieldsFor), which has the same positions in every
//     version. A name selector also matches a namespace's namespace_id.
//
// Verify walks the steps and fails with an *Error naming the step, height,
// expected and computed value, and an ErrorCode (errors.Is(err,
// snv.ErrConsensusMismatch)). It never panics, allocates nothing in
// proportion to claims the input cannot back, and does no I/O.
//
// # Packages
//
// The proof document, its encodings, its errors and the walk from the
// trusted consensus hash to the records live in package snvcore, which has
// no Bitcoin dependencies (the in-app verifier, cmd/snvwasm, links only
// it). This package re-exports them, and adds Build, the chain sources and
// the Bitcoin-evidence check. snv.Verify runs snvcore's walk and then
// checks the Bitcoin section; snvcore.Verify skips that section.
//
// # Optional Bitcoin evidence
//
// When asked (BuildOptions.Bitcoin), a proof also carries, for the
// selected operation (the last selected record):
//
//   - the target block's 80-byte Bitcoin header,
//   - the operation's transaction and its Merkle branch and index,
//   - the headers of up to BuildOptions.Confirmations blocks after the
//     target (default: up to the trusted height, at most
//     DefaultConfirmations), never beyond the trusted height.
//
// The verifier checks that the transaction's txid is the selected record's,
// that the branch leads to the header's Merkle root, that every header's
// hash meets its own compact target and that target is within the
// network's limit (VerifyOptions.PowLimit, mainnet by default), and that
// each header names the previous one. It reports the number of headers
// proven and their summed work. Headers carry no height, so this shows that
// work was spent on a block containing the operation, not that the block
// is at the target height on the best chain; the consensus hashes are what
// bind the records to the chain the verifier trusts. 64-byte transactions
// are refused (they can pose as Merkle nodes).
//
// # Binary encoding, version 1
//
// Big-endian integers, no padding, nothing optional but the Bitcoin
// section:
//
//	magic          "SNVP"
//	version        u8 = 1
//	flags          u8: bit 0 = Bitcoin section present; other bits 0
//	first_block    u64
//	trusted_height u64
//	target_height  u64
//	selector       u8 kind: 0 whole block; 1 name: u16 length + bytes;
//	               2 txid: 32 bytes; 3 vtxindex: u64
//	steps          u16 count (<= MaxSteps), each:
//	               u64 height, 32-byte ops hash,
//	               u8 count (<= MaxPrevs) of 16-byte consensus hashes
//	records        u32 count (<= MaxRecords), each u32 length
//	               (<= MaxRecordLen) + bytes
//	bitcoin        (when flagged) u8 version = 1, 80-byte header,
//	               u32 tx length (<= MaxTxLen) + tx, u32 tx index,
//	               u8 branch count (<= MaxBranch) of 32-byte hashes,
//	               u32 header count (<= MaxHeaders) of 80-byte headers
//
// Hashes are the bytes their hex strings name (ops and consensus hashes as
// package digest prints them; txid as records print it, i.e. display
// order); branch hashes are in Bitcoin's internal byte order. Every count
// is checked against its bound and against the bytes left before anything
// is allocated. The form is canonical: DecodeBinary accepts exactly what
// EncodeBinary writes, so re-encoding a decoded proof gives the same bytes.
//
// # JSON encoding, version 1
//
// One object, written indented by EncodeJSON:
//
//	{
//	  "format": "spvcheck-snv-proof",
//	  "version": 1,
//	  "first_block": 373601,
//	  "trusted_height": 500000,
//	  "target_height": 499000,
//	  "select": {"name": "example.id"},      // or {"txid": hex}, {"vtxindex": n}, {}
//	  "steps": [{"height": 500000, "ops_hash": hex64,
//	             "prev_consensus_hashes": [hex32, ...]}, ...],
//	  "records": ["+:10:example.id,...", ...],
//	  "bitcoin": {"version": 1, "header": hex160, "tx": hex,
//	              "tx_index": n, "merkle_branch": [hex64, ...],
//	              "headers": [hex160, ...]}       // optional
//	}
//
// Records are JSON strings of their exact bytes (EncodeJSON refuses a
// record that is not valid UTF-8; the reference cannot produce one). Hex is
// lower-case and of exact length; unknown members, a second selector and
// trailing data are errors. DecodeJSON(EncodeJSON(p)) equals p.
//
// Decode tells the encodings apart by their first bytes.
//
// # Sources
//
// Build reads a ChainSource: the Pebble store of package snapshot, or a
// MemorySource. Sources that also implement BitcoinSource can supply the
// Bitcoin evidence. Build verifies every proof it makes before returning
// it.
package snv
