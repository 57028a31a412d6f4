package whispertest_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/whisper/whispertest"
)

// wav encodes pcm as a WAV of the given rate and channels (the fake must
// refuse anything but 16 kHz mono).
func wav(pcm []int16, rate, channels int) []byte {
	var b bytes.Buffer
	n := len(pcm) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(channels), uint32(rate), uint32(rate * 2 * channels), uint16(2 * channels), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(n))
	binary.Write(&b, binary.LittleEndian, pcm)
	return b.Bytes()
}

type form struct {
	filename string
	audio    []byte
	fields   map[string]string
}

func (f form) body(tb testing.TB) (*bytes.Buffer, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if f.filename != "" {
		w, err := mw.CreateFormFile("file", f.filename)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(f.audio)
	}
	for k, v := range f.fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func post(tb testing.TB, url, key string, f form) (int, map[string]any, http.Header) {
	tb.Helper()
	body, ct := f.body(tb)
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header.Set("Content-Type", ct)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return resp.StatusCode, out, resp.Header
}

func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	if c, ok := e["code"].(string); ok {
		return c
	}
	t, _ := e["type"].(string)
	return t
}

const key = "sk-test-5f1e2d3c4b5a69788796a5b4c3d2e1f0"

func TestServer_Transcriptions(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(key))
	endpoint := srv.URL() + "/audio/transcriptions"
	second := make([]int16, 16000)
	for i := range second {
		second[i] = int16(i % 300)
	}
	good := func() form {
		return form{filename: "utterance.wav", audio: wav(second, 16000, 1), fields: map[string]string{"model": "whisper-1", "language": "en", "response_format": "json"}}
	}
	t.Run("OK_Scripted", func(t *testing.T) {
		srv.Transcript(second, "Skip.")
		st, out, _ := post(t, endpoint, key, good())
		if st != 200 || out["text"] != "Skip." {
			t.Fatalf("POST = %d %v, want 200 and the scripted transcript", st, out)
		}
		last := srv.Requests()[len(srv.Requests())-1]
		if last.Filename != "utterance.wav" || last.Model != "whisper-1" || last.Language != "en" || len(last.PCM) != len(second) {
			t.Errorf("recorded %+v", last)
		}
	})
	t.Run("OK_Queue", func(t *testing.T) {
		other := append([]int16(nil), second...)
		other[0] = 1234
		srv.Say("next", "undo")
		f := good()
		f.audio = wav(other, 16000, 1)
		for _, want := range []string{"next", "undo", ""} {
			if st, out, _ := post(t, endpoint, key, f); st != 200 || out["text"] != want {
				t.Errorf("POST = %d %v, want %q", st, out, want)
			}
		}
	})
	cases := []struct {
		name   string
		key    string
		mod    func(*form)
		status int
		code   string
	}{
		{"ErrNoKey", "", nil, 401, "invalid_request_error"},
		{"ErrWrongKey", "sk-wrong-000000000000", nil, 401, "invalid_api_key"},
		{"ErrNoFile", key, func(f *form) { f.filename = "" }, 400, "invalid_request_error"},
		{"ErrNoModel", key, func(f *form) { delete(f.fields, "model") }, 400, "invalid_request_error"},
		{"ErrUnknownModel", key, func(f *form) { f.fields["model"] = "whisper-9" }, 404, "model_not_found"},
		{"ErrExtension", key, func(f *form) { f.filename = "utterance.raw" }, 400, "invalid_request_error"},
		{"ErrNotWAV", key, func(f *form) { f.audio = []byte("ID3 not a wave") }, 400, "invalid_value"},
		{"ErrRate", key, func(f *form) { f.audio = wav(second, 8000, 1) }, 400, "invalid_value"},
		{"ErrStereo", key, func(f *form) { f.audio = wav(second, 16000, 2) }, 400, "invalid_value"},
		{"ErrTooShort", key, func(f *form) { f.audio = wav(second[:800], 16000, 1) }, 400, "audio_too_short"},
		{"ErrLanguage", key, func(f *form) { f.fields["language"] = "english" }, 400, "invalid_language_format"},
		{"ErrFormat", key, func(f *form) { f.fields["response_format"] = "srt" }, 400, "invalid_request_error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := good()
			if c.mod != nil {
				c.mod(&f)
			}
			st, out, _ := post(t, endpoint, c.key, f)
			if st != c.status || errorCode(out) != c.code {
				t.Errorf("POST = %d %v, want %d %s", st, out, c.status, c.code)
			}
		})
	}
	t.Run("ErrWrongKeyIsMasked", func(t *testing.T) {
		wrong := "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
		_, out, _ := post(t, endpoint, wrong, good())
		msg := out["error"].(map[string]any)["message"].(string)
		if strings.Contains(msg, wrong) || !strings.Contains(msg, "6789") {
			t.Errorf("401 message %q: want the key masked as OpenAI does, its last four shown", msg)
		}
	})
	t.Run("ErrPath", func(t *testing.T) {
		st, out, _ := post(t, srv.URL()+"/audio/translations", key, good())
		if st != 404 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "Invalid URL") {
			t.Errorf("POST wrong path = %d %v", st, out)
		}
	})
	t.Run("ErrMethod", func(t *testing.T) {
		resp, err := http.Get(endpoint)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 {
			t.Errorf("GET = %d, want 405", resp.StatusCode)
		}
	})
	t.Run("OK_Text", func(t *testing.T) {
		srv.Say("read it")
		f := good()
		f.audio = wav(second[:8000], 16000, 1) // no Transcript: the queue answers
		f.fields["response_format"] = "text"
		body, ct := f.body(t)
		req, _ := http.NewRequest(http.MethodPost, endpoint, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(data) != "read it\n" {
			t.Errorf("text = %d %q", resp.StatusCode, data)
		}
	})
}

func TestServer_Faults(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{MaxBytes: 40 << 10})
	endpoint := srv.URL() + "/audio/transcriptions"
	pcm := make([]int16, 8000)
	f := form{filename: "utterance.wav", audio: wav(pcm, 16000, 1), fields: map[string]string{"model": "ggml-base.en"}}

	// whisper.cpp: no key needed, any model name.
	if st, out, _ := post(t, endpoint, "", f); st != 200 {
		t.Fatalf("keyless POST = %d %v, want 200", st, out)
	}
	srv.RateLimit(1, 1500*time.Millisecond)
	st, out, h := post(t, endpoint, "", f)
	if st != 429 || errorCode(out) != "rate_limit_exceeded" || h.Get("Retry-After") != "2" || h.Get("Retry-After-Ms") != "1500" {
		t.Errorf("rate limited = %d %v %v", st, out, h)
	}
	srv.NoQuota(1)
	if st, out, _ := post(t, endpoint, "", f); st != 429 || errorCode(out) != "insufficient_quota" {
		t.Errorf("no quota = %d %v", st, out)
	}
	srv.Fail(1, 503)
	if st, out, _ := post(t, endpoint, "", f); st != 503 || errorCode(out) != "server_error" {
		t.Errorf("overloaded = %d %v", st, out)
	}
	srv.Unauthorized(1)
	if st, out, _ := post(t, endpoint, "", f); st != 401 || errorCode(out) != "invalid_api_key" {
		t.Errorf("revoked = %d %v", st, out)
	}
	big := f
	big.audio = wav(make([]int16, 32000), 16000, 1)
	if st, out, _ := post(t, endpoint, "", big); st != 413 {
		t.Errorf("over the cap = %d %v, want 413", st, out)
	}
	srv.Drop(1)
	body, ct := f.body(t)
	req, _ := http.NewRequest(http.MethodPost, endpoint, body)
	req.Header.Set("Content-Type", ct)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped request answered %d", resp.StatusCode)
	}
	if st, _, _ := post(t, endpoint, "", f); st != 200 {
		t.Errorf("after the faults = %d, want 200", st)
	}
}
