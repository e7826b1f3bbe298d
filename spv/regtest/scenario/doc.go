// Package scenario writes a realistic Blockstack name history onto a real
// regtest Bitcoin node and checks, block by block, that an independent
// replay of the node's blocks decides every operation as intended. It is
// what `spvcheck demo` puts on the chain before the light client syncs it,
// and what the lifecycle integration tests check.
//
// # Scripts and the Runner
//
// A Script is declarative: the participants (keys of a deterministic
// wallet, the Regtest keys that hold genesis STACKS tokens, and members of
// a namespace's import keychain) and an ordered list of Steps. A Step is
// one block at a given height holding operations in a given order, each
// with the verdict the replay engine must reach: Accept, Reject with a
// consensus.ErrorCode, or Stateless for an ANNOUNCE. Operations name
// participants and zone files, not addresses and hashes; a name
// registration is simply NameRegistration{From: "alice", Name:
// "alice.blog", Owner: "alice"}.
//
// Runner.Run needs a node at its genesis block. It mines setup blocks whose
// coinbases pay the bank (wallet key 0) until enough of them are mature
// (100 blocks for the default script), funds every participant in one
// transaction, and then, for each step, mines empty blocks up to the
// step's height and a block with the step's transactions. Every
// transaction is built by the ops encoders, checked against the payload
// rules of its block's epoch, signed (by regtest.Wallet, or for keys from
// outside the wallet by this package's small signer, which follows the
// wallet's rules), and passed through the node's relay policy before it is
// mined. From the first Blockstack block (256 on Regtest) every block is
// fetched back from the node, its operations decoded with exact senders
// (spent outputs from the node's transaction index) and replayed in an
// in-memory engine (consensus.Regtest, consensus.MemStore). Operations
// quote the consensus hash of the latest replayed block, and a verdict
// that differs from the step's ends the run with an ErrVerdict error
// naming the step, its block, its note and the operation. The Result holds
// the consensus hash of every replayed block and the final name table
// (TableOf), which the demo compares with what the light client computed.
//
// The Runner stops at the last step's block. A light client that waits
// for d confirmations sees that block once d more are mined (the node's
// generate is fine for those: nothing is replayed from them); its state at
// Result.Tip must then equal the Result's, consensus hash for consensus
// hash, and TableOf over its state with Script.Namespaces must equal
// Result.Names.
//
// The Runner mines its blocks itself and submits them with submitblock.
// btcd's generate would put a random extra nonce in each coinbase and
// choose its own transaction order; building the blocks makes every txid
// and vtxindex, and so every consensus hash, the same on every run. Only
// the headers' timestamps and nonces differ, and they enter no Blockstack
// hash; the tests run the default script twice and compare.
//
// # The default scenario: a Blockstack lifecycle
//
// Default tells one story across Regtest's six compressed epochs (epoch 1
// is blocks 256–285, 2 is 286–320, 3 is 321–360, 4 is 361–400, 5 is
// 401–440, 6 from 441), in 186 blocks and 122 operations, 16 of them
// rejected on purpose. It takes about a second on a fresh node.
//
// Namespaces come first. Nadia preorders the namespace blog: the preorder
// hides the id behind a hash of the id, her script and the revealer's
// address, and burns the namespace's price (4 BTC for four characters in
// epochs 1–2). Tomas does the same for temp. One block later each reveals
// the namespace: the id, its version, the lifetime of its names in blocks
// and the price function of names (coefficient, base, sixteen length
// buckets, discounts for names without vowels or with digits). blog's
// names live 1000 blocks; temp's only 8, so we can watch one expire.
//
// A revealed namespace belongs to its revealer, here the registrar, who
// may import names with zone files before launch: NAME_IMPORT needs no
// preorder and pays nothing. The first import fixes the namespace's import
// keychain, the revealer's address and those of the first BIP32 children
// of its public key (five on Regtest); importer-0 and importer-1 are such
// children and import too, while mallory, outside the keychain, is
// refused. Importing founder.blog again simply overwrites it.
// NAMESPACE_READY launches both namespaces at block 260; from then on
// imports are refused and anyone may register.
//
// Registration takes two blocks. A NAME_PREORDER commits to the hash of
// the name, the preorderer's script and the future owner's address, burns
// the name's price and quotes a recent consensus hash; the
// NAME_REGISTRATION that follows, from the same sender, reveals the name
// and gives it to the owner. Two waves register 25 names, and the first
// wave shows four refusals: ivan and judy both preorder clash.blog and
// register it in the same block, so the collision rule rejects both; oscar
// underpays for x.blog (one letter costs 2^15 × 100 satoshis); mallory
// registers without a preorder. Owners then publish zone files with
// NAME_UPDATE (which proves freshness by hashing the name with a recent
// consensus hash), transfer names keeping or dropping the zone-file hash,
// and heidi revokes heidi.blog, which leaves it owned but dead. mallory's
// update and transfer of names she does not own are refused, as is heidi's
// update of her revoked name. alice renews alice.blog.
//
// temp shows expiry. peggy registers brief.temp at block 262; with a
// lifetime of 8 blocks it is alive through block 270. At 272 peggy's update
// is refused and trent preorders it, and at 273 he owns it. Because epoch 3
// adds a 5000-block grace period to every name retroactively, trent's
// expired brief.temp comes back in epoch 3 for its owner only: his update
// is refused (ErrInGracePeriod) but his renewal is accepted. Its lifetime,
// doubled from epoch 2 on, runs out again at 346, so the final table shows
// it expired (still in grace).
//
// Epoch 2 doubles lifetimes but does not yet let a renewal change the
// owner; bob renews, the registrar makes an ANNOUNCE (which changes no
// state). Epoch 3 divides BTC prices by ten and adds the combined forms:
// oscar registers news.blog with its zone file in one operation, and erin
// renews photos.blog while giving it to frank with a new zone file.
//
// Epoch 3 also allows version-2 namespaces, whose name fees go to the
// namespace's creator (the preorderer's address) instead of being burnt,
// for the first 52595 blocks after the reveal: sam creates shop, peggy's
// preorder pays sam and her registration is accepted, while walter, who
// burnt his fee as in a version-1 namespace, is refused.
//
// Epoch 4 brings STACKS tokens. stx-0, a genesis token holder, buys the
// namespace club with STACKS and reveals it as version 3, whose names are
// paid in STACKS and, with an infinite lifetime, never expire; the
// clubhouse launches it. Tokens move with TOKEN_TRANSFER, except stx-3's,
// locked until block 401. alice.club and vault.club are preordered with
// STACKS and registered. Preorders now expire after ten blocks on Regtest
// (144 on mainnet), so ivan's registration of late.blog, preordered eleven
// blocks earlier, is refused. Preorders that were never used still exist:
// judy's identical clash.blog preorder is refused, so she buys it for ivan.
// In epoch 5 stx-3's tokens unlock and its transfer quotes the all-zero
// consensus hash, which epoch 5 allows; in epoch 6 alice gives alice.club
// to bob.
//
// Five of the zone files the story publishes are real: alice.blog's and
// dave.blog's updates, news.blog's registration, photos.blog's renewal and
// alice.club's update carry the hashes of real mainnet zone files from
// testvectors/zonefiles (RealZoneFileHashes), so a name server on the
// demo's store has real zone files to accept, and refuses the other 1,626
// of that table as never announced. The other zone files are short
// placeholder texts.
//
// Expected is the final table written by hand from this story; the tests
// compare it with the replay's.
package scenario
