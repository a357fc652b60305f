package loans

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"kitloan/internal/errs"
	"kitloan/internal/testtools"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestSignedCopyIsJudgedByItsContentNotItsName(t *testing.T) {
	var jpg, pngFile bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pngFile, img); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, wantType, wantProblem string
	}{
		{"scan.pdf", string(testtools.PDF("a scan", nil)), "application/pdf", ""},
		{"photo.txt", jpg.String(), "image/jpeg", ""},
		{"scan", pngFile.String(), "image/png", ""},
		{"scan.pdf", "\x7fELF\x02\x01\x01\x00\x00\x00", "", "is a program"},
		{"scan.pdf", "MZ\x90\x00\x03\x00\x00\x00", "", "is a program"},
		{"scan.jpg", "\xFF\xD8\xFF\xE0 not really", "", "not a complete JPEG"},
		{"scan.pdf", "Dear Sir, please find attached", "", "this file is text/plain"},
		{"scan.pdf", "", "", "is empty"},
	} {
		ct, problem, _ := checkSignedCopy(Upload{Filename: tc.name, Size: int64(len(tc.data)), Data: []byte(tc.data)})
		if ct != tc.wantType || !strings.Contains(problem, tc.wantProblem) || (tc.wantProblem == "") != (problem == "") {
			t.Errorf("%s %.12q: %q, %q; want %q, %q", tc.name, tc.data, ct, problem, tc.wantType, tc.wantProblem)
		}
	}
	if _, problem, _ := checkSignedCopy(Upload{Filename: "big.pdf", Size: MaxSignedCopyBytes + 1}); !strings.Contains(problem, "10.0 MB (10,485,760 bytes) or smaller; this file is 10,485,761 bytes") {
		t.Errorf("too large: %q", problem)
	}
}

func TestAgreementInputCheck(t *testing.T) {
	scan := testtools.PDF("a scan", nil)
	pdf := &Upload{Filename: "scan.pdf", Size: int64(len(scan)), Data: scan}
	cases := []struct {
		name   string
		in     AgreementInput
		code   errs.Code
		fields []string
	}{
		{"no signer", AgreementInput{Copy: pdf}, errs.Invalid, []string{"signer_name"}},
		{"future", AgreementInput{SignerName: "A", SignedOn: "2026-06-02", Copy: pdf}, errs.Invalid, []string{"signed_on"}},
		{"not a date", AgreementInput{SignerName: "A", SignedOn: "2/6/2026", Copy: pdf}, errs.Invalid, []string{"signed_on"}},
		{"no proof", AgreementInput{SignerName: "A"}, errs.Invalid, []string{"signed_copy"}},
		{"program", AgreementInput{SignerName: "A", Copy: &Upload{Filename: "scan.pdf", Data: []byte("MZ\x90\x00")}}, errs.Unsupported, []string{"signed_copy"}},
		{"too big", AgreementInput{SignerName: "A", Copy: &Upload{Filename: "scan.pdf", Size: MaxSignedCopyBytes + 1}}, errs.TooLarge, []string{"signed_copy"}},
		{"program and no signer", AgreementInput{Copy: &Upload{Filename: "scan.pdf", Data: []byte("MZ\x90\x00")}}, errs.Invalid, []string{"signed_copy", "signer_name"}},
		{"blank pad", AgreementInput{SignerName: "A", Signature: "data:image/png;base64," + b64(blankPNG(t))}, errs.Invalid, []string{"signature"}},
		{"not a png", AgreementInput{SignerName: "A", Signature: "data:image/jpeg;base64,AAAA"}, errs.Invalid, []string{"signature"}},
	}
	for _, tc := range cases {
		err := tc.in.Check("2026-06-01")
		e := errs.As(err)
		if err == nil || e.Code != tc.code || len(e.Fields) != len(tc.fields) {
			t.Errorf("%s: %v (code %s), want %s on %v", tc.name, err, e.Code, tc.code, tc.fields)
			continue
		}
		for _, f := range tc.fields {
			if e.Fields[f] == "" {
				t.Errorf("%s: no problem named for %s: %v", tc.name, f, e.Fields)
			}
		}
	}
	ok := AgreementInput{SignerName: "  Pat  ", Copy: pdf}
	if err := ok.Check("2026-06-01"); err != nil || ok.SignedOn != "2026-06-01" || ok.SignerName != "Pat" {
		t.Fatalf("good input: %v %+v", err, ok)
	}
	// A file's name is not typed in the form: what cannot be shown in it is dropped, not refused.
	odd := AgreementInput{SignerName: "Pat", Copy: &Upload{Filename: "scan\x01\u0085 ren\xe9e.pdf", Data: testtools.PDF("a scan", nil)}}
	if err := odd.Check("2026-06-01"); err != nil {
		t.Fatalf("a file whose name holds control characters: %v", err)
	}
	if got := cleanFilename(odd.Copy.Filename); got != "scan ren\uFFFDe.pdf" {
		t.Errorf("cleanFilename kept %q", got)
	}
}

func blankPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 300, 100))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestNormalizeSignatureCropsToTheInk(t *testing.T) {
	out, err := NormalizeSignature("data:image/png;base64," + b64(testtools.SignaturePNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if _, gray := img.(*image.Gray); !gray || img.Bounds().Dx() >= 300 || img.Bounds().Dx() < 260 {
		t.Fatalf("want a greyscale image cropped to the ink, got %T %v", img, img.Bounds())
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); r>>8 != 255 {
		t.Errorf("the background should be white, not %d", r>>8)
	}
	if _, err := NormalizeSignature("data:image/png;base64," + strings.Repeat("A", MaxSignatureBytes*2)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("huge signature: %v", err)
	}
}
