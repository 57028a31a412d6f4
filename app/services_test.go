package app

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/store"
)

// The window binds one service per UI area and serve routes the same
// methods: every exported method of a bound service is a route (Wails
// binds every exported method, so one serve could not call would be a
// method only the window has), every route is a bound method, no service
// grows past 15 methods, and the App itself is not bound.
func TestServices_BoundMatchRoutes(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := New(Options{Store: st})
	bound := map[string]bool{}
	for _, svc := range a.boundServices() {
		st := reflect.TypeOf(svc)
		if st == reflect.TypeOf(a) {
			t.Fatal("the App itself is bound: bind its services")
		}
		name := st.Elem().Name()
		if !strings.HasSuffix(name, "Service") {
			t.Errorf("bound %s: a bound service's name ends in Service", name)
		}
		if n := st.NumMethod(); n == 0 || n > 15 {
			t.Errorf("%s has %d exported methods, want 1 to 15", name, n)
		}
		for i := 0; i < st.NumMethod(); i++ {
			bound[name+"."+st.Method(i).Name] = true
		}
	}
	routes := apiMethods(a)
	for m := range bound {
		if _, ok := routes[m]; !ok {
			t.Errorf("%s is bound to the window but not routed by serve (it must return (T, error))", m)
		}
	}
	var names []string
	for m := range routes {
		names = append(names, m)
		if !bound[m] {
			t.Errorf("serve routes /api/%s, which no bound service has", m)
		}
	}
	for m := range bodyLimits {
		if _, ok := routes[m]; !ok {
			t.Errorf("the body limit table names %s, which is no route", m)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("no routes")
	}
	// The names the tray, voice and CLI depend on.
	for _, m := range []string{"TodayService.Today", "ExecutionService.PreviewExecution", "ExecutionService.ExecuteMove", "SignalsService.Workspace", ingestMethod, "ConnectionsService.SyncPass"} {
		if _, ok := routes[m]; !ok {
			t.Errorf("no route %s among %v", m, names)
		}
	}
}

// The CLI (app/cli) and this package forward to the services by
// "<Service>.<Method>" strings: each must name a route, or the command
// fails only when someone runs it.
func TestServices_ForwardedNamesAreRoutes(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	routes := apiMethods(New(Options{Store: st}))
	files, _ := filepath.Glob("cli/*.go")
	more, _ := filepath.Glob("*.go")
	name := regexp.MustCompile(`(?:Forward\[[^(]*\]\(\w+, |\.Call\(|method :?= )"([A-Za-z.]+)"`)
	found := 0
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range name.FindAllStringSubmatch(string(src), -1) {
			found++
			if _, ok := routes[m[1]]; !ok {
				t.Errorf("%s forwards to %q, which is no route", f, m[1])
			}
		}
	}
	if found < 20 {
		t.Errorf("found %d forwarded names, want the CLI's (20 or more)", found)
	}
}
