package testclient

import (
	"crypto/rand"
	"fmt"
)

// NewDeviceID returns a new random device ID in the real client's form: a
// version-4 UUID in lower-case hex within braces,
// {xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx}, y being one of 8, 9, a, b.
func NewDeviceID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: since Go 1.24 crypto/rand aborts instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("{%x-%x-%x-%x-%x}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
