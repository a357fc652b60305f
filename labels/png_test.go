package labels

import (
	"bytes"
	"image/png"
	"math"
	"testing"
)

// A label rendered as a PNG is the stock's label size at the requested resolution, and
// its code decodes to the URL.
func TestPNGScans(t *testing.T) {
	label := Label{Tag: "KL-000042", Product: "Łukasz's standing frame", URL: "http://kitloan.test/t/KL-000042"}
	for _, layout := range Layouts() {
		for _, dpi := range []int{203, 300} { // 203 dpi is the common thermal printer resolution
			var buf bytes.Buffer
			if err := WritePNG(&buf, label, Options{Layout: layout.Name, Phone: "0161 496 0000"}, dpi); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			w, h := img.Bounds().Dx(), img.Bounds().Dy()
			if want := layout.LabelW * float64(dpi) / 25.4; math.Abs(float64(w)-want) > 1 {
				t.Errorf("%s at %d dpi: %d pixels wide, want %.0f", layout.Name, dpi, w, want)
			}
			if want := layout.LabelH * float64(dpi) / 25.4; math.Abs(float64(h)-want) > 1 {
				t.Errorf("%s at %d dpi: %d pixels high, want %.0f", layout.Name, dpi, h, want)
			}
			if got := decodeImage(t, img, false); got != label.URL {
				t.Errorf("%s at %d dpi: decoded %q, want %q", layout.Name, dpi, got, label.URL)
			}
		}
	}
}

func TestPNGInvalidOptions(t *testing.T) {
	label := Label{Tag: "KL-1", URL: "http://kitloan.test/t/KL-1"}
	assertInvalid(t, WritePNG(&bytes.Buffer{}, label, Options{Layout: "nope"}, 300), "layout")
	assertInvalid(t, WritePNG(&bytes.Buffer{}, label, Options{}, 0), "dpi")
	assertInvalid(t, WritePNG(&bytes.Buffer{}, label, Options{}, 5000), "dpi")
}
