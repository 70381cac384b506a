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

package ethics

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// words is a normalised name: lower-case ASCII-folded words separated by single spaces in
// text, with spans giving each word's [start, end) in text. Keeping the words as substrings
// of one string lets the dictionary look up word sequences without allocating.
type words struct {
	text  string
	spans [][2]int
}

// len returns the number of words.
func (w words) len() int { return len(w.spans) }

// word returns word i.
func (w words) word(i int) string { return w.text[w.spans[i][0]:w.spans[i][1]] }

// seq returns words i..i+n-1 joined by single spaces.
func (w words) seq(i, n int) string { return w.text[w.spans[i][0]:w.spans[i+n-1][1]] }

// Normalize returns the words of an attribute name or rule value as SPEC §3 defines them:
// lower case, accents stripped, split on camelCase (acronyms kept whole: IPAddress → ip
// address), on any character that is not a letter or digit (such as _ - . and spaces), and
// between letters and digits (over55 → over 55). It is exported for `kubectl ethos explain`
// and tests.
func Normalize(s string) []string {
	w := normalize(s)
	out := make([]string, w.len())
	for i := range out {
		out[i] = w.word(i)
	}
	return out
}

// runeKind classifies a rune for word splitting.
type runeKind uint8

const (
	kindSep runeKind = iota
	kindLower
	kindUpper
	kindDigit
)

func kindOf(r rune) runeKind {
	if r < utf8.RuneSelf {
		// ASCII fast path: names are nearly always ASCII.
		switch {
		case 'a' <= r && r <= 'z':
			return kindLower
		case 'A' <= r && r <= 'Z':
			return kindUpper
		case '0' <= r && r <= '9':
			return kindDigit
		}
		return kindSep
	}
	switch {
	case unicode.IsUpper(r):
		return kindUpper
	case unicode.IsLetter(r):
		return kindLower
	case unicode.IsDigit(r):
		return kindDigit
	}
	return kindSep
}

func normalize(s string) words {
	s = foldAccents(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	spans := make([][2]int, 0, 4)
	start := -1 // start in b of the current word, -1 when between words
	endWord := func() {
		if start >= 0 {
			spans = append(spans, [2]int{start, b.Len()})
			start = -1
		}
	}
	prev := kindSep
	for i, r := range s {
		k := kindOf(r)
		if k == kindSep {
			endWord()
			prev = k
			continue
		}
		split := false
		switch {
		case prev == kindSep:
			split = true
		case (prev == kindDigit) != (k == kindDigit):
			split = true
		case prev == kindLower && k == kindUpper:
			split = true
		case prev == kindUpper && k == kindUpper:
			// The last capital of an acronym starts the next word when a lower-case
			// letter follows it: "IPAddress" → "IP" "Address".
			if next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):]); kindOf(next) == kindLower {
				split = true
			}
		}
		if split {
			endWord()
			if len(spans) > 0 {
				b.WriteByte(' ')
			}
			start = b.Len()
		}
		if k == kindUpper && r < utf8.RuneSelf {
			b.WriteByte(byte(r) + 'a' - 'A')
		} else if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		prev = k
	}
	endWord()
	return words{text: b.String(), spans: spans}
}

// ligatures are letters that NFD does not decompose but that people write as two.
var ligatures = strings.NewReplacer("ß", "ss", "ẞ", "SS", "æ", "ae", "Æ", "AE", "œ", "oe", "Œ", "OE",
	"ø", "o", "Ø", "O", "ł", "l", "Ł", "L", "đ", "d", "Đ", "D")

// foldAccents strips diacritics (é → e, ö → o, ç → c) and expands ligatures (ß → ss).
func foldAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	s = ligatures.Replace(s)
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
