package testtools

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// SignaturePNG is a scribble as the signature pad would send it: dark ink on transparency.
func SignaturePNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 300, 100))
	for x := 20; x < 280; x++ {
		y := 50 + int(30*float64((x%60)-30)/30)
		for d := -2; d <= 2; d++ {
			img.Set(x, y+d, color.NRGBA{0, 0, 0, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
