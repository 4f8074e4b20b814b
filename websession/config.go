package websession

import "time"

// Defaults of Config, as in PROTOCOL 3.3 and 3.5.
const (
	DefaultIdleTimeout      = 30 * time.Minute
	DefaultLifetime         = 12 * time.Hour
	DefaultAccessResolution = 60 * time.Second
)

// Config sets the expiry rules of a Store.
type Config struct {
	// IdleTimeout is the sliding timeout: a session whose last activity is
	// more than this long ago is expired.
	IdleTimeout time.Duration
	// Lifetime is the absolute timeout, counted from creation.
	Lifetime time.Duration
	// AccessResolution limits writes: last_activity_utc is written only when
	// now minus its stored value is at least this. The effective idle
	// timeout therefore lies between IdleTimeout-AccessResolution and
	// IdleTimeout.
	AccessResolution time.Duration
	// CheckIP binds a session to the client IP it was created from.
	CheckIP bool
}

// DefaultConfig returns the defaults: 30 min idle, 12 h lifetime, 60 s
// access resolution and IP binding on.
func DefaultConfig() Config {
	return Config{
		IdleTimeout:      DefaultIdleTimeout,
		Lifetime:         DefaultLifetime,
		AccessResolution: DefaultAccessResolution,
		CheckIP:          true,
	}
}

// withDefaults replaces zero or negative timeouts with the defaults (a zero
// IdleTimeout would expire every session at once), and a negative access
// resolution; a zero resolution means "write last activity on every use".
func (c Config) withDefaults() Config {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Lifetime <= 0 {
		c.Lifetime = DefaultLifetime
	}
	if c.AccessResolution < 0 {
		c.AccessResolution = DefaultAccessResolution
	}
	return c
}
