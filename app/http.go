package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The browser mode: the bound services' methods as POST
// /api/<Service>.<Method> with the
// positional arguments as a JSON array, events as Server-Sent Events on
// GET /api/events, and the built frontend for everything else. Every API
// call needs the per-launch token; requests from a foreign Origin or for a
// foreign Host (DNS rebinding) are refused. docs/api.md is the contract.

// apiServer serves one App.
type apiServer struct {
	app     *App
	token   string
	assets  fs.FS
	hosts   map[string]bool // Host header values that name this server
	origins map[string]bool // Origin header values allowed
	methods map[string]reflect.Value
	done    <-chan struct{} // closed when the server stops: event streams end
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// apiMethods are the bound services' exported methods that return
// (T, error), by "<Service>.<Method>": the bound API. Nothing else is
// served.
func apiMethods(a *App) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	for _, svc := range a.boundServices() {
		v := reflect.ValueOf(svc)
		t := v.Type()
		for i := 0; i < t.NumMethod(); i++ {
			m := t.Method(i)
			ft := m.Type
			if ft.NumOut() == 2 && ft.Out(1) == errorType {
				out[t.Elem().Name()+"."+m.Name] = v.Method(i)
			}
		}
	}
	return out
}

// call calls a bound method by its "<Service>.<Method>" name, as the API
// server would but in
// this process: args are the method's arguments as Go values of its
// parameter types, and out points to where its result goes.
func (a *App) call(method string, args []any, out any) error {
	m, ok := apiMethods(a)[method]
	if !ok {
		return backend.Errorf(backend.EINTERNAL, "there is no method %q", method)
	}
	ft := m.Type()
	if len(args) != ft.NumIn() {
		return backend.Errorf(backend.EINTERNAL, "%s takes %d %s, got %d", method, ft.NumIn(), plural(ft.NumIn(), "argument"), len(args))
	}
	in := make([]reflect.Value, len(args))
	for i, arg := range args {
		want := ft.In(i)
		if arg == nil {
			in[i] = reflect.Zero(want)
			continue
		}
		v := reflect.ValueOf(arg)
		if !v.Type().AssignableTo(want) {
			return backend.Errorf(backend.EINTERNAL, "%s argument %d is a %s, not a %s", method, i+1, v.Type(), want)
		}
		in[i] = v
	}
	dst := reflect.ValueOf(out)
	if dst.Kind() != reflect.Pointer || dst.IsNil() || !ft.Out(0).AssignableTo(dst.Elem().Type()) {
		return backend.Errorf(backend.EINTERNAL, "%s returns a %s, not a %T", method, ft.Out(0), out)
	}
	res := m.Call(in)
	dst.Elem().Set(res[0])
	err, _ := res[1].Interface().(error)
	return err
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newAPIServer serves a on the listener's address.
func newAPIServer(a *App, assets fs.FS, token string, addr net.Addr) *apiServer {
	s := &apiServer{app: a, token: token, assets: assets, hosts: map[string]bool{}, origins: map[string]bool{}, methods: apiMethods(a)}
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port := fmt.Sprint(tcp.Port)
		names := []string{tcp.IP.String(), "localhost"}
		if tcp.IP.IsUnspecified() {
			names = append(names, "127.0.0.1")
		}
		for _, h := range names {
			hp := net.JoinHostPort(h, port)
			s.hosts[hp] = true
			s.origins["http://"+hp] = true
		}
	}
	return s
}

// statusFor maps an error code to an HTTP status.
func statusFor(code string) int {
	switch code {
	case backend.EINVALID:
		return http.StatusBadRequest
	case backend.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case backend.ENOTFOUND:
		return http.StatusNotFound
	case backend.ECONFLICT:
		return http.StatusConflict
	case backend.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	code := backend.ErrorCode(err)
	writeJSON(w, statusFor(code), ErrorDTO{Code: code, Message: backend.ErrorMessage(err)})
}

// ServeHTTP routes a request after the host and origin checks.
func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if len(s.hosts) > 0 && !s.hosts[r.Host] {
		writeError(w, backend.Errorf(backend.EUNAUTHORIZED, "requests must be addressed to this CaseyOS by its loopback address"))
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !s.origins[o] {
		w.Header().Set("Content-Type", "application/json")
		writeJSON(w, http.StatusForbidden, ErrorDTO{Code: backend.EUNAUTHORIZED, Message: "requests from other sites are refused"})
		return
	}
	switch {
	case r.URL.Path == "/api/events":
		s.events(w, r)
	case r.URL.Path == "/api/backup":
		s.backupStream(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.call(w, r, strings.TrimPrefix(r.URL.Path, "/api/"))
	default:
		s.static(w, r)
	}
}

func (s *apiServer) authorized(r *http.Request) bool {
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if got == "" {
		got = r.URL.Query().Get("token")
	}
	return got != "" && s.tokenIs(got)
}

func (s *apiServer) tokenIs(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// Request bodies are read whole only up to a per-method limit: a method's
// arguments are ids, short strings and small objects, so the default is
// small; a draft (a long email) and settings or rules get more. A bigger
// body is refused with 413 before it is read (by its Content-Length) or as
// soon as it passes the limit, so no request can make the process hold
// more than that. Ingest alone streams: docs/api.md.
const (
	defaultBodyLimit = 64 << 10
	ingestArgsLimit  = 1 << 20
)

// bodyLimits are the methods allowed more than defaultBodyLimit, by
// "<Service>.<Method>".
var bodyLimits = map[string]int64{
	"TodayService.UpdateDraft":     1 << 20,
	ingestMethod:                   ingestArgsLimit,
	"SettingsService.SaveSettings": 256 << 10,
	"SettingsService.SaveRule":     256 << 10,
	"SettingsService.SimulateRule": 256 << 10,
	importContactsMethod:           ingestArgsLimit,
}

// bodyLimit is how many bytes method's argument array may take.
func bodyLimit(method string) int64 {
	if n, ok := bodyLimits[method]; ok {
		return n
	}
	return defaultBodyLimit
}

// ingestMethod is the bound Ingest, the one method that may stream.
const ingestMethod = "SignalsService.Ingest"

// ndjson is the media type of a streamed Ingest: the signals themselves,
// one JSON object a line, as `caseyos ingest` reads them.
const ndjson = "application/x-ndjson"

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// tooLarge refuses a body over limit: 413 with the invalid code.
func tooLarge(w http.ResponseWriter, method string, limit int64) {
	msg := fmt.Sprintf("request too large (limit %s for %s)", byteSize(limit), method)
	if method == ingestMethod {
		msg += ": send a big import as JSON lines with Content-Type " + ndjson
	}
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusRequestEntityTooLarge, ErrorDTO{Code: backend.EINVALID, Message: msg})
}

func (s *apiServer) call(w http.ResponseWriter, r *http.Request, name string) {
	if !s.authorized(r) {
		writeError(w, backend.Errorf(backend.EUNAUTHORIZED, "this request needs the token CaseyOS printed at launch"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, ErrorDTO{Code: backend.EINVALID, Message: "API calls are POST requests"})
		return
	}
	m, ok := s.methods[name]
	if !ok {
		writeError(w, backend.Errorf(backend.ENOTFOUND, "there is no method %q", name))
		return
	}
	if name == ingestMethod {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == ndjson {
			s.ingestStream(w, r)
			return
		}
	}
	if name == importContactsMethod {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == textCSV {
			s.importContactsStream(w, r)
			return
		}
	}
	limit := bodyLimit(name)
	if r.ContentLength > limit {
		tooLarge(w, name, limit)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tl *http.MaxBytesError
		if errors.As(err, &tl) {
			tooLarge(w, name, limit)
			return
		}
		writeError(w, backend.Errorf(backend.EINVALID, "the request body could not be read"))
		return
	}
	args, err := decodeArgs(name, m.Type(), body)
	if err != nil {
		writeError(w, backend.WrapError(name, err))
		return
	}
	done := s.app.calledOverAPI(name)
	out := m.Call(args)
	done()
	if e, _ := out[1].Interface().(error); e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, out[0].Interface())
}

// ingestStream feeds a JSON-lines body to ingest as it arrives: the body is
// never held, each line is bounded as in `caseyos ingest`. A steady stream
// may take longer than the read timeout; one that stalls for that long is
// cut.
func (s *apiServer) ingestStream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	idle := s.app.httpTimeouts.read
	body := readerFunc(func(p []byte) (int, error) {
		if idle > 0 {
			_ = rc.SetReadDeadline(time.Now().Add(idle))
		}
		return r.Body.Read(p)
	})
	rep, err := s.app.ingest(body)
	if err != nil {
		writeError(w, backend.WrapError(ingestMethod, err))
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// textCSV is the media type of a streamed ImportContacts: the CSV itself.
const textCSV = "text/csv"

// importContactsStream feeds a CSV body to the contacts import as it
// arrives, as ingestStream does JSON lines.
func (s *apiServer) importContactsStream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	idle := s.app.httpTimeouts.read
	body := readerFunc(func(p []byte) (int, error) {
		if idle > 0 {
			_ = rc.SetReadDeadline(time.Now().Add(idle))
		}
		return r.Body.Read(p)
	})
	rep, err := s.app.importContacts(body, nil)
	if err != nil {
		writeError(w, backend.WrapError(importContactsMethod, err))
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// decodeArgs turns a JSON array into the method's arguments. It counts the
// array's elements first, and decodes none of them unless the count is
// right.
func decodeArgs(name string, ft reflect.Type, body []byte) ([]reflect.Value, error) {
	raw, err := splitArray(body)
	if err != nil {
		return nil, err
	}
	if len(raw) != ft.NumIn() {
		return nil, backend.Errorf(backend.EINVALID, "%s takes %d %s, got %d", name, ft.NumIn(), plural(ft.NumIn(), "argument"), len(raw))
	}
	args := make([]reflect.Value, len(raw))
	for i, r := range raw {
		p := reflect.New(ft.In(i))
		if err := json.Unmarshal(r, p.Interface()); err != nil {
			return nil, backend.Errorf(backend.EINVALID, "argument %d must be %s", i+1, jsonKind(ft.In(i)))
		}
		args[i] = p.Elem()
	}
	return args, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// splitArray returns the elements of the JSON array body as sub-slices of
// it, without decoding them. An empty body (or null) is no arguments.
func splitArray(body []byte) ([][]byte, error) {
	notArray := backend.Errorf(backend.EINVALID, "the body must be a JSON array of arguments")
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	if b[0] != '[' || !json.Valid(b) {
		return nil, notArray
	}
	var out [][]byte
	depth, start, inString, escaped := 0, -1, false, false
	for i := 1; i < len(b)-1; i++ {
		c := b[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, bytes.TrimSpace(b[start:i]))
			start = -1
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, bytes.TrimSpace(b[start:len(b)-1]))
	}
	return out, nil
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Uint, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return "an object"
}

// heartbeat keeps idle event streams (and proxies) open.
const heartbeat = 15 * time.Second

func (s *apiServer) events(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeError(w, backend.Errorf(backend.EUNAUTHORIZED, "the event stream needs the token CaseyOS printed at launch"))
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, backend.Errorf(backend.EINTERNAL, "streaming is not supported"))
		return
	}
	type event struct {
		name string
		data []byte
	}
	ch := make(chan event, 64)
	cancel := s.app.Events().Subscribe(func(name string, payload any) {
		data, err := json.Marshal(payload)
		if err != nil {
			return
		}
		select {
		case ch <- event{name, data}:
		default: // a stalled browser reloads everything when it reconnects
		}
	})
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	flusher.Flush()
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case e := <-ch:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, e.data)
			flusher.Flush()
		case <-t.C:
			fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		}
	}
}

func (s *apiServer) static(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeJSON(w, http.StatusMethodNotAllowed, ErrorDTO{Code: backend.EINVALID, Message: "only GET is served here"})
		return
	}
	if s.assets == nil {
		writeJSON(w, http.StatusServiceUnavailable, ErrorDTO{Code: backend.EUNAVAILABLE, Message: "this build has no user interface: run `make build`"})
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" {
		name = "index.html"
	}
	if _, err := fs.Stat(s.assets, name); err != nil {
		name = "index.html" // client-side routes
	}
	if _, err := fs.Stat(s.assets, "index.html"); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, ErrorDTO{Code: backend.EUNAVAILABLE, Message: "the user interface is not built: run `make build`"})
		return
	}
	if name == "index.html" {
		w.Header().Set("Cache-Control", "no-store")
	}
	http.ServeFileFS(w, r, s.assets, name)
}

// httpTimeouts bound how long the API server waits for a client: for the
// request line and headers, for the whole request (a streamed Ingest
// extends it on every read; once a body is read, net/http lifts it, so
// the event stream lives on), and between
// requests on a kept-alive connection. No write timeout: a call such as a
// sync pass may take long to answer.
type httpTimeouts struct {
	header, read, idle time.Duration
}

func defaultHTTPTimeouts() httpTimeouts {
	return httpTimeouts{header: 5 * time.Second, read: 30 * time.Second, idle: 60 * time.Second}
}

// listenAPI serves a on addr until ctx ends. It returns the URL to open
// (with the token) and a function that stops the server.
func (a *App) listenAPI(ctx context.Context, addr string) (url, token string, stop func(), err error) {
	token, err = newToken()
	if err != nil {
		return "", "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", "", nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("cannot listen on %s", addr), Err: err}
	}
	done := make(chan struct{})
	api := newAPIServer(a, a.assets, token, ln.Addr())
	api.done = done
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: a.httpTimeouts.header,
		ReadTimeout:       a.httpTimeouts.read,
		IdleTimeout:       a.httpTimeouts.idle,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.events.Publish("server:error", ErrorDTO{Code: backend.EINTERNAL, Message: err.Error()})
		}
	}()
	host := ln.Addr().(*net.TCPAddr)
	shown := host.String()
	if host.IP.IsUnspecified() {
		shown = net.JoinHostPort("127.0.0.1", fmt.Sprint(host.Port))
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			close(done)
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		})
	}
	return "http://" + shown + "/", token, stop, nil
}
