package kws

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// A test-only ONNX writer, field numbers as in onnx.proto, so that the
// reader and the compiler can be tried on graphs made here.

func pbBytes(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func pbVarint(b []byte, num protowire.Number, v int64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), uint64(v))
}

func pbPackedInts(b []byte, num protowire.Number, vs []int64) []byte {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, uint64(v))
	}
	return pbBytes(b, num, p)
}

// pbFloatTensor encodes a float tensor, its data as raw_data or float_data.
func pbFloatTensor(name string, dims []int64, data []float32, raw bool) []byte {
	var b []byte
	for _, d := range dims { // dims unpacked
		b = pbVarint(b, tensorDims, d)
	}
	b = pbVarint(b, tensorDataType, dataTypeFloat)
	if raw {
		r := make([]byte, 0, 4*len(data))
		for _, v := range data {
			r = binary.LittleEndian.AppendUint32(r, math.Float32bits(v))
		}
		b = pbBytes(b, tensorRawData, r)
	} else {
		var p []byte
		for _, v := range data {
			p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
		}
		b = pbBytes(b, tensorFloatData, p)
	}
	return pbBytes(b, tensorName, []byte(name))
}

// pbInt64Tensor encodes an int64 tensor, dims packed, data as int64_data.
func pbInt64Tensor(name string, dims []int64, data []int64) []byte {
	b := pbPackedInts(nil, tensorDims, dims)
	b = pbVarint(b, tensorDataType, dataTypeInt64)
	b = pbPackedInts(b, tensorInt64Data, data)
	return pbBytes(b, tensorName, []byte(name))
}

func pbAttrInts(name string, vs ...int64) []byte {
	b := pbBytes(nil, attrName, []byte(name))
	b = pbPackedInts(b, attrInts, vs)
	return pbVarint(b, attrType, attrTypeInts)
}

func pbAttrFloat(name string, f float32) []byte {
	b := pbBytes(nil, attrName, []byte(name))
	b = protowire.AppendFixed32(protowire.AppendTag(b, attrF, protowire.Fixed32Type), math.Float32bits(f))
	return pbVarint(b, attrType, attrTypeFloat)
}

func pbNode(op string, ins, outs []string, attrs ...[]byte) []byte {
	var b []byte
	for _, in := range ins {
		b = pbBytes(b, nodeInput, []byte(in))
	}
	for _, out := range outs {
		b = pbBytes(b, nodeOutput, []byte(out))
	}
	b = pbBytes(b, nodeName, []byte(op+"_"+outs[0]))
	b = pbBytes(b, nodeOpType, []byte(op))
	for _, a := range attrs {
		b = pbBytes(b, nodeAttribute, a)
	}
	return b
}

func pbModel(nodes, inits [][]byte, input, output string) []byte {
	var g []byte
	for _, n := range nodes {
		g = pbBytes(g, graphNode, n)
	}
	for _, t := range inits {
		g = pbBytes(g, graphInitializer, t)
	}
	g = pbBytes(g, graphInputs, pbBytes(nil, valueInfoName, []byte(input)))
	g = pbBytes(g, graphOutputs, pbBytes(nil, valueInfoName, []byte(output)))
	g = pbBytes(g, 99, []byte("a field this reader does not know"))
	m := pbVarint(nil, 1, 7) // ir_version
	m = pbBytes(m, modelGraph, g)
	return pbBytes(m, 8, pbVarint(nil, 2, 13)) // opset_import {version: 13}
}

func TestParseModel(t *testing.T) {
	w := []float32{1, -2, 3.5, 4, 5, 6}
	model := pbModel(
		[][]byte{
			pbNode("Reshape", []string{"x", "shape"}, []string{"r"}),
			pbNode("Conv", []string{"r", "w"}, []string{"y"}, pbAttrInts("pads", 0, 1, 0, 1), pbAttrFloat("alpha", 0.2)),
		},
		[][]byte{
			pbInt64Tensor("shape", []int64{4}, []int64{-1, 1, 2, 3}),
			pbFloatTensor("w", []int64{1, 1, 2, 3}, w, true),
			pbFloatTensor("s", nil, []float32{-0.4}, false),
		},
		"x", "y")

	t.Run("OK", func(t *testing.T) {
		g, err := parseModel(model)
		if err != nil {
			t.Fatalf("parseModel = %v", err)
		}
		if len(g.nodes) != 2 || g.nodes[1].opType != "Conv" || !slices.Equal(g.nodes[1].inputs, []string{"r", "w"}) || !slices.Equal(g.nodes[1].outputs, []string{"y"}) {
			t.Fatalf("nodes = %+v", g.nodes)
		}
		if a := g.nodes[1].attrs["pads"]; !slices.Equal(a.ints, []int64{0, 1, 0, 1}) || a.typ != attrTypeInts {
			t.Errorf("pads = %+v, want ints [0 1 0 1]", a)
		}
		if a := g.nodes[1].attrs["alpha"]; a.f != 0.2 || a.typ != attrTypeFloat {
			t.Errorf("alpha = %+v, want 0.2", a)
		}
		if s := g.inits["shape"]; s == nil || !slices.Equal(s.ints, []int64{-1, 1, 2, 3}) || !slices.Equal(s.dims, []int{4}) {
			t.Errorf("shape = %+v", s)
		}
		if wt := g.inits["w"]; wt == nil || !slices.Equal(wt.floats, w) || !slices.Equal(wt.dims, []int{1, 1, 2, 3}) {
			t.Errorf("w = %+v", wt)
		}
		if v, ok := g.inits["s"].scalar(); !ok || v != -0.4 {
			t.Errorf("s = %v, %v, want -0.4", v, ok)
		}
		if !slices.Equal(g.inputs, []string{"x"}) || !slices.Equal(g.outputs, []string{"y"}) {
			t.Errorf("inputs, outputs = %v, %v", g.inputs, g.outputs)
		}
	})

	t.Run("ErrTruncated", func(t *testing.T) {
		// The graph is the one field that matters: every cut before the
		// opset_import after it leaves a length running past the end, or
		// no graph at all.
		end := len(model) - len(pbBytes(nil, 8, pbVarint(nil, 2, 13)))
		for n := 0; n < end; n++ {
			if _, err := parseModel(model[:n]); !errors.Is(err, errCorrupt) {
				t.Fatalf("parseModel(first %d of %d bytes) = %v, want errCorrupt", n, len(model), err)
			}
		}
	})

	t.Run("ErrTensor", func(t *testing.T) {
		for name, tensor := range map[string][]byte{
			"short raw data":   pbFloatTensor("w", []int64{2, 3}, w[:5], true),
			"short float data": pbFloatTensor("w", []int64{7}, w, false),
			"short int64 data": pbInt64Tensor("w", []int64{5}, []int64{1, 2}),
			"negative dim":     pbFloatTensor("w", []int64{-6}, w, true),
			"external data":    pbVarint(pbFloatTensor("w", []int64{6}, w, true), tensorDataLocation, 1),
			"bad wire type":    protowire.AppendFixed64(protowire.AppendTag(pbFloatTensor("w", []int64{6}, w, true), tensorDataType, protowire.Fixed64Type), 1),
		} {
			m := pbModel(nil, [][]byte{tensor}, "x", "y")
			if _, err := parseModel(m); err == nil {
				t.Errorf("parseModel(%s) = nil error", name)
			}
		}
	})
}

func TestReadGraph_NamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.onnx")
	if err := os.WriteFile(path, []byte{0x3a, 0x40, 0x01}, 0o600); err != nil { // a graph of 64 bytes, 1 there
		t.Fatal(err)
	}
	_, err := readGraph(path)
	if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("readGraph(truncated) = %v, want errCorrupt naming %s", err, path)
	}
}
