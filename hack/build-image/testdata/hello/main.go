// Command hello is a tiny static program for the multi-architecture test of build-image
// (building the real binaries twice would take minutes).
package main

import "fmt"

func main() { fmt.Println("hello") }
