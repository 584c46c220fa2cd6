package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressBar draws one line on stderr, redrawn in place, while a scenario runs.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex
	shown bool
}

// update redraws the bar: label, elapsed of total, requests so far and their rate, errors.
func (p *progressBar) update(label string, elapsed, total time.Duration, ok, failed int64) {
	const width = 30
	frac := min(float64(elapsed)/float64(max(total, 1)), 1)
	filled := int(frac * width)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(ok+failed) / s
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r%-14s [%s%s] %5.1fs/%.0fs %8d ok %6d err %7.0f/s ", label, strings.Repeat("=", filled),
		strings.Repeat(" ", width-filled), elapsed.Seconds(), total.Seconds(), ok, failed, rate)
	p.shown = true
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.w)
		p.shown = false
	}
}

// logWriter writes log lines to stderr, ending the progress bar's line first.
type logWriter struct{ bar *progressBar }

func (l logWriter) Write(b []byte) (int, error) {
	if l.bar != nil {
		l.bar.finish()
	}
	return os.Stderr.Write(b)
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
