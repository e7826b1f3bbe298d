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
// between any two events), by Config.FetchTimeout per block, and by
// Config.PeerTimeout without any connected peer (ErrPeerLost).
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
