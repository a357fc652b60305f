package web

import (
	"io"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/reports"
)

// exportLink is one download the exports page offers.
type exportLink struct {
	Name, URL, Label, Hint string
}

// exportLinks lists the downloads the user may take, with what each holds.
func exportLinks(u accounts.User) []exportLink {
	hints := map[string][2]string{
		reports.ExportItems:       {"Items", "Every labelled item: tag, product, serial number, condition, status, where it is, service due."},
		reports.ExportProducts:    {"Catalogue", "Every product, with its stock, reorder level and unit cost. The columns are the ones an import reads."},
		reports.ExportLoans:       {"Loans", "One row for each item on each loan: the child, where it lives, issue, review and return dates."},
		reports.ExportChildren:    {"Children", "Children's details, carers and lead therapist."},
		reports.ExportMaintenance: {"Maintenance records", "Every service, inspection, examination, test, repair and cleaning."},
	}
	if u.Role == accounts.Therapist {
		hints[reports.ExportLoans] = [2]string{"Loans", "One row for each item on each loan of the children on your caseload."}
		hints[reports.ExportChildren] = [2]string{"Your children", "The children on your caseload: details, carers and what they hold."}
	}
	var out []exportLink
	for _, what := range reports.Exports {
		if reports.CanExport(u, what) {
			out = append(out, exportLink{Name: what, URL: "/exports/" + what + ".csv", Label: hints[what][0], Hint: hints[what][1]})
		}
	}
	return out
}

// exportsPage is pages/exports.html: the downloads the user may take.
type exportsPage struct {
	Layout
	Exports []exportLink
}

// handleExportsPage lists the downloads the user may take.
func (s *Server) handleExportsPage(c *gin.Context) {
	s.render(c, http.StatusOK, "exports", &exportsPage{Exports: exportLinks(user(c))})
}

// handleExport answers one CSV export. A download from a page starts with a byte-order
// mark, so that spreadsheets read names like Zoë right; the API's does not.
func (s *Server) handleExport(what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := user(c)
		name := "kitloan-" + what + "-" + s.now().Format(db.DateLayout) + ".csv"
		s.sendDownload(c, name, "text/csv; charset=utf-8", func(w io.Writer) error {
			if !isAPI(c) {
				if _, err := io.WriteString(w, "\ufeff"); err != nil {
					return err
				}
			}
			_, err := s.reportStore().WriteCSV(c.Request.Context(), u, what, w)
			return err
		})
	}
}

// handleExportAll answers the full export of the service, for admins.
func (s *Server) handleExportAll(c *gin.Context) {
	name := "kitloan-export-" + s.now().Format(db.DateLayout) + ".zip"
	s.sendDownload(c, name, "application/zip", func(w io.Writer) error {
		_, err := s.reportStore().WriteArchive(c.Request.Context(), w)
		return err
	})
}

// sendDownload writes a download to a temporary file before sending it, so that a
// failure part way answers with an error rather than half a file, and the database
// snapshot is held only while the file is written, not while a slow client fetches it.
func (s *Server) sendDownload(c *gin.Context, name, contentType string, write func(io.Writer) error) {
	f, err := os.CreateTemp("", "kitloan-download-*")
	if err != nil {
		s.fail(c, err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		s.fail(c, err)
		return
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store") // exports may name children
	c.DataFromReader(http.StatusOK, size, contentType, f, nil)
}
