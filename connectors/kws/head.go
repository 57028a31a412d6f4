package kws

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend"
)

// The command classifier is a small multilayer perceptron over the last
// Window embeddings of a clip (the "head" on top of the speech embedding):
//
//	x = (flatten(e[n-Window:n]) - Mu) / Sd     D = Window·96 values
//	a = ReLU(x·W1 + B1)                        Hidden values
//	p = softmax(a·W2 + B2)                     one per label
//
// Its file format, little-endian throughout:
//
//	"CASEYOS-KWS-HEAD 1\n"
//	uint32 length of the JSON header, then the header:
//	  {"labels": [...], "window": K, "hidden": H, "dim": D, "meta": {...}}
//	float32 Mu[D], Sd[D], W1[D×H] (row-major), B1[H], W2[H×C], B2[C]
//
// and nothing after B2.

// headMagic opens every head file; the digit is the format version.
const headMagic = "CASEYOS-KWS-HEAD 1\n"

// Bounds a head file must keep within, so a corrupt header is refused
// before it can ask for absurd amounts of memory.
const (
	maxHeadJSON   = 1 << 20
	MaxHeadWindow = 256
	MaxHeadHidden = 4096
	maxHeadLabels = 256
	maxLabelBytes = 100
)

// NoneLabel is the label of the last class of every head: anything that is
// not one of the commands.
const NoneLabel = ""

// Phrases are the commands the default head tells apart, as spoken. The
// backend's intent parser maps each to an intent (backend.ParseIntent).
var Phrases = []string{
	"approve", "execute", "skip", "next", "previous", "undo", "read it",
	"snooze", "confirm", "cancel", "stop listening", "hey casey",
}

// Head is a trained command classifier: the standardization, the two
// layers and the labels of its outputs, the last of them NoneLabel.
type Head struct {
	Labels []string // C labels; the last is NoneLabel
	Window int      // K: how many of the clip's last embeddings it reads
	Hidden int      // H: the width of the hidden layer

	// Mu and Sd standardize the input (D = Window·EmbeddingSize values
	// each); W1 is D×H and W2 H×C, both row-major.
	Mu, Sd, W1, B1, W2, B2 []float32

	Meta HeadMeta
}

// HeadMeta records where a head came from. Nothing reads it back but
// people: it is provenance, not configuration.
type HeadMeta struct {
	Recipe       string            `json:"recipe,omitempty"`        // how it was trained, in words
	Seed         uint64            `json:"seed"`                    // the training seed
	Counts       []int             `json:"counts,omitempty"`        // training samples per label, in Labels order
	TrainedAt    time.Time         `json:"trained_at,omitzero"`     // when training finished
	TrainSeconds float64           `json:"train_seconds,omitempty"` // how long it took
	Notes        map[string]string `json:"notes,omitempty"`         // anything else: data set, commit, scores
}

// headHeader is the JSON header of a head file.
type headHeader struct {
	Labels []string `json:"labels"`
	Window int      `json:"window"`
	Hidden int      `json:"hidden"`
	Dim    int      `json:"dim"`
	Meta   HeadMeta `json:"meta"`
}

// Dim is the length of the head's input: Window·EmbeddingSize.
func (h *Head) Dim() int { return h.Window * EmbeddingSize }

// validate checks the head is complete and consistent: the shapes, the
// labels, and every parameter finite (Sd positive).
func (h *Head) validate() error {
	if err := ValidateLabels(h.Labels); err != nil {
		return err
	}
	if h.Window < 1 || h.Window > MaxHeadWindow {
		return fmt.Errorf("window %d is not between 1 and %d", h.Window, MaxHeadWindow)
	}
	if h.Hidden < 1 || h.Hidden > MaxHeadHidden {
		return fmt.Errorf("hidden size %d is not between 1 and %d", h.Hidden, MaxHeadHidden)
	}
	d, hid, c := h.Dim(), h.Hidden, len(h.Labels)
	for _, p := range h.params() {
		if len(*p.v) != p.n(d, hid, c) {
			return fmt.Errorf("%s has %d values, want %d", p.name, len(*p.v), p.n(d, hid, c))
		}
		for i, v := range *p.v {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s[%d] is %v", p.name, i, v)
			}
			if p.name == "Sd" && v <= 0 {
				return fmt.Errorf("Sd[%d] is %v, not positive", i, v)
			}
		}
	}
	return nil
}

// validateLabels checks a head's labels: at least two, unique, the last
// NoneLabel and no other empty.
func ValidateLabels(labels []string) error {
	if len(labels) < 2 || len(labels) > maxHeadLabels {
		return fmt.Errorf("%d labels, want between 2 and %d", len(labels), maxHeadLabels)
	}
	if labels[len(labels)-1] != NoneLabel {
		return fmt.Errorf("the last label is %q, want %q (none of the commands)", labels[len(labels)-1], NoneLabel)
	}
	seen := map[string]bool{}
	for _, l := range labels[:len(labels)-1] {
		switch {
		case l == NoneLabel:
			return errors.New("only the last label may be empty")
		case len(l) > maxLabelBytes || !utf8.ValidString(l):
			return fmt.Errorf("label %.20q… is not a short UTF-8 string", l)
		case seen[l]:
			return fmt.Errorf("label %q appears twice", l)
		}
		seen[l] = true
	}
	return nil
}

// headParam is one parameter array of a head, in file order.
type headParam struct {
	name string
	v    *[]float32
	n    func(d, h, c int) int
}

func (h *Head) params() []headParam {
	return []headParam{
		{"Mu", &h.Mu, func(d, _, _ int) int { return d }},
		{"Sd", &h.Sd, func(d, _, _ int) int { return d }},
		{"W1", &h.W1, func(d, h, _ int) int { return d * h }},
		{"B1", &h.B1, func(_, h, _ int) int { return h }},
		{"W2", &h.W2, func(_, h, c int) int { return h * c }},
		{"B2", &h.B2, func(_, _, c int) int { return c }},
	}
}

// WriteHead writes h in the head file format. An incomplete or
// inconsistent head is backend.EINVALID and nothing is written.
func WriteHead(w io.Writer, h *Head) error {
	const op = "kws.WriteHead"
	if h == nil {
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "no head to write"}
	}
	if err := h.validate(); err != nil {
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the command classifier is incomplete or inconsistent", Err: err}
	}
	js, err := json.Marshal(headHeader{Labels: h.Labels, Window: h.Window, Hidden: h.Hidden, Dim: h.Dim(), Meta: h.Meta})
	if err != nil {
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the command classifier's metadata cannot be written", Err: err}
	}
	if len(js) > maxHeadJSON {
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the command classifier's metadata is too large"}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(headMagic)
	binary.Write(bw, binary.LittleEndian, uint32(len(js)))
	bw.Write(js)
	var buf [4]byte
	for _, p := range h.params() {
		for _, v := range *p.v {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			bw.Write(buf[:])
		}
	}
	if err := bw.Flush(); err != nil { // bufio keeps the first write error
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// ReadHead reads a head written by WriteHead and checks all of it. A file
// that is truncated, has anything after its end, or holds a head that does
// not validate is backend.EINVALID.
func ReadHead(r io.Reader) (*Head, error) {
	h, err := readHead(bufio.NewReader(r))
	if err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: "kws.ReadHead",
			Message: "the command classifier file is corrupt or not one this version reads", Err: err}
	}
	return h, nil
}

func readHead(r *bufio.Reader) (*Head, error) {
	magic := make([]byte, len(headMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		return nil, fmt.Errorf("reading the magic line: %w", noEOF(err))
	}
	if string(magic) != headMagic {
		return nil, fmt.Errorf("the file starts %q, not %q", magic, headMagic)
	}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, fmt.Errorf("reading the header length: %w", noEOF(err))
	}
	if n == 0 || n > maxHeadJSON {
		return nil, fmt.Errorf("header length %d is not between 1 and %d", n, maxHeadJSON)
	}
	js := make([]byte, n)
	if _, err := io.ReadFull(r, js); err != nil {
		return nil, fmt.Errorf("reading the %d-byte header: %w", n, noEOF(err))
	}
	var hdr headHeader
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(&hdr); err != nil {
		return nil, fmt.Errorf("decoding the header: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the header has data after its JSON object")
	}
	h := &Head{Labels: hdr.Labels, Window: hdr.Window, Hidden: hdr.Hidden, Meta: hdr.Meta}
	if err := ValidateLabels(h.Labels); err != nil {
		return nil, err
	}
	if h.Window < 1 || h.Window > MaxHeadWindow || h.Hidden < 1 || h.Hidden > MaxHeadHidden {
		return nil, fmt.Errorf("window %d or hidden size %d out of range", h.Window, h.Hidden)
	}
	if hdr.Dim != h.Dim() {
		return nil, fmt.Errorf("dim %d is not window %d × %d", hdr.Dim, h.Window, EmbeddingSize)
	}
	d, hid, c := h.Dim(), h.Hidden, len(h.Labels)
	for _, p := range h.params() {
		v, err := readFloats(r, p.n(d, hid, c))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p.name, noEOF(err))
		}
		*p.v = v
	}
	if _, err := r.ReadByte(); err != io.EOF {
		if err == nil {
			return nil, errors.New("the file goes on after B2")
		}
		return nil, err
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	return h, nil
}

// readFloats reads n little-endian float32s, in chunks, so that memory
// grows only as the data turns out to be there.
func readFloats(r io.Reader, n int) ([]float32, error) {
	const chunk = 1 << 14
	out := make([]float32, 0, min(n, chunk))
	buf := make([]byte, 4*min(n, chunk))
	for len(out) < n {
		b := buf[:4*min(n-len(out), chunk)]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		for i := 0; i < len(b); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
	}
	return out, nil
}

// noEOF turns a clean EOF in the middle of a file into the unexpected one
// it is.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// fillWindow writes the input vector of the window of k embeddings ending
// shift embeddings before the last (e[n-k-shift : n-shift]) into dst,
// embedding 0 first. Positions before the first embedding repeat it.
func FillWindow(dst []float32, emb [][EmbeddingSize]float32, k, shift int) {
	n := len(emb)
	for r := 0; r < k; r++ {
		i := max(0, n-k-shift+r)
		copy(dst[r*EmbeddingSize:(r+1)*EmbeddingSize], emb[i][:])
	}
}

// Probabilities returns the head's probability for each of its labels
// given a clip's embeddings: it reads the last Window of them, the first
// repeated in front when there are fewer. None at all gives nil.
func (h *Head) Probabilities(emb [][EmbeddingSize]float32) []float32 {
	if len(emb) == 0 {
		return nil
	}
	d, hid, c := h.Dim(), h.Hidden, len(h.Labels)
	x := make([]float32, d)
	FillWindow(x, emb, h.Window, 0)
	for i := range x {
		x[i] = (x[i] - h.Mu[i]) / h.Sd[i]
	}
	a := make([]float32, hid)
	copy(a, h.B1)
	for i, xi := range x {
		row := h.W1[i*hid : (i+1)*hid]
		for j, w := range row {
			a[j] += xi * w
		}
	}
	z := make([]float64, c)
	for k := range z {
		z[k] = float64(h.B2[k])
	}
	for j, aj := range a {
		if aj <= 0 {
			continue
		}
		row := h.W2[j*c : (j+1)*c]
		for k, w := range row {
			z[k] += float64(aj) * float64(w)
		}
	}
	p := make([]float32, c)
	Softmax(z)
	for k, v := range z {
		p[k] = float32(v)
	}
	return p
}

// softmax replaces z by its softmax.
func Softmax(z []float64) {
	top := math.Inf(-1)
	for _, v := range z {
		top = max(top, v)
	}
	sum := 0.0
	for k, v := range z {
		z[k] = math.Exp(v - top)
		sum += z[k]
	}
	for k := range z {
		z[k] /= sum
	}
}
