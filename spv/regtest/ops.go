package regtest

import (
	"context"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/ops"
)

// FromOps converts an operation template built by the ops encoders into a
// wallet Template. The change slot is the output with ops.RoleChange; a
// template without one gets a change output appended after its outputs,
// paying back to the sender, as the ops package prescribes.
func FromOps(t *ops.Template) Template {
	tmpl := Template{ChangeIndex: t.ChangeIndex()}
	for _, o := range t.Outputs {
		tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{Value: o.Value, PkScript: append([]byte(nil), o.Script...)})
	}
	if tmpl.ChangeIndex < 0 {
		tmpl.ChangeIndex = len(tmpl.Outputs)
		tmpl.Outputs = append(tmpl.Outputs, &wire.TxOut{})
	}
	return tmpl
}

// SendOp funds, signs and broadcasts an operation template from key from,
// whose coin becomes input 0 (the operation's sender).
func (w *Wallet) SendOp(ctx context.Context, node interface {
	Chain
	Broadcaster
}, from int, t *ops.Template, feeRate btcutil.Amount) (*wire.MsgTx, error) {
	return w.Send(ctx, node, from, FromOps(t), feeRate)
}
