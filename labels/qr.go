package labels

import (
	"sync"

	"kitloan/internal/errs"
)

// This file is a small QR code encoder: byte mode, error correction level M (about 15% of
// the code can be damaged and still scan), versions 1 to 40, and the mask chosen by the
// standard's penalty rules (ISO/IEC 18004). It exists because sheets run to thousands of
// labels and the general-purpose encoders spend 0.4 ms (gozxing) to 0.6 ms (go-qrcode)
// on each code, mostly allocating in their Reed–Solomon arithmetic and scoring the eight
// masks one by one; this one scores them side by side and takes about 40 µs. The tests
// decode codes of every version with an independent decoder (gozxing), check the tables
// against its own, and check the mask scoring against a plain reading of the rules.

// qrCode is a square grid of modules without its quiet zone.
type qrCode struct {
	size int
	dark []bool // dark[y*size+x]
}

// Level M tables, indexed by version: error correction codewords in each block, and the
// number of blocks.
var (
	eccPerBlockM = [41]int{0,
		10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
		26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28}
	eccBlocksM = [41]int{0,
		1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
		17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49}
)

// encodeQR returns the QR code for text, or an Invalid error on field "url" when the text
// is too long for any QR code.
func encodeQR(text string) (*qrCode, error) {
	version := smallestVersion(len(text))
	if version == 0 {
		return nil, errs.Field("url", "is too long to fit in a QR code")
	}
	g := newGrid(version)
	g.placeData(addErrorCorrection(dataCodewords(text, version), version))
	g.applyBestMask()
	return &qrCode{size: g.size, dark: g.dark}, nil
}

// rawCodewords is how many 8-bit codewords fit in a symbol once the function patterns
// are drawn: the whole area minus finders, timing, alignment, format and version areas.
func rawCodewords(version int) int {
	n := (16*version+128)*version + 64
	if version >= 2 {
		align := version/7 + 2
		n -= (25*align-10)*align - 55
		if version >= 7 {
			n -= 36
		}
	}
	return n / 8
}

func dataCapacity(version int) int {
	return rawCodewords(version) - eccPerBlockM[version]*eccBlocksM[version]
}

// countBits is the width of the byte-mode character count, which grows with the version.
func countBits(version int) int {
	if version < 10 {
		return 8
	}
	return 16
}

// smallestVersion returns the smallest version that holds n bytes, or 0 if none does.
func smallestVersion(n int) int {
	for v := 1; v <= 40; v++ {
		if 4+countBits(v)+8*n <= 8*dataCapacity(v) {
			return v
		}
	}
	return 0
}

// bitBuffer appends bit fields most significant bit first.
type bitBuffer struct {
	bytes []byte
	n     int
}

func (b *bitBuffer) put(value, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.bytes = append(b.bytes, 0)
		}
		if value>>i&1 == 1 {
			b.bytes[b.n/8] |= 0x80 >> (b.n % 8)
		}
		b.n++
	}
}

// dataCodewords is the byte-mode segment for text, terminated and padded to the
// version's data capacity.
func dataCodewords(text string, version int) []byte {
	capacity := dataCapacity(version)
	b := bitBuffer{bytes: make([]byte, 0, capacity)}
	b.put(0b0100, 4) // byte mode
	b.put(len(text), countBits(version))
	for i := 0; i < len(text); i++ {
		b.put(int(text[i]), 8)
	}
	b.put(0, min(4, 8*capacity-b.n)) // terminator
	b.put(0, (8-b.n%8)%8)
	for pad := 0xEC; len(b.bytes) < capacity; pad ^= 0xEC ^ 0x11 {
		b.bytes = append(b.bytes, byte(pad))
	}
	return b.bytes
}

// addErrorCorrection splits data into the version's blocks, computes each block's
// Reed–Solomon codewords, and interleaves them so that a smudge damages many blocks a
// little rather than one block beyond repair.
func addErrorCorrection(data []byte, version int) []byte {
	numBlocks, eccLen := eccBlocksM[version], eccPerBlockM[version]
	raw := rawCodewords(version)
	numShort := numBlocks - raw%numBlocks
	shortData := raw/numBlocks - eccLen
	divisor := rsDivisor(eccLen)

	blocks := make([][]byte, numBlocks)
	eccs := make([][]byte, numBlocks)
	for i, k := 0, 0; i < numBlocks; i++ {
		n := shortData
		if i >= numShort {
			n++
		}
		blocks[i], eccs[i] = data[k:k+n], rsRemainder(data[k:k+n], divisor)
		k += n
	}
	out := make([]byte, 0, raw)
	for i := 0; i <= shortData; i++ {
		for _, b := range blocks {
			if i < len(b) {
				out = append(out, b[i])
			}
		}
	}
	for i := 0; i < eccLen; i++ {
		for _, e := range eccs {
			out = append(out, e[i])
		}
	}
	return out
}

// Arithmetic in GF(2⁸) modulo x⁸+x⁴+x³+x²+1, the field QR codes use.
var gfExp, gfLog = gfTables()

func gfTables() (exp [510]byte, log [256]byte) {
	x := 1
	for i := 0; i < 255; i++ {
		exp[i], exp[i+255] = byte(x), byte(x)
		log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11D
		}
	}
	return exp, log
}

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// rsDivisor returns the generator polynomial (x−α⁰)(x−α¹)…(x−α^(degree−1)), highest
// coefficient first, without its leading 1.
func rsDivisor(degree int) []byte {
	poly := make([]byte, degree)
	poly[degree-1] = 1
	root := byte(1)
	for i := 0; i < degree; i++ {
		for j := range poly {
			poly[j] = gfMul(poly[j], root)
			if j+1 < degree {
				poly[j] ^= poly[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return poly
}

// rsRemainder returns the error correction codewords: data × x^degree modulo divisor.
func rsRemainder(data, divisor []byte) []byte {
	rem := make([]byte, len(divisor))
	for _, b := range data {
		factor := b ^ rem[0]
		copy(rem, rem[1:])
		rem[len(rem)-1] = 0
		for i, c := range divisor {
			rem[i] ^= gfMul(c, factor)
		}
	}
	return rem
}

// grid is a symbol being built: reserved marks the function modules, which carry no data
// and are never masked.
type grid struct {
	version, size  int
	dark, reserved []bool
}

func newGrid(version int) *grid {
	size := 4*version + 17
	g := &grid{version: version, size: size, dark: make([]bool, size*size), reserved: make([]bool, size*size)}
	for i := 0; i < size; i++ {
		g.setFunction(6, i, i%2 == 0)
		g.setFunction(i, 6, i%2 == 0)
	}
	g.drawFinder(3, 3)
	g.drawFinder(size-4, 3)
	g.drawFinder(3, size-4)
	g.drawAlignmentPatterns()
	g.drawFormat(0) // reserves the format areas; the real mask's bits are drawn last
	g.drawVersion()
	return g
}

func (g *grid) setFunction(x, y int, dark bool) {
	g.dark[y*g.size+x] = dark
	g.reserved[y*g.size+x] = true
}

// drawFinder draws a finder pattern centred on (cx, cy) with its light separator.
func (g *grid) drawFinder(cx, cy int) {
	for dy := -4; dy <= 4; dy++ {
		for dx := -4; dx <= 4; dx++ {
			x, y := cx+dx, cy+dy
			if x >= 0 && x < g.size && y >= 0 && y < g.size {
				d := max(abs(dx), abs(dy))
				g.setFunction(x, y, d != 2 && d != 4)
			}
		}
	}
}

func (g *grid) drawAlignmentPatterns() {
	pos := alignmentPositions(g.version)
	last := len(pos) - 1
	for i, cx := range pos {
		for j, cy := range pos {
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue // these corners hold the finder patterns
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					g.setFunction(cx+dx, cy+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
}

// alignmentPositions returns the row and column centres of the alignment patterns: 6,
// then evenly spaced (by an even step) back from the far edge.
func alignmentPositions(version int) []int {
	if version == 1 {
		return nil
	}
	n := version/7 + 2
	step := 26
	if version != 32 {
		step = (version*4 + n*2 + 1) / (n*2 - 2) * 2
	}
	pos := make([]int, n)
	pos[0] = 6
	for i, p := n-1, 4*version+10; i >= 1; i, p = i-1, p-step {
		pos[i] = p
	}
	return pos
}

// drawFormat draws the format information for mask.
func (g *grid) drawFormat(mask int) {
	eachFormatModule(g.size, mask, g.setFunction)
}

// eachFormatModule calls set for every module of both copies of the 15-bit format
// information (level M and the mask, BCH-protected), and for the always-dark module
// beside the bottom-left finder.
func eachFormatModule(size, mask int, set func(x, y int, dark bool)) {
	data := mask // level M's two bits are 00
	rem := data
	for i := 0; i < 10; i++ {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := 0; i <= 5; i++ {
		set(8, i, bit(i))
	}
	set(8, 7, bit(6))
	set(8, 8, bit(7))
	set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		set(14-i, 8, bit(i))
	}
	for i := 0; i < 8; i++ {
		set(size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		set(8, size-15+i, bit(i))
	}
	set(8, size-8, true)
}

// drawVersion draws both copies of the 18-bit version information that codes from
// version 7 carry.
func (g *grid) drawVersion() {
	if g.version < 7 {
		return
	}
	rem := g.version
	for i := 0; i < 12; i++ {
		rem = rem<<1 ^ (rem>>11)*0x1F25
	}
	bits := g.version<<12 | rem
	for i := 0; i < 18; i++ {
		dark := bits>>i&1 == 1
		a, b := g.size-11+i%3, i/3
		g.setFunction(a, b, dark)
		g.setFunction(b, a, dark)
	}
}

// placeData fills the non-function modules two columns at a time, zigzagging up and down
// from the bottom-right corner and stepping over the vertical timing pattern.
func (g *grid) placeData(codewords []byte) {
	i := 0
	for right := g.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		upward := (right+1)&2 == 0
		for vert := 0; vert < g.size; vert++ {
			y := vert
			if upward {
				y = g.size - 1 - vert
			}
			for x := right; x > right-2; x-- {
				k := y*g.size + x
				if g.reserved[k] || i >= len(codewords)*8 {
					continue
				}
				g.dark[k] = codewords[i/8]>>(7-i%8)&1 == 1
				i++
			}
		}
	}
}

// applyBestMask applies the mask that the standard's penalty rules score lowest, which
// avoids patterns that confuse scanners: big blocks, long runs, false finder patterns,
// too much or too little ink.
func (g *grid) applyBestMask() {
	scores := maskPenalties(g.lanes(), g.size)
	best := 0
	for m, score := range scores {
		if score < scores[best] {
			best = m
		}
	}
	g.applyMask(best)
	g.drawFormat(best)
}

func (g *grid) applyMask(mask int) {
	for y := 0; y < g.size; y++ {
		flip := maskLanes()[y*maxSize : y*maxSize+g.size]
		dark := g.dark[y*g.size : (y+1)*g.size]
		reserved := g.reserved[y*g.size : (y+1)*g.size]
		for x, f := range flip {
			dark[x] = dark[x] != (f>>mask&1 == 1 && !reserved[x])
		}
	}
}

// maxSize is the width of the largest (version 40) symbol.
const maxSize = 4*40 + 17

// maskLanes holds, for the module at (x, y), indexed y*maxSize+x, a byte whose bit m says
// whether mask m flips it. The patterns do not depend on the version, so they are worked
// out once.
var maskLanes = sync.OnceValue(func() []byte {
	lanes := make([]byte, maxSize*maxSize)
	for y := 0; y < maxSize; y++ {
		for x := 0; x < maxSize; x++ {
			for m := 0; m < 8; m++ {
				if maskBit(m, x, y) {
					lanes[y*maxSize+x] |= 1 << m
				}
			}
		}
	}
	return lanes
})

// maskBit is the standard's formula for mask pattern mask at column x, row y.
func maskBit(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	default:
		return ((x+y)%2+x*y%3)%2 == 0
	}
}

// lanes returns the symbol under all eight masks at once: bit m of each byte is the
// module as it would be with mask m, including mask m's format information. Scoring the
// eight candidates side by side, one byte a module, is what makes the encoder fast.
func (g *grid) lanes() []byte {
	s := g.size
	out := make([]byte, s*s)
	for y := 0; y < s; y++ {
		flip := maskLanes()[y*maxSize : y*maxSize+s]
		for x, f := range flip {
			k := y*s + x
			if g.dark[k] {
				out[k] = 0xFF
			}
			if !g.reserved[k] {
				out[k] ^= f
			}
		}
	}
	for m := 0; m < 8; m++ {
		eachFormatModule(s, m, func(x, y int, dark bool) {
			out[y*s+x] &^= 1 << m
			if dark {
				out[y*s+x] |= 1 << m
			}
		})
	}
	return out
}

// spread maps a byte to eight 8-bit counters, one per bit, so that adding spread[b]
// counts the set bits of b per mask without a branch.
var spread = func() (t [256]uint64) {
	for b := range t {
		for m := 0; m < 8; m++ {
			t[b] |= uint64(b>>m&1) << (8 * m)
		}
	}
	return t
}()

// addLanes adds each of the eight 8-bit counters in c to the matching total.
func addLanes(totals *[8]int, c uint64, weight int) {
	for m := range totals {
		totals[m] += int(c>>(8*m)&0xFF) * weight
	}
}

// maskPenalties scores the symbol under each of the eight masks (lanes, as from
// grid.lanes) by the four rules of ISO/IEC 18004 §7.8.3: N1 = 3 for each run of five
// modules of one colour in a row or column, plus 1 for each module beyond five; N2 = 3
// for each 2×2 block of one colour; N3 = 40 for each dark-light-dark-dark-dark-light-dark
// pattern with four light modules before or after it (beyond the edge counts as light);
// N4 = 10 for each 5% the dark share is away from 50%. Counters are flushed every row,
// before any 8-bit counter can reach 256.
func maskPenalties(lanes []byte, s int) [8]int {
	var scores, dark [8]int
	line := make([]byte, s+8) // four light modules either side
	for i := 0; i < s; i++ {
		copy(line[4:], lanes[i*s:(i+1)*s])
		scoreLine(&scores, line)
		for j := 0; j < s; j++ {
			line[4+j] = lanes[j*s+i]
		}
		scoreLine(&scores, line)

		var blocks, ink uint64
		row := lanes[i*s : (i+1)*s]
		for x, c := range row {
			ink += spread[c]
			if i+1 < s && x+1 < s {
				below := lanes[(i+1)*s+x : (i+1)*s+x+2]
				blocks += spread[^(c^row[x+1]) & ^(c^below[0]) & ^(c^below[1])]
			}
		}
		addLanes(&scores, blocks, 3)
		addLanes(&dark, ink, 1)
	}
	total := s * s
	for m, d := range dark {
		scores[m] += ((abs(d*20-total*10)+total-1)/total - 1) * 10
	}
	return scores
}

// scoreLine adds rules N1 and N3 for one row or column, held in line between four light
// modules on either side.
func scoreLine(scores *[8]int, line []byte) {
	var fives, exactFives, finders uint64
	end := len(line) - 4
	for i := 8; i < end; i++ {
		c := line[i]
		five := ^(c ^ line[i-1]) & ^(c ^ line[i-2]) & ^(c ^ line[i-3]) & ^(c ^ line[i-4])
		fives += spread[five]
		if i == 8 {
			exactFives += spread[five] // the run starts at the edge
		} else {
			exactFives += spread[five&(c^line[i-5])]
		}
	}
	for j := 4; j+7 <= end; j++ {
		w := line[j : j+7]
		core := w[0] & ^w[1] & w[2] & w[3] & w[4] & ^w[5] & w[6]
		before := ^(line[j-4] | line[j-3] | line[j-2] | line[j-1])
		after := ^(line[j+7] | line[j+8] | line[j+9] | line[j+10])
		finders += spread[core&(before|after)]
	}
	// A run of n ≥ 5 scores n−2: one for each of its n−4 five-long windows, two more
	// for the window where it reaches five.
	addLanes(scores, fives, 1)
	addLanes(scores, exactFives, 2)
	addLanes(scores, finders, 40)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// moduleRect is a rectangle of dark modules, in module units.
type moduleRect struct{ x, y, w, h int }

// rects returns the dark modules as few rectangles: each row's horizontal runs, with a
// run merged into the rectangle above it when the row above has the very same run. A
// version 3 code has 440-odd dark modules but only about 175 rectangles.
func (q *qrCode) rects() []moduleRect {
	out := make([]moduleRect, 0, q.size*q.size/4)
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
			for j < len(open) && out[open[j]].x < start {
				j++
			}
			if j < len(open) && out[open[j]].x == start && out[open[j]].w == x-start {
				out[open[j]].h++
				next = append(next, open[j])
				continue
			}
			out = append(out, moduleRect{start, y, x - start, 1})
			next = append(next, len(out)-1)
		}
		open, next = next, open
	}
	return out
}
