// Package rng gives the plot algorithms reproducible randomness: a seeded
// sequential generator for serial steps and a stateless hash for steps that
// run in parallel, so a draw depends on what it is for, never on which
// goroutine made it or when.
package rng

import (
	"math/bits"
	"math/rand/v2"
)

// New returns a generator for one purpose (stream) of a run with seed.
func New(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, Hash(stream, 0x9e3779b97f4a7c15, 0)))
}

// Hash mixes three words into 64 well-spread bits (SplitMix64 finaliser,
// applied once per word). Equal inputs give equal outputs.
func Hash(a, b, c uint64) uint64 {
	return mix(mix(mix(a+0x9e3779b97f4a7c15)^b) ^ c)
}

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Fast is a small sequential generator (wyrand) for hot loops; seed it from
// Hash so that each unit of parallel work has its own stream.
type Fast struct{ state uint64 }

// NewFast returns a generator whose stream is fixed by seed.
func NewFast(seed uint64) Fast { return Fast{state: seed} }

// Uint64 returns the next 64 random bits.
func (f *Fast) Uint64() uint64 {
	f.state += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(f.state, f.state^0xe7037ed1a0b428db)
	return hi ^ lo
}

// Below returns a number in [0, n) (n > 0) by Lemire's multiply-shift.
func (f *Fast) Below(n uint32) uint32 {
	return uint32((f.Uint64() & 0xffffffff) * uint64(n) >> 32)
}

// Unit maps a hash to a float32 in [0, 1).
func Unit(h uint64) float32 {
	return float32(h>>40) / (1 << 24)
}
