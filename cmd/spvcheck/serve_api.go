package main

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/snapshot/api/webui"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
)

// nameAPI is the HTTP side of serve: the Core name API over the store.
type nameAPI struct {
	srv      *api.Server
	indexing atomic.Bool
	// kick asks the refresher to bring the server's index to the store's
	// tip; it holds at most one request, so the sync never waits on it.
	kick chan struct{}
}

func newNameAPI(store *snapshot.Store, net *network, zonefileDir string, holder *holderState) (*nameAPI, error) {
	zf, err := zonefiles.Open(zonefileDir)
	if err != nil {
		return nil, err
	}
	n := &nameAPI{kick: make(chan struct{}, 1)}
	srv, err := api.New(api.Config{
		Store: store, Params: net.Consensus, Zonefiles: zf, Version: versionString(),
		LastBlockSeen: func() uint64 {
			if i := holder.get(); i.HasHeaders && i.HeaderHeight > 0 {
				return uint64(i.HeaderHeight)
			}
			tip, _, _ := store.Tip()
			return tip
		},
		Indexing: n.indexing.Load,
		BaseURL:  holder.get().URL,
		// The page that verifies names in the browser, at /.
		Fallback: webui.Handler(),
		Safeguards: func() (snapshot.Safeguards, bool, error) {
			return store.Safeguards(net.Consensus, 0, 0)
		},
	})
	if err != nil {
		return nil, err
	}
	n.srv = srv
	return n, nil
}

// Serve answers requests on ln until ctx ends.
func (n *nameAPI) Serve(ctx context.Context, ln net.Listener) error {
	var h http.Handler = n.srv
	return api.Serve(ctx, ln, h, api.Limits{})
}

// applied is called on the sync's goroutine after it applied or rewound
// blocks. It never blocks: the refresher does the work, so no reader of
// the server (a slow client, say) can hold up the sync.
func (n *nameAPI) applied() {
	select {
	case n.kick <- struct{}{}:
	default: // a refresh is already pending; it will see this block too
	}
}

// refresh brings the server's index up to date whenever applied asks,
// until ctx ends.
func (n *nameAPI) refresh(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.kick:
			_ = n.srv.Refresh(ctx)
		}
	}
}
