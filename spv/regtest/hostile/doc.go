// Package hostile is a hostile Bitcoin peer for tests: a relay on loopback
// between a light client and an honest node that decodes every P2P
// message with btcd's wire package and lets a Rule rewrite, withhold,
// delay, replay or mutate it, or cut it off in the middle.
//
// A Relay listens on 127.0.0.1; each connection to it is paired with a new
// connection to the upstream node, and messages are pumped both ways
// through the Rule. It counts connections and messages so tests can assert
// that the client dropped the peer and what it asked for. Close stops
// everything it started.
package hostile
