package modelstore

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pixplot/pixplot/tfjsonnx"
)

// nsfwjs ships each model as UMD ".min.js" modules: model.min.js exports the
// model.json object as a minified JavaScript object literal, and each
// group1-shardNofM.min.js exports one shard as a base64 string. They are read
// here without JavaScript: the exported literal is transcoded to JSON.

// exportedLiteral returns the JSON form of the value assigned by the module's
// `<x>.exports=` statement.
func exportedLiteral(name string, src []byte) ([]byte, error) {
	p, err := exported(name, src)
	if err != nil {
		return nil, err
	}
	if err := p.value(); err != nil {
		return nil, err
	}
	if !json.Valid(p.out) {
		return nil, fmt.Errorf("%s: literal at offset %d did not transcode to valid JSON", name, p.pos)
	}
	return p.out, nil
}

// exported returns a parser placed at the value of the module's
// `<x>.exports=` statement.
func exported(name string, src []byte) (*jsParser, error) {
	s := string(src)
	at := -1
	for i := strings.Index(s, "exports="); i >= 0; {
		if i > 0 && s[i-1] == '.' && i+8 < len(s) && (s[i+8] == '{' || s[i+8] == '"' || s[i+8] == '[') {
			at = i + 8
			break
		}
		next := strings.Index(s[i+1:], "exports=")
		if next < 0 {
			break
		}
		i += 1 + next
	}
	if at < 0 {
		return nil, fmt.Errorf("%s: no \".exports=\" followed by a literal", name)
	}
	return &jsParser{name: name, src: s, pos: at}, nil
}

// jsParser transcodes a JavaScript literal (objects with bare or quoted keys,
// arrays, strings, numbers such as .5 or -.7, !0/!1, true/false/null) to JSON.
type jsParser struct {
	name string
	src  string
	pos  int
	out  []byte
}

func (p *jsParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: offset %d: %s", p.name, p.pos, fmt.Sprintf(format, args...))
}

func (p *jsParser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *jsParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *jsParser) value() error {
	switch c := p.peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"' || c == '\'':
		s, err := p.str()
		if err != nil {
			return err
		}
		b, _ := json.Marshal(s)
		p.out = append(p.out, b...)
		return nil
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for _, lit := range [][2]string{{"!0", "true"}, {"!1", "false"}, {"true", "true"}, {"false", "false"}, {"null", "null"}} {
		if strings.HasPrefix(p.src[p.pos:], lit[0]) {
			p.pos += len(lit[0])
			p.out = append(p.out, lit[1]...)
			return nil
		}
	}
	return p.errorf("unexpected %q", p.src[p.pos:min(p.pos+20, len(p.src))])
}

func (p *jsParser) object() error {
	p.pos++ // {
	p.out = append(p.out, '{')
	for first := true; ; first = false {
		if p.peek() == '}' {
			p.pos++
			p.out = append(p.out, '}')
			return nil
		}
		if !first {
			if p.peek() != ',' {
				return p.errorf("want ',' or '}' in object")
			}
			p.pos++
			p.out = append(p.out, ',')
		}
		key, err := p.key()
		if err != nil {
			return err
		}
		b, _ := json.Marshal(key)
		p.out = append(p.out, b...)
		if p.peek() != ':' {
			return p.errorf("want ':' after key %q", key)
		}
		p.pos++
		p.out = append(p.out, ':')
		if err := p.value(); err != nil {
			return err
		}
	}
}

func (p *jsParser) key() (string, error) {
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		return p.str()
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		return p.src[start:p.pos], nil
	}
	start := p.pos
	for p.pos < len(p.src) && isIdentByte(p.src[p.pos], p.pos > start) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errorf("want an object key")
	}
	return p.src[start:p.pos], nil
}

func isIdentByte(c byte, notFirst bool) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (notFirst && c >= '0' && c <= '9')
}

func (p *jsParser) array() error {
	p.pos++ // [
	p.out = append(p.out, '[')
	for first := true; ; first = false {
		if p.peek() == ']' {
			p.pos++
			p.out = append(p.out, ']')
			return nil
		}
		if !first {
			if p.peek() != ',' {
				return p.errorf("want ',' or ']' in array")
			}
			p.pos++
			p.out = append(p.out, ',')
		}
		if err := p.value(); err != nil {
			return err
		}
	}
}

// number copies a numeric literal, adding the digits JSON requires around a
// bare decimal point (".5" -> "0.5", "5." -> "5.0").
func (p *jsParser) number() error {
	start := p.pos
	if c := p.src[p.pos]; c == '-' || c == '+' {
		if c == '-' {
			p.out = append(p.out, '-')
		}
		p.pos++
	}
	digits := func() string {
		s := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		return p.src[s:p.pos]
	}
	whole := digits()
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 1 && whole[0] == '0' {
		return p.errorf("octal or leading-zero number %q not supported", p.src[start:p.pos])
	}
	p.out = append(p.out, whole...)
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		frac := digits()
		if frac == "" {
			frac = "0"
		}
		p.out = append(p.out, '.')
		p.out = append(p.out, frac...)
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		p.out = append(p.out, 'e')
		if c := p.src[p.pos]; c == '-' || c == '+' {
			p.out = append(p.out, c)
			p.pos++
		}
		exp := digits()
		if exp == "" {
			return p.errorf("number %q has an empty exponent", p.src[start:p.pos])
		}
		p.out = append(p.out, exp...)
	}
	if p.pos < len(p.src) && isIdentByte(p.src[p.pos], true) {
		return p.errorf("number %q followed by %q", p.src[start:p.pos], p.src[p.pos])
	}
	return nil
}

// str reads a single- or double-quoted JavaScript string.
func (p *jsParser) str() (string, error) {
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\n':
			return "", p.errorf("newline in string")
		case c != '\\':
			// Copy a run of plain bytes at once: shard strings are megabytes.
			end := p.pos + 1
			for end < len(p.src) && p.src[end] != quote && p.src[end] != '\\' && p.src[end] != '\n' {
				end++
			}
			b.WriteString(p.src[p.pos:end])
			p.pos = end
			continue
		}
		if p.pos+1 >= len(p.src) {
			break
		}
		esc := p.src[p.pos+1]
		p.pos += 2
		switch esc {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0':
			b.WriteByte(0)
		case 'x', 'u':
			n := 2
			if esc == 'u' {
				n = 4
			}
			if p.pos+n > len(p.src) {
				return "", p.errorf("short \\%c escape", esc)
			}
			v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
			if err != nil {
				return "", p.errorf("bad \\%c escape %q", esc, p.src[p.pos:p.pos+n])
			}
			p.pos += n
			b.WriteRune(rune(v)) // lone surrogates become U+FFFD; not seen in model files
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos-1:])
			p.pos += size - 1
			b.WriteRune(r) // \" \' \\ \/ and any other escaped character
		}
	}
	return "", p.errorf("unterminated string")
}

// parseModelJS reads the topology and weights manifest from model.min.js.
func parseModelJS(name string, src []byte) (json.RawMessage, []tfjsonnx.WeightGroup, error) {
	lit, err := exportedLiteral(name, src)
	if err != nil {
		return nil, nil, err
	}
	var m struct {
		ModelTopology   json.RawMessage        `json:"modelTopology"`
		WeightsManifest []tfjsonnx.WeightGroup `json:"weightsManifest"`
	}
	if err := json.Unmarshal(lit, &m); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(m.ModelTopology) == 0 || len(m.WeightsManifest) == 0 {
		return nil, nil, fmt.Errorf("%s: exported object lacks modelTopology or weightsManifest", name)
	}
	return m.ModelTopology, m.WeightsManifest, nil
}

// parseShardJS decodes the base64 shard string exported by a shard .min.js.
func parseShardJS(name string, src []byte) ([]byte, error) {
	p, err := exported(name, src)
	if err != nil {
		return nil, err
	}
	if c := p.peek(); c != '"' && c != '\'' {
		return nil, fmt.Errorf("%s: exported value is not a string", name)
	}
	s, err := p.str()
	if err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: shard is not base64: %w", name, err)
	}
	return data, nil
}
