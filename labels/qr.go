package labels

import (
	"rsc.io/qr"

	"kitloan/internal/errs"
)

// qrCode is a square grid of modules without its quiet zone.
//
// Codes come from rsc.io/qr rather than go-qrcode: a sheet runs to thousands of labels,
// and go-qrcode spends about 0.8 ms on each code against rsc.io/qr's 30 µs, which is
// the difference between a 1,000-label sheet in well under 150 ms and in a second.
type qrCode struct {
	size int
	dark []bool // dark[y*size+x]
}

// encodeQR returns the QR code for text at error correction level M (about 15% of the
// code can be damaged and still scan), or an Invalid error on field "url" when the text
// is too long for any QR code.
func encodeQR(text string) (*qrCode, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, errs.Field("url", "is too long to fit in a QR code")
	}
	q := &qrCode{size: c.Size, dark: make([]bool, c.Size*c.Size)}
	for y := range c.Size {
		for x := range c.Size {
			q.dark[y*c.Size+x] = c.Black(x, y)
		}
	}
	return q, nil
}

// Rect is a rectangle of a code's dark modules, in modules from the code's top-left
// corner.
type Rect struct{ X, Y, W, H int }

// QRRects returns the QR code for text as labels encode it, as its side in modules and
// its dark modules as few rectangles, for papers other than labels (the loan agreement)
// that draw a code as vector shapes; they leave the four-module quiet zone around it.
// Text too long for any QR code is an Invalid error on field "url".
func QRRects(text string) (size int, rects []Rect, err error) {
	q, err := encodeQR(text)
	if err != nil {
		return 0, nil, err
	}
	return q.size, q.rects(), nil
}

// rects returns the dark modules as few rectangles: each row's horizontal runs, with a
// run merged into the rectangle above it when the row above has the very same run. A
// version 3 code has 440-odd dark modules but only about 175 rectangles.
func (q *qrCode) rects() []Rect {
	out := make([]Rect, 0, q.size*q.size/4)
	var open, next []int // indexes in out of the rectangles reaching the previous row
	for y := 0; y < q.size; y++ {
		row := q.dark[y*q.size : (y+1)*q.size]
		next = next[:0]
		j := 0
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			for j < len(open) && out[open[j]].X < start {
				j++
			}
			if j < len(open) && out[open[j]].X == start && out[open[j]].W == x-start {
				out[open[j]].H++
				next = append(next, open[j])
				continue
			}
			out = append(out, Rect{start, y, x - start, 1})
			next = append(next, len(out)-1)
		}
		open, next = next, open
	}
	return out
}
