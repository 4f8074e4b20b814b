//go:build unix

package sqldb

import (
	"errors"
	"net"
	"syscall"
)

// idleSocketOK reports whether c, an idle connection, has nothing to read
// and is not closed by its peer. It peeks without blocking and without
// consuming.
func idleSocketOK(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	err = raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing waiting: the one good answer. Data or EOF (n >= 0 with no
		// error) or any other error means the connection is done.
		alive = n < 0 && (errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK))
		return true // never wait for the socket to become readable
	})
	return err == nil && alive
}
