package cli_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/whisper/whispertest"
	"github.com/caseyos/caseyos/store"
)

// connectFixture is an App over a data file in its own directory, with
// the real keychain adapter over go-keyring's mock and the real whisper
// connector, as Settings uses them.
type connectFixture struct {
	*whisperCLI
	app  *app.App
	path string
	errs []error // every error returned, for the leak check
}

func newConnectApp(t *testing.T, ws func(dir string) app.Workspace) *connectFixture {
	t.Helper()
	f := &connectFixture{whisperCLI: newWhisperCLI(t, "")}
	w := app.Workspace{Dir: f.dir, Path: filepath.Join(f.dir, "caseyos.db")}
	if ws != nil {
		w = ws(f.dir)
	}
	f.path = w.Path
	open := func(p string) (backend.Store, error) {
		return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
	}
	st, err := app.OpenWorkspace(t.Context(), w, open, backend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.app = app.New(app.Options{Store: st, Workspace: w, Secrets: f.secrets, Voice: f.voice, Open: open})
	return f
}

func (f *connectFixture) connect(in app.TranscriptionDTO, key string, check bool) (app.TranscriptionDTO, error) {
	out, err := f.app.Services().Connections.ConnectTranscription(in, key, check, "click")
	if err != nil {
		f.errs = append(f.errs, err)
	}
	return out, err
}

func (f *connectFixture) key(t *testing.T) string {
	t.Helper()
	k, err := f.secrets.Get(app.TranscriptionAccount)
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// noLeak fails when key shows in an error, the audit log or a file of the
// data directory.
func (f *connectFixture) noLeak(t *testing.T, keys ...string) {
	t.Helper()
	log, err := f.app.Services().Audit.AuditLog(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := json.Marshal(log)
	for _, key := range keys {
		for _, err := range f.errs {
			if b, _ := json.Marshal(err); strings.Contains(err.Error(), key) || strings.Contains(backend.ErrorMessage(err), key) || bytes.Contains(b, []byte(key)) {
				t.Errorf("an error holds the key: %v", err)
			}
		}
		if bytes.Contains(audit, []byte(key)) {
			t.Errorf("the audit log holds the key: %s", audit)
		}
		if err := filepath.Walk(f.dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(key)) {
				t.Errorf("%s holds the key", p)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestApp_ConnectTranscription(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(whisperKey))
	f := newConnectApp(t, nil)
	const wrong = "sk-proj-wr0ngk3y-7e57c0de-n0tth1s0ne-Xy7w"

	t.Run("ErrRefusedKey", func(t *testing.T) {
		_, err := f.connect(app.TranscriptionDTO{URL: srv.URL()}, wrong, true)
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED || !strings.Contains(backend.ErrorMessage(err), "refused the API key") {
			t.Fatalf("ConnectTranscription(wrong key) = %v, want unauthorized saying the key was refused", err)
		}
		if k := f.key(t); k != "" {
			t.Errorf("a refused key was stored: %q", k)
		}
		if got, _ := f.app.Services().Connections.Transcription(); got.URL != "" || got.HasKey {
			t.Errorf("after a refused key: %+v, want nothing configured", got)
		}
	})

	t.Run("OK", func(t *testing.T) {
		got, err := f.connect(app.TranscriptionDTO{URL: " " + srv.URL() + "/", TimeoutMS: 3000}, " "+whisperKey+"\n", true)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != srv.URL() || got.TimeoutMS != 3000 || !got.HasKey || !strings.HasPrefix(got.Name, "whisper-1 at 127.0.0.1:") || got.Notice != "" {
			t.Errorf("ConnectTranscription = %+v", got)
		}
		if k := f.key(t); k != whisperKey {
			t.Errorf("keychain holds %q, want the key", k)
		}
		reqs := srv.Requests()
		if check := reqs[len(reqs)-1]; check.Status != 200 || check.Auth != "Bearer "+whisperKey || len(check.PCM) != 16000 {
			t.Errorf("the check = %+v, want one authorized second of audio", check)
		}
		st, _ := f.app.Services().Voice.VoiceStatus()
		if st.Online == nil || st.Online.State != backend.OnlineReady || st.Online.URL != srv.URL() || st.ActiveRecognizer != "online" {
			t.Errorf("voice status = %+v online %+v, want the endpoint ready at once", st, st.Online)
		}
		if again, _ := f.app.Services().Connections.Transcription(); !again.HasKey || again.URL != srv.URL() {
			t.Errorf("Transcription = %+v", again)
		}
	})

	t.Run("ErrRefusedKeepsWhatWorks", func(t *testing.T) {
		// A wrong key typed over a working one changes nothing.
		if _, err := f.connect(app.TranscriptionDTO{URL: srv.URL(), TimeoutMS: 5000}, wrong, true); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("ConnectTranscription(wrong key) = %v, want unauthorized", err)
		}
		if got, _ := f.app.Services().Connections.Transcription(); f.key(t) != whisperKey || got.TimeoutMS != 3000 {
			t.Errorf("after a refused key: %+v, keychain %q; want the working setup kept", got, f.key(t))
		}
	})

	t.Run("KeepsTheStoredKey", func(t *testing.T) {
		// Settings sends has_key back and leaves the key field empty: the
		// stored key is checked and kept for the same URL.
		n := len(srv.Requests())
		got, err := f.connect(app.TranscriptionDTO{URL: srv.URL(), TimeoutMS: 5000, HasKey: true}, "", true)
		if err != nil || !got.HasKey || got.TimeoutMS != 5000 || f.key(t) != whisperKey {
			t.Fatalf("ConnectTranscription(keep) = %+v, %v; keychain %q", got, err, f.key(t))
		}
		if reqs := srv.Requests(); len(reqs) != n+1 || reqs[n].Auth != "Bearer "+whisperKey {
			t.Errorf("the check did not use the stored key: %+v", reqs[n:])
		}
	})

	t.Run("NeverSendsTheKeyElsewhere", func(t *testing.T) {
		// Over plain http to another machine the key is refused, and
		// nothing is sent or stored.
		_, err := f.connect(app.TranscriptionDTO{URL: "http://transcribe.example/v1"}, whisperKey, true)
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "https") {
			t.Errorf("ConnectTranscription(http, key) = %v, want invalid", err)
		}
		if got, _ := f.app.Services().Connections.Transcription(); got.URL != srv.URL() {
			t.Errorf("after a refused URL: %+v", got)
		}
		// A kept key is only kept for its own URL: another endpoint gets
		// none, and the stored one is removed.
		local := whispertest.NewTestServer(t, whispertest.Options{})
		got, err := f.connect(app.TranscriptionDTO{URL: local.URL(), Model: "ggml-base.en", HasKey: true}, "", true)
		if err != nil || got.HasKey || f.key(t) != "" {
			t.Fatalf("ConnectTranscription(another URL, keep) = %+v, %v; keychain %q; want no key", got, err, f.key(t))
		}
		if q := local.Requests(); len(q) != 1 || q[0].Auth != "" || q[0].Model != "ggml-base.en" {
			t.Errorf("requests to the local server = %+v, want one without a key", q)
		}
	})

	t.Run("SkipCheck", func(t *testing.T) {
		n := len(srv.Requests())
		got, err := f.connect(app.TranscriptionDTO{URL: srv.URL()}, whisperKey, false)
		if err != nil || !got.HasKey || f.key(t) != whisperKey {
			t.Fatalf("ConnectTranscription(no check) = %+v, %v", got, err)
		}
		if len(srv.Requests()) != n {
			t.Errorf("skip check sent %d requests", len(srv.Requests())-n)
		}
	})

	t.Run("Disconnect", func(t *testing.T) {
		got, err := f.app.Services().Connections.DisconnectTranscription("click")
		if err != nil || got.URL != "" || got.HasKey {
			t.Fatalf("DisconnectTranscription = %+v, %v", got, err)
		}
		if k := f.key(t); k != "" {
			t.Errorf("the key outlived Remove: %q", k)
		}
		if st, _ := f.app.Services().Voice.VoiceStatus(); st.Online != nil {
			t.Errorf("voice status online = %+v after Remove, want none", st.Online)
		}
		settings, err := f.app.Services().Connections.Transcription()
		if err != nil || settings.URL != "" {
			t.Errorf("Transcription after Remove = %+v, %v", settings, err)
		}
		// Removing what is not there is fine.
		if _, err := f.app.Services().Connections.DisconnectTranscription("click"); err != nil {
			t.Errorf("DisconnectTranscription again: %v", err)
		}
		log, _ := f.app.Services().Audit.AuditLog(0, 100)
		var details []string
		for _, e := range log.Entries {
			details = append(details, e.Detail)
		}
		all := strings.Join(details, "\n")
		if !strings.Contains(all, "online speech recognizer set to "+srv.URL()) || !strings.Contains(all, "online speech recognizer removed") {
			t.Errorf("audit details:\n%s", all)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			in  app.TranscriptionDTO
			via string
		}{
			{app.TranscriptionDTO{}, "click"},
			{app.TranscriptionDTO{URL: "api.openai.com"}, "click"},
			{app.TranscriptionDTO{URL: srv.URL(), Model: "whisper 1"}, "click"},
			{app.TranscriptionDTO{URL: srv.URL(), TimeoutMS: 60_000}, "click"},
			{app.TranscriptionDTO{URL: srv.URL()}, "robot"},
		} {
			_, err := f.app.Services().Connections.ConnectTranscription(tt.in, whisperKey, true, tt.via)
			f.errs = append(f.errs, err)
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("ConnectTranscription(%+v, via %s) = %v, want invalid", tt.in, tt.via, err)
			}
		}
		if k := f.key(t); k != "" {
			t.Errorf("an invalid connect stored the key: %q", k)
		}
	})

	f.noLeak(t, whisperKey, wrong)
}

// With the demo open, Save writes to your own workspace (creating it) and
// says to restart, as `caseyos connect whisper` does; the demo is left
// as it is.
func TestApp_ConnectTranscription_Demo(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(whisperKey))
	f := newConnectApp(t, func(dir string) app.Workspace { return app.ChooseWorkspace(dir, true, false) })
	got, err := f.connect(app.TranscriptionDTO{URL: srv.URL()}, whisperKey, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Notice, "showing the demo workspace: restart it to switch to yours") || got.URL != srv.URL() || !got.HasKey {
		t.Errorf("ConnectTranscription in the demo = %+v", got)
	}
	if demo, _ := f.app.Services().Connections.Transcription(); demo.URL != "" {
		t.Errorf("the demo's own setting changed: %+v", demo)
	}
	// Your own workspace holds it: the CLI's voice recognize hears online.
	srv.Say("skip")
	if dto, code, errb := f.recognize(t); code != 0 || dto.Recognizer != "online" || dto.Intent != "skip" {
		t.Errorf("voice recognize in your own workspace = %+v, %d %q", dto, code, errb)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "caseyos.db")); err != nil {
		t.Errorf("no workspace of your own: %v", err)
	}

	got, err = f.app.Services().Connections.DisconnectTranscription("click")
	if err != nil || got.Notice == "" || f.key(t) != "" {
		t.Fatalf("DisconnectTranscription in the demo = %+v, %v; keychain %q", got, err, f.key(t))
	}
	n := len(srv.Requests())
	if dto, _, _ := f.recognize(t); dto.Recognizer == "online" || len(srv.Requests()) != n {
		t.Errorf("after Remove your own workspace still hears online: %+v", dto)
	}
	f.noLeak(t, whisperKey)
}

// The browser reaches both methods, and neither answer holds the key.
func TestServe_ConnectTranscription(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(whisperKey))
	c := newWhisperCLI(t, "")
	// A workspace of your own, so that the served App is the one changed.
	if code, _, errb := c.run(t, "", "connect", "whisper", "--url", srv.URL(), "--no-check"); code != 0 {
		t.Fatalf("connect: %d %s", code, errb)
	}
	if code, _, errb := c.run(t, "", "disconnect", "whisper"); code != 0 {
		t.Fatalf("disconnect: %d %s", code, errb)
	}
	srvd := startServeWith(t, c.dir, func(env *cli.Env) { env.Secrets, env.Voice = c.secrets, c.voice })
	var answers strings.Builder
	s := postFunc(func(t *testing.T, method string, args any, h map[string]string) (int, []byte) {
		code, b := srvd.post(t, method, args, h)
		answers.Write(b)
		return code, b
	})

	code, body := s.post(t, "ConnectionsService.ConnectTranscription", []any{app.TranscriptionDTO{URL: srv.URL()}, "sk-proj-wrong-0000000000000000", true, "click"}, nil)
	var e app.ErrorDTO
	if code != http.StatusUnauthorized || json.Unmarshal(body, &e) != nil || e.Code != backend.EUNAUTHORIZED || strings.Contains(string(body), "wrong-0000") {
		t.Errorf("ConnectTranscription(wrong key) = %d %s", code, body)
	}
	code, body = s.post(t, "ConnectionsService.ConnectTranscription", []any{app.TranscriptionDTO{URL: srv.URL()}, whisperKey, true, "click"}, nil)
	var got app.TranscriptionDTO
	if code != http.StatusOK || json.Unmarshal(body, &got) != nil || !got.HasKey || got.URL != srv.URL() || got.Notice != "" {
		t.Fatalf("ConnectTranscription = %d %s", code, body)
	}
	code, body = s.post(t, "VoiceService.VoiceStatus", []any{}, nil)
	var st app.VoiceStatusDTO
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil || st.Online == nil || st.Online.State != backend.OnlineReady {
		t.Errorf("VoiceStatus = %d %s", code, body)
	}
	if code, body = s.post(t, "ConnectionsService.DisconnectTranscription", []any{"click"}, nil); code != http.StatusOK || strings.Contains(string(body), `"url":"http`) {
		t.Errorf("DisconnectTranscription = %d %s", code, body)
	}
	if strings.Contains(answers.String(), whisperKey) {
		t.Errorf("an answer holds the key:\n%s", answers.String())
	}
	if _, err := c.secrets.Get(app.TranscriptionAccount); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("the key outlived DisconnectTranscription: %v", err)
	}
}

// postFunc is served.post, recording what it answers.
type postFunc func(t *testing.T, method string, args any, h map[string]string) (int, []byte)

func (p postFunc) post(t *testing.T, method string, args any, h map[string]string) (int, []byte) {
	return p(t, method, args, h)
}
