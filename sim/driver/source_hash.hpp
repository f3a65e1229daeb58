// The identity of the simulator build: a hash of every source file under sim/ and kernels/
// (relative path and content), generated at build time by sim/source_hash.cmake. Two builds with
// one hash simulate alike; a sweep records it so that resuming or merging never mixes the results
// of different simulators.
#pragma once

namespace socsim {

// 16 hex digits.
const char* source_hash();

}  // namespace socsim
