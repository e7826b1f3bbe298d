package ops_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/ops"
)

func TestErrorCodes(t *testing.T) {
	dc := ops.ContextAt(ops.Mainnet(), ops.MainnetSchedule(), 620000)
	_, err := ops.Decode(exTx([]byte("id~A.id")), [][]byte{exS}, dc)
	wrapped := fmt.Errorf("block 620000: %w", err)
	var e *ops.Error
	if !errors.As(wrapped, &e) || e.Code != ops.ErrInvalidName || e.Kind != ops.KindNameRevoke {
		t.Fatalf("errors.As: %v", wrapped)
	}
	if !errors.Is(wrapped, &ops.Error{Code: ops.ErrInvalidName}) || errors.Is(wrapped, &ops.Error{Code: ops.ErrPayloadLength}) {
		t.Error("errors.Is does not compare codes")
	}
	if ops.IsIgnored(wrapped) || !strings.Contains(err.Error(), "NAME_REVOKE") {
		t.Errorf("rejection reported as %q, ignored=%v", err, ops.IsIgnored(wrapped))
	}
	for _, c := range []ops.ErrorCode{ops.ErrNoNullData, ops.ErrWrongMagic, ops.ErrNoOpcode, ops.ErrUnknownOpcode} {
		if !c.Ignored() {
			t.Errorf("%v should mean ignored", c)
		}
	}
	for _, c := range []ops.ErrorCode{ops.ErrNoInputs, ops.ErrSenderType, ops.ErrNamespaceParams, ops.ErrInvalidHash, ops.ErrMalformedTx} {
		if c.Ignored() || strings.HasPrefix(c.String(), "ErrorCode(") {
			t.Errorf("%v: ignored=%v", c, c.Ignored())
		}
	}
	if ops.ErrorCode(999).String() != "ErrorCode(999)" {
		t.Error("unknown code name")
	}
	// The one idiom of every package: a code is an error, and errors.Is
	// matches it through any wrapping.
	if !errors.Is(wrapped, ops.ErrInvalidName) || errors.Is(wrapped, ops.ErrPayloadLength) {
		t.Error("errors.Is does not match the code itself")
	}
	if ops.ErrInvalidHash.Error() != "ErrInvalidHash" {
		t.Errorf("ErrInvalidHash.Error() = %q", ops.ErrInvalidHash.Error())
	}
	if _, ok := ops.CodeOf(errors.New("plain")); ok || ops.IsIgnored(nil) {
		t.Error("CodeOf of a plain error")
	}
}

// TestTemplates checks the output roles and the change slot of every
// template, and that Check reports the epoch rules.
func TestTemplates(t *testing.T) {
	net := ops.Regtest()
	a := net.BurnAddress()
	b, _ := net.Coerce(exRAddr)
	ch := strings.Repeat("11", 16)
	tok := uint64(7)
	cases := []struct {
		args   ops.Args
		roles  string
		change int
	}{
		{ops.NamePreorderArgs{Name: "a.id", ConsensusHash: ch, SenderAddress: b, RegisterAddress: a, Payment: ops.Payment{BTC: 1000}}, "data change burn", 1},
		{ops.NameRegistrationArgs{Name: "a.id", OwnerAddress: a}, "data recipient", -1},
		{ops.NameRenewalArgs{Name: "a.id", NewOwnerAddress: a, OwnerAddress: b, Payment: ops.Payment{Tokens: &tok}}, "data recipient change burn", 2},
		{ops.NameImportArgs{Name: "a.id", RecipientAddress: a, ValueHash: exVH}, "data recipient value-hash", -1},
		{ops.NamespacePreorderArgs{NamespaceID: "id", ConsensusHash: ch, SenderAddress: b, RevealAddress: a, Payment: ops.Payment{Tokens: &tok}}, "data change burn", 1},
		{ops.AnnounceArgs{MessageHash: exVH}, "data", -1},
	}
	for _, c := range cases {
		tmpl, err := c.args.Encode(net)
		if err != nil {
			t.Fatalf("%T: %v", c.args, err)
		}
		var roles []string
		for _, o := range tmpl.Outputs {
			roles = append(roles, o.Role.String())
		}
		if strings.Join(roles, " ") != c.roles || tmpl.ChangeIndex() != c.change {
			t.Errorf("%T: roles %v change %d", c.args, roles, tmpl.ChangeIndex())
		}
		if d, ok := ops.NullData(tmpl.Tx()); !ok || string(d) != string(tmpl.Data) {
			t.Errorf("%T: template data not in its OP_RETURN", c.args)
		}
	}
	// A BTC renewal with a value hash is the 57-byte form: fine in epoch 3,
	// refused from epoch 4 on.
	tmpl, err := ops.NameRenewalArgs{Name: "a.id", NewOwnerAddress: a, OwnerAddress: b, Payment: ops.Payment{BTC: 5000}, ValueHash: exVH}.Encode(net)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Check(ops.ContextAt(net, ops.MainnetSchedule(), 500000)); err != nil {
		t.Errorf("epoch 3: %v", err)
	}
	if _, err := tmpl.Check(ops.ContextAt(net, ops.MainnetSchedule(), 560000)); !errors.Is(err, &ops.Error{Code: ops.ErrRenewalTokenFee}) {
		t.Errorf("epoch 4: %v", err)
	}
	// The longest form, a token transfer with a full scratch area, is
	// exactly 80 bytes and goes out as PUSHDATA1, as blockstack.js sends it.
	tt, err := ops.TokenTransferArgs{RecipientAddress: a, ConsensusHash: ch, Amount: 1, ScratchArea: make([]byte, ops.MaxScratchArea)}.Encode(net)
	if err != nil {
		t.Fatal(err)
	}
	if len(tt.Data) != ops.MaxDataLength || string(tt.Outputs[0].Script[:3]) != "\x6a\x4c\x50" {
		t.Errorf("80-byte token transfer: %d bytes, script %x", len(tt.Data), tt.Outputs[0].Script[:3])
	}
}
