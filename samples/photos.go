package samples

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/registry"
)

const (
	photosPackage = "python3-skimage"
	photosVersion = "0.19.3-8"
	photosSHA256  = "728d88c3e3440f1f3712de0805dc834d29248ff07e1eec8c0f3da07606f752f9"
	photosRoot    = "usr/lib/python3/dist-packages/skimage/data/"
)

var photosSource = source{
	name:    Photos,
	pkg:     photosPackage + "=" + photosVersion,
	license: "per image (license column): CC0 or public domain, except the Middlebury motorcycle pair",
	download: func(ctx context.Context, dir string, opt Options) (string, error) {
		return aptDownload(ctx, photosPackage, photosVersion, photosSHA256, dir, opt)
	},
	unpack: unpackPhotos,
}

// photo describes one of the scikit-image data files taken into the photos sample.
// Descriptions and licences follow skimage/data/_fetchers.py of the same package.
type photo struct {
	file, category, description, license string
	year                                 int // 0: unknown
	tags                                 []string
}

// photoList is the photos sample: real photographs (and three photographed
// textures) whose licence the package states. Formats: 3 JPEG, the rest PNG, some
// grey; motorcycle_left/right are a stereo pair, i.e. near duplicates.
var photoList = []photo{
	{"astronaut.png", "person", "Astronaut Eileen Collins, NASA portrait", "public domain (NASA)", 0, []string{"portrait", "space"}},
	{"camera.png", "person", "Photographer with a camera on a tripod, grey", "CC0 (Lav Varshney)", 0, []string{"portrait", "grey"}},
	{"chelsea.png", "animal", "Chelsea the cat", "CC0 (Stefan van der Walt)", 0, []string{"cat"}},
	{"coffee.png", "food", "Cup of coffee on a wooden table", "CC0 (Rachel Michetti)", 0, []string{"drink"}},
	{"coins.png", "object", "Greek coins from Pompeii, Brooklyn Museum, grey", "no known copyright restrictions (Brooklyn Museum)", 0, []string{"museum", "grey"}},
	{"clock_motion.png", "object", "Wall clock photographed while moving the camera, grey", "public domain (Stefan van der Walt)", 0, []string{"blur", "grey"}},
	{"motorcycle_left.png", "vehicle", "Motorcycle, left image of a stereo pair", "Middlebury 2014 stereo data set; terms not stated in the package", 2014, []string{"stereo-pair", "near-duplicate"}},
	{"motorcycle_right.png", "vehicle", "Motorcycle, right image of a stereo pair", "Middlebury 2014 stereo data set; terms not stated in the package", 2014, []string{"stereo-pair", "near-duplicate"}},
	{"rocket.jpg", "vehicle", "Falcon 9 launching DSCOVR, SpaceX", "public domain (SpaceX)", 2015, []string{"space", "jpeg"}},
	{"hubble_deep_field.jpg", "space", "Hubble eXtreme Deep Field, NASA", "public domain (NASA)", 2012, []string{"jpeg"}},
	{"retina.jpg", "science", "Fundus photograph of a normal left eye", "CC0 (Mikael Häggström)", 2014, []string{"medicine", "jpeg"}},
	{"brick.png", "texture", "Brick wall, grey", "CC0 (CC0Textures)", 0, []string{"grey"}},
	{"grass.png", "texture", "Grass, grey", "CC0", 0, []string{"grey"}},
	{"gravel.png", "texture", "Gravel, grey", "CC0 (CC0Textures)", 0, []string{"grey"}},
}

func unpackPhotos(ctx context.Context, archive, imagesDir string, opt Options) ([]Record, error) {
	wanted := map[string]bool{}
	for _, p := range photoList {
		wanted[p.file] = true
	}
	found := map[string]bool{}
	err := registry.WalkDeb(ctx, archive, func(name string, hdr *tar.Header, body io.Reader) error {
		file := path.Base(name)
		if hdr.Typeflag != tar.TypeReg || path.Dir(name)+"/" != photosRoot || !wanted[file] {
			return nil
		}
		found[file] = true
		return writeUnder(imagesDir, file, body)
	})
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	var records []Record
	for _, p := range photoList {
		if !found[p.file] {
			return nil, fmt.Errorf("samples: %s has no %s%s", archive, photosRoot, p.file)
		}
		records = append(records, p.record())
	}
	return records, nil
}

func (p photo) record() Record {
	var year *int
	if p.year != 0 {
		year = &p.year
	}
	return Record{
		Filename: p.file,
		Meta: pixplot.Metadata{
			Category:    p.category,
			Label:       p.category,
			Description: p.description,
			Year:        year,
			Tags:        uniqueTags(p.tags),
			Extra: map[string]string{
				"license": p.license,
				"source":  "Debian " + photosPackage + " " + photosVersion + " (skimage/data)",
			},
		},
	}
}
