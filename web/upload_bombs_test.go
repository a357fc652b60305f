package web_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"kitloan/internal/testtools"
	"kitloan/web/webtest"
)

// TestImageBombsAreRefusedBeforeDecoding: sixteen uploads at once of pictures small in
// bytes and huge in pixels, as signed copies (a 1 KB PNG declaring 50,000 × 50,000) and as
// signatures (a real PNG of 4,000 × 2,000, a few dozen KB, which the server used to decode
// in full: sixteen took it from 89 MB to 941 MB), are all refused for their size, naming
// the field, and none is stored.
func TestImageBombsAreRefusedBeforeDecoding(t *testing.T) {
	w := newAgreementWorld(t)
	var wide bytes.Buffer
	if err := png.Encode(&wide, image.NewGray(image.Rect(0, 0, 4000, 2000))); err != nil {
		t.Fatal(err)
	}
	signatureBomb := "data:image/png;base64," + base64.StdEncoding.EncodeToString(wide.Bytes())
	copyBomb := testtools.PNGBomb(50_000, 50_000)

	type answer struct {
		status int
		body   string
	}
	answers := make([]answer, 16)
	var wg sync.WaitGroup
	for i := range answers {
		fields, name, file := map[string]string{"signer_name": "Ольга Петренко"}, "photo.png", copyBomb
		if i%2 == 1 {
			fields["signature"], name, file = signatureBomb, "", nil
		}
		body, ct := form(t, fields, name, file)
		req, _ := http.NewRequest(http.MethodPost, w.env.HTTP.URL+w.path("/agreement"), body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+w.store)
		wg.Go(func() {
			res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
			if err != nil {
				answers[i] = answer{body: err.Error()}
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			answers[i] = answer{res.StatusCode, string(b)}
		})
	}
	wg.Wait()
	for i, a := range answers {
		want, says := http.StatusRequestEntityTooLarge, `"signed_copy":"is 50,000 × 50,000 pixels; the largest we take is 50 megapixels`
		if i%2 == 1 {
			want, says = http.StatusUnprocessableEntity, `"signature":"is 4,000 × 2,000 pixels; a signature from the pad is at most`
		}
		if a.status != want || !strings.Contains(a.body, says) {
			t.Errorf("upload %d: %d %s; want %d with %s", i, a.status, a.body, want, says)
		}
	}
	if n := w.count(t, `SELECT (SELECT count(*) FROM loan_agreements) + (SELECT count(*) FROM agreement_copies)`); n != 0 {
		t.Fatalf("refused uploads stored %d rows", n)
	}
	if n := w.events(t, "agreement_signed"); n != 0 {
		t.Fatalf("refused uploads wrote %d events", n)
	}
}
