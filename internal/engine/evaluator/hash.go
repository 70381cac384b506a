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

package evaluator

import (
	"strconv"
	"unicode/utf16"
)

// fnv1a32 is 32-bit FNV-1a over the string's UTF-16 code units, as GrowthBook's JS SDK
// (which XORs each charCodeAt value) and its Go SDK v0.7.0 compute it. Hashing UTF-8 bytes
// instead would put non-ASCII visitor ids in different buckets than the other SDKs.
func fnv1a32(s string) uint32 {
	const (
		offsetBasis uint32 = 0x811c9dc5
		prime       uint32 = 0x01000193
	)
	h := offsetBasis
	for _, r := range s {
		if r < 0x10000 {
			h = (h ^ uint32(r)) * prime
			continue
		}
		// Astral characters are a surrogate pair: two code units.
		r1, r2 := utf16.EncodeRune(r)
		h = (h ^ uint32(r1)) * prime
		h = (h ^ uint32(r2)) * prime
	}
	return h
}

// fnv1a32Concat hashes a+b without building the concatenated string, so bucketing does
// not allocate. Concatenating UTF-8 strings concatenates their code points, so hashing one
// after the other gives the same value.
func fnv1a32Concat(a, b string) uint32 {
	const prime uint32 = 0x01000193
	h := fnv1a32(a)
	for _, r := range b {
		if r < 0x10000 {
			h = (h ^ uint32(r)) * prime
			continue
		}
		r1, r2 := utf16.EncodeRune(r)
		h = (h ^ uint32(r1)) * prime
		h = (h ^ uint32(r2)) * prime
	}
	return h
}

// BucketHash is GrowthBook's bucketing hash: a number in [0, 1) for a seed and a value.
// Version 2 (the one the engine uses) is fnv1a(str(fnv1a(seed + value))) % 10000 / 10000;
// version 1 is fnv1a(value + seed) % 1000 / 1000, kept so the whole GrowthBook vector set
// can be checked. ok is false for any other version.
func BucketHash(seed, value string, version int) (n float64, ok bool) {
	switch version {
	case 2:
		var buf [10]byte // a uint32 has at most 10 decimal digits
		inner := strconv.AppendUint(buf[:0], uint64(fnv1a32Concat(seed, value)), 10)
		// The digits are ASCII, so hashing the bytes equals hashing the UTF-16 code units.
		h := uint32(0x811c9dc5)
		for _, c := range inner {
			h = (h ^ uint32(c)) * 0x01000193
		}
		return float64(h%10000) / 10000, true
	case 1:
		return float64(fnv1a32Concat(value, seed)%1000) / 1000, true
	}
	return 0, false
}
