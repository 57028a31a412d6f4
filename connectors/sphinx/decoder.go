//go:build sphinx

package sphinx

/*
#cgo linux CFLAGS: -I/usr/include/pocketsphinx -I/usr/include/sphinxbase -I/usr/include/x86_64-linux-gnu/sphinxbase -I/usr/include/aarch64-linux-gnu/sphinxbase
#cgo linux LDFLAGS: -l:libpocketsphinx.a -l:libsphinxbase.a -lm
#cgo darwin pkg-config: pocketsphinx sphinxbase
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

static ps_decoder_t *cos_init(int argc, char **argv) {
	err_set_logfp(NULL);
	cmd_ln_t *cfg = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
	if (cfg == NULL) return NULL;
	ps_decoder_t *ps = ps_init(cfg);
	cmd_ln_free_r(cfg);
	return ps;
}

// cos_decode decodes one whole utterance with the named search.
static int cos_decode(ps_decoder_t *ps, const char *search, const int16 *pcm, size_t n) {
	int rc;
	if ((rc = ps_set_search(ps, search)) < 0) return rc;
	if ((rc = ps_start_utt(ps)) < 0) return rc;
	if ((rc = ps_process_raw(ps, pcm, n, FALSE, TRUE)) < 0) { ps_end_utt(ps); return rc; }
	return ps_end_utt(ps);
}
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// decoder is one pocketsphinx decoder with a search for the command
// grammar, one for a phone loop, and one for each of the second passes'
// grammars (decoys, inflections), by name. It is not safe for concurrent
// use.
type decoder struct {
	ps *C.ps_decoder_t
}

func newDecoder(args []string, jsgf, phoneLM string, grammars map[string]string) (*decoder, error) {
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}
	ps := C.cos_init(C.int(len(args)), &argv[0])
	if ps == nil {
		return nil, fmt.Errorf("pocketsphinx refused its configuration (%s)", strings.Join(args, " "))
	}
	d := &decoder{ps: ps}
	cname, cjsgf := C.CString(searchCommands), C.CString(jsgf)
	defer C.free(unsafe.Pointer(cname))
	defer C.free(unsafe.Pointer(cjsgf))
	if C.ps_set_jsgf_string(ps, cname, cjsgf) < 0 {
		d.close()
		return nil, fmt.Errorf("pocketsphinx refused the command grammar")
	}
	cphones := C.CString(searchPhones)
	defer C.free(unsafe.Pointer(cphones))
	var clm *C.char
	if phoneLM != "" {
		clm = C.CString(phoneLM)
		defer C.free(unsafe.Pointer(clm))
	}
	if C.ps_set_allphone_file(ps, cphones, clm) < 0 {
		d.close()
		return nil, fmt.Errorf("pocketsphinx refused the phone loop (%s)", phoneLM)
	}
	for name, g := range grammars {
		cn, cg := C.CString(name), C.CString(g)
		rc := C.ps_set_jsgf_string(ps, cn, cg)
		C.free(unsafe.Pointer(cn))
		C.free(unsafe.Pointer(cg))
		if rc < 0 {
			d.close()
			return nil, fmt.Errorf("pocketsphinx refused the grammar %q", name)
		}
	}
	return d, nil
}

const (
	searchCommands = "commands"
	searchPhones   = "phones"
)

// segment is one word (or phone, or filler) of a hypothesis.
type segment struct {
	word   string
	sf, ef int   // first and last frame
	ascr   int32 // acoustic score
}

// isFiller reports whether a segment is silence or a filler ("<sil>",
// "[NOISE]", "+BREATH+", "SIL").
func (s segment) isFiller() bool {
	return s.word == "" || s.word[0] == '<' || s.word[0] == '[' || s.word[0] == '+' || s.word == "SIL"
}

// pass is what one search made of an utterance.
type pass struct {
	hyp    string
	segs   []segment
	frames int
}

func (d *decoder) decode(search string, pcm []int16) (pass, error) {
	if len(pcm) == 0 {
		return pass{}, nil
	}
	cs := C.CString(search)
	defer C.free(unsafe.Pointer(cs))
	if rc := C.cos_decode(d.ps, cs, (*C.int16)(unsafe.Pointer(&pcm[0])), C.size_t(len(pcm))); rc < 0 {
		return pass{}, fmt.Errorf("pocketsphinx failed to decode (%s, %d)", search, int(rc))
	}
	p := pass{frames: int(C.ps_get_n_frames(d.ps))}
	var score C.int32
	if h := C.ps_get_hyp(d.ps, &score); h != nil {
		p.hyp = C.GoString(h)
	}
	for s := C.ps_seg_iter(d.ps); s != nil; s = C.ps_seg_next(s) {
		var sf, ef C.int
		var a, l, b C.int32
		C.ps_seg_frames(s, &sf, &ef)
		C.ps_seg_prob(s, &a, &l, &b)
		p.segs = append(p.segs, segment{word: C.GoString(C.ps_seg_word(s)), sf: int(sf), ef: int(ef), ascr: int32(a)})
	}
	return p, nil
}

func (d *decoder) close() {
	if d.ps != nil {
		C.ps_free(d.ps)
		d.ps = nil
	}
}
