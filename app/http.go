package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The browser mode: the App's methods as POST /api/<Method> with the
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

// apiMethods are the App's exported methods that return (T, error): the
// bound API. Anything else exported (Events) is not served.
func apiMethods(a *App) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	v := reflect.ValueOf(a)
	t := v.Type()
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		ft := m.Type
		if ft.NumOut() == 2 && ft.Out(1) == errorType {
			out[m.Name] = v.Method(i)
		}
	}
	return out
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
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// maxBody bounds a request body (an ingest of many signals is the largest).
const maxBody = 256 << 20

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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, backend.Errorf(backend.EINVALID, "the request body is too large or unreadable"))
		return
	}
	args, err := decodeArgs(m.Type(), body)
	if err != nil {
		writeError(w, backend.WrapError(name, err))
		return
	}
	out := m.Call(args)
	if e, _ := out[1].Interface().(error); e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, out[0].Interface())
}

// decodeArgs turns a JSON array into the method's arguments.
func decodeArgs(ft reflect.Type, body []byte) ([]reflect.Value, error) {
	var raw []json.RawMessage
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, backend.Errorf(backend.EINVALID, "the body must be a JSON array of arguments")
		}
	}
	if len(raw) != ft.NumIn() {
		return nil, backend.Errorf(backend.EINVALID, "expected %d arguments, got %d", ft.NumIn(), len(raw))
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
		ReadHeaderTimeout: 10 * time.Second,
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
