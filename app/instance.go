package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// A running CaseyOS (the desktop window or `caseyos serve`) holds its data
// file, so a CLI command cannot open it. The instance therefore serves its
// API on loopback and leaves <data dir>/instance.json (0600) saying where,
// with its token; the CLI sends its command there instead, and the window
// sees the change as it happens.

const instanceFile = "instance.json"

type InstanceInfo struct {
	PID   int    `json:"pid"`
	URL   string `json:"url"`
	Token string `json:"token"`
	Path  string `json:"path"` // the data file the instance holds
}

// startInstance serves the API on a free loopback port for the CLI (and a
// browser) and writes the instance file. stop removes the file and stops
// the server.
func (a *App) startInstance(ctx context.Context, dataDir string) (stop func(), err error) {
	_, stop, err = a.serveInstance(ctx, dataDir, "127.0.0.1:0")
	return stop, err
}

// serveInstance is startInstance on a chosen address; it also returns the
// URL to open, token included.
func (a *App) serveInstance(ctx context.Context, dataDir, addr string) (openURL string, stop func(), err error) {
	url, token, stopServer, err := a.listenAPI(ctx, addr)
	if err != nil {
		return "", nil, err
	}
	info := InstanceInfo{PID: os.Getpid(), URL: url, Token: token, Path: a.ws.Path}
	path := filepath.Join(dataDir, instanceFile)
	b, _ := json.Marshal(info)
	if err := writeFile0600(path, b); err != nil {
		stopServer()
		return "", nil, &backend.Error{Code: backend.EINTERNAL, Message: "cannot write " + path, Err: err}
	}
	return url + "?token=" + token, func() {
		// Only remove the file if it is still ours.
		if cur, err := ReadInstance(dataDir); err == nil && cur.PID == info.PID && cur.URL == info.URL {
			os.Remove(path)
		}
		stopServer()
	}, nil
}

func writeFile0600(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func ReadInstance(dataDir string) (InstanceInfo, error) {
	var info InstanceInfo
	b, err := os.ReadFile(filepath.Join(dataDir, instanceFile))
	if err != nil {
		return info, err
	}
	return info, json.Unmarshal(b, &info)
}

// FindInstance returns a client for the running instance that holds ws,
// or nil when none answers. An instance file left by an instance that is
// gone (kill -9, a crash) is removed, so that the next command does not
// ask it again.
func FindInstance(dataDir string, ws Workspace) *Instance {
	info, err := ReadInstance(dataDir)
	if err != nil || info.URL == "" {
		return nil
	}
	ping := &Instance{base: info.URL, token: info.Token, client: &http.Client{Timeout: 2 * time.Second}}
	var w WorkspaceDTO
	if err := ping.Call("SignalsService.Workspace", nil, &w); err != nil {
		if instanceGone(info, err) {
			removeInstance(dataDir, info)
		}
		return nil
	}
	if info.Path != ws.Path {
		return nil // alive, on the other workspace of this directory
	}
	// No client-wide timeout: each call has its own bound (Instance.bound).
	return &Instance{base: info.URL, token: info.Token, ws: ws, client: &http.Client{}}
}

// instanceGone says whether the instance that wrote info is certainly not
// running, after its API failed to answer with err: its process is gone,
// nothing listens at its address, or what listens there refuses its token
// (the port, or the PID, now belongs to someone else). An instance that is
// only slow to answer is not gone.
func instanceGone(info InstanceInfo, err error) bool {
	if info.PID > 0 && !processAlive(info.PID) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var e *backend.Error
	return errors.As(err, &e) && e.Code == backend.EUNAUTHORIZED
}

// removeInstance removes the instance file when it still says what info
// says: an instance that started meanwhile has written its own.
func removeInstance(dataDir string, info InstanceInfo) {
	if cur, err := ReadInstance(dataDir); err == nil && cur == info {
		os.Remove(filepath.Join(dataDir, instanceFile))
	}
}

// Instance calls a running instance's App over its loopback API.
type Instance struct {
	base, token string
	ws          Workspace
	client      *http.Client
	// quick and long bound one call (0: remoteQuick, remoteLong).
	quick, long time.Duration
}

// How long a forwarded call may take. Most answer at once; a sync pass
// may first wait out a rate limit (up to 2 minutes) and then do its work,
// and an import or a backup streams a whole file.
const (
	remoteQuick = 2 * time.Minute
	remoteLong  = 10 * time.Minute
)

// bound is how long the forwarded call method may take.
func (r *Instance) bound(method string) time.Duration {
	switch method {
	case "ConnectionsService.SyncPass", ingestMethod, "backup":
		if r.long > 0 {
			return r.long
		}
		return remoteLong
	}
	if r.quick > 0 {
		return r.quick
	}
	return remoteQuick
}

// do sends req, bounded by the time method may take; cancel releases it
// once the answer has been read.
func (r *Instance) do(req *http.Request, method string) (resp *http.Response, cancel context.CancelFunc, err error) {
	ctx, cancel := context.WithTimeout(req.Context(), r.bound(method))
	resp, err = r.client.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return resp, cancel, nil
}

var (
	_ Caller = (*Instance)(nil)
	_ Caller = (*Host)(nil)
)

// Caller calls the bound services' methods by "<Service>.<Method>": a
// running instance's over its loopback API, or the App of this process's
// Host. Both take the method from the one table the API server routes
// (apiMethods), so the services are the only list of them.
type Caller interface {
	Call(method string, args []any, out any) error
}

// Forward calls the bound method ("<Service>.<Method>") on c with args
// and returns its result.
func Forward[T any](c Caller, method string, args ...any) (T, error) {
	var out T
	err := c.Call(method, args, &out)
	return out, err
}

// Call sends the bound method ("<Service>.<Method>") with args to the instance and
// decodes its answer into out.
func (r *Instance) Call(method string, args []any, out any) error {
	if args == nil {
		args = []any{}
	}
	body, err := json.Marshal(args)
	if err != nil {
		return err
	}
	return r.send(method, "application/json", bytes.NewReader(body), out)
}

// send POSTs body of type ctype to the instance's method and decodes its
// answer into out.
func (r *Instance) send(method, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequest(http.MethodPost, r.base+"api/"+method, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", ctype)
	resp, cancel, err := r.do(req, method)
	if err != nil {
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: "the running CaseyOS did not answer", Err: err}
	}
	defer cancel()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return remoteError(resp)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: "the running CaseyOS did not answer", Err: err}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("the running CaseyOS sent an unreadable %s answer", method), Err: err}
	}
	return nil
}

// remoteError is the error a failed answer carries ({code, message}).
func remoteError(resp *http.Response) error {
	var e ErrorDTO
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(data, &e) != nil || e.Code == "" {
		return backend.Errorf(backend.EINTERNAL, "the running CaseyOS answered %s", resp.Status)
	}
	return &backend.Error{Code: e.Code, Message: e.Message}
}

// ImportContacts streams a contacts CSV to the instance; progress is not
// reported across the process boundary.
func (r *Instance) ImportContacts(in io.Reader, _ func(int)) (out ImportContactsDTO, err error) {
	return out, r.send(importContactsMethod, textCSV, io.NopCloser(in), &out)
}

// Ingest streams the signals to the instance as JSON lines: neither side
// holds the whole import.
func (r *Instance) Ingest(in io.Reader) (out IngestDTO, err error) {
	return out, r.send(ingestMethod, ndjson, io.NopCloser(in), &out)
}
