// Package browsertest drives a real headless Chromium for end-to-end tests of kitloan's
// pages. The pages carry the service (labels, error summaries, the scan box, phone
// layout), and only a real browser shows whether a person can actually use them: that the
// forms submit what was typed, that app.js runs without errors and that nothing overflows
// a phone's screen. It is ordinary (non-test) code so that every package's tests can use it.
//
// A missing Chromium skips the test with a visible message, or fails it when
// KITLOAN_REQUIRE_TOOLS=1 (as CI sets), through testtools.Require.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"kitloan/internal/testtools"
)

// Timeout bounds one test's whole use of the browser, so that a page that never loads, or a
// selector that never matches, fails the test in a minute rather than hanging CI.
const Timeout = 60 * time.Second

// Desktop size of the window, and the phone viewport of SetPhoneViewport (an iPhone 12-15
// in CSS pixels: the narrow end of the phones the store staff use).
const (
	DesktopWidth, DesktopHeight = 1280, 900
	PhoneWidth, PhoneHeight     = 390, 844
)

// ScreenshotDirEnv names a directory where Screenshot also keeps its PNGs. A test's temp
// dir is removed when it ends, so set this (locally, or in CI as an artefact) to look at
// the pages afterwards.
const ScreenshotDirEnv = "KITLOAN_SCREENSHOT_DIR"

// syncBuffer collects the browser's own output, which its reader goroutine writes while
// the test may be reading it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n bytes of the output, without the lines about D-Bus, which a
// browser in a container without a desktop session writes all the time and which never
// explain a failure.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	lines := strings.SplitAfter(b.buf.String(), "\n")
	b.mu.Unlock()
	var keep strings.Builder
	for _, l := range lines {
		if !strings.Contains(l, "dbus") {
			keep.WriteString(l)
		}
	}
	s := keep.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// New starts a headless Chromium with a fresh profile and returns a context for its first
// tab; pass it to chromedp.Do and chromedp.Run. The browser stops when the test ends, or
// after Timeout. An uncaught JavaScript exception on any page fails the test, since every
// page must work and app.js is there to help, never to break a page.
func New(t testing.TB) context.Context {
	t.Helper()
	exe := testtools.Require(t, "chromium")
	// t.TempDir registers its removal before the cleanup below, so the profile is removed
	// only after the browser has exited.
	profile := filepath.Join(t.TempDir(), "chromium-profile")
	output := &syncBuffer{}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		// Tests often run as root in containers, where Chromium's sandbox cannot start.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// No traffic but the test's: the machines that run tests may have no internet, and
		// background fetches only slow the browser down and make runs differ.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
		chromedp.CombinedOutput(output),
	)

	// The overall deadline sits above the allocator, so it ends the browser itself, which
	// makes every pending action fail (chromedp's rule is that the first Run's context
	// owns the browser).
	root, cancelRoot := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)

	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		// Close the browser gracefully and wait for it, so that the profile is not in
		// use when t.TempDir removes it.
		closeCtx, cancelClose := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancelClose()
		cancelTab()
		cancelAlloc()
		cancelRoot()
	}

	if err := chromedp.Do(ctx); err != nil { // starts the browser and opens the tab
		stop()
		t.Fatalf("cannot start %s: %v\n%s", exe, err, output.tail(4000))
	}

	// Collect uncaught exceptions from every page of the tab.
	exceptions := WatchConsole(ctx, chromedp.ConsoleMessage.IsException)

	t.Cleanup(func() {
		timedOut := errors.Is(root.Err(), context.DeadlineExceeded)
		stop()
		for _, e := range exceptions() {
			t.Errorf("JavaScript exception in the page: %s", e)
		}
		if timedOut {
			t.Errorf("the browser test ran out of its %v", Timeout)
		}
		if t.Failed() {
			if out := strings.TrimSpace(output.tail(4000)); out != "" {
				t.Logf("Chromium's output:\n%s", out)
			}
		}
	})
	return ctx
}

// WatchConsole collects the messages of the tab's console that keep accepts (calls of the
// console API, uncaught exceptions and the browser's own log, such as a breach of the
// Content-Security-Policy) from now until the returned function is called; it returns
// them, each as its type and text.
func WatchConsole(ctx context.Context, keep func(chromedp.ConsoleMessage) bool) (stop func() []string) {
	watch, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(watch)
	var (
		mu   sync.Mutex
		kept []string
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if keep(m) {
				mu.Lock()
				kept = append(kept, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return kept
	}
}

// Screenshot saves a PNG of the whole page (not only the visible part) and returns its
// path, logged so that a person can open it; see ScreenshotDirEnv to keep it after the
// test. The name should say what is shown, such as "item-page" or "items-phone".
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := safeName(t.Name()) + "-" + safeName(name) + ".png"
	path := filepath.Join(t.TempDir(), file)
	if dir := os.Getenv(ScreenshotDirEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(dir, file)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s: %s", name, path)
	return path
}

// safeName keeps a file name to letters, digits, dots and hyphens.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// SetPhoneViewport makes the tab a phone in portrait (PhoneWidth × PhoneHeight CSS pixels,
// mobile and touch emulation on), so that pages lay out as they do on the phones the
// store staff scan labels with. It applies to pages loaded afterwards as well; navigate
// (or reload) after calling it. The scale is 1 to keep screenshots small; layout depends
// on CSS pixels, not on the device's pixel ratio.
func SetPhoneViewport(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.EmulateViewport(PhoneWidth, PhoneHeight,
		chromedp.EmulateScale(1),
		chromedp.EmulateMobile,
		chromedp.EmulateTouch,
		chromedp.EmulateOrientation(emulation.ScreenOrientationTypePortraitPrimary, 0),
	))
}

// SetDesktopViewport undoes SetPhoneViewport.
func SetDesktopViewport(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.ResetViewport())
}
