package kws

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/kws/internal/gemm"
)

// Model files and the shapes Embedder works in.
const (
	// MelModelFile is openWakeWord's melspectrogram model.
	MelModelFile = "melspectrogram.onnx"
	// EmbeddingModelFile is Google's speech_embedding model as openWakeWord
	// ships it.
	EmbeddingModelFile = "embedding_model.onnx"

	// SampleRate is the audio rate the models expect, in Hz.
	SampleRate = 16000
	// EmbeddingSize is the length of one embedding.
	EmbeddingSize = 96

	melBands = 32
	// windowHop is how many mel frames (10 ms each) one window starts after
	// the one before: openWakeWord's 80 ms.
	windowHop = 8
)

// Embedder computes openWakeWord's audio features: mel frames and, for
// each window of them, a speech embedding. It is safe for concurrent use;
// each call takes its scratch memory from a pool.
type Embedder struct {
	mel  *melModel
	net  *network
	kern gemm.Kernel
	pool sync.Pool // *gemm.Workspace
}

// LoadEmbedder reads dir/melspectrogram.onnx and dir/embedding_model.onnx.
// A missing file is backend.ENOTFOUND; a file that is not one of these
// models is backend.EINVALID.
func LoadEmbedder(dir string) (*Embedder, error) {
	const op = "kws.LoadEmbedder"
	melGraph, err := loadGraph(op, dir, MelModelFile)
	if err != nil {
		return nil, err
	}
	m, err := compileMel(melGraph)
	if err != nil {
		return nil, modelError(op, dir, MelModelFile, err)
	}
	embGraph, err := loadGraph(op, dir, EmbeddingModelFile)
	if err != nil {
		return nil, err
	}
	nw, err := compileNetwork(embGraph)
	if err != nil {
		return nil, modelError(op, dir, EmbeddingModelFile, err)
	}
	if nw.bins != m.mels {
		return nil, modelError(op, dir, EmbeddingModelFile, fmt.Errorf("%w: it reads windows of %d mel bands, the melspectrogram makes %d", errUnsupported, nw.bins, m.mels))
	}
	if nw.dim != EmbeddingSize {
		return nil, modelError(op, dir, EmbeddingModelFile, fmt.Errorf("%w: its embeddings have %d values, not %d", errUnsupported, nw.dim, EmbeddingSize))
	}
	return &Embedder{mel: m, net: nw, kern: gemm.DefaultKernel()}, nil
}

func loadGraph(op, dir, file string) (*graph, error) {
	g, err := readGraph(filepath.Join(dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &backend.Error{Code: backend.ENOTFOUND, Op: op, Err: err,
			Message: fmt.Sprintf("the keyword-spotting model %s is missing: `make voice-models` fetches it", file)}
	}
	if err != nil {
		return nil, modelError(op, dir, file, err)
	}
	return g, nil
}

func modelError(op, dir, file string, err error) error {
	path := filepath.Join(dir, file)
	return &backend.Error{Code: backend.EINVALID, Op: op, Err: fmt.Errorf("%s: %w", path, err),
		Message: fmt.Sprintf("the keyword-spotting model %s cannot be used (corrupt, or not the model this version runs): `make voice-models` fetches it again", file)}
}

// WindowFrames is the number of mel frames one embedding reads (76: 0.775 s).
func (e *Embedder) WindowFrames() int { return e.net.frames }

func (e *Embedder) workspace() *gemm.Workspace {
	if ws, ok := e.pool.Get().(*gemm.Workspace); ok {
		return ws
	}
	return &gemm.Workspace{}
}

// Mel returns the mel frames of 16 kHz pcm, one every 10 ms from 32 ms of
// samples (so none for fewer than 512), scaled as openWakeWord feeds them
// to the embedding model. The decibel floor is set by the loudest frame of
// the whole clip.
func (e *Embedder) Mel(pcm []int16) [][32]float32 {
	ws := e.workspace()
	defer e.pool.Put(ws)
	return e.mel.compute(e.kern, pcm, ws)
}

// Embed returns one embedding per window of WindowFrames frames of mel,
// the windows 8 frames (80 ms) apart from the first frame on; none when
// mel is shorter than a window.
func (e *Embedder) Embed(mel [][32]float32) [][96]float32 {
	ws := e.workspace()
	defer e.pool.Put(ws)
	return e.embed(mel, ws)
}

// Features returns the embeddings of pcm: Embed(Mel(pcm)).
func (e *Embedder) Features(pcm []int16) [][96]float32 {
	ws := e.workspace()
	defer e.pool.Put(ws)
	return e.embed(e.mel.compute(e.kern, pcm, ws), ws)
}

func (e *Embedder) embed(mel [][melBands]float32, ws *gemm.Workspace) [][EmbeddingSize]float32 {
	if len(mel) < e.net.frames {
		return nil
	}
	in := ws.Buf(inBuf, len(mel)*melBands+gemm.NR)
	for i := range mel {
		copy(in[i*melBands:(i+1)*melBands], mel[i][:])
	}
	flat := e.net.embed(e.kern, in, len(mel), ws)
	out := make([][EmbeddingSize]float32, len(flat)/EmbeddingSize)
	for i := range out {
		copy(out[i][:], flat[i*EmbeddingSize:])
	}
	return out
}
