package web

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Charts drawn on the server as SVG: bars only, no script. The geometry is worked out
// here and the "bar_chart" partial draws it, so the template holds no arithmetic. Every
// chart has a title and a description for screen readers, and its page puts the numbers
// in a table beside it: the chart is a picture of the table, never the only copy.

// chartWidth is the width of every chart's coordinate system; the SVG scales to its box.
const chartWidth = 400

// Chart colours: blue and green from the stylesheet, both at least 3:1 against white, as
// WCAG asks of the parts of a graphic.
const (
	chartBlue  = "#1d70b8"
	chartGreen = "#00703c"
)

type chart struct {
	ID, Title, Desc string
	Width, Height   float64
	Colour          string
	Bars            []chartBar
	Grid            []chartLine
	// Axis is the line the bars stand on (or start from, lying down).
	Axis chartLine
}

// chartBar is one bar, the value written at its end and its label.
type chartBar struct {
	X, Y, W, H     float64
	Value          string
	ValueX, ValueY float64
	// ValueAnchor is the text-anchor of the value: "middle" above a standing bar, "start"
	// after a lying one.
	ValueAnchor string
	Label       string
	// Label2 is a second line under a standing bar's label (the year under "Jan").
	Label2         string
	LabelX, LabelY float64
	LabelAnchor    string
	// Title is the bar's tooltip: its label and value in words.
	Title string
}

// chartLine is a gridline or axis with its value.
type chartLine struct {
	X1, Y1, X2, Y2 float64
	Text           string
	TextX, TextY   float64
	TextAnchor     string
}

// chartPoint is one value of a chart: its label, an optional second label line, and
// its value (nil draws no bar: there is nothing to show, as a rate with nothing returned).
type chartPoint struct {
	Label, Label2 string
	Value         *float64
	// Text is the value as the bar shows it ("12", "75%"); Title is the tooltip.
	Text, Title string
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// niceMax rounds a chart's largest value up so that its four gridlines fall on round
// steps: 1, 2, 2.5 or 5 times a power of ten, and whole numbers for counts (a step of 2.5
// only from 25 up).
func niceMax(v float64, counts bool) float64 {
	if v <= 0 {
		v = 1
	}
	raw := v / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step := m * p
		if counts && (step < 1 || m == 2.5 && p < 10) {
			continue
		}
		if raw <= step {
			return 4 * step
		}
	}
	return 40 * p
}

// gridText writes a gridline's value.
func gridText(v float64, suffix string) string {
	return strconv.FormatFloat(round1(v), 'f', -1, 64) + suffix
}

// columnChart draws standing bars, one a point, against gridlines from 0 to max (0 for a
// max worked out from the values). suffix follows the gridlines' values ("%").
func columnChart(id, title, desc, colour string, points []chartPoint, max float64, suffix string) chart {
	const (
		left, right, top, bottom = 40.0, 6.0, 16.0, 34.0
		height                   = 220.0
	)
	c := chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: height, Colour: colour}
	if max <= 0 {
		for _, p := range points {
			if p.Value != nil && *p.Value > max {
				max = *p.Value
			}
		}
		max = niceMax(max, true)
	}
	plotW, plotH := chartWidth-left-right, height-top-bottom
	base := top + plotH
	for i := 0; i <= 4; i++ {
		y := round1(base - plotH*float64(i)/4)
		c.Grid = append(c.Grid, chartLine{X1: left, Y1: y, X2: chartWidth - right, Y2: y,
			Text: gridText(max*float64(i)/4, suffix), TextX: left - 4, TextY: y + 4, TextAnchor: "end"})
	}
	c.Axis = chartLine{X1: left, Y1: base, X2: chartWidth - right, Y2: base}
	n := max1(len(points))
	slot := plotW / float64(n)
	// Values fit above bars at least 18 units apart; labels are thinned to about twelve.
	showValues := slot >= 18
	every := int(math.Ceil(float64(n) / 12))
	for i, p := range points {
		x := left + slot*float64(i)
		b := chartBar{Title: p.Title, LabelX: round1(x + slot/2), LabelY: base + 14, LabelAnchor: "middle", ValueAnchor: "middle"}
		if i%every == 0 {
			b.Label, b.Label2 = p.Label, p.Label2
		}
		if p.Value != nil {
			h := plotH * math.Min(*p.Value, max) / max
			b.X, b.W = round1(x+slot*0.15), round1(slot*0.7)
			b.Y, b.H = round1(base-h), round1(h)
			if showValues {
				b.Value, b.ValueX, b.ValueY = p.Text, round1(x+slot/2), round1(base-h-4)
			}
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// barChart draws lying bars, one a row, with each row's label on the left: for labels
// too long to stand under a bar (categories).
func barChart(id, title, desc, colour string, points []chartPoint) chart {
	const (
		labelW, right, row, top = 140.0, 36.0, 26.0, 4.0
	)
	height := top*2 + row*float64(max1(len(points)))
	c := chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: height, Colour: colour}
	max := 0.0
	for _, p := range points {
		if p.Value != nil && *p.Value > max {
			max = *p.Value
		}
	}
	max = niceMax(max, true)
	plotW := chartWidth - labelW - right
	c.Axis = chartLine{X1: labelW, Y1: top, X2: labelW, Y2: height - top}
	for i, p := range points {
		y := top + row*float64(i)
		b := chartBar{Title: p.Title, Label: shorten(p.Label, 21), LabelX: labelW - 6, LabelY: round1(y + row/2 + 4), LabelAnchor: "end", ValueAnchor: "start"}
		v := 0.0
		if p.Value != nil {
			v = *p.Value
		}
		w := plotW * v / max
		b.X, b.Y, b.W, b.H = labelW, round1(y+row*0.2), round1(w), round1(row*0.6)
		b.Value, b.ValueX, b.ValueY = p.Text, round1(labelW+w+4), round1(y+row/2+4)
		c.Bars = append(c.Bars, b)
	}
	return c
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// shorten cuts a label to n characters with an ellipsis; the table beside has it whole.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
