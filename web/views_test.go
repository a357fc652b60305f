package web

import (
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/jba/templatecheck"

	"kitloan/accounts"
	"kitloan/inventory"
	"kitloan/web/templates"
)

// view makes a page's view struct, empty.
func view[T any, P interface {
	*T
	pageData
}]() func() pageData {
	return func() pageData { return P(new(T)) }
}

// pageViews is each page template's view struct, by template name: what its handler
// renders it with.
var pageViews = map[string]func() pageData{
	"agreement_form":      view[agreementFormPage](),
	"api_docs":            view[apiDocsPage](),
	"agreements_unsigned": view[agreementsUnsignedPage](),
	"child_access":        view[childAccessPage](),
	"child_form":          view[childFormPage](),
	"child_show":          view[childShowPage](),
	"children":            view[childrenPage](),
	"children_anonymise":  view[childrenAnonymisePage](),
	"error":               view[errorPage](),
	"exports":             view[exportsPage](),
	"home":                view[homePage](),
	"imports":             view[importsPage](),
	// The page of units just added is only ever drawn with at least one.
	"item_created":     func() pageData { return &itemCreatedPage{Items: []inventory.Item{{}}} },
	"item_edit":        view[itemEditPage](),
	"item_new":         view[itemNewPage](),
	"item_retire":      view[itemRetirePage](),
	"item_show":        view[itemShowPage](),
	"items":            view[itemsPage](),
	"labels":           view[labelsPage](),
	"loan_form":        view[loanFormPage](),
	"loan_show":        view[loanShowPage](),
	"loans":            view[loansPage](),
	"login":            view[loginPage](),
	"maintenance":      view[maintenancePage](),
	"maintenance_form": view[maintenanceFormPage](),
	"product_form":     view[productFormPage](),
	"product_show":     view[productShowPage](),
	"products":         view[productsPage](),
	"recall_form":      view[recallFormPage](),
	"recall_show":      view[recallShowPage](),
	"recalls":          view[recallsPage](),
	"reports":          view[reportsPage](),
	"request_form":     view[requestFormPage](),
	"request_show":     view[requestShowPage](),
	"requests":         view[requestsPage](),
	"scan_camera":      view[scanCameraPage](),
	"scan_public":      view[scanPublicPage](),
	"settings":         view[settingsPage](),
	"user_form":        view[userFormPage](),
	"users":            view[usersPage](),
}

// TestPageTemplatesReadOnlyWhatTheirViewsHave checks every page template against its view
// struct, so that a misspelt field fails here rather than on a user's page:
//
//   - statically, every branch of the page, its layout and the partials it draws
//     (templatecheck follows each field, method and function through the types), so a
//     field read only when a form comes back with an error is checked too;
//   - by drawing each page with its empty view struct for every role, signed in, as the
//     renderer would.
//
// TestEveryPageRendersForEveryRole (pages_walk_test.go) draws them on real data.
func TestPageTemplatesReadOnlyWhatTheirViewsHave(t *testing.T) {
	pages, err := templates.Parse((&Server{}).funcs())
	if err != nil {
		t.Fatal(err)
	}
	for name := range pages {
		if _, ok := pageViews[name]; !ok {
			t.Errorf("pages/%s.html has no view struct in pageViews", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(pageViews)) {
		page, ok := pages[name]
		if !ok {
			t.Errorf("pageViews names %s, which is no page template", name)
			continue
		}
		newView := pageViews[name]
		if err := templatecheck.CheckHTML(page, newView()); err != nil {
			t.Errorf("pages/%s.html does not fit %T: %v", name, newView(), err)
		}
		for _, role := range accounts.Roles {
			v := newView()
			u := accounts.User{ID: 1, Name: "Test User", Role: role, Active: true}
			v.layout().User, v.layout().Nav = &u, navFor(u, "/")
			if err := page.Execute(io.Discard, v); err != nil {
				t.Errorf("pages/%s.html for %s, with an empty %T: %v", name, role, v, err)
			}
		}
	}
}
