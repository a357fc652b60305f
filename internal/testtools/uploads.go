package testtools

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Files for tests of uploads, made by hand to be exactly what a test needs.

// PDF is a small, valid one-page PDF, such as a scanned signed copy: note (one line)
// goes into a comment near its start, and payload, any bytes at all, into a stream the
// page does not draw, so that a test can see a download change no byte.
func PDF(note string, payload []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%%PDF-1.4\n%%\xE2\xE3\xCF\xD3\n%% %s\n", note)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /PieceInfo << /Scan << /LastModified (D:20260101) /Private 5 0 R >> >> >>",
		"<< /Length 0 >>\nstream\n\nendstream",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(payload), payload),
	}
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// PNGBomb is a PNG of a few dozen bytes whose header declares width × height pixels and
// whose image data is missing: decoding it would try to allocate for every declared
// pixel before finding nothing there. Only a check of the header, before decoding, can
// tell the person that the picture is too large rather than unreadable.
func PNGBomb(width, height int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(kind), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8 bits, RGBA, deflate, no filter, no interlace
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte("not image data"))
	chunk("IEND", nil)
	return b.Bytes()
}
