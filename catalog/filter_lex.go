package catalog

import (
	"strings"
)

// tokenKind classifies the tokens of a filter the way SQLite's tokenizer does,
// so that the filter can be checked and rewritten before SQLite sees it.
type tokenKind int

const (
	tkIdent       tokenKind = iota // bare identifier or keyword
	tkQuotedIdent                  // "x", [x] or `x`
	tkString                       // 'text'
	tkBlob                         // x'00ff'
	tkNumber                       // 12, 1.5e3, .5, 0x1f, 1_000
	tkParam                        // ?, ?1, :a, @a, $a
	tkOperator                     // + - * / % = == < <= <> != > >= << >> & | || ~ -> ->> , .
	tkLParen
	tkRParen
	tkSemicolon
	tkComment  // -- … or /* … */
	tkIllegal  // anything SQLite would not accept
	tkCompiled // SQL that replaced filter tokens (has_tag)
)

// token is one lexeme of a filter and where it starts (a byte offset).
type token struct {
	kind   tokenKind
	text   string
	offset int
}

// upper is the token's text in upper case (keywords compare this way).
func (t token) upper() string { return strings.ToUpper(t.text) }

// lexFilter splits a filter into tokens, dropping white space. It never fails:
// anything SQLite would not accept becomes a tkIllegal token for the caller to
// report.
func lexFilter(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		kind, n := lexOne(s[i:])
		toks = append(toks, token{kind: kind, text: s[i : i+n], offset: i})
		i += n
	}
	return toks
}

// SQLite's white space: space, tab, newline, form feed, carriage return.
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

func isDigit(b byte) bool    { return '0' <= b && b <= '9' }
func isHexDigit(b byte) bool { return isDigit(b) || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' }

// Identifier characters, as SQLite sees them: every byte of a multi-byte UTF-8
// character counts as a letter.
func isIdentStart(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b == '_' || b >= 0x80
}
func isIdentChar(b byte) bool { return isIdentStart(b) || isDigit(b) || b == '$' }

// lexOne returns the kind and byte length of the token at the start of s.
func lexOne(s string) (tokenKind, int) {
	c := s[0]
	at := func(i int) byte { // s[i], or 0 past the end
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	switch {
	case c == '-' && at(1) == '-':
		if end := strings.IndexByte(s, '\n'); end >= 0 {
			return tkComment, end
		}
		return tkComment, len(s)
	case c == '/' && at(1) == '*':
		if end := strings.Index(s[2:], "*/"); end >= 0 {
			return tkComment, end + 4
		}
		return tkComment, len(s)
	case c == '-' && at(1) == '>' && at(2) == '>':
		return tkOperator, 3
	case c == '-' && at(1) == '>':
		return tkOperator, 2
	case c == '(':
		return tkLParen, 1
	case c == ')':
		return tkRParen, 1
	case c == ';':
		return tkSemicolon, 1
	case c == '=' && at(1) == '=', c == '<' && strings.ContainsRune("=>", rune(at(1))),
		c == '>' && strings.ContainsRune("=>", rune(at(1))), c == '<' && at(1) == '<',
		c == '!' && at(1) == '=', c == '|' && at(1) == '|':
		return tkOperator, 2
	case strings.IndexByte("+-*/%=<>&|~,", c) >= 0:
		return tkOperator, 1
	case c == '.' && !isDigit(at(1)):
		return tkOperator, 1
	case c == '\'':
		return quoted(s, '\'', tkString)
	case c == '"':
		return quoted(s, '"', tkQuotedIdent)
	case c == '`':
		return quoted(s, '`', tkQuotedIdent)
	case c == '[':
		if end := strings.IndexByte(s, ']'); end >= 0 {
			return tkQuotedIdent, end + 1
		}
		return tkIllegal, len(s)
	case (c == 'x' || c == 'X') && at(1) == '\'':
		return lexBlob(s)
	case isDigit(c) || c == '.':
		return lexNumber(s)
	case c == '?':
		n := 1
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		return tkParam, n
	case c == ':' || c == '@' || c == '$' || c == '#':
		n := 1
		for n < len(s) && isIdentChar(s[n]) {
			n++
		}
		if n == 1 {
			return tkIllegal, 1
		}
		return tkParam, n
	case isIdentStart(c):
		n := 1
		for n < len(s) && isIdentChar(s[n]) {
			n++
		}
		return tkIdent, n
	}
	return tkIllegal, 1
}

// quoted lexes a token delimited by q in which qq stands for q.
func quoted(s string, q byte, kind tokenKind) (tokenKind, int) {
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			i++
			continue
		}
		return kind, i + 1
	}
	return tkIllegal, len(s) // unterminated
}

// lexBlob lexes x'…': an even number of hex digits.
func lexBlob(s string) (tokenKind, int) {
	i := 2
	for i < len(s) && isHexDigit(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '\'' || (i-2)%2 != 0 {
		for i < len(s) && s[i] != '\'' {
			i++
		}
		return tkIllegal, min(i+1, len(s))
	}
	return tkBlob, i + 1
}

// lexNumber lexes integers, decimals with exponents, hex integers and
// SQLite's digit separators (1_000). A number running into letters is illegal,
// as it is for SQLite.
func lexNumber(s string) (tokenKind, int) {
	i := 0
	digits := func(hex bool) {
		for i < len(s) && (isDigit(s[i]) || hex && isHexDigit(s[i]) || s[i] == '_' && i > 0 && i+1 < len(s) && (isHexDigit(s[i+1]) && hex || isDigit(s[i+1]))) {
			i++
		}
	}
	if s[0] == '0' && len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && isHexDigit(s[2]) {
		i = 2
		digits(true)
	} else {
		digits(false)
		if i < len(s) && s[i] == '.' {
			i++
			digits(false)
		}
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				i = j
				digits(false)
			}
		}
	}
	if i < len(s) && isIdentChar(s[i]) {
		for i < len(s) && isIdentChar(s[i]) {
			i++
		}
		return tkIllegal, i
	}
	return tkNumber, i
}
