package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressLine redraws one status line on an interactive terminal, at most
// ten times a second; on anything else it prints nothing.
type progressLine struct {
	w       io.Writer
	enabled bool
	last    time.Time
	width   int
}

func newProgress(e *env) *progressLine {
	return &progressLine{w: e.stderr, enabled: e.interactive}
}

func (p *progressLine) update(format string, args ...any) {
	if !p.enabled {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.draw(fmt.Sprintf(format, args...))
}

func (p *progressLine) draw(s string) {
	pad := ""
	if n := p.width - len(s); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	p.width = len(s)
	fmt.Fprintf(p.w, "\r%s%s", s, pad)
}

// done clears the line.
func (p *progressLine) done() {
	if p.enabled && p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// bar renders a fraction as a fixed-width bar.
func bar(done, total uint64) string {
	const width = 24
	if total == 0 {
		total = 1
	}
	if done > total {
		done = total
	}
	filled := int(done * width / total)
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

// readAllLimited reads r to the end, refusing more than limit bytes.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("input is larger than %d bytes", limit)
	}
	return b, nil
}
