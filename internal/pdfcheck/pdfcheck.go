// Package pdfcheck tells whether a file that starts like a PDF reads as one.
package pdfcheck

import (
	"bytes"
	"errors"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// An uploaded file that starts "%PDF-" (a signed agreement's scan) is read with a PDF parser before it is stored, so
// that what staff later open as the signed agreement is a PDF, not HTML or a program
// behind a PDF header, nor a scan cut short in sending. pdfcpu is pure Go: the server
// needs no tool installed beside it. It validates in its relaxed mode, which takes the
// faults common in real files that every viewer takes too, and never decodes the pages'
// contents, so a small file cannot make it build a large picture.

// disablePDFConfigDir stops pdfcpu writing a configuration folder into the home folder
// of the user the server runs as, which it does by default on first use.
var disablePDFConfigDir sync.Once

// config is pdfcpu's configuration for checking an upload: relaxed validation only (no
// optimising), and limits on what it reads and decodes (its defaults allow half a
// gigabyte) scaled to the largest file and picture the caller takes.
func config(maxBytes, maxPixels int64) *model.Configuration {
	disablePDFConfigDir.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Optimize = false
	conf.Limits.MaxStreamBytes = maxBytes
	conf.Limits.MaxDecodeBytes = 64 << 20
	conf.Limits.MaxImagePixels = maxPixels
	conf.Limits.MaxImageBytes = 4 * maxPixels
	conf.Limits.MaxObjectCount = 1 << 20
	conf.Limits.MaxObjectStreamCount = 1 << 20
	conf.Limits.MaxXRefEntries = 1 << 20
	return conf
}

// Problem returns what is wrong with a file that starts like a PDF, or "" when it reads
// as one, checked within the largest file (maxBytes) and picture (maxPixels) the caller
// takes. A PDF ends with %%EOF (viewers look for it in the last 1,024 bytes); one
// without it was cut short, even where its objects could still be pieced together.
func Problem(d []byte, maxBytes, maxPixels int64) (problem string) {
	if !bytes.Contains(d[max(0, len(d)-1024):], []byte("%%EOF")) {
		return "is not a complete PDF: its end is missing. Save or scan it again, and choose the new file"
	}
	// pdfcpu turns its own panics into errors; anything else it raises on a malformed
	// file is still the file's fault, not the server's.
	defer func() {
		if recover() != nil {
			problem = notAPDF
		}
	}()
	err := api.Validate(bytes.NewReader(d), config(maxBytes, maxPixels))
	switch {
	case err == nil:
		return ""
	case errors.Is(err, pdfcpu.ErrWrongPassword):
		return "is protected by a password, so it could not be opened later: save or scan it again without one"
	}
	return notAPDF
}

const notAPDF = "starts like a PDF but could not be read as one: save or scan it again as a PDF, or take a photo"
