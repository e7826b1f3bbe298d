package canon

// nameRecordFields are the fields of a name record in consensus order
// (reference nameset/__init__.py:48).
var nameRecordFields = []string{
	"name", "value_hash", "sender", "sender_pubkey", "address", "block_number",
	"preorder_block_number", "first_registered", "last_renewed", "revoked", "op",
	"txid", "vtxindex", "op_fee", "importer", "importer_address",
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// fieldLists maps an opcode byte to its consensus field list (final v1; the
// same lists, under these names, were in force from 0.14 on). An array, not
// a map: the engine looks a list up for every record it renders.
var fieldLists = [256][]string{
	'?': {"preorder_hash", "consensus_hash", "sender", "sender_pubkey", "address",
		"block_number", "op", "txid", "vtxindex", "op_fee"},
	':': concat(nameRecordFields, []string{"sender", "address"}),
	';': concat(nameRecordFields, []string{"sender", "address"}),
	'+': concat(nameRecordFields, []string{"name_consensus_hash", "consensus_hash"}),
	'>': concat(nameRecordFields, []string{"name_hash128", "consensus_hash", "keep_data"}),
	'~': nameRecordFields,
	'*': {"preorder_hash", "consensus_hash", "op", "op_fee", "txid", "vtxindex",
		"block_number", "sender", "sender_pubkey", "address"},
	'&': namespaceRevealFields,
	'!': concat(namespaceRevealFields, []string{"ready_block"}),
	'#': {},
	'$': {"sender", "address", "recipient", "recipient_address", "token_units",
		"token_fee", "block_id", "op", "txid", "vtxindex", "consensus_hash", "scratch_area"},
}

var namespaceRevealFields = []string{
	"namespace_id", "preorder_hash", "version", "sender", "sender_pubkey", "address",
	"recipient", "recipient_address", "block_number", "reveal_block", "op", "txid",
	"vtxindex", "lifetime", "coeff", "base", "buckets", "nonalpha_discount",
	"no_vowel_discount",
}

// FieldsFor returns the consensus field list of an opcode byte, or nil for a
// byte that is not an opcode. ANNOUNCE ('#') has an empty list: it is never
// hashed. The returned slice must not be modified.
func FieldsFor(opcode byte) []string {
	return fieldLists[opcode]
}
