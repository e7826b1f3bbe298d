// Package canon renders committed Blockstack records in the reference's
// canonical form, the bytes that are hashed into each block's ops hash.
//
// The reference (virtualchain's serialize_op) writes a record as
//
//	opcode ":" LEN(v1) ":" v1 "," LEN(v2) ":" v2 "," ...
//
// where the values are the record's fields in the order of a per-opcode field
// list (FieldsFor), each rendered the way Python 2's str() renders it, and
// LEN is the byte length of the rendering. Field names are not hashed, fields
// are not sorted, and duplicated names in a list are written twice. None
// renders as the empty string, booleans as True/False, floats as Python 2's
// str(float) (twelve significant digits, with ".0" kept on integral values:
// the NAME_IMPORT fee quirk prints 6400000.0), and namespace buckets as a
// Python list literal.
//
// Values are typed (Value) rather than pre-rendered strings so that the
// engine keeps the reference's distinction between None, 0 and "0".
package canon
