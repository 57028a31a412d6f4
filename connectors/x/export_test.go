package x

// QueryList exposes the queries of a watch list to the tests.
func QueryList(w watchQueries) []string { return w.list }
