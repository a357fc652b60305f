package labels

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"kitloan/internal/errs"
)

const minDPI, maxDPI = 72, 1200

// WritePNG writes one label as a greyscale PNG the size of the layout's labels at dpi
// dots per inch, for label printers that take images rather than PDFs. It is laid out
// like the PDF; only opt.Layout and opt.Phone apply.
func WritePNG(w io.Writer, label Label, opt Options, dpi int) error {
	layout, err := LookupLayout(opt.Layout)
	if err != nil {
		return err
	}
	if dpi < minDPI || dpi > maxDPI {
		return errs.Field("dpi", fmt.Sprintf("must be between %d and %d", minDPI, maxDPI))
	}
	code, err := encodeQR(label.URL)
	if err != nil {
		return err
	}
	plan := planLabel(label, opt.Phone, layout.LabelW, layout.LabelH, code.size)
	scale := float64(dpi) / 25.4 // pixels a millimetre
	img := image.NewGray(image.Rect(0, 0, int(math.Round(layout.LabelW*scale)), int(math.Round(layout.LabelH*scale))))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	drawCodePNG(img, code, plan, scale)
	if err := drawTextPNG(img, plan, scale, float64(dpi)); err != nil {
		return err
	}
	return png.Encode(w, img)
}

// drawCodePNG draws the code with every module the same whole number of pixels, so it
// prints crisply, centred where the plan puts it.
func drawCodePNG(img *image.Gray, code *qrCode, plan labelPlan, scale float64) {
	module := max(1, int(plan.module*scale))
	span := float64(code.size) * plan.module * scale
	offset := (span - float64(code.size*module)) / 2
	x0 := int(math.Round(plan.codeX*scale + offset))
	y0 := int(math.Round(plan.codeY*scale + offset))
	for _, r := range code.rects() {
		rect := image.Rect(x0+r.X*module, y0+r.Y*module, x0+(r.X+r.W)*module, y0+(r.Y+r.H)*module)
		draw.Draw(img, rect, image.Black, image.Point{}, draw.Src)
	}
}

func drawTextPNG(img *image.Gray, plan labelPlan, scale, dpi float64) error {
	for _, l := range plan.lines {
		face, err := opentype.NewFace(l.face.Font, &opentype.FaceOptions{Size: l.size, DPI: dpi, Hinting: font.HintingNone})
		if err != nil {
			return err
		}
		d := font.Drawer{
			Dst:  img,
			Src:  image.Black,
			Face: face,
			Dot:  fixed.Point26_6{X: fixed.Int26_6(l.x * scale * 64), Y: fixed.Int26_6(l.baseline * scale * 64)},
		}
		d.DrawString(l.text)
		face.Close()
	}
	return nil
}
