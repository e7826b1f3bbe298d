// Package share lets read-only commands use a store that another process
// holds open.
//
// Pebble lets one process at a time open a store, so while `spvcheck sync`
// or `spvcheck serve` runs, a `lookup` or `audit` on the same data directory
// could not open it. The holder runs a Server: a Unix socket in the data
// directory (or, when that path is too long for a socket, in the system's
// temporary directory under a name derived from the data directory), that
// hands each reader a checkpoint of the store as of its last whole block
// (snapshot.Store.Checkpoint: hard links, cheap at any size) together with
// what the holder knows that the store does not (its header tip, say).
//
// A reader calls Acquire, opens the Lease's Dir read-only, and closes the
// Lease when done: the checkpoint is removed then, and also by the server
// when the reader's connection ends in any other way, so a reader that
// crashes leaves nothing behind. A server removes checkpoints left over by
// an earlier holder when it starts.
//
// The protocol is one JSON line each way: the reader sends {"op":
// "checkpoint"} or {"op": "info"}, the server answers {"dir": ..., "info":
// ...} or {"error": ...}; the reader then keeps the connection open for as
// long as it reads the checkpoint. The socket is created with mode 0600, so
// only the holder's user can ask for checkpoints.
package share
