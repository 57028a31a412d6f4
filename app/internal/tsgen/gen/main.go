// Command gen writes frontend/src/api.gen.ts from app's bound services
// (`go generate ./app/...`, run in app/).
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/internal/tsgen"
)

func main() {
	out := "../frontend/src/api.gen.ts"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	src, err := tsgen.App(".", app.BoundServices()...)
	if err != nil {
		fail(err)
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, src) {
		return
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "tsgen:", err)
	os.Exit(1)
}
