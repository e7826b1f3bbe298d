// Package testvectors holds the reference data that judges every layer of
// spvcheck, and small loaders for it.
//
// The data files are byte-identical copies of the project's shared reference
// material and are never edited:
//
//   - blockstackjs/vectors.jsonl: transactions, skeletons, helper values and
//     rejections produced by blockstack.js 19.3.0, each with the verdict a
//     decoder written from the wire spec reaches at six epoch heights.
//   - wire/real_txs.jsonl: real transactions from the reference's fixtures.
//   - consensus/blocks.jsonl, commits.jsonl, chains.jsonl, field_orders.json:
//     consensus hashes, committed records and SNV chains recorded from the
//     reference implementation's own test runs (0.13, 0.14, 0.14.1).
//   - replay/scenarios.jsonl: per scenario, every block's parsed operations
//     and expected consensus hash, for state-machine replay.
//   - replay-final/sample.jsonl: generated scenarios for the final rules
//     across all six epochs, with expectations from an independent engine.
//   - zonefiles/name_zonefiles.txt: 1,631 real mainnet zone files with
//     their hashes, as the Stacks 2.0 genesis carried them over from v1
//     (ZoneFiles; embedded, since the demo's history announces some).
//
// Loaders read JSON Lines strictly: a malformed line is an error naming the
// file and line, never a skipped record.
package testvectors
