package web

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/reports"
	"kitloan/web/templates"
)

// Who may use a route.
var (
	public     []string // nil: anyone, signed in or not
	everyone   = accounts.Roles
	staff      = []string{accounts.Admin, accounts.Staff}
	catalogue  = []string{accounts.Admin, accounts.Staff, accounts.Therapist}
	adminsOnly = []string{accounts.Admin}
	caseload   = []string{accounts.Admin, accounts.Staff, accounts.Therapist}
)

// routes lists every route of the service, with who may use it.
func (s *Server) routes() {
	// Public.
	s.route(http.MethodGet, "/healthz", public, s.handleHealth)
	s.route(http.MethodGet, "/login", public, s.handleLoginForm)
	s.route(http.MethodPost, "/login", public, s.handleLogin)
	s.engine.GET("/t/:tag", s.limitPublicScans, s.handleScanLabel)
	s.engine.StaticFS("/static", filesOnly{http.FS(templates.Static())})

	// Pages.
	s.route(http.MethodPost, "/logout", everyone, s.handleLogout)
	s.route(http.MethodGet, "/", everyone, s.handleHome)
	s.route(http.MethodGet, "/scan", catalogue, s.handleScanBox)

	s.route(http.MethodGet, "/products", catalogue, s.handleProductList)
	s.route(http.MethodGet, "/products/new", staff, s.handleProductNew)
	s.route(http.MethodPost, "/products", staff, s.handleProductCreate)
	s.route(http.MethodGet, "/products/:id", catalogue, s.handleProductShow)
	s.route(http.MethodGet, "/products/:id/edit", staff, s.handleProductEdit)
	s.route(http.MethodPost, "/products/:id", staff, s.handleProductUpdate)

	s.route(http.MethodGet, "/items", catalogue, s.handleItemList)
	s.route(http.MethodGet, "/items/new", staff, s.handleItemNew)
	s.route(http.MethodPost, "/items", staff, s.handleItemCreate)
	s.route(http.MethodGet, "/items/added", staff, s.handleItemsAdded)
	s.route(http.MethodGet, "/items/:tag", catalogue, s.handleItemShow)
	s.route(http.MethodGet, "/items/:tag/edit", staff, s.handleItemEdit)
	s.route(http.MethodPost, "/items/:tag", staff, s.handleItemUpdate)
	s.route(http.MethodPost, "/items/:tag/actions", staff, s.handleItemAct)

	s.route(http.MethodGet, "/users", adminsOnly, s.handleUserList)
	s.route(http.MethodGet, "/users/new", adminsOnly, s.handleUserNew)
	s.route(http.MethodPost, "/users", adminsOnly, s.handleUserCreate)
	s.route(http.MethodGet, "/users/:id/edit", adminsOnly, s.handleUserEdit)
	s.route(http.MethodPost, "/users/:id", adminsOnly, s.handleUserUpdate)
	s.route(http.MethodPost, "/users/:id/tokens/:token/revoke", adminsOnly, s.handleTokenRevoke)
	s.route(http.MethodGet, "/settings", adminsOnly, s.handleSettings)
	s.route(http.MethodPost, "/settings", adminsOnly, s.handleSettingsUpdate)
	s.route(http.MethodPost, "/settings/categories", adminsOnly, s.handleCategorySave)
	s.route(http.MethodPost, "/settings/categories/:id", adminsOnly, s.handleCategorySave)

	// Children, requests and loans (pages).
	s.route(http.MethodGet, "/children", caseload, s.handleChildList)
	s.route(http.MethodGet, "/children/new", caseload, s.handleChildNew)
	s.route(http.MethodPost, "/children", caseload, s.handleChildCreate)
	s.route(http.MethodGet, "/children/:id", caseload, s.handleChildShow)
	s.route(http.MethodGet, "/children/:id/edit", caseload, s.handleChildEdit)
	s.route(http.MethodPost, "/children/:id", caseload, s.handleChildUpdate)
	s.route(http.MethodPost, "/children/:id/discharge", caseload, s.handleChildDischarge)
	s.route(http.MethodPost, "/children/:id/consumables", staff, s.handleConsumableIssue)
	s.route(http.MethodGet, "/requests", caseload, s.handleRequestList)
	s.route(http.MethodGet, "/requests/new", caseload, s.handleRequestNew)
	s.route(http.MethodPost, "/requests", caseload, s.handleRequestCreate)
	s.route(http.MethodGet, "/requests/:id", caseload, s.handleRequestShow)
	s.route(http.MethodPost, "/requests/:id/approve", staff, s.handleRequestApprove)
	s.route(http.MethodPost, "/requests/:id/decline", staff, s.handleRequestDecline)
	s.route(http.MethodPost, "/requests/:id/allocate", staff, s.handleRequestAllocate)
	s.route(http.MethodPost, "/requests/:id/release", staff, s.handleRequestRelease)
	s.route(http.MethodPost, "/requests/:id/cancel", caseload, s.handleRequestCancel)
	s.route(http.MethodGet, "/loans", caseload, s.handleLoanList)
	s.route(http.MethodGet, "/loans/new", staff, s.handleLoanNew)
	s.route(http.MethodPost, "/loans", staff, s.handleLoanCreate)
	s.route(http.MethodGet, "/loans/:id", caseload, s.handleLoanShow)
	s.route(http.MethodPost, "/loans/:id/return", staff, s.handleLoanReturn)
	s.route(http.MethodPost, "/loans/:id/lost", staff, s.handleLoanLost)
	s.route(http.MethodPost, "/loans/:id/found", staff, s.handleLoanFound)
	s.route(http.MethodPost, "/loans/:id/change", staff, s.handleLoanChange)
	s.route(http.MethodPost, "/products/:id/stock", staff, s.handleProductStock)

	// Labels and scanning.
	s.route(http.MethodGet, "/labels", staff, s.handleLabelsPage)
	s.route(http.MethodGet, "/labels.pdf", staff, s.handleLabelsPDF)
	s.route(http.MethodGet, "/items/:tag/label.png", staff, s.handleItemLabelPNG)
	s.route(http.MethodGet, "/scan/camera", catalogue, s.handleScanCamera)

	// Maintenance and recalls (pages).
	s.route(http.MethodGet, "/maintenance", staff, s.handleMaintenanceQueues)
	s.route(http.MethodGet, "/items/:tag/maintenance/new", staff, s.handleMaintenanceNew)
	s.route(http.MethodPost, "/items/:tag/maintenance", staff, s.handleMaintenanceCreate)
	s.route(http.MethodGet, "/items/:tag/retire", staff, s.handleItemRetireForm)
	s.route(http.MethodPost, "/items/:tag/retire", staff, s.handleItemRetire)
	s.route(http.MethodGet, "/recalls", staff, s.handleRecallList)
	s.route(http.MethodGet, "/recalls/new", staff, s.handleRecallNew)
	s.route(http.MethodPost, "/recalls", staff, s.handleRecallCreate)
	s.route(http.MethodGet, "/recalls/:id", staff, s.handleRecallShow)
	s.route(http.MethodPost, "/recalls/:id/done", staff, s.handleRecallActionDone)
	s.route(http.MethodPost, "/recalls/:id/close", staff, s.handleRecallClose)
	s.route(http.MethodGet, "/recalls/:id/letters.pdf", staff, s.handleRecallLetters)

	// Reports, exports and imports. Figures for managers, admins and the store; exports for
	// every role, those naming children scoped by the store (a therapist gets their own
	// children, a viewer none); the whole service for admins; imports for the store.
	s.route(http.MethodGet, "/reports", reporting, s.handleReports)
	s.route(http.MethodGet, "/exports", everyone, s.handleExportsPage)
	s.route(http.MethodGet, "/exports/items.csv", everyone, s.handleExport(reports.ExportItems))
	s.route(http.MethodGet, "/exports/products.csv", everyone, s.handleExport(reports.ExportProducts))
	s.route(http.MethodGet, "/exports/loans.csv", caseload, s.handleExport(reports.ExportLoans))
	s.route(http.MethodGet, "/exports/children.csv", caseload, s.handleExport(reports.ExportChildren))
	s.route(http.MethodGet, "/exports/maintenance.csv", everyone, s.handleExport(reports.ExportMaintenance))
	s.route(http.MethodGet, "/exports/all.zip", adminsOnly, s.handleExportAll)
	s.route(http.MethodGet, "/imports", staff, s.handleImportForm)
	s.route(http.MethodPost, "/imports", staff, s.handleImport)
	s.allowBody(http.MethodPost, "/imports", importBodyLimit)
	s.route(http.MethodGet, "/api/v1/reports", reporting, s.handleAPIReports)
	s.route(http.MethodGet, "/api/v1/exports/items.csv", everyone, s.handleExport(reports.ExportItems))
	s.route(http.MethodGet, "/api/v1/exports/products.csv", everyone, s.handleExport(reports.ExportProducts))
	s.route(http.MethodGet, "/api/v1/exports/loans.csv", caseload, s.handleExport(reports.ExportLoans))
	s.route(http.MethodGet, "/api/v1/exports/children.csv", caseload, s.handleExport(reports.ExportChildren))
	s.route(http.MethodGet, "/api/v1/exports/maintenance.csv", everyone, s.handleExport(reports.ExportMaintenance))
	s.route(http.MethodGet, "/api/v1/exports/all.zip", adminsOnly, s.handleExportAll)

	// Data protection. A child's subject-access export for admins and the child's lead
	// therapist (another therapist's child is 404, as everywhere); anonymising children
	// past the retention period and the log of who read a child's record for admins.
	s.route(http.MethodGet, "/children/:id/export.pdf", exporters, s.handleChildExportPDF)
	s.route(http.MethodGet, "/api/v1/children/:id/export.json", exporters, s.handleChildExportJSON)
	s.route(http.MethodGet, "/api/v1/children/:id/export.pdf", exporters, s.handleChildExportPDF)
	s.route(http.MethodGet, "/children/anonymise", adminsOnly, s.handleAnonymiseList)
	s.route(http.MethodPost, "/children/anonymise", adminsOnly, s.handleAnonymise)
	s.route(http.MethodGet, "/children/:id/access", adminsOnly, s.handleChildAccess)
	s.route(http.MethodGet, "/api/v1/children/:id/access", adminsOnly, s.handleAPIChildAccess)

	// JSON API, and its contract and reference page for anyone signed in.
	s.route(http.MethodGet, "/api/docs", everyone, s.handleAPIDocs)
	s.route(http.MethodGet, "/api/v1/openapi.json", everyone, s.handleOpenAPI)
	s.route(http.MethodGet, "/api/v1/categories", catalogue, s.handleAPICategoryList)
	s.route(http.MethodGet, "/api/v1/labels.pdf", staff, s.handleLabelsPDF)
	s.route(http.MethodGet, "/api/v1/products", catalogue, s.handleAPIProductList)
	s.route(http.MethodPost, "/api/v1/products", staff, s.handleAPIProductCreate)
	s.route(http.MethodGet, "/api/v1/products/:id", catalogue, s.handleAPIProductShow)
	s.route(http.MethodPatch, "/api/v1/products/:id", staff, s.handleAPIProductUpdate)
	s.route(http.MethodGet, "/api/v1/items", catalogue, s.handleAPIItemList)
	s.route(http.MethodPost, "/api/v1/items", staff, s.handleAPIItemCreate)
	s.route(http.MethodGet, "/api/v1/items/:tag", catalogue, s.handleAPIItemShow)
	s.route(http.MethodPatch, "/api/v1/items/:tag", staff, s.handleAPIItemUpdate)
	s.route(http.MethodGet, "/api/v1/items/:tag/history", catalogue, s.handleAPIItemHistory)
	s.route(http.MethodPost, "/api/v1/items/:tag/actions", staff, s.handleAPIItemAct)
	s.route(http.MethodPost, "/api/v1/products/:id/stock", staff, s.handleAPIStockAdjust)

	s.route(http.MethodGet, "/api/v1/children", caseload, s.handleAPIChildList)
	s.route(http.MethodPost, "/api/v1/children", caseload, s.handleAPIChildCreate)
	s.route(http.MethodGet, "/api/v1/children/:id", caseload, s.handleAPIChildShow)
	s.route(http.MethodPatch, "/api/v1/children/:id", caseload, s.handleAPIChildUpdate)
	s.route(http.MethodPost, "/api/v1/children/:id/discharge", caseload, s.handleAPIChildDischarge)
	s.route(http.MethodGet, "/api/v1/children/:id/equipment", caseload, s.handleAPIChildEquipment)

	s.route(http.MethodGet, "/api/v1/requests", caseload, s.handleAPIRequestList)
	s.route(http.MethodPost, "/api/v1/requests", caseload, s.handleAPIRequestCreate)
	s.route(http.MethodGet, "/api/v1/requests/:id", caseload, s.handleAPIRequestShow)
	s.route(http.MethodPost, "/api/v1/requests/:id/approve", staff, s.handleAPIRequestApprove)
	s.route(http.MethodPost, "/api/v1/requests/:id/decline", staff, s.handleAPIRequestDecline)
	s.route(http.MethodPost, "/api/v1/requests/:id/cancel", caseload, s.handleAPIRequestCancel)
	s.route(http.MethodPost, "/api/v1/requests/:id/allocate", staff, s.handleAPIRequestAllocate)
	s.route(http.MethodPost, "/api/v1/requests/:id/release", staff, s.handleAPIRequestRelease)

	s.route(http.MethodGet, "/api/v1/loans", caseload, s.handleAPILoanList)
	s.route(http.MethodPost, "/api/v1/loans", staff, s.handleAPILoanCreate)
	s.route(http.MethodGet, "/api/v1/loans/:id", caseload, s.handleAPILoanShow)
	s.route(http.MethodPatch, "/api/v1/loans/:id", staff, s.handleAPILoanChange)
	s.route(http.MethodPost, "/api/v1/loans/:id/return", staff, s.handleAPILoanReturn)
	s.route(http.MethodPost, "/api/v1/loans/:id/lost", staff, s.handleAPILoanLost)
	s.route(http.MethodPost, "/api/v1/loans/:id/found", staff, s.handleAPILoanFound)
	s.route(http.MethodPost, "/api/v1/consumables/issue", staff, s.handleAPIConsumableIssue)

	s.route(http.MethodPost, "/api/v1/items/:tag/maintenance", staff, s.handleAPIMaintenanceCreate)
	s.route(http.MethodGet, "/api/v1/items/:tag/maintenance", catalogue, s.handleAPIMaintenanceList)
	s.route(http.MethodGet, "/api/v1/maintenance/due", staff, s.handleAPIServiceDue)
	s.route(http.MethodGet, "/api/v1/maintenance/after-return", staff, s.handleAPIAfterReturn)
	s.route(http.MethodGet, "/api/v1/recalls", staff, s.handleAPIRecallList)
	s.route(http.MethodPost, "/api/v1/recalls", staff, s.handleAPIRecallCreate)
	s.route(http.MethodGet, "/api/v1/recalls/:id", staff, s.handleAPIRecallShow)
	s.route(http.MethodPost, "/api/v1/recalls/:id/done", staff, s.handleAPIRecallActionDone)
	s.route(http.MethodPost, "/api/v1/recalls/:id/close", staff, s.handleAPIRecallClose)
	s.route(http.MethodGet, "/api/v1/recalls/:id/letters.pdf", staff, s.handleRecallLetters)

	// Loan agreements. Staff print and record; a therapist may download the agreement of
	// their own children's loans (the loans store scopes every loan by user). Printing is
	// recorded by a post, never by the download. The forms that carry a scan take bodies
	// up to signedCopyBodyLimit.
	s.route(http.MethodGet, "/loans/:id/agreement.pdf", caseload, s.handleAgreementPDF)
	s.route(http.MethodPost, "/loans/:id/agreement/print", caseload, s.handleAgreementPrint)
	s.route(http.MethodGet, "/loans/:id/agreement", staff, s.handleAgreementForm)
	s.route(http.MethodPost, "/loans/:id/agreement", staff, s.handleAgreementRecord)
	s.allowBody(http.MethodPost, "/loans/:id/agreement", signedCopyBodyLimit)
	s.route(http.MethodGet, "/loans/:id/agreement/signed", caseload, s.handleSignedCopy)
	s.route(http.MethodGet, "/loans/:id/delivery-note.pdf", staff, s.handleDeliveryNotePDF)
	s.route(http.MethodGet, "/loans/:id/receipt.pdf", staff, s.handleReceiptPDF)
	s.route(http.MethodGet, "/agreements/unsigned", caseload, s.handleUnsignedAgreements)
	s.route(http.MethodGet, "/api/v1/loans/:id/agreement.pdf", caseload, s.handleAgreementPDF)
	s.route(http.MethodPost, "/api/v1/loans/:id/agreement/print", caseload, s.handleAPIAgreementPrint)
	s.route(http.MethodGet, "/api/v1/loans/:id/agreement", caseload, s.handleAPIAgreementShow)
	s.route(http.MethodPost, "/api/v1/loans/:id/agreement", staff, s.handleAPIAgreementRecord)
	s.allowBody(http.MethodPost, "/api/v1/loans/:id/agreement", signedCopyBodyLimit)
	s.route(http.MethodGet, "/api/v1/loans/:id/agreement/signed", caseload, s.handleSignedCopy)
	s.route(http.MethodGet, "/api/v1/loans/:id/delivery-note.pdf", staff, s.handleDeliveryNotePDF)
	s.route(http.MethodGet, "/api/v1/loans/:id/receipt.pdf", staff, s.handleReceiptPDF)
	s.route(http.MethodGet, "/api/v1/agreements/unsigned", caseload, s.handleAPIUnsignedAgreements)
}

// route registers a handler behind the role check and records who may use it.
func (s *Server) route(method, path string, who []string, h gin.HandlerFunc) {
	if who == nil {
		s.engine.Handle(method, path, h)
		return
	}
	s.access[method+" "+path] = who
	s.engine.Handle(method, path, requireRole(who), h)
}

// filesOnly serves a file system's files and none of its folders: the address of a folder
// is 404, like any address with nothing at it, not a list of what the folder holds.
type filesOnly struct{ http.FileSystem }

func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.FileSystem.Open(name)
	if err != nil {
		return nil, err
	}
	if info, err := file.Stat(); err != nil || info.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
