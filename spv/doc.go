// Package spv is the block source of spvcheck: a BIP157/158 light client,
// built on lightninglabs/neutrino, that syncs verified block headers and
// compact-filter headers from Bitcoin peers and delivers confirmed blocks,
// in order, to a consumer that replays them.
//
// # Configuration
//
// Everything is explicit in a Config: the network's parameters, the peers
// (IP literals; the client connects to them only, with no DNS seeding), a
// data directory for neutrino's header files and walletdb database, the
// confirmation depth, fetch parallelism and the timeouts that bound every
// wait. Dials are refused outside loopback unless AllowRemotePeers is set.
//
// neutrino is configured partly through package-level variables. This
// package writes them in exactly one place (withNeutrinoGlobals, used by
// New): DisableDNSSeed always, ConnectionRetryInterval and the logger when
// the Config asks. They are process-wide; tests that change them must not
// run in parallel with each other.
//
// # Starting and syncing
//
// Start returns once a peer has completed the version handshake. If none
// does within Config.PeerTimeout, the client dials each peer itself to say
// why, as a typed error: ErrPeerUnreachable (nothing listens),
// ErrWrongNetwork (the peer answers with another network's magic, named in
// the message), ErrHandshakeFailed (the peer accepts TCP and stays silent)
// or ErrNoPeers. WaitSynced reports Progress (header tip from neutrino's
// header store, filter-header tip, the peers' best height) until both
// chains have caught up with the peers.
//
// # Block delivery
//
// Follow and CatchUp deliver events to a callback, starting after a Cursor
// (the consumer's last applied block: height and hash). A *BlockEvent
// carries block h only once ConfirmationDepth blocks have been mined on top
// of it (h ≤ header tip − depth, as the reference indexer's
// NUM_CONFIRMATIONS = 6), and blocks come in strict height order, each
// extending the previous one. Blocks are fetched through neutrino's
// GetBlock, which checks them against the verified headers; several fetches
// are kept in flight and the results are delivered in order.
//
// Reorganisations are detected by comparing the hashes the client has seen
// with neutrino's header store, on every poll and on each of neutrino's
// block notifications. Each one the client sees is reported as a
// *ReorgEvent naming the fork height and the blocks that left the chain. If
// any of them had been delivered, Rewind is set: the consumer must undo its
// blocks above the fork before the next BlockEvent, which continues from
// fork+1. neutrino may roll its header chain back in steps, so one
// reorganisation can arrive as several ReorgEvents with falling fork
// heights; each is correct on its own.
//
// A consumer that stores blocks resumes after a restart with the cursor of
// its last stored block. If that block was orphaned while it was not
// running, delivery fails with ErrResumeMismatch: rewind the store by one
// block and resume again.
//
// Every wait is bounded: by the caller's context (cancellation is honoured
// between any two events), by Config.FetchTimeout per block, by
// Config.PeerTimeout without any connected peer (ErrPeerLost), and by
// Config.StallTimeout while peers announce more than they deliver. neutrino
// picks the peer that announced the highest start height as its sync peer
// and only ever raises a peer's height, so a peer that lies about its
// height would keep "synced" from ever coming. A watchdog therefore
// watches progress (header tip, filter-header tip, blocks delivered): after
// one StallTimeout without any while the peers' claims are unmet, the
// peers that claimed more than the verified headers hold are dropped and a
// *StallEvent names them and their claims; after a second, CatchUp
// delivers a final StallEvent and returns at the best tip it could verify,
// and WaitSynced fails with ErrStalled. Follow warns after each window and
// keeps trying. When the peers disagree (some claim more than the
// verified headers, others exactly what was verified), the second window
// keeps the latter away for a window instead: neutrino ignores headers
// from peers other than its sync peer until it is current, so a peer
// serving a shorter competing chain could otherwise hold the client while
// an honest peer claims more. A peer far behind the verified tip while
// another is at it is kept away too (it cannot serve the blocks being
// fetched, and neutrino would wait out a query timeout on it for each).
//
// Blocks are delivered only above a trust floor (see work.go): a block at
// or below the network's last checkpoint only once the verified headers
// reach a checkpoint at or above it, and none until the header chain holds
// Config.MinChainWork when that is set. A chain whose peers have nothing
// more to give and that stays below the floor for a stall window is
// refused with ErrLowWork.
//
// A header chain that ends below the cursor (the peers are behind, as after
// importing a snapshot into an empty header store) or that holds another
// block exactly at the cursor's height is not a heavier chain: the client
// waits for it within the stall bound and never asks the consumer to
// rewind. Only a competing chain that reaches above the cursor is
// ErrResumeMismatch.
//
// # Bans
//
// neutrino bans a misbehaving peer's IP for 24 hours and keeps the ban in
// its database. So that one bad peer never bans another that shares its
// IP (every peer on 127.0.0.1, say), neutrino only ever sees an alias of
// each configured peer, a unique address derived from its "host:port";
// the dialer maps it back. Bans lists bans (of every peer ever configured
// with the data directory) and ClearBans lifts them.
//
// # Senders: light and exact
//
// Blockstack takes an operation's sender from the output spent by input 0.
// A light client does not have spent outputs, so the ops package derives
// them from scriptSigs (see ops.LightSpentScripts and its limits).
// SpentOutputs is the exact mode: it fetches previous transactions from a
// full node's RPC (btcd needs --txindex), cached, and reads outputs created
// earlier in the same block from the block. Its ScriptsFunc has the shape
// of ops.SpentScriptsFunc and looks up only the transactions the decoder
// asks about, so light and exact decoding of the same block can be
// compared cheaply.
//
// # Test network
//
// Subpackage regtest runs a real btcd on loopback for tests and the demo;
// this package's tests sync from it, mine forks with invalidateblock, and
// kill it mid-sync.
package spv
