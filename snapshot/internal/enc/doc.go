// Package enc holds the few binary encoding primitives the store and the
// snapshot file share: unsigned varints, length-prefixed byte strings and
// fixed-width big-endian heights, plus a decoder that never panics and never
// allocates more than its input justifies.
package enc
