// Package webui is the name server's page that checks names in the
// browser: type a name, and the page asks the server's API for the name
// (GET v1/names/{name}) and its SNV proof (GET
// v1/names/{name}/proof?trusted_height=H), then verifies both in the
// browser with the WebAssembly verifier (cmd/snvwasm) against a block
// height and consensus hash the user pins. Those two values are the one
// thing trusted; they are pre-filled from GET v1/info
// (last_block_processed, consensus), editable, and marked as such. The
// page shows the proven owner, zone-file hash and zone file, and a plain
// verified / not verified verdict with the reason.
//
// Handler serves the page at / and its assets (HTML, CSS, JavaScript,
// the Go toolchain's wasm_exec.js, the module); the name server mounts it
// at / beside its API, and the page calls relative URLs. Nothing is loaded
// from elsewhere: the Content-Security-Policy allows only the page's own
// origin. Unknown paths get the Core API's 404 {"error": "No such
// endpoint"}. A page URL may carry ?name=NAME (look it up at once) and
// &trusted=HEIGHT:HASH (pin these instead of the server's values).
//
// # How the module gets into the binary
//
// The module is committed, gzipped, in assets/ (about 1 MB), with the
// wasm_exec.js of the toolchain that built it, a copy of
// cmd/snvwasm/snv.js, and BUILD.json (toolchain version, build command,
// the module's SHA-256 and sizes); go:embed puts them in the binary, so
// building the server needs no second toolchain run and no GOOS switch.
// `go generate ./snapshot/api/webui` rebuilds them (internal/gen). The
// tests keep the copy honest: snv.js must equal cmd/snvwasm's, the
// recorded sizes must match and fit the 1.2 MB budget, and when the
// toolchain running the tests is the one BUILD.json records, the module
// is rebuilt and must be byte-identical (Go builds with -trimpath are
// reproducible; -buildvcs=false and an empty -buildid keep the commit and
// comment-only edits out of the module) and wasm_exec.js must equal the toolchain's. With another
// toolchain that comparison is skipped, saying so. A change to the
// verifier's code (snvcore, digest, canon) therefore needs a go generate.
package webui
