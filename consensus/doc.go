// Package consensus replays Blockstack v1 name operations through a
// bit-exact copy of the reference state machine (blockstack-core
// feat/v1-v2-upgrade, blockstack/lib/) and computes each block's 16-byte
// consensus hash, as restated in the project's state-machine.md and
// consensus-hash.md.
//
// # What the engine does
//
// An Engine is created with NewEngine(params, store) and fed one Block at a
// time with ProcessBlock: the block height and every parsed operation of the
// block (ops.Op, accepted or not, in vtxindex order). Heights must be
// consecutive from Params.FirstBlock. For each block the engine
//
//  1. runs the scan phase: every NAME_REGISTRATION, NAME_IMPORT and
//     NAMESPACE_REVEAL is checked against the state at the start of the
//     block, and names or namespaces that two or more of them would create
//     are marked collided (state-machine.md §2.2);
//  2. checks and commits each operation in order: a check sees the state as
//     of the start of the block plus the block's earlier accepted
//     operations, with the reference's "lastblock" rule (liveness and
//     ownership are asked at Q = N−1, so a name created in block N is
//     invisible for the rest of N); collided creations, and a second
//     creation of an id already created in the block, are rejected; a
//     rejected operation leaves no trace; ANNOUNCE is Stateless;
//  3. renders each accepted operation's consensus record with package canon
//     under canon.FieldsFor (final field names, the NAME_IMPORT float fee,
//     the transfer consensus-hash quirk), hashes the block with package
//     digest and stores the consensus and ops hashes as state;
//  4. runs end-of-block work (vesting for block N+1; the 0.13 rules'
//     scheduled events) and hands everything to Store.CommitBlock as one
//     BlockCommit with sorted writes.
//
// BlockResult gives every operation's Outcome (Accepted, Rejected with an
// *Error whose ErrorCode names the rule, or Stateless), the committed
// records, the ops hash and the consensus hash. Errors that are not an
// operation's rejection (wrong height, corrupt state, a cancelled context)
// come back as an error, typically a *BlockError.
//
// # Params and rule variants
//
// Params fixes a chain: first block, the epoch table (end blocks, features
// as ops.Features, per-namespace lifetime multipliers and grace periods under
// the reference's "*" and namespace-id keys, price multipliers (float,
// epochs 1–3) and divisors (integer, epoch 4 on), receive-fees period, the
// namespace price tables in BTC and STACKS), preorder and reveal expiries,
// the owner quota, the consensus-hash window, the import keyring size, the
// burn address and address versions, cost units, the genesis consensus hash
// and the genesis token allocations. Presets:
//
//   - Mainnet: final v1 rules of Bitcoin mainnet (first block 373601), with
//     what is known of the real chain (mainnet.go, checkpoints.go): the
//     freeze (FreezeHeight 665750: Frozen blocks' operations are ignored,
//     FinalHeight is the last block a replay needs), RequireGenesis
//     (MissingGenesis past FirstTokenBlock 547922 means a replay may
//     diverge) and the published Checkpoints with their sources and which
//     ones the final rules must reproduce (CheckCheckpoint).
//   - Testnet: the same with testnet address versions.
//   - Regtest: mainnet's six epochs compressed into a short chain from block
//     256 (epochs end at 285, 320, 360, 400, 440, then open), testnet address
//     versions, import keyring 5, preorder fix 10 blocks, reveal expiry 20
//     blocks, and a genesis allocation of 10^15 µSTX to each of the
//     deterministic keys RegtestPrivateKey(0..3) (key 3 locked until block
//     401, key 2 vesting 10^12 more at block 300).
//   - ParamsFromVectorConfig: the recorded test runs of testvectors/.
//
// The recorded 0.13, 0.14 and 0.14.1 runs came from test builds whose rules
// differ from final v1 (state-machine.md §10). Rules holds them as eight
// named switches, all false for final v1: AllowP2SHWithoutMultisig,
// ExpiryInclusive (0.13 boundary), ClearRevokedAtLifetime (0.13),
// SameBlockReady (0.13 reveal visibility and dropping),
// RenewalSenderPubkeyFromTx (one rc-0.14.0 build), RenewalByState
// (0.13–0.14.x told renewals apart by state, not by output count),
// ImportKeepsOldPubkey and NoScanPhaseKeychainCache (see Rules). The
// builds without epochs are one open epoch with the config's constant
// lifetime multiplier; 0.14.1's 1-character namespace price comes from its
// config's NAMESPACE_1_CHAR_COST. Params.Fingerprint is a stable hash of
// all of this for the snapshot store's metadata.
//
// # State
//
// Every piece of state is one key of a Store (store.go): name records,
// namespaces, preorders, per-name history, owner and name-hash indexes,
// token accounts and vesting, the import keychain cache and the
// consensus-hash chain, in the key layout of internal/codec/keys.go. The
// rules reach it only through stateRW (state.go), one typed read and one
// typed write per key family; blockState implements it over the layer of
// package internal/state, which holds the block's writes over a cache of
// decoded committed values over the store, tracks each write's prior for a
// store that keeps an undo record (PriorTaker), and hands the block to
// Store.CommitBlock sorted by key. A name read goes rules → blockState →
// state.Get → Store.Get. Liveness (aliveIn, inGrace, revealLive) is a pure
// function of the Params, the record, its namespace and the heights.
// Built with the invariants tag, the layer checks every prior against the
// store, one family per key prefix and that no cached value is changed in
// place. MemStore is the in-memory Store (tests, the vector judge, the
// demo); package snapshot provides the Pebble one. View answers read
// queries as of the last committed block: Name, NameStatus,
// NamesInNamespace, Namespace, NameHistory, Account/Balance, Accounts,
// ConsensusHash, OpsHash.
//
// Genesis allocations are read with ReadGenesis from JSON lines (see
// GenesisAccount). The mainnet genesis data is not available to this
// project; the loader is tested on generated data and Mainnet() has none.
//
// # Replaying recorded runs
//
// judge.Replay (testvectors/judge) replays the recorded runs through this
// engine and compares every consensus hash, outcome, committed record and
// final balance; replay.go there lists the two documented deviations.
//
// Amounts are integers (math/big where they can exceed 64 bits); prices in
// epochs without INT_DIVISION are float64 computed in the reference's exact
// operation order. No output depends on Go map iteration order or on the
// wall clock.
package consensus
