package tsgen

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	A string `json:"a"`
}

type sample struct {
	inner
	Name    string            `json:"name"`
	Opt     string            `json:"opt,omitempty"`
	Ptr     *inner            `json:"ptr"`
	OptPtr  *inner            `json:"opt_ptr,omitempty"`
	At      time.Time         `json:"at"`
	List    []int             `json:"list"`
	Map     map[string]uint64 `json:"map"`
	Any     any               `json:"any"`
	Skipped string            `json:"-"`
	NoTag   bool
	Str     int `json:"str,string"`
	private string
}

type svc struct{}

func (svc) Get(id uint64, in sample) (sample, error) { return sample{}, nil }
func (svc) Do() error                                { return errors.New("x") }
func (svc) NotBound() int                            { return 0 }

func TestGenerate(t *testing.T) {
	out, err := Generate([]Service{{Type: reflect.TypeOf(svc{}), Params: map[string][]string{"Get": {"id", "in"}}}})
	if err != nil {
		t.Fatal(err)
	}
	src := string(out)
	for _, want := range []string{
		"export interface sample {\n  a: string;\n  name: string;\n  opt?: string;\n  ptr: inner | null;\n  opt_ptr?: inner;\n  at: string;\n  list: number[];\n  map: Record<string, number>;\n  any: unknown;\n  NoTag: boolean;\n  str: string;\n}\n",
		"export interface inner {\n  a: string;\n}\n",
		"  Get(id: number, inValue: sample): Promise<sample>;\n",
		"  Do(): Promise<void>;\n",
		"export interface svc {\n",
		"  'svc.Do': svc['Do'];\n  'svc.Get': svc['Get'];\n",
		"not callable from the UI (no error result): svc.NotBound.",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("Generate() lacks\n%s\nin\n%s", want, src)
		}
	}
	if strings.Contains(src, "Skipped") || strings.Contains(src, "private") {
		t.Errorf("Generate() declares a field JSON leaves out:\n%s", src)
	}
}

type selfMarshal struct{}

func (selfMarshal) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

type custom struct{}

func (custom) Get() (struct {
	V selfMarshal `json:"v"`
}, error) {
	return struct {
		V selfMarshal `json:"v"`
	}{}, nil
}

func TestGenerate_ErrOwnMarshal(t *testing.T) {
	if _, err := Generate([]Service{{Type: reflect.TypeOf(custom{})}}); err == nil || !strings.Contains(err.Error(), "MarshalJSON") {
		t.Fatalf("Generate(a type with its own MarshalJSON) = %v, want an error saying so", err)
	}
}
