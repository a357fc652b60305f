package labels

import (
	"fmt"
	"testing"
)

// byteCounter discards what is written to it, counting the bytes.
type byteCounter int

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

// Targets: under 150 ms and 500 KB for a thousand labels.
func BenchmarkSheetL7160_1000(b *testing.B) {
	labels := make([]Label, 1000)
	for i := range labels {
		tag := fmt.Sprintf("KL-%06d", i+1)
		labels[i] = Label{Tag: tag, Product: "Wheelchair cushion, pressure relieving (adult)", URL: "http://127.0.0.1:8080/t/" + tag}
	}
	var size byteCounter
	for b.Loop() {
		size = 0
		if err := WriteSheet(&size, labels, Options{Layout: "avery-l7160", Phone: "0161 496 0000"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
