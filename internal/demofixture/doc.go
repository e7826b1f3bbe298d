// Package demofixture is test support for the in-app verifier (cmd/snvwasm)
// and its page (snapshot/api/webui): a demo data directory written by the
// real `spvcheck demo`, proofs written by the real `spvcheck prove`, and a
// stand-in name server that answers the three requests the page makes
// (GET /v1/info, /v1/names/{name}, /v1/names/{name}/proof) from that
// store with consensus.View and snv.Build, as the name server of package
// snapshot/api is specified to. It can be told to lie about one name.
//
// It is used by tests only; nothing in a shipped binary imports it.
package demofixture
