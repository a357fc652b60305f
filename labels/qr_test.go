package labels

import (
	"image"
	"image/color"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// The tables and the formulas must agree with an independent implementation of the
// standard, for every version.
func TestQRTablesMatchGozxing(t *testing.T) {
	for v := 1; v <= 40; v++ {
		ref, err := decoder.Version_GetVersionForNumber(v)
		if err != nil {
			t.Fatal(err)
		}
		ecb := ref.GetECBlocksForLevel(decoder.ErrorCorrectionLevel_M)
		if eccPerBlockM[v] != ecb.GetECCodewordsPerBlock() || eccBlocksM[v] != ecb.GetNumBlocks() {
			t.Errorf("version %d: level M blocks = %d×%d ecc, want %d×%d", v,
				eccBlocksM[v], eccPerBlockM[v], ecb.GetNumBlocks(), ecb.GetECCodewordsPerBlock())
		}
		if got, want := rawCodewords(v), ref.GetTotalCodewords(); got != want {
			t.Errorf("version %d: %d codewords, want %d", v, got, want)
		}
		if got, want := alignmentPositions(v), ref.GetAlignmentPatternCenters(); !slices.Equal(got, want) && len(want) > 0 {
			t.Errorf("version %d: alignment at %v, want %v", v, got, want)
		}
	}
}

// A code filled to capacity in each version, with each mask in turn, must decode to the
// text: this exercises block splitting, interleaving, version information and masking.
func TestQRDecodesEveryVersionAndMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for v := 1; v <= 40; v++ {
		n := (8*dataCapacity(v) - 4 - countBits(v)) / 8
		if smallestVersion(n) != v || (v < 40 && smallestVersion(n+1) != v+1) {
			t.Fatalf("%d bytes: version %d, and %d bytes: version %d; want %d and the next", n, smallestVersion(n), n+1, smallestVersion(n+1), v)
		}
		text := randomText(rng, n)
		g := newGrid(v)
		g.placeData(addErrorCorrection(dataCodewords(text, v), v))
		mask := v % 8
		g.applyMask(mask)
		g.drawFormat(mask)
		if got := decodeModules(t, &qrCode{size: g.size, dark: g.dark}); got != text {
			t.Errorf("version %d mask %d: decoded %.40q…, want %.40q…", v, mask, got, text)
		}
	}
}

func TestQRChoosesAMaskThatDecodes(t *testing.T) {
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

// maskPenalties scores all eight masks at once with bit tricks; it must agree with a
// plain reading of the standard's rules, mask by mask.
func TestMaskPenaltiesMatchTheRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, v := range []int{1, 2, 3, 7, 10, 25, 40} {
		for range 3 {
			g := newGrid(v)
			g.placeData(addErrorCorrection(dataCodewords(randomText(rng, rng.IntN(dataCapacity(v)-2)), v), v))
			got := maskPenalties(g.lanes(), g.size)
			for m := 0; m < 8; m++ {
				g.applyMask(m)
				g.drawFormat(m)
				if want := rulePenalty(g.dark, g.size); got[m] != want {
					t.Errorf("version %d mask %d: penalty %d, want %d", v, m, got[m], want)
				}
				g.applyMask(m)
			}
		}
	}
}

// rulePenalty scores a symbol by ISO/IEC 18004 §7.8.3, one module at a time.
func rulePenalty(dark []bool, s int) int {
	at := func(x, y int) bool { return dark[y*s+x] }
	score := 0
	for i := 0; i < s; i++ {
		row, col := make([]bool, s), make([]bool, s)
		for j := range s {
			row[j], col[j] = at(j, i), at(i, j)
		}
		for _, line := range [][]bool{row, col} {
			for a := 0; a < s; { // N1: runs of five or more
				b := a
				for b < s && line[b] == line[a] {
					b++
				}
				if b-a >= 5 {
					score += 3 + b - a - 5
				}
				a = b
			}
			light := func(from, to int) bool {
				for k := max(from, 0); k < min(to, s); k++ {
					if line[k] {
						return false
					}
				}
				return true
			}
			for j := 0; j+7 <= s; j++ { // N3: 1:1:3:1:1 with four light on one side
				if line[j] && !line[j+1] && line[j+2] && line[j+3] && line[j+4] && !line[j+5] && line[j+6] &&
					(light(j-4, j) || light(j+7, j+11)) {
					score += 40
				}
			}
		}
	}
	n := 0
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			if at(x, y) {
				n++
			}
			if x+1 < s && y+1 < s && at(x, y) == at(x+1, y) && at(x, y) == at(x, y+1) && at(x, y) == at(x+1, y+1) {
				score += 3 // N2: 2×2 blocks
			}
		}
	}
	total := s * s
	for k := 0; abs(n*20-total*10) > (k+1)*total; k++ { // N4: each 5% away from half dark
		score += 10
	}
	return score
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

func randomText(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(' ' + rng.IntN(95))
	}
	return string(b)
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
