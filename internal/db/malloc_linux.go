package db

/*
#include <malloc.h>

// keep_freed_heap stops glibc returning freed memory at the top of the heap to the
// system until more than bytes of it is free (musl has no such setting: it does nothing).
static void keep_freed_heap(int bytes) {
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, bytes);
#endif
}
*/
import "C"

// keepFreedHeap keeps SQLite's short-lived memory in the process. Every insert into items
// (and every change of an item's status) checks its CHECK (condition IN (...)) and
// CHECK (status IN (...)) constraints through two temporary b-trees, each with a page
// cache of about 90 KB that SQLite mallocs and frees within the statement. glibc gave
// that memory back to the system on each free (it trims the heap once 128 KB at its top
// is free) and faulted it in again on the next malloc: on this 2-core VM each insert cost
// 200 µs instead of 30 µs, and moving an import of 20,000 items in took 10 s instead of 1.5.
func keepFreedHeap() { C.keep_freed_heap(32 << 20) }
