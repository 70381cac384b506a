/*
Copyright 2026 The Ethos Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package placeholder

import (
	"strings"
	"unicode/utf8"
)

// The escapers below work byte by byte on UTF-8 text and never allocate: EscapedLen lets
// the engine size its buffer once, and Write writes into it. Bytes that need no escaping
// (and every byte of a multi-byte character, for HTML) are copied as they are.

const hexDigits = "0123456789ABCDEF"

// htmlEscape is the replacement of the bytes HTML escapes ("" for a byte kept as is). CR
// and LF are escaped too, so the default never puts a line break (a header or log line
// splitter) into content; in HTML text a character reference renders like the byte.
var htmlEscape = func() (t [256]string) {
	t['&'], t['<'], t['>'], t['"'], t['\''] = "&amp;", "&lt;", "&gt;", "&#34;", "&#39;"
	t['\r'], t['\n'], t[0] = "&#13;", "&#10;", "\uFFFD"
	return t
}()

// urlKeep marks the unreserved bytes of RFC 3986, the only ones URL keeps.
var urlKeep = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'], t['~'] = true, true, true, true
	return t
}()

// jsEscape marks the ASCII bytes JS writes as \uXXXX; backslash is written \\.
var jsEscape = func() (t [utf8.RuneSelf]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for _, c := range "\"'<>&`\x7f" {
		t[c] = true
	}
	return t
}()

// EscapedLen is the length of v once escaped with enc.
func EscapedLen(v string, enc Encoding) int {
	n := 0
	switch enc {
	case URL:
		for i := 0; i < len(v); i++ {
			if urlKeep[v[i]] {
				n++
			} else {
				n += 3
			}
		}
	case JS:
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case c == '\\':
				n += 2
			case c < utf8.RuneSelf && jsEscape[c]:
				n += 6
			case c == 0xE2 && isLineSeparator(v, i):
				n += 6
				i += 2
			default:
				n++
			}
		}
	default:
		for i := 0; i < len(v); i++ {
			if r := htmlEscape[v[i]]; r != "" {
				n += len(r)
			} else {
				n++
			}
		}
	}
	return n
}

// Write writes v escaped with enc to b (Unknown escapes as HTML). It writes runs of bytes
// that need no escaping in one piece, so after b.Grow(EscapedLen(...)) it never allocates.
func Write(b *strings.Builder, v string, enc Encoding) {
	start := 0 // first byte not written yet
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch enc {
		case URL:
			if urlKeep[c] {
				continue
			}
			b.WriteString(v[start:i])
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		case JS:
			switch {
			case c == '\\':
				b.WriteString(v[start:i])
				b.WriteString(`\\`)
			case c < utf8.RuneSelf && jsEscape[c]:
				b.WriteString(v[start:i])
				writeUnicodeEscape(b, rune(c))
			case c == 0xE2 && isLineSeparator(v, i):
				b.WriteString(v[start:i])
				writeUnicodeEscape(b, rune(0x2028+int(v[i+2]-0xA8)))
				i += 2
			default:
				continue
			}
		default:
			r := htmlEscape[c]
			if r == "" {
				continue
			}
			b.WriteString(v[start:i])
			b.WriteString(r)
		}
		start = i + 1
	}
	b.WriteString(v[start:])
}

// isLineSeparator reports whether v[i:] starts with U+2028 or U+2029 (E2 80 A8/A9), which
// end a line in JavaScript source but not in JSON.
func isLineSeparator(v string, i int) bool {
	return i+2 < len(v) && v[i+1] == 0x80 && (v[i+2] == 0xA8 || v[i+2] == 0xA9)
}

func writeUnicodeEscape(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[r>>shift&15])
	}
}
