package web

import (
	"sync"
	"time"
)

// Sign-in throttling: after maxFailures failed attempts for one email address, or from one
// client address, within failureWindow, further attempts are refused until the window has
// passed since the last failure. Kept in memory: a restart forgives, which is acceptable
// for a single-server service and keeps sign-in free of writes.
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
)

type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	now      func() time.Time
}

func newThrottle() *throttle {
	return &throttle{failures: map[string][]time.Time{}, now: time.Now}
}

// recent drops failures older than the window and returns those left.
func (t *throttle) recent(key string) []time.Time {
	cutoff := t.now().Add(-failureWindow)
	fs := t.failures[key]
	i := 0
	for i < len(fs) && fs[i].Before(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = fs
	}
	return fs
}

// blocked reports whether any key has had too many recent failures.
func (t *throttle) blocked(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if len(t.recent(k)) >= maxFailures {
			return true
		}
	}
	return false
}

// failed records a failed attempt against each key.
func (t *throttle) failed(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		t.failures[k] = append(t.recent(k), t.now())
	}
}

// succeeded forgets the failures of an account that has signed in.
func (t *throttle) succeeded(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}
