package main

// jsonSchemas documents each command's --json output; 'spvcheck help
// COMMAND' prints it after the flags. Every failure under --json is
// instead the error object of jsonout.go: {"error", "code", "exit_code"}.
// Blocks are objects: "tip" (the store's last block) and "verified_at"
// (the block an answer was verified at) are {"height", "consensus_hash",
// "block_hash"?}, verified_at adding the store's marks when set
// ("unverified", "unverified_reason", "unverified_from", "freeze_height",
// "final").
var jsonSchemas = map[string]string{
	"status": `{"network", "tip": {"height", "consensus_hash", "block_hash"?, "time"?},
 "header_height", "lag", "peers": [{"address", "height"}], "held_by"?: {"command", "pid", "url"?},
 "bans": [{"peer", "expires", "reason"}], "cleared_bans"?: [...], "warnings": [string],
 "final"?, "freeze_height"?, "unverified"?, "checkpoints"?: [...], "divergence_alarm"?: {"from", "to",
 "operations", "senders", "threshold", "raised"}}`,
	"sync": `{"network", "interrupted", "start_height", "tip": {"height", "consensus_hash", "block_hash"?} | null,
 "header_height", "blocks", "operations", "accepted", "rejected", "reorgs", "rewound_blocks",
 "light_senders", "signature_decided", "seconds", "blocks_per_second", "stalled", "warnings": [string],
 "final"?, "final_height"?, "unverified"?, "checkpoints"?: [...], "divergence_alarm"?: {...}}`,
	"lookup": `found: {"name", "found": true, "verified_at": {...}, "summary": NAME, "history": [{"height",
 "vtxindex", "op", "txid", "owner_address"?}]}
 with --at or a TXID: {"name", "found": true, "as_of", "verified_at": {... of as_of}, "tip": {...},
 "record": {"owner_address", "zonefile_hash", "revoked", "last_op", "last_txid", "last_height"}, "history"}
 not found (exit 1): {"found": false, "error", "code": "not_found", "verified_at"}
NAME is {"name", "owner_address", "owner_script", "zonefile_hash" (null when none), "registered_at",
 "last_renewed_at", "expires_at"?, "renewal_deadline"?, "never_expires", "revoked", "status"
 (registered, revoked, grace-period, expired, imported, unknown-namespace), "last_op", "last_txid"}`,
	"names": `{"verified_at": {...}, "names": [NAME as in 'help lookup']}`,
	"namespaces": `list: {"verified_at", "namespaces": [{"namespace_id", "ready", "reveal_block", "ready_block", "version", "lifetime", "names"}]}
 one: {"verified_at", "namespace": {"namespace_id", "version", "address", "recipient_address", "reveal_block",
 "ready_block", "lifetime", "coeff", "base", "buckets": [16], "nonalpha_discount", "no_vowel_discount", "txid", "op", ...}}`,
	"owned":   `{"address", "names": [string], "verified_at"}`,
	"price":   `{"name", "height" (the block priced: tip+1), "amount" (decimal string), "units" ("BTC": satoshis, "STACKS": micro-STX), "verified_at"}`,
	"balance": `{"address" ("" with --all), "accounts": [{"address", "type", "balance", "credit", "debit"}], "verified_at"}`,
	"audit": `{"path", "kind" (store or file), "verdict" (verified, divergent, unreadable), "network"?, "params_fingerprint"?,
 "first_block", "tip": {"height", "consensus_hash"} | null, "blocks_checked", "replayed",
 "divergence"?: {"height", "kind", "state_key"?, "expected", "actual"}, "error"?, "unverified"?}`,
	"export": `{"path", "network", "params_fingerprint", "first_block", "format_version", "tip": {"height", "consensus_hash", "block_hash"}}`,
	"import": `{"path", "network", "params_fingerprint", "first_block", "format_version", "tip": {"height", "consensus_hash", "block_hash"}}`,
	"verify-proof": `valid: {"valid": true, "encoding", "trusted_height", "trusted_consensus_hash", "target_height",
 "target_consensus_hash", "ops_hash", "steps", "selected": [{"opcode", "fields": {...}}], "bitcoin": {...} | null}
 invalid (exit 1): {"valid": false, "error", "code", "step"?, ...}`,
	"decode": `{"network", "height", "sender_mode" (light or exact), "operation"?: {the reference's fields},
 "ignored"?, "rejected"?, "code"?, "error"?}`,
	"vectors": `{"passed", "failed", "failures"?: [{"key", "message"}], "notes"?: [string]}`,
	"demo": `{"datadir", "kept", "node"?: {"pid", "p2p", "rpc", "rpc_user", "rpc_password", "dir"}, "operations",
 "first_block", "tip": {"height", "consensus_hash", "block_hash"}, "heights_cross_checked", "audit",
 "sync": {...}, "names": [NAME as in 'help lookup'], "zonefiles": {"accepted", "unknown", "malformed"}, "seconds"}`,
	"zonefiles": `import: {"file", "accepted", "unknown", "malformed", "verified_at", "directory"}
 check: {"name", "file", "file_hash", "zonefile_hash", "match", "verified_at"}`,
	"compare-genesis": `{"file", "verified_at", "export_height", "file_names", "state_names", "equal",
 "differences": [{"name", "kind", "file"?, "state"?}]}`,
}
