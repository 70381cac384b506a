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

package wire

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the answer's JSON encoding to dst. It is the one encoder of answers,
// used by the server and by `kubectl ethos decide`, so both print the same bytes. Fields
// come in the order of SPEC §6, content keys sorted, and HTML characters are not escaped
// (answers are JSON, and URLs in content stay readable). It does not allocate beyond dst.
func AppendJSON(dst []byte, a *Answer) []byte {
	dst = append(dst, `{"campaign":`...)
	dst = AppendString(dst, a.Campaign)
	dst = append(dst, `,"personalized":`...)
	dst = strconv.AppendBool(dst, a.Personalized)
	dst = append(dst, `,"experience":`...)
	dst = AppendString(dst, a.Experience)
	dst = appendContentAndItems(dst, a)
	dst = append(dst, `,"reason":`...)
	dst = AppendString(dst, string(a.Reason))
	dst = append(dst, `,"explanation":`...)
	dst = AppendString(dst, a.Explanation)
	dst = append(dst, `,"configHash":`...)
	dst = AppendString(dst, a.ConfigHash)
	return append(dst, '}')
}

// appendContentAndItems writes `,"content":{...},"items":[...]`, which both answer formats share.
func appendContentAndItems(dst []byte, a *Answer) []byte {
	dst = append(dst, `,"content":{`...)
	dst = appendSortedContent(dst, a.Content)
	dst = append(dst, `},"items":[`...)
	for i, id := range a.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, id)
	}
	return append(dst, ']')
}

// appendSortedContent writes the map's entries by key order. Content has at most 24 keys
// (the schema's maxProperties), so the keys are insertion-sorted in an array on the stack
// rather than in an allocated slice.
func appendSortedContent(dst []byte, m map[string]string) []byte {
	var buf [24]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k) // grows onto the heap only past 24 keys
		for j := len(keys) - 1; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		dst = AppendString(dst, m[k])
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// AppendString writes s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced by U+FFFD, U+2028/U+2029 escaped (as encoding/json does).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
