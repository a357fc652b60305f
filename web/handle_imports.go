package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/inventory"
)

// Importing products and items from a CSV file, from a page: the file is always checked
// first (a dry run, which reports every bad row and imports nothing); when every row is
// good, the page offers to import it, carrying the checked file in the form so it need not
// be chosen again, as text: a file in another encoding is decoded once, when checked. The
// import checks every row again, so nothing changed in between can slip through.

// MaxImportBytes is the largest file the import page takes.
const MaxImportBytes = 16 << 20

// importBodyLimit lets the import form carry its file (or, confirming, the file's text).
var importBodyLimit = bodyLimit{
	bytes:   MaxImportBytes + 1<<20,
	field:   "file",
	problem: "must be 16 MB or smaller: split it and import each part",
}

// maxProblemsShown bounds the problems listed on the page; the count says how many more.
const maxProblemsShown = 500

type importForm struct {
	Kind   string `form:"kind"`
	Action string `form:"action"`
	// CSV is the text of a file already checked, sent back to import it.
	CSV string `form:"csv"`
	// Encoding is what the chosen file is written in, unless it says (a byte-order mark).
	Encoding string `form:"encoding"`
}

func (s *Server) handleImportForm(c *gin.Context) {
	kind := c.Query("kind")
	if kind != inventory.ImportItems {
		kind = inventory.ImportProducts
	}
	s.renderImport(c, http.StatusOK, &importsPage{Kind: kind})
}

// importsPage is pages/imports.html: the form to check a file of Kind, then either the
// problems found in FileName (Problems, and how many More) or, Checked, the offer to
// import its CSV.
type importsPage struct {
	Layout
	Kind, FileName, RowsText string
	Problems                 []inventory.RowProblem
	More                     int
	Checked                  bool
	CSV                      string
	// Encoding is what the file was read as, unless it said (a byte-order mark).
	Encoding string
	// The columns of each kind of file, and the largest file taken.
	ProductColumns, ItemColumns string
	MaxMB                       int
}

func (s *Server) renderImport(c *gin.Context, status int, page *importsPage) {
	page.ProductColumns = strings.Join(inventory.ProductColumns, ",")
	page.ItemColumns = strings.Join(inventory.ItemColumns, ",")
	page.MaxMB = MaxImportBytes >> 20
	if page.Encoding == "" {
		page.Encoding = inventory.EncodingUTF8
	}
	s.render(c, status, "imports", page)
}

func (s *Server) handleImport(c *gin.Context) {
	ctx := c.Request.Context()
	var f importForm
	if err := bindForm(c, &f); err != nil {
		s.renderImport(c, statusOf(errs.CodeOf(err)), &importsPage{Layout: failedWith(err), Kind: f.Kind})
		return
	}
	problems := errs.FieldsError{}
	if f.Kind != inventory.ImportProducts && f.Kind != inventory.ImportItems {
		problems.Add("kind", "must be chosen: products or items")
	}
	content, name, err := importContent(c, f)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			s.fail(c, err)
			return
		}
		for k, v := range errs.As(err).Fields {
			problems.Add(k, v)
		}
	}
	if err := problems.Err(); err != nil {
		s.renderImport(c, statusOf(errs.CodeOf(err)), &importsPage{Layout: failedWith(err), Kind: f.Kind, Encoding: f.Encoding})
		return
	}
	dryRun := f.Action != "import"
	if !dryRun {
		// An import once sent runs to its end: the server stops reading a request 30 s
		// after it began, which cancels its context, and a browser may give up waiting.
		ctx = context.WithoutCancel(ctx)
	}
	rep, err := s.Inventory.Import(ctx, f.Kind, bytes.NewReader(content), dryRun)
	page := &importsPage{Kind: f.Kind, Encoding: f.Encoding, FileName: name, RowsText: rowsText(f.Kind, rep.Rows)}
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			s.fail(c, err)
			return
		}
		shown := rep.Problems
		if len(shown) > maxProblemsShown {
			shown = shown[:maxProblemsShown]
		}
		page.Errors, page.Problems, page.More = errs.As(err), shown, len(rep.Problems)-len(shown)
		s.renderImport(c, http.StatusUnprocessableEntity, page)
		return
	}
	if dryRun {
		page.Checked, page.CSV = true, string(content)
		s.renderImport(c, http.StatusOK, page)
		return
	}
	to, what := "/products", countOf(rep.Imported, "product", "products")
	if f.Kind == inventory.ImportItems {
		to, what = "/items", countOf(rep.Imported, "item", "items")
	}
	redirectWithFlash(c, to, what+" imported. Every change is in the history.")
}

// importContent reads the chosen file as UTF-8 text, or, confirming an import, the text of
// the file that was checked. name is the file's name, for the page.
func importContent(c *gin.Context, f importForm) ([]byte, string, error) {
	if f.Action == "import" && f.CSV != "" {
		return []byte(f.CSV), "", nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, "", errs.Field("file", "must be chosen: a CSV file to check")
	}
	if fh.Size > MaxImportBytes {
		return nil, fh.Filename, errs.Field("file", importBodyLimit.problem)
	}
	r, err := fh.Open()
	if err != nil {
		return nil, fh.Filename, err
	}
	defer r.Close()
	content, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fh.Filename, err
	}
	if len(content) > MaxImportBytes {
		return nil, fh.Filename, errs.Field("file", importBodyLimit.problem)
	}
	if len(bytes.TrimSpace(content)) == 0 {
		return nil, fh.Filename, errs.Field("file", "is empty: choose the CSV file with the rows to import")
	}
	content, err = inventory.DecodeImport(content, f.Encoding)
	return content, fh.Filename, err
}

// rowsText says how many rows a report covers: "120 products".
func rowsText(kind string, n int) string {
	if kind == inventory.ImportItems {
		return countOf(n, "item", "items")
	}
	return countOf(n, "product", "products")
}
