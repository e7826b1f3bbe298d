package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// marshalPy renders v the way the reference's Python json.dumps did: ", "
// and ": " separators, every non-ASCII character escaped as \uXXXX
// (surrogate pairs above U+FFFF), and no HTML escaping. Key order is the
// order of v's struct fields (or of an orderedObject); Python's own dict
// order was arbitrary, so clients never relied on one.
func marshalPy(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	compact := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return pySpacing(compact), nil
}

// pySpacing adds Python's separators to compact JSON and escapes its
// non-ASCII characters.
func pySpacing(in []byte) []byte {
	out := make([]byte, 0, len(in)+len(in)/8+8)
	inStr := false
	for i := 0; i < len(in); {
		c := in[i]
		if inStr {
			switch {
			case c == '\\':
				out = append(out, c, in[i+1])
				i += 2
				continue
			case c == '"':
				inStr = false
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRune(in[i:])
				if r >= 0x10000 {
					r -= 0x10000
					out = fmt.Appendf(out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					out = fmt.Appendf(out, `\u%04x`, r)
				}
				i += n
				continue
			}
			out = append(out, c)
			i++
			continue
		}
		switch c {
		case '"':
			inStr = true
			out = append(out, c)
		case ',', ':':
			out = append(out, c, ' ')
		default:
			out = append(out, c)
		}
		i++
	}
	return out
}

// orderedObject is a JSON object whose keys keep their order.
type orderedObject struct {
	keys []string
	vals []any
}

func (o *orderedObject) add(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
