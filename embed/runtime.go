package embed

import (
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// The ONNX Runtime environment is process-wide: it is created by the first
// Init and lives until the process ends, shared by every Embedder.
var runtimeState struct {
	sync.Mutex
	lib string // the library the environment was created from
}

// Init loads the ONNX Runtime shared library at lib (libonnxruntime.so.1) and
// creates the process-wide ORT environment. Calling it again with the same
// path does nothing; another path is an error, since one process can hold only
// one runtime. Open calls it; code that uses onnxruntime_go directly calls it
// first too.
func Init(lib string) error {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	if runtimeState.lib != "" {
		if runtimeState.lib != lib {
			return fmt.Errorf("onnx runtime already loaded from %s, cannot also load %s", runtimeState.lib, lib)
		}
		return nil
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("load onnx runtime %s: %w", lib, err)
	}
	runtimeState.lib = lib
	return nil
}
