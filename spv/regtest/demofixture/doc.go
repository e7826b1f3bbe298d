// Package demofixture is test support for the in-app verifier (cmd/snvwasm)
// and its page (snapshot/api/webui): a demo data directory written by the
// real `spvcheck demo`, proofs written by the real `spvcheck prove`, and the
// real name server (package snapshot/api, the page at /) over that store,
// holding the zone files the demo's history announced. It can be told to
// lie about a name, to show that the page and the verifier catch it.
//
// It is used by tests only; nothing in a shipped binary imports it.
package demofixture
