// Package templates embeds kitloan's HTML pages, partials, CSS and JavaScript, so that the
// binary carries its whole front end and `go build` needs nothing else.
package templates

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
)

//go:embed layout.html partials/*.html pages/*.html
var pageFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Static is the folder of CSS, JavaScript and images served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}

// Parse parses every page once, each with the layout and the partials, and returns them by
// page name ("items", "item_show", …). A page that does not parse stops start-up.
func Parse(funcs template.FuncMap) (map[string]*template.Template, error) {
	pages, err := fs.Glob(pageFiles, "pages/*.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(pages))
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(pageFiles, "layout.html", "partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}
