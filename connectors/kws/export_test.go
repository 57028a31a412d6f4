package kws

import "testing"

// ModelDir exposes modelDir to the external tests.
func ModelDir(tb testing.TB) string { return modelDir(tb) }
