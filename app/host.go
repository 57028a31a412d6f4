package app

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice"
)

// ErrNoDesktop is RunDesktop's answer in a build without the window.
var ErrNoDesktop = errors.New("This caseyos was built without the desktop window (go build -tags desktop,production). Run `caseyos serve` for the browser UI.")

// ErrReported says the failure was reported on HostOptions.Stderr already.
var ErrReported = errors.New("reported")

// HostOptions are what a process opens a workspace's App with: main.go's
// wiring, passed on by the command line (app/cli).
type HostOptions struct {
	Open    OpenFunc
	Clock   backend.Clock
	Assets  fs.FS // the built frontend (its root holds index.html)
	Voice   VoiceEnv
	Secrets backend.Secrets
	// Connectors are the accounts that can be connected.
	Connectors  []Connector
	WebhookAddr string
	// DemoFeed and DemoAccounts run the demo through the real connectors
	// (workspace.go, demo.go).
	DemoFeed     DemoFeed
	DemoAccounts DemoAccounts
	// Stderr gets what the desktop window reports.
	Stderr io.Writer
	// Model builds the optional language model's client.
	Model ModelFunc
	// TrayOnly starts the desktop window hidden, with only its tray icon
	// (`caseyos --tray`, how the login entry starts it).
	TrayOnly bool
}

// Host is a workspace's App opened by this process for a command: what
// the command line does with the App beyond its bound methods (carry an
// execution through its undo window, serve the API, sync in the
// foreground, listen). Wails binds every exported method of the bound
// services and serve routes them, so these live on Host, where neither
// the window nor the browser can reach them.
type Host struct {
	a *App
}

// OpenHost opens ws in this process. done closes it.
func OpenHost(ctx context.Context, ws Workspace, o HostOptions) (h *Host, done func(), err error) {
	a, done, err := openLocal(ctx, ws, o)
	if err != nil {
		return nil, nil, err
	}
	return &Host{a: a}, done, nil
}

// openLocal opens ws in this process.
func openLocal(ctx context.Context, ws Workspace, o HostOptions) (*App, func(), error) {
	st, err := openWorkspace(ctx, ws, o.Open, o.Clock, o.DemoFeed)
	if err != nil {
		return nil, nil, err
	}
	a := New(Options{Store: st, Clock: o.Clock, Workspace: ws, Executors: []backend.Executor{backend.LocalExecutor{}}, Assets: o.Assets,
		Secrets: o.Secrets, Connectors: o.Connectors, WebhookAddr: o.WebhookAddr, Voice: o.Voice, Open: o.Open, Model: o.Model})
	a.ctx = ctx
	// The connected accounts carry out moves here as in the window (the
	// same path: startSync loads them too); nothing syncs in the
	// background until a command asks for it.
	if _, err := a.loadAccounts(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	stopDemo := func() {}
	if ws.Demo && o.DemoAccounts != nil {
		// A demo whose fakes cannot start still shows its moves; sends
		// then say which account to connect.
		if stop, err := a.useDemoAccounts(ctx, o.DemoAccounts); err == nil {
			stopDemo = stop
		}
	}
	return a, func() { stopDemo(); st.Close() }, nil
}

// App is the App the host opened, for its bound methods.
func (h *Host) App() *App { return h.a }

// Workspace is the workspace the host opened.
func (h *Host) Workspace() Workspace { return h.a.ws }

// Call calls a bound method by "<Service>.<Method>" (App.call).
func (h *Host) Call(method string, args []any, out any) error { return h.a.call(method, args, out) }

// Ingest adds the signals r holds as JSON lines.
func (h *Host) Ingest(r io.Reader) (IngestDTO, error) { return h.a.ingest(r) }

// ImportContacts imports a contacts CSV from r (ContactsService); progress,
// when set, hears the rows read after each stored batch.
func (h *Host) ImportContacts(r io.Reader, progress func(int)) (ImportContactsDTO, error) {
	return h.a.importContacts(r, progress)
}

// IngestThen is Ingest calling stored after the first batch that stored a
// signal commits (FirstImport.Publish).
func (h *Host) IngestThen(r io.Reader, stored func() error) (IngestDTO, error) {
	return h.a.ingestThen(r, stored)
}

// Backup writes a consistent copy of the data file to path, a new file.
func (h *Host) Backup(path string) (BackupDTO, error) { return h.a.backup(path) }

// Settle finishes what a process that stopped in the middle of a call left
// in flight, as the window does when it starts.
func (h *Host) Settle() error {
	_, err := h.a.queue.Executions.Reconcile(h.a.ctx)
	return err
}

// Start starts the App's background work (syncing, webhooks) under ctx;
// Stop stops it and waits.
func (h *Host) Start(ctx context.Context) { h.a.startup(ctx) }

// Stop stops what Start started.
func (h *Host) Stop() { h.a.shutdown() }

// StartInstance serves the API on a free loopback port for the command
// line and writes the instance file; stop removes it.
func (h *Host) StartInstance(ctx context.Context) (stop func(), err error) {
	return h.a.startInstance(ctx, h.a.ws.Dir)
}

// Serve serves the API (and the browser UI) on addr and writes the
// instance file in dataDir; openURL holds the token.
func (h *Host) Serve(ctx context.Context, dataDir, addr string) (openURL string, stop func(), err error) {
	return h.a.serveInstance(ctx, dataDir, addr)
}

// WaitExecution carries move id's execution through its undo window in
// this process (App.waitExecution).
func (h *Host) WaitExecution(ctx context.Context, id uint64) (ExecutionStatusDTO, error) {
	return h.a.waitExecution(ctx, id)
}

// Audit is what the command line does with the audit log's key.
func (h *Host) Audit() HostAudit { return HostAudit{h.a} }

// Sync is the foreground sync the command line runs.
func (h *Host) Sync() HostSync { return HostSync{h.a} }

// Voice is the command line's listener.
func (h *Host) Voice() HostVoice { return HostVoice{h.a} }

// HostAudit finds and replaces a lost audit key (caseyos audit --rekey).
type HostAudit struct{ a *App }

// HostSync loads the connected accounts and syncs them in the foreground
// (caseyos sync, connect, disconnect).
type HostSync struct{ a *App }

// HostVoice prepares the recognizer and listens (caseyos voice listen).
type HostVoice struct{ a *App }

// LostAuditKey reports the audit log's head and, when its key cannot be
// found, why.
func (h HostAudit) LostAuditKey() (head backend.AuditHead, lost error, err error) {
	return h.a.lostAuditKey()
}

// RekeyAudit replaces a lost audit key, recorded in the log.
func (h HostAudit) RekeyAudit() (backend.AuditRekey, error) { return h.a.rekeyAudit() }

// MarkConnected records that account was connected to this workspace.
func (h HostSync) MarkConnected(ctx context.Context, account string) error {
	return backend.MarkConnected(ctx, h.a.store, account)
}

// LoadAccounts loads the connected accounts for syncing; n is how many.
func (h HostSync) LoadAccounts(ctx context.Context) (n int, err error) { return h.a.loadAccounts(ctx) }

// SyncAccounts are the accounts the syncer syncs.
func (h HostSync) SyncAccounts() []string { return h.a.syncer.Accounts() }

// StopSyncing leaves account out of RunSync.
func (h HostSync) StopSyncing(account string) error { return h.a.syncer.Remove(account) }

// RunSync syncs the loaded accounts until ctx ends.
func (h HostSync) RunSync(ctx context.Context) error { return h.a.syncer.Run(ctx) }

// PrepareVoice makes the App hear with the offline model in modelDir (""
// : the configured one), online first when an endpoint is configured, and
// says why it cannot hear.
func (h HostVoice) PrepareVoice(modelDir string) error {
	if modelDir != "" {
		h.a.voice.env.ModelDir = modelDir
	}
	_, err := h.a.recognizer()
	return err
}

// SetVoiceMode sets how the listener takes commands (always, wake).
func (h HostVoice) SetVoiceMode(mode string) error { return h.a.session().SetMode(mode) }

// VoiceStatus is what the App hears with.
func (h HostVoice) VoiceStatus() VoiceStatusDTO { return h.a.voiceStatus() }

// Listener listens for the App's voice commands, with the App's recognizer
// looked up for each utterance.
func (h HostVoice) Listener(onOutcome func(backend.VoiceOutcome, time.Duration)) *voice.Listener {
	return &voice.Listener{Voice: h.a.session(), Recognizer: liveRecognizer{h.a}, OnOutcome: onOutcome}
}
