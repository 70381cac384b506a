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

package consent

import (
	"hash/maphash"
	"strings"
	"sync"
)

// CacheEntries is the most decoded strings kept per format (TC and GPP each): 4,096, in 16
// shards of two generations of 128. A string keeps its slot while it is used; when a
// shard's newest generation is full the older one is dropped whole. The cache holds decode
// results only (the visitor-independent bits of a string), never a decision; strings that
// fail to decode are cached too, so garbage costs one decode.
const CacheEntries = cacheShards * 2 * generationSize

const (
	cacheShards    = 16
	generationSize = 128
)

var (
	tcCache  = newCache[tcEntry]()
	gppCache = newCache[gppEntry]()
)

type cache[V any] struct {
	seed   maphash.Seed
	shards [cacheShards]shard[V]
}

type shard[V any] struct {
	mu       sync.Mutex
	cur, old map[string]V
}

func newCache[V any]() *cache[V] {
	c := &cache[V]{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]V, generationSize)
	}
	return c
}

func (c *cache[V]) shard(key string) *shard[V] {
	return &c.shards[maphash.String(c.seed, key)%cacheShards]
}

func (c *cache[V]) get(key string) (V, bool) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.cur[key]; ok {
		return v, true
	}
	v, ok := s.old[key]
	if ok {
		s.insert(key, v) // still in use: promote it to the newest generation
	}
	return v, ok
}

func (c *cache[V]) put(key string, v V) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Clone: the key is often a substring of a whole request body, which it must not pin.
	s.insert(strings.Clone(key), v)
}

func (s *shard[V]) insert(key string, v V) {
	if len(s.cur) >= generationSize {
		s.old, s.cur = s.cur, make(map[string]V, generationSize)
	}
	s.cur[key] = v
}

// len is the number of entries held (tests).
func (c *cache[V]) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.old)
		s.mu.Unlock()
	}
	return n
}

// reset empties the cache (tests and cold benchmarks).
func (c *cache[V]) reset() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.cur, s.old = make(map[string]V, generationSize), nil
		s.mu.Unlock()
	}
}

// Forget drops one string from both caches, so its next decode is cold (benchmarks and
// tests; the engine never calls it).
func Forget(s string) {
	for _, sh := range []interface{ forget(string) }{tcCache.shard(s), gppCache.shard(s)} {
		sh.forget(s)
	}
}

func (s *shard[V]) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cur, key)
	delete(s.old, key)
}
