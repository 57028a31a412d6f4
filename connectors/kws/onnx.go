package kws

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// A minimal reader of ONNX model files: just the parts of onnx.proto
// (github.com/onnx/onnx, onnx/onnx.proto) that a graph of plain tensor
// operators needs, decoded field by field with protowire instead of from
// generated code. Unknown fields are skipped, as protobuf requires, so files
// written by newer exporters still read.

// Field numbers from onnx.proto.
const (
	modelGraph = 7 // ModelProto.graph

	graphNode        = 1  // GraphProto.node
	graphInitializer = 5  // GraphProto.initializer
	graphInputs      = 11 // GraphProto.input (ValueInfoProto)
	graphOutputs     = 12 // GraphProto.output (ValueInfoProto)

	valueInfoName = 1 // ValueInfoProto.name

	nodeInput     = 1 // NodeProto.input
	nodeOutput    = 2 // NodeProto.output
	nodeName      = 3 // NodeProto.name
	nodeOpType    = 4 // NodeProto.op_type
	nodeAttribute = 5 // NodeProto.attribute
	nodeDomain    = 7 // NodeProto.domain

	attrName   = 1  // AttributeProto.name
	attrF      = 2  // AttributeProto.f
	attrI      = 3  // AttributeProto.i
	attrS      = 4  // AttributeProto.s
	attrT      = 5  // AttributeProto.t
	attrFloats = 7  // AttributeProto.floats
	attrInts   = 8  // AttributeProto.ints
	attrType   = 20 // AttributeProto.type

	tensorDims         = 1  // TensorProto.dims
	tensorDataType     = 2  // TensorProto.data_type
	tensorFloatData    = 4  // TensorProto.float_data
	tensorInt64Data    = 7  // TensorProto.int64_data
	tensorName         = 8  // TensorProto.name
	tensorRawData      = 9  // TensorProto.raw_data
	tensorExternalData = 13 // TensorProto.external_data
	tensorDataLocation = 14 // TensorProto.data_location
)

// TensorProto.DataType values this reader decodes.
const (
	dataTypeFloat = 1
	dataTypeInt64 = 7
)

// AttributeProto.AttributeType values this package checks.
const (
	attrTypeFloat = 1
	attrTypeInts  = 7
)

// graph is an ONNX GraphProto: its nodes in file order (which onnx.proto
// requires to be topological), its initializers by name, and the names of
// its inputs and outputs.
type graph struct {
	nodes   []node
	inits   map[string]*tensor
	inputs  []string
	outputs []string
}

// node is an ONNX NodeProto.
type node struct {
	name, opType, domain string
	inputs, outputs      []string
	attrs                map[string]attribute
}

// attribute is an ONNX AttributeProto with the payloads this reader keeps.
type attribute struct {
	typ    int64
	f      float32
	i      int64
	s      []byte
	t      *tensor
	floats []float32
	ints   []int64
}

// tensor is a decoded ONNX TensorProto: float32 data in floats, int64 data
// in ints, whichever its data type is.
type tensor struct {
	name     string
	dims     []int
	dataType int64
	floats   []float32
	ints     []int64
}

// size is the number of elements dims describe (1 for a scalar).
func (t *tensor) size() int {
	n := 1
	for _, d := range t.dims {
		n *= d
	}
	return n
}

// scalar returns the single float value of a one-element float tensor.
func (t *tensor) scalar() (float32, bool) {
	if t == nil || t.dataType != dataTypeFloat || len(t.floats) != 1 {
		return 0, false
	}
	return t.floats[0], true
}

// errCorrupt marks a file that is not a well-formed ONNX model.
var errCorrupt = errors.New("not a well-formed ONNX model")

// readGraph reads the ONNX model at path and returns its graph. Constant
// nodes stay in the node list; their tensors are in the attribute "value".
func readGraph(path string) (*graph, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g, err := parseModel(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// parseModel decodes a serialized ModelProto.
func parseModel(b []byte) (*graph, error) {
	var g *graph
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != modelGraph {
			return nil
		}
		if typ != protowire.BytesType {
			return wireErr("ModelProto.graph", typ)
		}
		var err error
		g, err = parseGraph(v)
		return err
	})
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, fmt.Errorf("%w: no graph", errCorrupt)
	}
	return g, nil
}

func parseGraph(b []byte) (*graph, error) {
	g := &graph{inits: map[string]*tensor{}}
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case graphNode:
			if typ != protowire.BytesType {
				return wireErr("GraphProto.node", typ)
			}
			n, err := parseNode(v)
			if err != nil {
				return fmt.Errorf("node %d: %w", len(g.nodes), err)
			}
			g.nodes = append(g.nodes, n)
		case graphInitializer:
			if typ != protowire.BytesType {
				return wireErr("GraphProto.initializer", typ)
			}
			t, err := parseTensor(v)
			if err != nil {
				return fmt.Errorf("initializer %d: %w", len(g.inits), err)
			}
			g.inits[t.name] = t
		case graphInputs, graphOutputs:
			if typ != protowire.BytesType {
				return wireErr("GraphProto.input/output", typ)
			}
			name, err := parseValueInfoName(v)
			if err != nil {
				return err
			}
			if num == graphInputs {
				g.inputs = append(g.inputs, name)
			} else {
				g.outputs = append(g.outputs, name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func parseValueInfoName(b []byte) (string, error) {
	var name string
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num == valueInfoName {
			if typ != protowire.BytesType {
				return wireErr("ValueInfoProto.name", typ)
			}
			name = string(v)
		}
		return nil
	})
	return name, err
}

func parseNode(b []byte) (node, error) {
	n := node{attrs: map[string]attribute{}}
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case nodeInput, nodeOutput, nodeName, nodeOpType, nodeDomain:
			if typ != protowire.BytesType {
				return wireErr("NodeProto string", typ)
			}
			s := string(v)
			switch num {
			case nodeInput:
				n.inputs = append(n.inputs, s)
			case nodeOutput:
				n.outputs = append(n.outputs, s)
			case nodeName:
				n.name = s
			case nodeOpType:
				n.opType = s
			case nodeDomain:
				n.domain = s
			}
		case nodeAttribute:
			if typ != protowire.BytesType {
				return wireErr("NodeProto.attribute", typ)
			}
			name, a, err := parseAttribute(v)
			if err != nil {
				return err
			}
			n.attrs[name] = a
		}
		return nil
	})
	return n, err
}

func parseAttribute(b []byte) (string, attribute, error) {
	var (
		name string
		a    attribute
	)
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case attrName:
			if typ != protowire.BytesType {
				return wireErr("AttributeProto.name", typ)
			}
			name = string(v)
		case attrF:
			if typ != protowire.Fixed32Type {
				return wireErr("AttributeProto.f", typ)
			}
			a.f = math.Float32frombits(uint32(x))
		case attrI:
			if typ != protowire.VarintType {
				return wireErr("AttributeProto.i", typ)
			}
			a.i = int64(x)
		case attrS:
			if typ != protowire.BytesType {
				return wireErr("AttributeProto.s", typ)
			}
			a.s = append([]byte(nil), v...)
		case attrT:
			if typ != protowire.BytesType {
				return wireErr("AttributeProto.t", typ)
			}
			t, err := parseTensor(v)
			if err != nil {
				return err
			}
			a.t = t
		case attrFloats:
			var err error
			a.floats, err = appendFloats(a.floats, typ, v, x)
			return err
		case attrInts:
			var err error
			a.ints, err = appendInt64s(a.ints, typ, v, x)
			return err
		case attrType:
			if typ != protowire.VarintType {
				return wireErr("AttributeProto.type", typ)
			}
			a.typ = int64(x)
		}
		return nil
	})
	if err != nil {
		return "", attribute{}, fmt.Errorf("attribute %q: %w", name, err)
	}
	return name, a, nil
}

func parseTensor(b []byte) (*tensor, error) {
	t := &tensor{}
	var (
		raw      []byte
		hasRaw   bool
		external bool
	)
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case tensorDims:
			dims, err := appendInt64s(nil, typ, v, x)
			if err != nil {
				return err
			}
			for _, d := range dims {
				if d < 0 || d > math.MaxInt32 {
					return fmt.Errorf("%w: dimension %d", errCorrupt, d)
				}
				t.dims = append(t.dims, int(d))
			}
		case tensorDataType:
			if typ != protowire.VarintType {
				return wireErr("TensorProto.data_type", typ)
			}
			t.dataType = int64(x)
		case tensorFloatData:
			var err error
			t.floats, err = appendFloats(t.floats, typ, v, x)
			return err
		case tensorInt64Data:
			var err error
			t.ints, err = appendInt64s(t.ints, typ, v, x)
			return err
		case tensorName:
			if typ != protowire.BytesType {
				return wireErr("TensorProto.name", typ)
			}
			t.name = string(v)
		case tensorRawData:
			if typ != protowire.BytesType {
				return wireErr("TensorProto.raw_data", typ)
			}
			raw, hasRaw = v, true
		case tensorExternalData:
			external = true
		case tensorDataLocation:
			if typ == protowire.VarintType && x != 0 {
				external = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.name, err)
	}
	if external {
		return nil, fmt.Errorf("tensor %q: data stored outside the model file is not supported", t.name)
	}
	n := 1
	for _, d := range t.dims {
		if d != 0 && n > math.MaxInt32/d {
			return nil, fmt.Errorf("tensor %q: %w: too many elements", t.name, errCorrupt)
		}
		n *= d
	}
	switch t.dataType {
	case dataTypeFloat:
		if hasRaw {
			if len(raw) != 4*n {
				return nil, fmt.Errorf("tensor %q: %w: %d bytes of raw data for %d floats", t.name, errCorrupt, len(raw), n)
			}
			t.floats = make([]float32, n)
			for i := range t.floats {
				t.floats[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		}
		if len(t.floats) != n {
			return nil, fmt.Errorf("tensor %q: %w: %d floats for shape %v", t.name, errCorrupt, len(t.floats), t.dims)
		}
	case dataTypeInt64:
		if hasRaw {
			if len(raw) != 8*n {
				return nil, fmt.Errorf("tensor %q: %w: %d bytes of raw data for %d int64s", t.name, errCorrupt, len(raw), n)
			}
			t.ints = make([]int64, n)
			for i := range t.ints {
				t.ints[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		}
		if len(t.ints) != n {
			return nil, fmt.Errorf("tensor %q: %w: %d int64s for shape %v", t.name, errCorrupt, len(t.ints), t.dims)
		}
	default:
		// Kept without data: an operator that reads it reports the type.
	}
	return t, nil
}

// eachField calls fn for every field of the message b, in order. For a
// length-delimited field v is its payload; for a varint, fixed32 or fixed64
// field x is its value.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %v", errCorrupt, protowire.ParseError(n))
		}
		b = b[n:]
		var (
			v []byte
			x uint64
		)
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var u uint32
			u, n = protowire.ConsumeFixed32(b)
			x = uint64(u)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %v", errCorrupt, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// appendFloats decodes a repeated float field, packed or not.
func appendFloats(dst []float32, typ protowire.Type, v []byte, x uint64) ([]float32, error) {
	switch typ {
	case protowire.Fixed32Type:
		return append(dst, math.Float32frombits(uint32(x))), nil
	case protowire.BytesType:
		if len(v)%4 != 0 {
			return nil, fmt.Errorf("%w: packed floats of %d bytes", errCorrupt, len(v))
		}
		for i := 0; i < len(v); i += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(v[i:])))
		}
		return dst, nil
	}
	return nil, wireErr("repeated float", typ)
}

// appendInt64s decodes a repeated int64 field, packed or not.
func appendInt64s(dst []int64, typ protowire.Type, v []byte, x uint64) ([]int64, error) {
	switch typ {
	case protowire.VarintType:
		return append(dst, int64(x)), nil
	case protowire.BytesType:
		for len(v) > 0 {
			u, n := protowire.ConsumeVarint(v)
			if n < 0 {
				return nil, fmt.Errorf("%w: packed int64s: %v", errCorrupt, protowire.ParseError(n))
			}
			dst = append(dst, int64(u))
			v = v[n:]
		}
		return dst, nil
	}
	return nil, wireErr("repeated int64", typ)
}

func wireErr(field string, typ protowire.Type) error {
	return fmt.Errorf("%w: %s has wire type %d", errCorrupt, field, typ)
}
