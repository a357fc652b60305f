package web

import (
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"kitloan/internal/errs"
)

// publicScanRate and publicScanBurst bound how fast one address may open public scan
// pages: a family scanning a label needs one page, while someone walking the tag
// sequence to map which equipment exists gets slowed to a crawl. Signed-in staff are
// not limited.
const (
	publicScanRate  = rate.Limit(1) // one page a second, sustained
	publicScanBurst = 20
)

// ipLimiter keeps one token bucket per client address, forgetting idle ones.
type ipLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	last    time.Time
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newIPLimiter() *ipLimiter { return &ipLimiter{buckets: map[string]*bucket{}} }

func (l *ipLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.last = now
	}
	b, ok := l.buckets[ip]
	if !ok {
		b = &bucket{limiter: rate.NewLimiter(publicScanRate, publicScanBurst)}
		l.buckets[ip] = b
	}
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

// limitPublicScans answers 429 to an address without a session that opens scan pages too
// fast.
func (s *Server) limitPublicScans(c *gin.Context) {
	if _, signedIn := currentUser(c); signedIn {
		c.Next()
		return
	}
	// The wall clock, not s.now(): the buckets refill as seconds pass, which a database
	// clock that tests fix at one moment would stop.
	if !s.scanLimiter.allow(c.ClientIP(), time.Now()) {
		c.Header("Retry-After", "5")
		s.fail(c, errs.Errorf(errs.TooMany, "Too many labels scanned from here in a short time. Wait a few seconds and try again, or phone us."))
		c.Abort()
		return
	}
	c.Next()
}
