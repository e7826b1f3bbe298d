package ops

// SenderPubkeyPresent reports whether the reference's parsed record for
// this operation has a sender_pubkey key at all (its value may be None).
// The state machine tests the key's presence in places (e.g. NAME_IMPORT
// requires it; NAMESPACE_REVEAL's test always passes because its record
// always has the key), so the presence rule matters beyond the value:
//
//   - NAME_PREORDER, NAME_REGISTRATION, NAME_RENEWAL, NAME_TRANSFER,
//     NAMESPACE_PREORDER, NAMESPACE_REVEAL: always present (None when no key
//     was found);
//   - NAME_UPDATE, NAME_IMPORT, NAMESPACE_READY, ANNOUNCE: present only when
//     a key was found (SenderPubkey != nil);
//   - NAME_REVOKE, TOKEN_TRANSFER: never present (SenderPubkey is nil).
func (o *Op) SenderPubkeyPresent() bool {
	switch o.Kind {
	case KindNamePreorder, KindNameRegistration, KindNameRenewal, KindNameTransfer,
		KindNamespacePreorder, KindNamespaceReveal:
		return true
	case KindNameRevoke, KindTokenTransfer:
		return false
	}
	return o.SenderPubkey != nil
}
