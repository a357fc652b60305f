// Package testtools finds the external programs some tests need (chromium, pdftoppm,
// zbarimg, qpdf, pdftotext). A missing tool skips the test with a visible message, and
// fails it when KITLOAN_REQUIRE_TOOLS=1, so that CI can never pass by skipping. It also
// holds the fixtures that tests of more than one package share, and makes the files that
// tests of uploads send.
package testtools

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Require returns the path of the named program, or skips (or, in CI, fails) the test.
func Require(t testing.TB, name string) string {
	t.Helper()
	candidates := []string{name}
	if name == "chromium" {
		candidates = append(candidates, "/usr/bin/chromium", "chromium-browser", "google-chrome")
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("KITLOAN_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s is required (KITLOAN_REQUIRE_TOOLS=1) but not installed: apt-get install -y chromium poppler-utils zbar-tools qpdf curl jq", name)
	}
	t.Skipf("SKIPPED: %s is not installed (apt-get install -y chromium poppler-utils zbar-tools qpdf curl jq); set KITLOAN_REQUIRE_TOOLS=1 to make this a failure", name)
	return ""
}

// SaveTemp writes a file a test made (a PDF, say) into the test's temporary folder for an
// external tool to read, and returns its path.
func SaveTemp(t testing.TB, data []byte) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "paper.pdf")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}
