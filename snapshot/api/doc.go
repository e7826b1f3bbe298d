// Package api serves the Blockstack Core name API (../shared/spec/core-api.md)
// from a verified store, so that existing clients (blockstack.js, the
// Browser, curl) get verified names by changing one URL.
//
// Server is an http.Handler. Each request takes one snapshot.ReadView at
// its start and closes it at its end, so an answer never mixes two blocks
// or two branches of a reorg, and every answer that read state carries the
// view's height and consensus hash in the X-Spvcheck-Height and
// X-Spvcheck-Consensus-Hash headers.
//
// Shapes, status codes and error bodies are those of the reference
// handlers (blockstack-core rpc.py / blockstackd.py, the last Python
// release): JSON rendered as Python's json.dumps did, CORS on every answer,
// normalized paths, names and namespaces validated before anything else,
// 404 {"error": "No such endpoint"} for anything else. Prices are the
// consensus price rules at the next block's height. Subdomains are not
// served (their names are invalid here).
//
// Beyond the reference: GET /v1/names/{name}/proof?trusted_height=H
// answers the SNV proof 'spvcheck prove NAME --trusted-height H' writes.
//
// Zone files follow the Atlas rule: POST /v1/zonefile stores a zone file
// (package snapshot/zonefiles) only when an accepted operation in the
// view's chain announced its hash, and ImportZonefiles loads a genesis
// export file under the same rule. The server keeps an index of announced
// hashes and of name creations (for DIDs), built block by block and
// tracked by consensus hash; Server.Refresh updates it after blocks are
// applied or rewound, or the next request does.
//
// Serve runs a handler on a listener with bounded header size, timeouts and
// concurrent connections, and stops gracefully when its context ends.
// IsLoopback tells whether a listen address is loopback-only. No path,
// query or body makes a handler answer 500 or panic: store failures are
// 503 with a JSON error.
package api
