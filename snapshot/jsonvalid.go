package snapshot

// validJSON reports whether b is exactly one JSON value, optionally
// surrounded by whitespace: the same answer as encoding/json.Valid (which
// checks no UTF-8 either, and refuses nesting deeper than 10,000), at a
// fraction of its cost. An audit that does not replay checks every stored
// input this way, and json.Valid was half of that audit's time.
func validJSON(b []byte) bool {
	c := jsonChecker{b: b}
	c.space()
	if !c.value(0) {
		return false
	}
	c.space()
	return c.i == len(c.b)
}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

type jsonChecker struct {
	b []byte
	i int
}

func (c *jsonChecker) space() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\r', '\n':
			c.i++
		default:
			return
		}
	}
}

// value checks one value starting at c.i; depth is the number of arrays
// and objects around it.
func (c *jsonChecker) value(depth int) bool {
	if c.i >= len(c.b) {
		return false
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		return c.str()
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return false
}

func (c *jsonChecker) literal(lit string) bool {
	if len(c.b)-c.i < len(lit) || string(c.b[c.i:c.i+len(lit)]) != lit {
		return false
	}
	c.i += len(lit)
	return true
}

func (c *jsonChecker) object(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	c.i++ // '{'
	c.space()
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return true
	}
	for {
		if c.i >= len(c.b) || c.b[c.i] != '"' || !c.str() {
			return false
		}
		c.space()
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return false
		}
		c.i++
		c.space()
		if !c.value(depth) {
			return false
		}
		c.space()
		if c.i >= len(c.b) {
			return false
		}
		switch c.b[c.i] {
		case ',':
			c.i++
			c.space()
		case '}':
			c.i++
			return true
		default:
			return false
		}
	}
}

func (c *jsonChecker) array(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	c.i++ // '['
	c.space()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return true
	}
	for {
		if !c.value(depth) {
			return false
		}
		c.space()
		if c.i >= len(c.b) {
			return false
		}
		switch c.b[c.i] {
		case ',':
			c.i++
			c.space()
		case ']':
			c.i++
			return true
		default:
			return false
		}
	}
}

// str checks a string starting at its opening quote.
func (c *jsonChecker) str() bool {
	c.i++ // '"'
	for c.i < len(c.b) {
		ch := c.b[c.i]
		c.i++
		switch {
		case ch == '"':
			return true
		case ch < 0x20:
			return false
		case ch == '\\':
			if c.i >= len(c.b) {
				return false
			}
			e := c.b[c.i]
			c.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(c.b)-c.i < 4 {
					return false
				}
				for _, h := range c.b[c.i : c.i+4] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false
					}
				}
				c.i += 4
			default:
				return false
			}
		}
	}
	return false
}

func (c *jsonChecker) digits() int {
	start := c.i
	for c.i < len(c.b) && c.b[c.i] >= '0' && c.b[c.i] <= '9' {
		c.i++
	}
	return c.i - start
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *jsonChecker) number() bool {
	if c.b[c.i] == '-' {
		c.i++
	}
	if c.i >= len(c.b) {
		return false
	}
	if c.b[c.i] == '0' {
		c.i++
	} else if c.digits() == 0 {
		return false
	}
	if c.i < len(c.b) && c.b[c.i] == '.' {
		c.i++
		if c.digits() == 0 {
			return false
		}
	}
	if c.i < len(c.b) && (c.b[c.i] == 'e' || c.b[c.i] == 'E') {
		c.i++
		if c.i < len(c.b) && (c.b[c.i] == '+' || c.b[c.i] == '-') {
			c.i++
		}
		if c.digits() == 0 {
			return false
		}
	}
	return true
}
