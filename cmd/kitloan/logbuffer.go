package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logBuffer collects log lines and writes them out at least every flushEvery, so that a
// request's log line costs no system call of its own: at thousands of scans a second the
// writes were a measurable share of the lookup's time. Close writes what is left; a
// crash loses at most the last flushEvery of log lines, never data (the database keeps
// its own history).
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	done chan struct{}
	wg   sync.WaitGroup
}

const flushEvery = 200 * time.Millisecond

func newLogBuffer(out io.Writer) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(out, 64<<10), done: make(chan struct{})}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.done:
				return
			}
		}
	}()
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// Close stops the flusher and writes out every line still held.
func (b *logBuffer) Close() error {
	close(b.done)
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}
