package web

// SafeNext is safeNext, for the fuzz target in package web_test.
var SafeNext = safeNext
