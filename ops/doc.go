// Package ops decodes Blockstack v1 name operations from Bitcoin
// transactions, and encodes them, exactly as the reference implementation
// (blockstack-core's final v1 rules on top of virtualchain) does. It is pure:
// no I/O, no state. Its one output type is Op, the record the replay engine
// consumes.
//
// # Framing
//
// A transaction carries an operation in the data of its last nulldata
// output: an output script that starts with OP_RETURN and consists of
// exactly one data push after it (direct, PUSHDATA1, 2 or 4). Earlier
// nulldata outputs do not count, and a malformed last one (bare OP_RETURN,
// OP_RETURN OP_2, extra elements) means the transaction carries nothing. A
// push that runs past the end of the script yields the bytes present, as
// the reference's tokenizer did; this is why NullData finishes such pushes
// by hand after txscript's tokenizer, which treats them as errors. The data
// must start with the network's magic bytes ("id" unless configured
// otherwise with Network.WithMagic) followed by one of the eleven opcode
// bytes; the rest is the payload, whose length each operation checks itself
// (there is no maximum at the framing level). Transactions are seen
// witness-stripped: the txid is the legacy txid; ParseRawTx reads raw bytes
// in that form, including builders' skeletons without inputs.
//
// Decode reports a transaction without data, with other magic or with an
// unknown opcode as "ignored" (IsIgnored): the reference skips those
// silently. Every other failure is a rejected operation, with an ErrorCode
// naming the rule (payload length, epoch feature, invalid name, output
// types, sender type, ...). Errors are *Error values; compare codes with
// errors.Is(err, &ops.Error{Code: ...}) or CodeOf, never by message.
//
// # Senders
//
// The sender of an operation is the script spent by input 0, and the whole
// transaction is ignored when any input spends something other than p2pkh
// or p2sh (nested segwit counts as p2sh). A block does not contain the
// scripts its inputs spend, so Decode takes them as an argument: spent[i]
// is the scriptPubKey spent by input i. A full node or an indexer supplies
// them exactly. A light client can derive them from the inputs with
// LightSpentScripts (or DecodeLight): p2pkh from a two-push scriptSig whose
// second push is a valid public key, p2sh from the last push (the redeem
// script, or the witness program for nested segwit). p2pk and bare-multisig
// spends, which look like p2sh spends, are recognised by a last push that
// parses as a DER signature; such decisions are counted (LightSpends,
// ScanStats.SignatureDecided) so an audit can say what light mode decided.
// The derivation's limits are stated on LightSpentScripts; tests show both
// modes agree on every standard kind of input.
//
// sender_pubkey is the first input's two-push key that proves the p2pkh
// sender's address; whether the reference's record has the key at all
// depends on the operation (Op.SenderPubkeyPresent).
//
// # Epochs
//
// Payload forms depend on the epoch features at the block height
// (DecodeContext.Features, from Schedule.FeaturesAt): token fields from
// epoch 4, the 57-byte name+value-hash registration from epoch 3, and so on.
// Rules that the reference checks in its state machine rather than its
// parser (namespace versions per epoch, fee amounts, burn addresses,
// consensus-hash freshness) are left to the replay engine.
//
// # Quirks reproduced on purpose
//
// Names are consensus data, so the reference's quirks are kept: a single
// trailing newline passes its base-40 test (Python's $ matches before it),
// so "a.id\n" is a valid name; base-40 conversion drops leading '0' digits,
// so "00ab.id" and "ab.id" have the same preorder hash; p2wpkh/p2wsh outputs
// render as witness-version-1 bech32 addresses ("bc1p…"). The registration
// record carries no token_fee, revoke and token-transfer records carry no
// sender_pubkey, and a NAMESPACE_REVEAL's version is checked against the
// epoch by the state machine, not here.
//
// # Encoding
//
// Each operation has an argument struct implementing Args; Encode validates
// it (typed errors) and returns a Template: the OP_RETURN data and the
// outputs in the reference's order, with the change slot marked
// (RoleChange). Template.Tx gives the unsigned transaction blockstack.js's
// skeleton builders produce, byte for byte. Builders add inputs (input 0
// from the sender), set the change value and sign. Encoders refuse what
// could never be accepted, for example a name preorder without the register
// address. EncodeData turns a decoded Op back into its canonical data.
//
// # Blocks
//
// ScanBlock decodes a whole block: a cheap pre-filter skips every
// transaction whose last nulldata output does not start with the magic, the
// rest are decoded in block order, and the result carries the operations in
// vtxindex order with statistics (candidates, ignored, rejected by code,
// signature-decided inputs).
package ops
