// Package pipeline keeps a snapshot store in step with the Bitcoin chain:
// it takes confirmed blocks from the light client (package spv), decodes
// their Blockstack operations (ops.ScanBlock), replays them through the
// consensus engine and lets the engine commit each block to the store, one
// Pebble batch per block.
//
//	Bitcoin peers ──► spv ──► ops.ScanBlock ──► consensus.Engine ──► snapshot.Store
//
// # Running a sync
//
// Run takes a Config: the store, the consensus parameters and the wire
// network, and either a light-client configuration (Run creates, starts and
// stops the client) or a started Source that the caller owns. NetworkByName
// gives the three networks' parameters in one value, and
// Network.StoreOptions the options to open their stores with. Without
// Config.Follow, Run returns once every block confirmed when the headers
// caught up with the peers is in the store; with it, Run keeps applying
// new blocks until its context ends. Config.Progress hears blocks and
// operations per second, operations found, the store's height and its lag
// behind the header tip.
//
// # Resuming
//
// The store is the only record of progress. A run starts after the store's
// tip, with the tip's height and Bitcoin block hash as the light client's
// cursor; a fresh store starts at the network's first Blockstack block
// (consensus.Params.FirstBlock) and blocks below it are never fetched. If
// the stored tip was orphaned while nothing was running, the client says so
// (spv.ErrResumeMismatch): Run rewinds the store by one block and asks
// again, until the tip is back on the best chain or the store's undo window
// is exhausted (ErrRewindBeyondUndo, with the store untouched by the
// failing step). The client says so only for a competing chain that
// reaches above the stored tip: peers whose chain ends below it (behind,
// or stale, as after an import into an empty header store) are waited for
// within the stall bound and the store is kept, with a warning
// (spv.Stall.Below).
//
// # Reorganisations
//
// Blocks are applied only once they are the client's confirmation depth
// deep, so most reorganisations never reach the store. One that replaces a
// block already applied arrives as an spv.ReorgEvent with Rewind set; Run
// rewinds the store to the fork height (Store.Rewind applies undo records,
// one synced batch per block) before the next block, and the winning chain
// is then replayed from the fork. The result is the store a fresh replay of
// the winning chain would have built. A rewind below the undo window fails
// with ErrRewindBeyondUndo.
//
// # Crashes and durability
//
// Every block is committed in one batch, so whatever happens the store
// holds whole blocks. With a store opened with SyncEvery > 1
// (Network.StoreOptions uses DefaultSyncEvery), a commit returns once the
// batch is in Pebble's write-ahead log and only every SyncEvery-th forces
// it to disk: a crash (a killed process, a power loss) can lose up to
// SyncEvery−1 of the latest blocks, and the store reopens at an earlier
// whole block, from which the next run simply fetches and replays them
// again. Run narrows the
// window further: a block within Config.SyncLag of the header tip is synced
// at once (so a following sync is always durable), rewinds are always
// synced, and the store is synced before Run returns, error or not.
//
// # Speed
//
// The light client keeps FetchParallelism block fetches in flight while
// Run scans, replays and commits the previous block, so a sync runs at
// close to the client's delivery rate. On a 2-core machine, a 5,000-block
// regtest chain with an operation in every tenth block syncs at about
// 2,400 blocks/s with SyncEvery 64 (1.2–1.3 times the time of bare
// delivery to a consumer that does nothing) and 1,800–2,200 blocks/s when
// every block is synced (BenchmarkPipeline). FetchParallelism 8 (the
// default) and 16 differ by less than the noise.
//
// # Senders: light and exact
//
// An operation's sender is the script its first input spends. In light
// mode (the default) it is derived from the input's scriptSig
// (ops.LightSpentScripts); Stats counts the transactions whose
// classification rested on the signature rule (SignatureDecided) and lists
// them, so an audit can say exactly what light mode decided without the
// spent outputs. Config.Exact selects exact mode: the previous transactions
// of each candidate transaction are fetched from a node (spv.TxSource, e.g.
// a full node's getrawtransaction), so the result does not depend on the
// derivation. Only transactions carrying the Blockstack magic are looked
// up. The two modes give the same store on every chain the tests build.
//
// # Checking blocks
//
// Before ops sees a block, Run checks it itself with btcd's blockchain
// helpers, whatever the source checked: its hash is the verified header's
// (the event's hash), its Merkle root is the header's, no txid repeats
// (CVE-2012-2459 keeps hash and root), one coinbase comes first, and its
// witness data matches the coinbase's commitment. A block that fails ends
// the run with ErrBadBlock before anything of it is stored.
//
// # Errors
//
// The safeguards of a real chain come from consensus.Params (guards.go):
// the sync stores the freeze block with its operations ignored and stops
// there (Stats.Guards.Final); it refuses to replay the first block whose
// operations can spend genesis tokens when the rules need a genesis
// allocation they lack (ErrGenesisRequired), unless
// Config.Guards.AllowUnverified, which first marks the store unverified
// from that block (snapshot.Store.SetUnverified); and it compares each
// checkpoint's block as it is committed, reporting every one
// (Config.Guards.OnCheckpoint, Stats.Guards.Checkpoints) and stopping with
// ErrCheckpointMismatch, that block stored and nothing after it, when a
// row the rules must reproduce differs outside an unverified range. A
// store already holding such a block is refused at the start of a run.
//
// Every error is an *Error with an ErrorCode (errors.Is(err,
// pipeline.ErrSource)), wrapping its cause, so errors.Is(err,
// spv.ErrPeerLost) or errors.Is(err, snapshot.ErrCorrupt) work as well;
// a cancelled context returns the context's error. Bad peers end a run
// within the light client's timeouts (spv.Config.PeerTimeout,
// FetchTimeout): an address where nothing listens, a peer on another
// network, a peer that goes away mid-sync. None of them can leave the
// store anywhere but at a whole block. Peers that announce more than
// they deliver (an inflated start height, withheld headers or filter
// headers) end a run without Follow on its own within two
// spv.Config.StallTimeout windows, at the best tip the verified headers
// allow: Run returns no error, and Stats.Stalled gives the final
// spv.Stall naming the peers and their claims. A follower keeps trying;
// each warning reaches Config.OnStall and Stats.Stalls (so Progress
// reports carry them). The one failure Run retries is a
// read of neutrino's header store that fails while neutrino rolls its
// chain back in a reorganisation (spv.ErrHeaderStore): delivery starts
// again from the store's tip, at most three times in a row without a block
// applied in between (Stats.Restarts).
package pipeline
