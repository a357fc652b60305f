// Package papers prints every paper but the labels: the loan agreement, the delivery note
// and the collection receipt, the letters about a recall, and a child's subject-access
// export. Each takes plain data the caller has gathered and writes a PDF to an io.Writer,
// with no database or HTTP, on the fonts and text cleaning of internal/paper.
package papers
