//go:build !linux

package db

// keepFreedHeap has nothing to tune outside glibc (see malloc_linux.go).
func keepFreedHeap() {}
