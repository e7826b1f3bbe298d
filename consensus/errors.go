package consensus

import "fmt"

// ErrorCode identifies why the engine rejected an operation (or refused a
// block). Each rejection rule of the reference has its own code; the code is
// what `spvcheck` reports and what tests assert.
type ErrorCode int

// Rejection codes. The comment of each names the rule (state-machine.md).
const (
	// ErrUnknownOperation: the op's kind is not one the engine knows.
	ErrUnknownOperation ErrorCode = iota
	// ErrMissingField: a field the check needs is absent (sender_pubkey of a
	// non-p2pkh sender, recipient, op_fee, token fields).
	ErrMissingField
	// ErrInvalidName: the name is not a valid fully-qualified name (§3).
	ErrInvalidName
	// ErrInvalidNamespaceID: the namespace id is malformed.
	ErrInvalidNamespaceID
	// ErrPreorderExists: an identical preorder hash is outstanding (§3.1-1, §3.4-1).
	ErrPreorderExists
	// ErrPreorderCollision: two preorders of one hash in one block.
	ErrPreorderCollision
	// ErrInvalidConsensusHash: the quoted consensus hash is not among the last
	// ConsensusHashWindow blocks' (§5).
	ErrInvalidConsensusHash
	// ErrWrongBurnAddress: the fee was not paid to the required address.
	ErrWrongBurnAddress
	// ErrTokensNotAllowed: a token payment where the epoch or namespace does not allow one.
	ErrTokensNotAllowed
	// ErrTokenUnits: token units other than STACKS.
	ErrTokenUnits
	// ErrNoAccount: the paying token account does not exist.
	ErrNoAccount
	// ErrInsufficientBalance: the token account balance is below the amount.
	ErrInsufficientBalance
	// ErrQuotaExceeded: the owner already has MaxNamesPerSender names (§7.7).
	ErrQuotaExceeded
	// ErrNamespaceExists: the namespace is already revealed or ready (§3.2-2).
	ErrNamespaceExists
	// ErrNoPreorder: no usable preorder matches (§3.2-3, §3.6-6).
	ErrNoPreorder
	// ErrPreorderSenderMismatch: the preorder was made by another sender.
	ErrPreorderSenderMismatch
	// ErrPreorderExpired: the preorder is older than the epoch-4 limit (§3.6-7).
	ErrPreorderExpired
	// ErrNamespaceVersion: the namespace version is unknown or not yet allowed (§3.2-4).
	ErrNamespaceVersion
	// ErrFeeTooLow: the payment is below the price (§3.2-5, §3.6.1).
	ErrFeeTooLow
	// ErrNamespaceNotRevealed: the namespace is not revealed (or the reveal expired).
	ErrNamespaceNotRevealed
	// ErrNamespaceNotReady: the namespace is not ready.
	ErrNamespaceNotReady
	// ErrNamespaceAlreadyReady: NAMESPACE_READY of a ready namespace.
	ErrNamespaceAlreadyReady
	// ErrNotRevealer: the sender is not the namespace's revealer (§3.3).
	ErrNotRevealer
	// ErrNotInKeychain: an import from an address outside the import keychain (§3.5-3).
	ErrNotInKeychain
	// ErrNameRevoked: the name is revoked.
	ErrNameRevoked
	// ErrNameRegistered: the name is registered to someone (§3.6-8).
	ErrNameRegistered
	// ErrPreorderBeforeReady: the preorder predates the namespace's ready block (§3.6-9).
	ErrPreorderBeforeReady
	// ErrP2SHNotAllowed: a p2sh sender/recipient in an epoch without MULTISIG (§3.6-5, §3.9-6).
	ErrP2SHNotAllowed
	// ErrValueHashNotAllowed: register+update before OP_REGISTER_UPDATE (§3.6-12).
	ErrValueHashNotAllowed
	// ErrCollision: several creations of one name or namespace in one block (§2.2).
	ErrCollision
	// ErrNameNotFound: no such (live) name.
	ErrNameNotFound
	// ErrNotOwner: the sender does not own the name.
	ErrNotOwner
	// ErrNameExpired: the name has expired.
	ErrNameExpired
	// ErrInGracePeriod: the name is in its renewal grace period (§4.1).
	ErrInGracePeriod
	// ErrRenewTransferNotAllowed: renewal to another owner before RENEW_TRANSFER_UPDATE (§3.7-2).
	ErrRenewTransferNotAllowed
	// ErrSelfTransfer: a transfer to the sender itself (§3.9-4).
	ErrSelfTransfer
	// ErrRecipientOwnsName: the transfer recipient already owns the name (§3.9-5).
	ErrRecipientOwnsName
	// ErrTokenTransferNotAllowed: TOKEN_TRANSFER before its epoch (§3.12).
	ErrTokenTransferNotAllowed
	// ErrZeroAmount: a token transfer of nothing.
	ErrZeroAmount
	// ErrTransferLocked: the sending account is locked until a later block.
	ErrTransferLocked
	// ErrRecipientNotWhitelisted: the receiving account refuses transfers.
	ErrRecipientNotWhitelisted
	// ErrSameAddress: a token transfer to the sender's own address.
	ErrSameAddress

	// numErrorCodes counts the codes above; it is no code.
	numErrorCodes
)

// errorCodeNames are the codes' names, as spelled in the const block
// (TestErrorCodes checks them against the source).
var errorCodeNames = [numErrorCodes]string{
	ErrUnknownOperation:        "ErrUnknownOperation",
	ErrMissingField:            "ErrMissingField",
	ErrInvalidName:             "ErrInvalidName",
	ErrInvalidNamespaceID:      "ErrInvalidNamespaceID",
	ErrPreorderExists:          "ErrPreorderExists",
	ErrPreorderCollision:       "ErrPreorderCollision",
	ErrInvalidConsensusHash:    "ErrInvalidConsensusHash",
	ErrWrongBurnAddress:        "ErrWrongBurnAddress",
	ErrTokensNotAllowed:        "ErrTokensNotAllowed",
	ErrTokenUnits:              "ErrTokenUnits",
	ErrNoAccount:               "ErrNoAccount",
	ErrInsufficientBalance:     "ErrInsufficientBalance",
	ErrQuotaExceeded:           "ErrQuotaExceeded",
	ErrNamespaceExists:         "ErrNamespaceExists",
	ErrNoPreorder:              "ErrNoPreorder",
	ErrPreorderSenderMismatch:  "ErrPreorderSenderMismatch",
	ErrPreorderExpired:         "ErrPreorderExpired",
	ErrNamespaceVersion:        "ErrNamespaceVersion",
	ErrFeeTooLow:               "ErrFeeTooLow",
	ErrNamespaceNotRevealed:    "ErrNamespaceNotRevealed",
	ErrNamespaceNotReady:       "ErrNamespaceNotReady",
	ErrNamespaceAlreadyReady:   "ErrNamespaceAlreadyReady",
	ErrNotRevealer:             "ErrNotRevealer",
	ErrNotInKeychain:           "ErrNotInKeychain",
	ErrNameRevoked:             "ErrNameRevoked",
	ErrNameRegistered:          "ErrNameRegistered",
	ErrPreorderBeforeReady:     "ErrPreorderBeforeReady",
	ErrP2SHNotAllowed:          "ErrP2SHNotAllowed",
	ErrValueHashNotAllowed:     "ErrValueHashNotAllowed",
	ErrCollision:               "ErrCollision",
	ErrNameNotFound:            "ErrNameNotFound",
	ErrNotOwner:                "ErrNotOwner",
	ErrNameExpired:             "ErrNameExpired",
	ErrInGracePeriod:           "ErrInGracePeriod",
	ErrRenewTransferNotAllowed: "ErrRenewTransferNotAllowed",
	ErrSelfTransfer:            "ErrSelfTransfer",
	ErrRecipientOwnsName:       "ErrRecipientOwnsName",
	ErrTokenTransferNotAllowed: "ErrTokenTransferNotAllowed",
	ErrZeroAmount:              "ErrZeroAmount",
	ErrTransferLocked:          "ErrTransferLocked",
	ErrRecipientNotWhitelisted: "ErrRecipientNotWhitelisted",
	ErrSameAddress:             "ErrSameAddress",
}

// String returns the code's name.
func (c ErrorCode) String() string {
	if c >= 0 && c < numErrorCodes {
		return errorCodeNames[c]
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error makes a code an error, so that errors.Is(err, ErrFeeTooLow) asks
// whether err is an operation rejected by that rule.
// It reads as the code's name, as the other packages' codes do, so that
// printing a code with %v or %s is unchanged.
func (c ErrorCode) Error() string { return c.String() }

// Error is a rejected operation: the rule (Code) and a human description.
type Error struct {
	Code        ErrorCode
	Description string
}

func (e *Error) Error() string { return e.Description }

// Is makes errors.Is match the Error's ErrorCode, and any *Error with the
// same code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return t == e.Code
	case *Error:
		return t.Code == e.Code
	}
	return false
}

func reject(c ErrorCode, format string, args ...any) *Error {
	return &Error{Code: c, Description: fmt.Sprintf(format, args...)}
}

// BlockError is a block the engine cannot process at all (wrong height,
// corrupt state); it is not an operation's rejection.
type BlockError struct {
	Height uint64
	Err    error
}

func (e *BlockError) Error() string { return fmt.Sprintf("consensus: block %d: %v", e.Height, e.Err) }
func (e *BlockError) Unwrap() error { return e.Err }
