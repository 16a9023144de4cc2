package modelstore

import (
	"fmt"
	"strings"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/tfjsonnx"
)

// DefaultModel is the built-in model used when none is named.
const DefaultModel = "inception_v3"

// builtin is a model converted from nsfwjs. nsfwjs fine-tuned ImageNet
// networks on five classes of pictures (drawings, hentai, neutral, porn, sexy)
// with their lower layers frozen, so the frozen layers are pure ImageNet
// features; every output used here is the global average pool of one layer.
type builtin struct {
	Name    string
	outputs []string // graph outputs of the converted file
	output  string   // the embedding
	dims    int
	size    int
	shards  []string // weight files named in model.min.js
	SHA256  string   // of the converted file: pins package and converter
}

var builtins = []builtin{
	{
		// Inception v3, 299×299. mixed7 (768-d) clustered best in every test of
		// the research notes; mixed5, the last frozen block, is kept as a
		// second output of the file.
		Name:    "inception_v3",
		outputs: []string{"mixed7_gap", "mixed5_gap"},
		output:  "mixed7_gap",
		dims:    768,
		size:    299,
		shards:  shardNames(6),
		SHA256:  "2e223cdc25393701035584855fe53c8b01a84a149e5f07180c231f1b3fa0d258",
	},
	{
		// MobileNetV2, 224×224, ~4× faster. block_10_project_BN is the last
		// frozen (pure ImageNet) block; its 96-d pool beat the fine-tuned
		// 1280-d flatten_1 on openclipart, emoji and Fashion-MNIST kNN.
		Name:    "mobilenet_v2",
		outputs: []string{"block_10_project_BN_gap"},
		output:  "block_10_project_BN_gap",
		dims:    96,
		size:    224,
		shards:  shardNames(1),
		SHA256:  "8f26b9923944ae38f9ab95920be664611bb6627eb70a324b21509a2496264726",
	},
}

func shardNames(n int) []string {
	var names []string
	for i := 1; i <= n; i++ {
		names = append(names, fmt.Sprintf("group1-shard%dof%d", i, n))
	}
	return names
}

// model describes the converted file at path.
func (b builtin) model(path string) pixplot.Model {
	return pixplot.Model{
		Name:   b.Name,
		File:   path,
		SHA256: b.SHA256,
		Output: b.output,
		Dims:   b.dims,
		Preprocess: pixplot.Preprocess{
			Input:  tfjsonnx.InputName,
			Size:   b.size,
			Layout: embed.LayoutNHWC,
			Scale:  embed.ScaleUnit, // nsfwjs trained on pixel/255
		},
	}
}

// Builtins lists the names of the built-in models, the default first.
func Builtins() []string { return builtinNames() }

func builtinNames() []string {
	var names []string
	for _, b := range builtins {
		names = append(names, b.Name)
	}
	return names
}

func builtinByName(name string) (builtin, bool) {
	for _, b := range builtins {
		if b.Name == name {
			return b, true
		}
	}
	return builtin{}, false
}

func unknownBuiltin(name string) error {
	return fmt.Errorf("unknown built-in model %q (have: %s)", name, strings.Join(builtinNames(), ", "))
}
