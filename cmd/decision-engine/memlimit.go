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

package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cgroupMemoryFiles are where the container's memory limit is read: cgroup v2, then v1.
var cgroupMemoryFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// memoryLimitShare is the share of the container's memory limit given to the Go runtime
// as its soft limit: the rest covers what the runtime does not count (stacks outside the
// heap accounting, the binary, page cache charged to the cgroup).
const memoryLimitShare = 0.9

// cgroupUnlimited is the smallest cgroup v1 value meaning "no limit" (v1 writes the page-
// rounded maximum int64 there).
const cgroupUnlimited = 1 << 62

// parseCgroupMemoryLimit reads a cgroup memory limit file's content: bytes, or "max"
// (cgroup v2) or a huge value (v1) for no limit, which answer ok=false.
func parseCgroupMemoryLimit(content string) (limit int64, ok bool, err error) {
	s := strings.TrimSpace(content)
	if s == "max" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false, fmt.Errorf("unexpected cgroup memory limit %q", s)
	}
	if n >= cgroupUnlimited {
		return 0, false, nil
	}
	return n, true, nil
}

// goMemoryLimit is the runtime soft limit for a container limit.
func goMemoryLimit(containerLimit int64) int64 {
	return int64(float64(containerLimit) * memoryLimitShare)
}

// containerMemoryLimit finds the container's memory limit; ok=false when there is none
// or no cgroup file is readable (outside a container).
func containerMemoryLimit() (int64, bool, error) {
	for _, path := range cgroupMemoryFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		limit, ok, err := parseCgroupMemoryLimit(string(data))
		if err != nil {
			return 0, false, fmt.Errorf("%s: %w", path, err)
		}
		return limit, ok, nil
	}
	return 0, false, nil
}
