package web

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/inventory"
)

// Reading what a request says in its path and query: record ids, numbers, pages of a
// list and list filters. Pages and the API read them the same way.

// idParam reads a numeric path parameter; anything else is a 404, as no such record exists.
func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Errorf(errs.NotFound, "There is nothing at this address. Check the link.")
	}
	return id, nil
}

func productFilter(c *gin.Context) inventory.ProductFilter {
	limit, offset := pageOf(c, 50)
	cat, _ := strconv.ParseInt(c.Query("category"), 10, 64)
	return inventory.ProductFilter{Query: c.Query("q"), CategoryID: cat, Kind: c.Query("kind"), Limit: limit, Offset: offset}
}

func itemFilter(c *gin.Context) inventory.ItemFilter {
	limit, offset := pageOf(c, 50)
	cat, _ := strconv.ParseInt(c.Query("category"), 10, 64)
	prod, _ := strconv.ParseInt(c.Query("product"), 10, 64)
	return inventory.ItemFilter{Query: c.Query("q"), Status: inventory.Status(c.Query("status")), CategoryID: cat,
		ProductID: prod, Limit: limit, Offset: offset}
}

// queryInt64 reads a numeric query parameter; anything else is 0.
func queryInt64(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(c.Query(name), 10, 64)
	return max(id, 0)
}

// pageOf reads limit and offset from the query, with the given default page size.
func pageOf(c *gin.Context, defLimit int) (limit, offset int) {
	limit, _ = strconv.Atoi(c.Query("limit"))
	offset, _ = strconv.Atoi(c.Query("offset"))
	if limit <= 0 || limit > maxPageLimit {
		limit = defLimit
	}
	return limit, max(offset, 0)
}
