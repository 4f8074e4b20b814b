package sim

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
)

// tinyPNG returns a real 4×4 PNG of random colours, about 100 bytes, as a
// tablet's photo BLOB.
func tinyPNG(rng *rand.Rand) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for y := range 4 {
		for x := range 4 {
			img.Set(x, y, color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic("sim: png: " + err.Error()) // unreachable: writing to memory
	}
	return b.Bytes()
}
