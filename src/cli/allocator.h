// cli/allocator.h: which memory allocator the bonafide programs run on.
#ifndef BONAFIDE_CLI_ALLOCATOR_H_
#define BONAFIDE_CLI_ALLOCATOR_H_

#include <string>

namespace bonafide::cli {

// AllocatorDescription names the allocator this program was linked with: "jemalloc VERSION" in
// the default build, "glibc malloc" in the sanitizer and fuzz builds (docs/performance.md,
// "Allocator").
std::string AllocatorDescription();

}  // namespace bonafide::cli

#endif  // BONAFIDE_CLI_ALLOCATOR_H_
