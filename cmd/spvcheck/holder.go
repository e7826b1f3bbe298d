package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/share"
	"github.com/spvcheck/spvcheck/spv/pipeline"
)

// holderState is what a command holding a store open (sync, serve) tells
// readers that ask for a checkpoint: updated from the sync's progress,
// read by the share server's goroutines.
type holderState struct {
	mu   sync.Mutex
	info share.Info
}

func newHolderState(command, url string, lightClient bool) *holderState {
	return &holderState{info: share.Info{Holder: command, PID: os.Getpid(), URL: url, LightClient: lightClient}}
}

func (h *holderState) get() share.Info {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := h.info
	i.Warnings = append([]string(nil), h.info.Warnings...)
	return i
}

// progress records a sync's header tip.
func (h *holderState) progress(p pipeline.Progress) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p.HeaderHeight > 0 {
		h.info.HeaderHeight, h.info.HasHeaders = p.HeaderHeight, true
	}
}

// setWarnings replaces the holder's current warnings.
func (h *holderState) setWarnings(w []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.info.Warnings = append([]string(nil), w...)
}

// shareStore lets read-only commands on datadir read checkpoints of store
// while this process holds it (package snapshot/share). The returned stop
// function ends that and waits for it.
func shareStore(ctx context.Context, datadir string, store *snapshot.Store, h *holderState) (stop func(), err error) {
	srv, err := share.Listen(datadir, store, h.get)
	if err != nil {
		return nil, fmt.Errorf("offering checkpoints to readers: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx)
	}()
	return func() { cancel(); <-done }, nil
}
