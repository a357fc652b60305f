package main

import (
	"context"
	"flag"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// runCeiling serves the ceiling: a bare Gin engine whose one handler returns constant
// JSON, so that the lookup's throughput can be read as a share of what Gin and net/http
// can do on this machine at all.
func runCeiling(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18099", "loopback address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	body := gin.H{"tag": "KL-000001", "status": "available", "condition": "good", "serial": "SN-1",
		"product": gin.H{"id": 1, "name": "Adjustable classroom chair (Size 2)"}, "next_service_due": nil, "loan_id": nil}
	e.GET("/api/v1/items/:tag", func(c *gin.Context) { c.JSON(http.StatusOK, body) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// loopbackOnly refuses any address that is not on this machine's loopback.
func loopbackOnly(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return errNotLoopback(hostport)
	}
	return nil
}

type errNotLoopback string

func (e errNotLoopback) Error() string {
	return "kitload only sends to loopback addresses, not " + string(e)
}
