package labels

import (
	"image"
	"image/color"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// Every code must decode, with an independent decoder, to the text it was made from.
func TestQRDecodes(t *testing.T) {
	for _, url := range []string{"http://kitloan.test/t/KL-000001", "https://x.example/t/Zoë-Łukasz", "a"} {
		q, err := encodeQR(url)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeModules(t, q); got != url {
			t.Errorf("decoded %q, want %q", got, url)
		}
	}
}

func TestQRTooLong(t *testing.T) {
	_, err := encodeQR(string(make([]byte, 2332)))
	assertInvalid(t, err, "url")
}

func BenchmarkEncodeQR(b *testing.B) {
	for b.Loop() {
		if _, err := encodeQR("http://127.0.0.1:8080/t/KL-000123"); err != nil {
			b.Fatal(err)
		}
	}
}

// decodeModules draws q at 4 pixels a module with its quiet zone and decodes it with
// gozxing.
func decodeModules(t *testing.T, q *qrCode) string {
	t.Helper()
	const scale, quiet = 4, 4
	side := (q.size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; x++ {
			if !q.dark[y*q.size+x] {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetGray((x+quiet)*scale+dx, (y+quiet)*scale+dy, color.Gray{})
				}
			}
		}
	}
	return decodeImage(t, img, true)
}

// decodeImage returns the text of the one QR code in img, failing the test if none is
// found; pure says img holds nothing but the code and its quiet zone.
func decodeImage(t *testing.T, img image.Image, pure bool) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}
