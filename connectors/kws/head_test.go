package kws

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// randomHead returns a head of the given shape with random parameters.
func randomHead(tb testing.TB, labels []string, window, hidden int, seed uint64) *Head {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	d, c := window*EmbeddingSize, len(labels)
	fill := func(n int, f func() float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = f()
		}
		return s
	}
	norm := func() float32 { return float32(r.NormFloat64()) }
	return &Head{Labels: labels, Window: window, Hidden: hidden,
		Mu: fill(d, norm), Sd: fill(d, func() float32 { return 0.5 + r.Float32() }),
		W1: fill(d*hidden, norm), B1: fill(hidden, norm), W2: fill(hidden*c, norm), B2: fill(c, norm),
		Meta: HeadMeta{Recipe: "test", Seed: seed, Counts: []int{3, 4, 5},
			TrainedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), TrainSeconds: 1.5, Notes: map[string]string{"data": "synthetic"}}}
}

func encodeHead(tb testing.TB, h *Head) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteHead(&buf, h); err != nil {
		tb.Fatalf("WriteHead: %v", err)
	}
	return buf.Bytes()
}

func TestHead_RoundTrip(t *testing.T) {
	h := randomHead(t, []string{"yes", "no", NoneLabel}, 2, 5, 7)
	data := encodeHead(t, h)
	if want := len(headMagic) + 4 + int(binary.LittleEndian.Uint32(data[len(headMagic):])) + 4*(2*192+192*5+5+5*3+3); len(data) != want {
		t.Errorf("WriteHead wrote %d bytes, want %d", len(data), want)
	}
	got, err := ReadHead(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadHead: %v", err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("ReadHead(WriteHead(h)) = %+v, want %+v", got, h)
	}
	if again := encodeHead(t, got); !bytes.Equal(again, data) {
		t.Error("writing the head read back gives different bytes")
	}
}

func TestReadHead_Truncated(t *testing.T) {
	data := encodeHead(t, randomHead(t, []string{"a", "b", NoneLabel}, 1, 4, 1))
	for n := range len(data) {
		if _, err := ReadHead(bytes.NewReader(data[:n])); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("ReadHead(first %d of %d bytes) = %v, want code %s", n, len(data), err, backend.EINVALID)
		}
	}
	if _, err := ReadHead(bytes.NewReader(append(data, 0))); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("ReadHead(one byte too many) = %v, want code %s", err, backend.EINVALID)
	}
}

func TestReadHead_Invalid(t *testing.T) {
	base := randomHead(t, []string{"a", "b", NoneLabel}, 1, 4, 2)
	// rebuild writes a file by hand: header fields and arrays as given.
	rebuild := func(edit func(hdr map[string]any, arrays [][]float32)) []byte {
		hdr := map[string]any{"labels": base.Labels, "window": base.Window, "hidden": base.Hidden, "dim": base.Dim(), "meta": base.Meta}
		arrays := [][]float32{}
		for _, p := range base.params() {
			arrays = append(arrays, append([]float32{}, *p.v...))
		}
		edit(hdr, arrays)
		js, err := json.Marshal(hdr)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.WriteString(headMagic)
		binary.Write(&b, binary.LittleEndian, uint32(len(js)))
		b.Write(js)
		for _, a := range arrays {
			binary.Write(&b, binary.LittleEndian, a)
		}
		return b.Bytes()
	}
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"Unedited", nil}, // checks rebuild itself: must read
		{"Magic", append([]byte("CASEYOS-KWS-HEAD 2\n"), encodeHead(t, base)[len(headMagic):]...)},
		{"Empty", []byte{}},
		{"HeaderLength", append([]byte(headMagic), 0xff, 0xff, 0xff, 0x7f)},
		{"ZeroHeaderLength", append([]byte(headMagic), 0, 0, 0, 0)},
		{"BadJSON", append(append([]byte(headMagic), 3, 0, 0, 0), "{x}"...)},
		{"JSONTrailing", func() []byte {
			d := encodeHead(t, base)
			n := binary.LittleEndian.Uint32(d[len(headMagic):])
			js := d[len(headMagic)+4 : len(headMagic)+4+int(n)]
			js = append(append([]byte{}, js...), " {}"...)
			var b bytes.Buffer
			b.WriteString(headMagic)
			binary.Write(&b, binary.LittleEndian, uint32(len(js)))
			b.Write(js)
			b.Write(d[len(headMagic)+4+int(n):])
			return b.Bytes()
		}()},
		{"OneLabel", rebuild(func(h map[string]any, a [][]float32) {
			h["labels"] = []string{NoneLabel}
			a[4], a[5] = a[4][:4], a[5][:1]
		})},
		{"LastLabelNotNone", rebuild(func(h map[string]any, _ [][]float32) { h["labels"] = []string{"a", "b", "c"} })},
		{"EmptyCommandLabel", rebuild(func(h map[string]any, _ [][]float32) { h["labels"] = []string{"a", "", ""} })},
		{"DuplicateLabel", rebuild(func(h map[string]any, _ [][]float32) { h["labels"] = []string{"a", "a", ""} })},
		{"DimMismatch", rebuild(func(h map[string]any, _ [][]float32) { h["dim"] = 95 })},
		{"ZeroWindow", rebuild(func(h map[string]any, _ [][]float32) { h["window"], h["dim"] = 0, 0 })},
		{"HugeHidden", rebuild(func(h map[string]any, _ [][]float32) { h["hidden"] = 1 << 30 })},
		{"NaNWeight", rebuild(func(_ map[string]any, a [][]float32) { a[2][7] = nan })},
		{"InfMean", rebuild(func(_ map[string]any, a [][]float32) { a[0][3] = float32(math.Inf(1)) })},
		{"ZeroSd", rebuild(func(_ map[string]any, a [][]float32) { a[1][0] = 0 })},
		{"NegativeSd", rebuild(func(_ map[string]any, a [][]float32) { a[1][0] = -1 })},
		{"ShortB2", rebuild(func(_ map[string]any, a [][]float32) { a[5] = a[5][:2] })},
		{"LongB2", rebuild(func(_ map[string]any, a [][]float32) { a[5] = append(a[5], 1) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.data == nil {
				if _, err := ReadHead(bytes.NewReader(rebuild(func(map[string]any, [][]float32) {}))); err != nil {
					t.Fatalf("ReadHead(rebuilt head) = %v, want nil", err)
				}
				return
			}
			h, err := ReadHead(bytes.NewReader(tc.data))
			if backend.ErrorCode(err) != backend.EINVALID || h != nil {
				t.Errorf("ReadHead = %v, %v, want nil, code %s", h, err, backend.EINVALID)
			}
		})
	}
}

func TestWriteHead_Invalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(h *Head)
	}{
		{"ShortW1", func(h *Head) { h.W1 = h.W1[:10] }},
		{"NaNBias", func(h *Head) { h.B1[0] = float32(math.NaN()) }},
		{"NoNoneLabel", func(h *Head) { h.Labels = []string{"a", "b", "c"} }},
		{"ZeroHidden", func(h *Head) { h.Hidden = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := randomHead(t, []string{"a", "b", NoneLabel}, 1, 4, 3)
			tc.edit(h)
			var buf bytes.Buffer
			if err := WriteHead(&buf, h); backend.ErrorCode(err) != backend.EINVALID || buf.Len() != 0 {
				t.Errorf("WriteHead = %v with %d bytes written, want code %s and none", err, buf.Len(), backend.EINVALID)
			}
		})
	}
	if err := WriteHead(&bytes.Buffer{}, nil); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("WriteHead(nil) = %v, want code %s", err, backend.EINVALID)
	}
}

// probabilities64 is Head.Probabilities written out in float64 on an
// explicit window, for comparison.
func probabilities64(h *Head, window [][EmbeddingSize]float32) []float64 {
	d, hid, c := h.Dim(), h.Hidden, len(h.Labels)
	x := make([]float64, d)
	for r, e := range window {
		for j, v := range e {
			i := r*EmbeddingSize + j
			x[i] = (float64(v) - float64(h.Mu[i])) / float64(h.Sd[i])
		}
	}
	z := make([]float64, c)
	for k := range z {
		z[k] = float64(h.B2[k])
	}
	for u := range hid {
		a := float64(h.B1[u])
		for i := range d {
			a += x[i] * float64(h.W1[i*hid+u])
		}
		a = max(a, 0)
		for k := range z {
			z[k] += a * float64(h.W2[u*c+k])
		}
	}
	Softmax(z)
	return z
}

func TestHead_Probabilities(t *testing.T) {
	h := randomHead(t, []string{"a", "b", NoneLabel}, 3, 6, 4)
	for i := range h.W1 {
		h.W1[i] *= 0.1 // keep the softmax away from 0 and 1, where errors hide
	}
	r := rand.New(rand.NewPCG(9, 9))
	emb := func(n int) [][EmbeddingSize]float32 {
		e := make([][EmbeddingSize]float32, n)
		for i := range e {
			for j := range e[i] {
				e[i][j] = float32(r.NormFloat64())
			}
		}
		return e
	}
	long, short := emb(5), emb(2)
	for _, tc := range []struct {
		name   string
		emb    [][EmbeddingSize]float32
		window [][EmbeddingSize]float32 // what the head must read
	}{
		{"Long", long, long[2:]},
		{"Exact", long[2:], long[2:]},
		{"Short", short, [][EmbeddingSize]float32{short[0], short[0], short[1]}},
		{"One", short[:1], [][EmbeddingSize]float32{short[0], short[0], short[0]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := h.Probabilities(tc.emb), probabilities64(h, tc.window)
			if len(got) != len(want) {
				t.Fatalf("Probabilities gave %d values, want %d", len(got), len(want))
			}
			sum := 0.0
			for k := range got {
				sum += float64(got[k])
				if math.Abs(float64(got[k])-want[k]) > 1e-5 {
					t.Errorf("Probabilities[%d] = %v, want %v", k, got[k], want[k])
				}
			}
			if math.Abs(sum-1) > 1e-5 {
				t.Errorf("Probabilities sum to %v, want 1", sum)
			}
		})
	}
	if p := h.Probabilities(nil); p != nil {
		t.Errorf("Probabilities(nil) = %v, want nil", p)
	}
}

func TestHead_LabelsMessage(t *testing.T) {
	// The error message is what a user sees: it must not dump the file.
	_, err := ReadHead(strings.NewReader(strings.Repeat("x", 1000)))
	if msg := backend.ErrorMessage(err); strings.Contains(msg, "xxx") {
		t.Errorf("ErrorMessage = %q, want no file content in it", msg)
	}
}

// The production head's shape: kwstrain's DefaultWindow and DefaultHidden.
const prodWindow, prodHidden = 16, 128

// BenchmarkHead_Probabilities is the head alone, production shape, on the
// 16 embeddings of a 2 s clip.
func BenchmarkHead_Probabilities(b *testing.B) {
	h := randomHead(b, append(append([]string{}, Phrases...), NoneLabel), prodWindow, prodHidden, 1)
	emb := make([][EmbeddingSize]float32, 16)
	b.ReportAllocs()
	for b.Loop() {
		h.Probabilities(emb)
	}
}
